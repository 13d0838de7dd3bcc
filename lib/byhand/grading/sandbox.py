"""The sandbox: one submission's code runs here, in a process of its own.

The runner starts `python -I -B -c <bootstrap>` in a new, empty temporary folder (isolated
mode: neither that folder nor the environment's PYTHON* variables are on the import path;
the bootstrap puts byhand's own folder there and calls `main`) and talks to it over the
process's standard input and output (see `protocol`). The sandbox

1. reads its plan: the notebook's code cells, the cells to skip, and its limits;
2. sets its limits (address space, CPU seconds, file size, no core dumps) and raises its
   kernel walls: as root, drops every capability (`privileges`), then installs a seccomp
   filter (`seccomp`) refusing sockets, new processes, programs and signals to others;
3. imports what lessons use, and moves the student's prints to its standard error, a
   pipe the grader reads (off the channel to the grader, and out of the folder);
4. locks itself in: on Linux 5.13+ the kernel's Landlock confines its files to the folder
   (reading also where Python and its packages live); then an audit hook (Python's own
   `sys.addaudithook`, which cannot be removed) refuses, with a readable message, what
   these walls refuse and more: subprocesses, signals, network, ctypes, and files
   outside the folder;
5. runs the cells one by one in an IPython shell, reporting each (a cell's value is shown in
   the log unless a `;` ends it, as in IPython), then lists the functions the notebook
   defined and answers calls to them until the grader closes the channel.

Scores are never computed here: the student's code could change anything in this process,
the audit hook included (a function can walk its frames up to `main`); the kernel's walls
are what hold then.
"""

from __future__ import annotations

import os
import resource
import sys
import traceback

from byhand.grading import landlock, privileges, seccomp
from byhand.grading.landlock import DEVICES
from byhand.grading.protocol import decode, encode, read_message, write_message

DENIED_EVENTS = {
    "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "os.kill",
    "os.killpg", "os.startfile", "subprocess.Popen", "pty.spawn", "resource.setrlimit",
    "resource.prlimit", "signal.pthread_kill", "sys.remote_exec", "webbrowser.open",
    "urllib.Request", "sqlite3.connect", "sqlite3.load_extension", "gc.get_referrers",
    "gc.get_referents", "gc.get_objects",
    "cpython.PyInterpreterState_New",  # a subinterpreter would run without this audit hook
}  # fmt: skip
DENIED_PREFIXES = ("ctypes.", "socket.", "_winapi.", "winreg.", "msvcrt.")
# CPython's own test modules reach into the interpreter's internals; no notebook needs them.
DENIED_IMPORTS = {
    "_testcapi", "_testinternalcapi", "_testmultiphase", "_testsinglephase", "_ctypes_test",
    "_xxsubinterpreters", "_xxinterpchannels", "_testbuffer",
}  # fmt: skip
WRITE_EVENTS = {  # event -> positions of the paths it changes
    "os.remove": (0,), "os.rmdir": (0,), "os.rename": (0, 1), "os.link": (0, 1),
    "os.symlink": (1,), "os.truncate": (0,), "os.mkdir": (0,), "os.chmod": (0,),
    "os.chown": (0,), "os.chflags": (0,), "os.lchflags": (0,), "os.utime": (0,),
    "os.setxattr": (0,), "os.removexattr": (0,), "shutil.rmtree": (0,),
    "shutil.copyfile": (1,), "shutil.copymode": (1,), "shutil.copystat": (1,),
    "shutil.move": (0, 1), "shutil.chown": (0,), "shutil.unpack_archive": (1,),
    "shutil.make_archive": (0,), "tempfile.mkstemp": (0,), "tempfile.mkdtemp": (0,),
}  # fmt: skip
READ_EVENTS = {  # event -> positions of the paths it reads
    "os.listdir": (0,), "os.scandir": (0,), "glob.glob": (0,), "glob.glob/2": (0, 2),
    "os.listxattr": (0,), "os.getxattr": (0,), "shutil.copyfile": (0,), "os.chdir": (0,),
}  # fmt: skip
# event -> {position of a path: position of the folder descriptor it is relative to}
DIR_FDS = {
    "os.remove": {0: 1}, "os.rmdir": {0: 1}, "os.rename": {0: 2, 1: 3}, "os.link": {0: 2, 1: 3},
    "os.symlink": {1: 2}, "os.mkdir": {0: 2}, "os.chmod": {0: 2}, "os.chown": {0: 3},
    "os.utime": {0: 3}, "glob.glob/2": {2: 3},
}  # fmt: skip
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


