"""Privileges: a sandbox started by root keeps none of root's powers.

A grader run as root starts its sandboxes as root too, and root may do what the kernel's
other walls take for granted no one can: read any file whatever its mode, change owners,
raise limits, load modules. Two ways out, chosen by the grader for each batch:

- `unprivileged_user`: when the user `nobody` can run this Python and import what the
  sandbox needs, the grader starts each sandbox as `nobody`, in a folder given to it;
- otherwise (Python installed under root's own home, say) `drop_capabilities`, run by the
  sandbox itself before anything else: the process stays uid 0 but loses every capability,
  for good: the bounding set is emptied (no later exec could give any back), the effective,
  permitted, inheritable and ambient sets too, and the securebits NOROOT and
  NO_SETUID_FIXUP are set and locked, so that uid 0 means nothing special any more.

Either way the report's `sandbox` field says which (`user nobody` or `no capabilities`).
See `man 7 capabilities`.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys

PR_CAPBSET_DROP, PR_GET_SECUREBITS, PR_SET_SECUREBITS = 24, 27, 28
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
NOROOT, NOROOT_LOCKED = 1 << 0, 1 << 1
NO_SETUID_FIXUP, NO_SETUID_FIXUP_LOCKED = 1 << 2, 1 << 3
KEEP_CAPS_LOCKED = 1 << 5
NO_CAP_AMBIENT_RAISE, NO_CAP_AMBIENT_RAISE_LOCKED = 1 << 6, 1 << 7
SECUREBITS = (NOROOT | NOROOT_LOCKED | NO_SETUID_FIXUP | NO_SETUID_FIXUP_LOCKED
              | KEEP_CAPS_LOCKED | NO_CAP_AMBIENT_RAISE | NO_CAP_AMBIENT_RAISE_LOCKED)  # fmt: skip
CAPABILITY_VERSION_3 = 0x20080522
CAPABILITY_SETS = ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")
UNPRIVILEGED = "nobody"


def capabilities():
    """This process's capability sets from /proc/self/status, as {"CapEff": int, ...}."""
    found = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in CAPABILITY_SETS:
                found[name] = int(value, 16)
    return found


def drop_capabilities():
    """Lose every capability for good (see the module docstring); True when all are gone.

    Meant for a process running as root, on Linux, before it starts any thread: the kernel
    keeps capabilities per thread, and these calls change the calling thread's only (a
    thread started earlier, such as a BLAS worker, would keep root's). So with more than
    one thread this does what it can and returns False. Each step that the kernel refuses
    (a container that already took CAP_SETPCAP away, say) is skipped, and the result says
    whether every set ended empty.
    """
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    alone = len(os.listdir("/proc/self/task")) == 1

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_SECUREBITS, SECUREBITS, 0, 0, 0)  # needs CAP_SETPCAP: first
    with open("/proc/sys/kernel/cap_last_cap", encoding="ascii") as last:
        for capability in range(int(last.read()) + 1):
            libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]  # fmt: skip

    nothing = (Data * 2)()  # version 3 takes two 32-bit halves, all zero
    if libc.capset(ctypes.byref(Header(CAPABILITY_VERSION_3, 0)), nothing) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")
    bits = libc.prctl(PR_GET_SECUREBITS, 0, 0, 0, 0)
    return alone and bits & SECUREBITS == SECUREBITS and not any(capabilities().values())


@functools.cache
def unprivileged_user(lib):
    """(uid, gid) of `nobody` if the grader runs as root and that user can run the sandbox.

    The check runs once per grader process: this Python, as `nobody`, must start in
    isolated mode, import byhand's sandbox (from `lib`), NumPy and IPython, and find Matplotlib.
    None when the grader is not root, when there is no such user, or when it cannot (a
    Python under /root, which is closed to others, for instance).
    """
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    import pwd

    try:
        user = pwd.getpwnam(UNPRIVILEGED)
    except KeyError:
        return None
    probe = (f"import sys; sys.path.insert(0, {str(lib)!r}); "
             "import byhand.grading.sandbox, IPython, numpy, importlib.util; "
             "assert importlib.util.find_spec('matplotlib')")  # fmt: skip
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-B", "-c", probe],
            user=user.pw_uid, group=user.pw_gid, extra_groups=[], cwd="/",
            env={"PATH": os.defpath, "HOME": "/", "LANG": "C.UTF-8"},
            stdin=subprocess.DEVNULL, capture_output=True, timeout=120,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):  # cannot even run the interpreter
        return None
    return (user.pw_uid, user.pw_gid) if done.returncode == 0 else None
