"""Seccomp: a filter the Linux kernel runs on every system call the sandbox makes.

The audit hook is Python code in the student's own process: a function that walks its call
frames can reach the hook's tables and empty them. This filter is out of reach. Once
`install` has run, the kernel itself answers, for this process and every thread it starts:

- `socket`, `socketpair`, `io_uring_setup`: EPERM, so no network and no UNIX socket (the
  grader's channel and the output pipe are pipes, made before);
- `fork`, `vfork`, `clone` without CLONE_THREAD: EPERM, so no new process (threads remain
  possible); `clone3`: ENOSYS, so that the C library falls back to `clone` for a thread;
- `execve`, `execveat`: EPERM, so no program runs;
- `kill`, `tgkill`, `rt_sigqueueinfo`, `rt_tgsigqueueinfo`: allowed only to this process's
  own pid; `tkill`, `pidfd_open`, `pidfd_send_signal`, `pidfd_getfd`, `ptrace`,
  `process_vm_readv`, `process_vm_writev`, `process_madvise`: EPERM, so no other process
  can be signalled, traced or read;
- namespaces, mounts, BPF, perf events, userfaultfd and the kernel keyring (`unshare`,
  `setns`, `mount`, `umount2`, `pivot_root`, `bpf`, `perf_event_open`, `userfaultfd`,
  `keyctl`, `add_key`, `request_key`): EPERM, parts of the kernel no notebook needs.

Everything else is allowed. The filter is a classic BPF program (`man 2 seccomp`): it first
checks the call's architecture (a call made through another one, such as 32-bit `int 0x80`
or x32 on x86-64, is refused outright), then its number and, for the calls above that
depend on them, its first argument. System call numbers differ between architectures:
x86-64 and AArch64 are supported, and on any other machine `install` installs nothing and
returns False. It needs no privilege, only "no new privileges", which it sets.
"""

from __future__ import annotations

import errno
import os
import platform
import sys

# struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; }
NR, ARCH = 0, 4


def low_word_of_argument(index):
    """Where the low 32 bits of argument `index` lie in seccomp_data (little-endian)."""
    return 16 + 8 * index


AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
X32_SYSCALL_BIT = 0x40000000  # x86-64's x32 ABI: the same arch, numbers with this bit set
CLONE_THREAD = 0x00010000

# System call numbers, from the kernel's tables (x86-64: arch/x86/entry/syscalls; AArch64
# uses the generic table, include/uapi/asm-generic/unistd.h, and has no fork or vfork).
SYSCALLS = {
    "x86_64": {
        "socket": 41, "socketpair": 53, "clone": 56, "fork": 57, "vfork": 58, "execve": 59,
        "kill": 62, "ptrace": 101, "rt_sigqueueinfo": 129, "pivot_root": 155, "mount": 165,
        "umount2": 166, "tkill": 200, "tgkill": 234, "add_key": 248, "request_key": 249,
        "keyctl": 250, "unshare": 272, "rt_tgsigqueueinfo": 297, "perf_event_open": 298,
        "setns": 308, "process_vm_readv": 310, "process_vm_writev": 311, "seccomp": 317,
        "bpf": 321, "execveat": 322, "userfaultfd": 323, "pidfd_send_signal": 424,
        "io_uring_setup": 425, "pidfd_open": 434, "clone3": 435, "pidfd_getfd": 438,
        "process_madvise": 440,
    },
    "aarch64": {
        "umount2": 39, "mount": 40, "pivot_root": 41, "unshare": 97, "ptrace": 117,
        "kill": 129, "tkill": 130, "tgkill": 131, "rt_sigqueueinfo": 138, "socket": 198,
        "socketpair": 199, "add_key": 217, "request_key": 218, "keyctl": 219, "clone": 220,
        "execve": 221, "rt_tgsigqueueinfo": 240, "perf_event_open": 241, "setns": 268,
        "process_vm_readv": 270, "process_vm_writev": 271, "seccomp": 277, "bpf": 280,
        "execveat": 281, "userfaultfd": 282, "pidfd_send_signal": 424, "io_uring_setup": 425,
        "pidfd_open": 434, "clone3": 435, "pidfd_getfd": 438, "process_madvise": 440,
    },
}  # fmt: skip

REFUSED = (
    "socket", "socketpair", "io_uring_setup",  # network and UNIX sockets
    "fork", "vfork", "execve", "execveat",  # new processes, programs
    "tkill", "pidfd_open", "pidfd_send_signal", "pidfd_getfd", "ptrace",  # other processes
    "process_vm_readv", "process_vm_writev", "process_madvise",
    "unshare", "setns", "mount", "umount2", "pivot_root", "bpf", "perf_event_open",
    "userfaultfd", "keyctl", "add_key", "request_key",
)  # fmt: skip
NOT_IMPLEMENTED = ("clone3",)  # ENOSYS: glibc then makes its threads with clone
THREADS_ONLY = ("clone",)  # allowed only with CLONE_THREAD in its flags (argument 0)
OWN_PROCESS_ONLY = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")  # argument 0