class Policy:
    """Where the sandboxed code may read and write, and the audit hook that enforces it."""

    def __init__(self, workdir, read_roots):
        self.workdir = os.path.realpath(workdir)
        self.read_roots = sorted({os.path.realpath(root) for root in read_roots if root})
        self.sealed = []  # objects whose __code__ and __defaults__ stay closed

    @staticmethod
    def _under(path, roots):
        return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)

    def _resolve(self, path):
        return os.path.realpath(_text(path))

    def may_write(self, path):
        path = self._resolve(path)
        return path in DEVICES or self._under(path, [self.workdir])

    def may_read(self, path):
        path = self._resolve(path)
        if self._under(path, [self.workdir]) or path in DEVICES:
            return True
        # Directories outside the folder stay closed: a directory's file descriptor would let
        # `dir_fd=` reach past these checks, which see only the relative path.
        return self._under(path, self.read_roots) and not os.path.isdir(path)

    def hook(self, event, args):
        if event == "open":
            path, mode, flags = args
            if path is None or isinstance(path, int):
                return  # an open file descriptor: it came from a checked open
            writing = any(c in (mode or "") for c in "wax+") or bool((flags or 0) & WRITE_FLAGS)
            allowed = self.may_write(path) if writing else self.may_read(path)
            if not allowed:
                what = "writing" if writing else "reading"
                raise PermissionError(f"the grader's sandbox does not allow {what} {path}")
        elif event == "object.__getattr__" and any(args[0] is obj for obj in self.sealed):
            raise PermissionError(f"the grader's sandbox does not allow reading {args[1]} here")
        elif event == "import" and str(args[0]).partition(".")[0] in DENIED_IMPORTS:
            raise PermissionError(f"the grader's sandbox does not allow importing {args[0]}")
        elif event in DENIED_EVENTS or event.startswith(DENIED_PREFIXES):
            raise PermissionError(f"the grader's sandbox does not allow {event}")
        else:
            self._check_paths(event, args, WRITE_EVENTS, self.may_write, "changing")
            self._check_paths(event, args, READ_EVENTS, self._may_list, "reading")
            if event == "os.symlink":
                self._check_link_target(*args[:3])

    def _may_list(self, path):
        return self._under(self._resolve(path), [self.workdir, *self.read_roots])

    def _check_paths(self, event, args, table, allowed, verb):
        for position in table.get(event, ()):
            path = args[position] if position < len(args) else None
            if not isinstance(path, str | bytes | os.PathLike):
                continue  # None, or a file descriptor: it came from a checked open
            where = DIR_FDS.get(event, {}).get(position)
            if where is not None and where < len(args):
                path = _at(path, args[where])
            elif event == "glob.glob/2" and position == 0:  # a pattern is under root_dir
                path = _at(path, args[3], base=args[2])
            if not allowed(path):
                raise PermissionError(f"the grader's sandbox does not allow {verb} {path}")

    def _check_link_target(self, target, link, dir_fd):
        """A link's target, relative or not, must lead inside the folder.

        The kernel reads a relative target from the link's own folder, not from the
        current one: `sub/link -> ../x` is `x`. So is it read here.
        """
        given = _text(target)
        target = given
        if not os.path.isabs(target):
            folder = os.path.dirname(os.path.abspath(_at(link, dir_fd)))
            target = os.path.join(os.path.realpath(folder), target)
        if not self.may_write(target):
            where = "" if os.path.isabs(given) else " from where the link is"
            raise PermissionError(f"the grader's sandbox does not allow a link to {given}{where}")


def _text(path):
    """A path given as str, bytes or PathLike, as str."""
    path = os.fspath(path)
    return os.fsdecode(path) if isinstance(path, bytes) else path


def _at(path, dir_fd, base=None):
    """`path` as the kernel reads it: relative to the folder `base`, itself relative to the
    folder open as `dir_fd` (when given), or to the current folder."""
    path = _text(path)
    if base is not None:
        path = os.path.join(_at(base, dir_fd), path)
    elif dir_fd is not None and dir_fd >= 0 and not os.path.isabs(path):
        try:
            folder = os.readlink(f"/proc/self/fd/{dir_fd}")
        except OSError:
            raise PermissionError("the grader's sandbox cannot tell which folder that is") from None
        path = os.path.join(folder, path)
    return path


def read_roots():
    """Where Python, its standard library and the installed packages live (read-only)."""
    import sysconfig

    import byhand

    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    roots.update(sysconfig.get_paths().values())
    roots.update(p for p in sys.path if p and os.path.isabs(p) and p != os.getcwd())
    roots.update(byhand.__path__)
    return sorted(r for r in roots if os.path.exists(r))