# Classic BPF (linux/filter.h, linux/seccomp.h).
LD_W_ABS, JEQ, JGE, JSET, RET = 0x20, 0x15, 0x35, 0x45, 0x06
RET_ALLOW, RET_ERRNO = 0x7FFF0000, 0x00050000
PR_SET_NO_NEW_PRIVS = 38
SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC = 1, 1


def machine():
    """This machine's architecture as `SYSCALLS` names it, or None when it has no table."""
    name = platform.machine().lower()
    name = {"amd64": "x86_64", "arm64": "aarch64"}.get(name, name)
    if not sys.platform.startswith("linux") or name not in SYSCALLS:
        return None
    if name == "x86_64" and sys.maxsize < 2**32:  # a 32-bit Python on a 64-bit kernel
        return None
    return name


def program(arch, pid):
    """The filter for `arch`, allowing signals to `pid` only: a list of (code, jt, jf, k).

    Written with labels, then assembled: a jump names the label it goes to, or None for
    the next instruction.
    """
    numbers = SYSCALLS[arch]
    errno_ret = {"refuse": RET_ERRNO | errno.EPERM, "enosys": RET_ERRNO | errno.ENOSYS}
    code = [
        ("ld", ARCH),
        ("jeq", AUDIT_ARCH[arch], None, "refuse"),  # another architecture's call
        ("ld", NR),
    ]
    if arch == "x86_64":
        code.append(("jge", X32_SYSCALL_BIT, "refuse", None))
    code += [("jeq", numbers[name], "refuse", None) for name in REFUSED if name in numbers]
    code += [("jeq", numbers[name], "enosys", None) for name in NOT_IMPLEMENTED]
    code += [("jeq", numbers[name], "thread?", None) for name in THREADS_ONLY]
    code += [("jeq", numbers[name], "own pid?", None) for name in OWN_PROCESS_ONLY]
    code += [
        ("ret", RET_ALLOW),
        ("label", "thread?"),
        ("ld", low_word_of_argument(0)),
        ("jset", CLONE_THREAD, "allow", "refuse"),
        ("label", "own pid?"),
        ("ld", low_word_of_argument(0)),  # a pid_t: the kernel reads only these 32 bits
        ("jeq", pid & 0xFFFFFFFF, "allow", "refuse"),
        ("label", "allow"),
        ("ret", RET_ALLOW),
        ("label", "refuse"),
        ("ret", errno_ret["refuse"]),
        ("label", "enosys"),
        ("ret", errno_ret["enosys"]),
    ]
    return assemble(code)


def assemble(code):
    """Turn labelled instructions into BPF's (code, jt, jf, k), with relative jumps."""
    where, position = {}, 0
    for instruction in code:
        if instruction[0] == "label":
            where[instruction[1]] = position
        else:
            position += 1
    assembled = []
    for instruction in code:
        kind = instruction[0]
        if kind == "label":
            continue
        here = len(assembled)
        if kind == "ld":
            assembled.append((LD_W_ABS, 0, 0, instruction[1]))
        elif kind == "ret":
            assembled.append((RET, 0, 0, instruction[1]))
        else:
            _, k, true, false = instruction
            jumps = [0 if label is None else where[label] - here - 1 for label in (true, false)]
            if not all(0 <= jump <= 255 for jump in jumps):
                raise ValueError(f"seccomp: jump out of range at instruction {here}")
            op = {"jeq": JEQ, "jge": JGE, "jset": JSET}[kind]
            assembled.append((op, jumps[0], jumps[1], k))
    return assembled


def install():
    """Install the filter on this process and all its threads; False where unsupported.

    Raises OSError if the kernel refuses a filter it should accept.
    """
    arch = machine()
    if arch is None:
        return False
    import ctypes

    class SockFilter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8),
                    ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]  # fmt: skip

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]

    instructions = program(arch, os.getpid())
    table = (SockFilter * len(instructions))(*(SockFilter(*i) for i in instructions))
    fprog = SockFprog(len(instructions), table)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    done = libc.syscall(
        ctypes.c_long(SYSCALLS[arch]["seccomp"]),
        ctypes.c_uint(SECCOMP_SET_MODE_FILTER),
        ctypes.c_uint(SECCOMP_FILTER_FLAG_TSYNC),  # every thread, not only the calling one
        ctypes.byref(fprog),
    )
    if done != 0:
        error = ctypes.get_errno()
        # A kernel without seccomp filters (ENOSYS, EINVAL), or a container runtime that
        # forbids them (EPERM): the sandbox field then leaves seccomp out.
        if done < 0 and error in (errno.ENOSYS, errno.EINVAL, errno.EPERM):
            return False
        raise OSError(error, f"seccomp(SET_MODE_FILTER) failed ({done})")
    return True