def set_limits(memory_mb, cpu_seconds, file_mb):
    for limit, value in (
        (resource.RLIMIT_AS, memory_mb * 2**20),
        (resource.RLIMIT_CPU, cpu_seconds),
        (resource.RLIMIT_FSIZE, file_mb * 2**20),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(limit, (value, value))


def prepare():
    """Import what notebooks use while files may still be read, and make the shell."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    import numpy  # noqa: F401
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    return InteractiveShell.instance(config=config, colors="nocolor")


def close_back_doors(policy):
    """Refuse what starts programs without an audit event, and forbid new processes.

    `_posixsubprocess.fork_exec` (what `subprocess` uses) raises no audit event of its own,
    nor does loading a second copy of that module; both are refused here. RLIMIT_NPROC = 0
    makes the kernel refuse fork and new threads to an ordinary user (not to root, whom
    Landlock still stops from executing anything). The guard keeps the original function
    as a default argument, which the policy seals.
    """
    import _imp
    import _posixsubprocess
    import subprocess

    def refuse(*args, **kwargs):
        raise PermissionError("the grader's sandbox does not allow starting programs")

    def create_dynamic(spec, *file, _create=_imp.create_dynamic):
        if spec.name.rpartition(".")[2] == "_posixsubprocess":
            refuse()
        return _create(spec, *file)

    def create_builtin(spec, _create=_imp.create_builtin):
        # A second `_imp` would bring back the unguarded create_dynamic.
        if spec.name in ("_imp", "_posixsubprocess"):
            refuse()
        return _create(spec)

    _posixsubprocess.fork_exec = refuse
    subprocess._fork_exec = refuse  # the copy `subprocess` took when it was imported (3.11+)
    _imp.create_dynamic = create_dynamic
    _imp.create_builtin = create_builtin
    policy.sealed += [create_dynamic, create_builtin]
    resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))


def describe(error):
    """'TypeError: message (line 3)' for an exception raised by the student's code."""
    line = student_line(error)
    where = f" (line {line})" if line is not None else ""
    return f"{type(error).__name__}: {error}{where}"[:2000]


def student_line(error):
    """The line of the student's cell where `error` was raised last, or None."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith("<")]
    return frames[-1].lineno if frames else None


def ends_with_semicolon(source):
    """Whether a cell's last statement ends with `;`, which in IPython hides its value.

    IPython reads this from its input history, which the sandbox does not keep; so the cell
    is run `silent` instead (no value shown, prints still go to the log). Uses IPython's own
    test; a cell that cannot be read as Python is not silent (running it reports the error).
    """
    from IPython.core.displayhook import DisplayHook

    try:
        return DisplayHook.semicolon_at_end_of_expression(source)
    except Exception:  # tokenize errors: unclosed brackets, bad indentation
        return False


def flush(streams):
    """Write out what the student's code printed: the grader may end this process any time."""
    for stream in streams:
        try:
            stream.flush()
        except BaseException:  # noqa: B036  (a stream the student's code broke)
            pass


def serve(shell, channel_in, channel_out, streams=()):
    """Answer the grader's calls until it closes the channel."""
    while (request := read_message(channel_in)) is not None:
        function = shell.user_ns.get(request.get("call"))
        reply = {}
        try:
            args = decode(request.get("args", []))
            if not callable(function):
                raise NameError(f"{request.get('call')} is not defined")
            value = function(*args)
            reply = {"value": encode(value)}
            if request.get("inputs"):
                reply["inputs"] = encode(list(args))
        except BaseException as error:  # even SystemExit: the student's code must not end us
            reply = {"error": describe(error), "kind": type(error).__name__,
                     "line": student_line(error)}  # fmt: skip
        flush(streams)
        write_message(channel_out, reply)


def raise_kernel_walls(plan):
    """Drop root's powers and install the seccomp filter; the names of the walls raised.

    Run as soon as the plan is read, before IPython and Matplotlib are imported, so that
    they never run with more than the student's code will have; and while the process
    has a single thread (BLAS is told to use one), since capabilities belong to threads.
    """
    walls = []
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        if privileges.drop_capabilities():
            walls.append("no capabilities")
    elif plan.get("user"):
        walls.append(f"user {plan['user']}")
    if seccomp.install():
        walls.insert(0, "seccomp")
    return walls


def main():
    channel_in = os.fdopen(os.dup(0), "r", encoding="utf-8")
    channel_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    plan = read_message(channel_in)
    workdir = os.getcwd()
    set_limits(plan["memory_mb"], plan["cpu_seconds"], plan["file_mb"])
    walls = raise_kernel_walls(plan)
    shell = prepare()
    # The student's prints (Python's and C's) go to standard error, the grader's output pipe;
    # the channel stays ours.
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(2, 1)
    streams = (sys.stdout, sys.stderr)  # buffered: flushed after every cell and call
    policy = Policy(workdir, read_roots())
    # "." rather than the folder's path: the rule is made from the open current folder,
    # which works even when the sandbox's user may not look through the folder's parents.
    if landlock.restrict(policy.read_roots, ["."]):
        walls.insert(0, "Landlock")
    close_back_doors(policy)
    sys.addaudithook(policy.hook)
    sandbox = " + ".join(["audit hook", *walls])  # e.g. audit hook + Landlock + seccomp
    write_message(channel_out, {"event": "locked", "sandbox": sandbox})
    for index, source in enumerate(plan["cells"]):
        if index in plan["skip"]:
            continue
        write_message(channel_out, {"event": "cell", "index": index})
        result = shell.run_cell(source, store_history=False, silent=ends_with_semicolon(source))
        error = result.error_before_exec or result.error_in_exec
        flush(streams)
        done = {"event": "done", "index": index, "error": describe(error) if error else None}
        write_message(channel_out, done)
    names = sorted(k for k, v in shell.user_ns.items() if callable(v) and not k.startswith("_"))
    write_message(channel_out, {"event": "ready", "functions": names})
    serve(shell, channel_in, channel_out, streams)


if __name__ == "__main__":
    main()
