"""Grade one submission: run it in a sandbox, then score the hidden tests against it.

The notebook's code cells run in a sandbox process (see `sandbox`). The hidden tests run
here, in the grader's process, where the student's code cannot reach them; each call to a
student's function is sent to the sandbox and only its value comes back. A cell that runs
over its time limit or ends the process is skipped and the notebook is run again without
it, so one bad cell costs the points it earns, not the whole notebook; a call that hangs or
kills the sandbox fails its test and grading goes on in a fresh sandbox.

Every sandbox, the first and each restart, starts in a state the submission cannot have
shaped: a new empty folder of its own (deleted, with everything in it, when the sandbox
ends; the cells travel over the protocol), an interpreter in isolated mode that puts
neither that folder nor any PYTHON* variable on its import path (byhand's own folder is
added by a one-line bootstrap), and, when the grader is root, either the user `nobody` or
no capabilities at all (see `privileges`). The grader never opens a file in that folder:
it reads the student's prints from a pipe, counts the folder's files by listing its
folders (opened with O_NOFOLLOW | O_DIRECTORY, which neither follows a link nor waits on
a FIFO), and deletes it without following any link, however deep it goes.
"""

from __future__ import annotations

import itertools
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from byhand.grading import privileges
from byhand.grading.answers import answer_uses
from byhand.grading.hidden import StudentError, failed, not_run, run_test
from byhand.grading.protocol import ProtocolError, decode, encode, read_message, write_message

STARTUP_SECONDS = 60  # importing NumPy, IPython and Matplotlib on a busy machine
LIB = str(Path(__file__).resolve().parents[2])  # the folder holding this byhand package
# The sandbox's whole command line after `python -I -B -c`: isolated mode ignores the
# environment's PYTHON* variables and the current folder, so byhand is added by hand.
BOOTSTRAP = "import sys; sys.path.insert(0, {lib!r}); import byhand.grading.sandbox as s; s.main()"
MAX_DEPTH = 100  # folders nested deeper than this in a sandbox's folder: it is stopped


@dataclass(frozen=True)
class Limits:
    """Per-submission limits; every one can be set from the command line."""

    cell_seconds: float = 30.0  # one code cell
    call_seconds: float = 10.0  # one call of a student's function by a hidden test
    total_seconds: float = 180.0  # everything for one submission
    memory_mb: int = 2048  # address space of the sandbox process
    file_mb: int = 64  # largest file the sandbox may write
    disk_mb: int = 256  # all the files in the sandbox's folder together
    disk_files: int = 10_000  # files, folders and links in the sandbox's folder together
    restarts: int = 4  # fresh sandboxes after a cell or a call went wrong


@dataclass
class Outcome:
    """What happened to one submission (the tests' results and notes on the run)."""

    status: str = "ok"
    notes: list = field(default_factory=list)
    results: list = field(default_factory=list)
    sandbox: str = ""
    output: str = ""


class SandboxLost(BaseException):
    """The sandbox ran over a time limit, ended, or broke the protocol.

    A BaseException, like KeyboardInterrupt, so that it passes through any `except
    Exception` in a hidden test and reaches the runner.
    """


class OutputTail:
    """The last `size` bytes a submission's sandboxes printed, read from a pipe the grader made.

    The student's prints (and the sandbox's own errors) reach the grader through this pipe,
    never through a file in the sandbox's folder, so nothing there is read by the grader and
    nothing printed counts against the folder's disk limit. Shared by every sandbox of one
    submission, so the tail runs on across restarts.
    """

    def __init__(self, size=4000):
        self.size, self.data, self.lock = size, b"", threading.Lock()

    def add(self, chunk):
        with self.lock:
            self.data = (self.data + chunk)[-self.size :]

    def text(self, limit=None):
        with self.lock:
            data = self.data[-(limit or self.size) :]
        return data.decode("utf-8", "replace")

    def drain(self, fd):
        """Read the pipe `fd` until every writer has closed it, then close it."""
        try:
            while chunk := os.read(fd, 65536):
                self.add(chunk)
        finally:
            os.close(fd)


class Sandbox:
    """The grader's handle on one sandbox process, its folder, channel and output pipe."""

    def __init__(self, cells, skip, limits, output):
        self.limits = limits
        self.workdir = tempfile.mkdtemp(prefix="byhand-grade-")  # new and empty, every time
        self.stopped = threading.Event()
        self.over_disk = None  # why the disk watcher stopped the sandbox, if it did
        self.output = output
        self.process = self.printer = self.watcher = self.user = None
        try:
            self._start(output)
        except BaseException:
            self.kill()
            raise
        plan = {
            "cells": cells,
            "skip": sorted(skip),
            "memory_mb": limits.memory_mb,
            "cpu_seconds": int(limits.total_seconds) + 5,
            "file_mb": limits.file_mb,
            "user": self.user,
        }
        try:
            write_message(self.process.stdin, plan)
        except OSError:
            lost = SandboxLost(self._ending())
            self.kill()
            raise lost from None

    def _start(self, output):
        workdir = self.workdir
        env = {
            "PATH": os.defpath,
            "HOME": workdir,
            "TMPDIR": workdir,
            "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": matplotlib_config_dir(),
            "IPYTHONDIR": os.path.join(workdir, ".ipython"),
            **{
                name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
            },
        }
        user = privileges.unprivileged_user(LIB)
        as_user = {}
        if user is not None:  # root, and `nobody` can run this Python: the sandbox is nobody
            uid, gid = user
            env["MPLCONFIGDIR"] = _private_matplotlib_dir(workdir, uid, gid)
            os.chown(workdir, uid, gid)
            as_user = {"user": uid, "group": gid, "extra_groups": []}
            self.user = privileges.UNPRIVILEGED
        printed, printing = os.pipe()  # the sandbox's stderr, where its prints go too
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-B", "-c", BOOTSTRAP.format(lib=LIB)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=printing,
                cwd=workdir,
                env=env,
                text=True,
                encoding="utf-8",
                start_new_session=True,  # its own process group, killed as one
                **as_user,
            )
        except BaseException:
            os.close(printed)
            raise
        finally:
            os.close(printing)  # the sandbox holds the only writing end now
        self.messages = queue.Queue()
        self.printer = threading.Thread(target=output.drain, args=(printed,), daemon=True)
        self.printer.start()
        threading.Thread(target=self._read, daemon=True).start()
        self.watcher = threading.Thread(target=self._watch_disk, daemon=True)
        self.watcher.start()

    def _read(self):
        try:
            while (message := read_message(self.process.stdout)) is not None:
                self.messages.put(message)
            self.messages.put(None)
        except (ProtocolError, OSError, ValueError, RecursionError) as error:  # deep JSON
            self.messages.put(ProtocolError(str(error)))

    def _watch_disk(self):
        """Kill the sandbox once its folder holds too many bytes, files or levels.

        The kernel limits each file (file_mb), not their number or their sum; this looks
        20 times a second (less often while the folder is large, so that the count takes
        a fifth of one core at most), so a fast writer may pass a limit by what it writes
        between two looks.
        """
        while not self.stopped.is_set() and self.process.poll() is None:
            started = time.monotonic()
            reason = over_disk_limits(self.workdir, self.limits)
            if reason is not None:
                self.over_disk = reason
                self.kill_group()
                return
            self.stopped.wait(max(0.05, 4 * (time.monotonic() - started)))

    def next(self, seconds):
        """The next message; SandboxLost if none comes in time or the process ended."""
        try:
            message = self.messages.get(timeout=max(seconds, 0.01))
        except queue.Empty:
            raise SandboxLost(f"ran over its {seconds:g} s limit") from None
        if message is None:
            raise SandboxLost(self._ending())
        if isinstance(message, ProtocolError):
            raise SandboxLost(f"broke the grader's protocol ({message})")
        return message

    def _ending(self):
        if self.over_disk:
            return self.over_disk
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return "closed its channel"
        if self.over_disk:  # the watcher stopped it meanwhile
            return self.over_disk
        if code < 0:
            name = signal.Signals(-code).name
            hint = " (CPU time limit)" if name == "SIGXCPU" else ""
            return f"was killed by {name}{hint}"
        return f"ended the kernel with exit code {code}"

    def call(self, name, args, inputs=False):
        """Call the student's function `name` in the sandbox; its value (and the inputs)."""
        try:
            write_message(
                self.process.stdin,
                {"call": name, "args": encode(list(args)), **({"inputs": True} if inputs else {})},
            )
        except OSError:
            raise SandboxLost(self._ending()) from None
        reply = self.next(self.limits.call_seconds)
        if "error" in reply:
            if reply.get("kind") == "NotImplementedError":
                raise StudentError(f"{name} is not attempted yet (it raises NotImplementedError)")
            # The student reads the kind and the line only: the exception's own text may
            # quote the hidden inputs (raise ValueError(x)); the instructor's detail has it.
            line = reply.get("line")
            where = f" (line {line} of its cell)" if isinstance(line, int) else ""
            raise StudentError(f"{name} raised {reply.get('kind', 'an exception')}{where}",
                               detail=f"{name} raised {reply['error']}")  # fmt: skip
        try:
            value = decode(reply.get("value"))
            return (value, tuple(decode(reply.get("inputs")))) if inputs else value
        except (ProtocolError, TypeError) as error:
            raise SandboxLost(f"sent a malformed reply ({error})") from None

    def kill_group(self):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def kill(self):
        """End the whole process group, collect the last prints, and delete the folder."""
        if self.process is not None:
            self.kill_group()
            self.process.wait()
            for stream in (self.process.stdin, self.process.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
        self.stopped.set()
        for thread in (self.printer, self.watcher):
            if thread is not None and thread is not threading.current_thread():
                thread.join(timeout=5)  # the group is gone, so the pipe ends: the last prints
        if self.workdir is not None:
            remove_folder(self.workdir)
            self.workdir = None


class StudentFunction:
    """Stands in for a student's function during the hidden tests."""

    def __init__(self, sandbox, name):
        self.sandbox, self.__name__ = sandbox, name

    def __call__(self, *args, **kwargs):
        if kwargs:
            raise TypeError("hidden tests pass the student's arguments by position")
        return self.sandbox.call(self.__name__, args)

    def call_and_inputs(self, *args):
        return self.sandbox.call(self.__name__, args, inputs=True)


class UsesAnswers:
    """Stands in for a student's function that calls a course module implementing the answer."""

    def __init__(self, name, used):
        self.__name__, self.used = name, used

    def __call__(self, *args, **kwargs):
        raise StudentError(f"{self.__name__} uses {', '.join(self.used)}, which this exercise "
                           "set names as doing the work it asks for: no points")  # fmt: skip

    call_and_inputs = __call__


def uses_of_answers(cells, tests):
    """{function name: [answer modules it uses]} for the notebook's `cells` (see `answers`).

    The modules are those the hidden-test file names in ANSWER_MODULES; every exercise
    set's own `check` stays allowed (a student may check a function from inside another).
    """
    modules = tests[0].answer_modules if tests else ()
    if not modules:
        return {}
    from byhand.exercises import SETS

    allowed = tuple(f"{module.__name__}.check" for module in SETS.values())
    return answer_uses(cells, modules, allowed)


def matplotlib_config_dir():
    """Matplotlib's folder, with its font cache built once here rather than in every sandbox."""
    import matplotlib
    import matplotlib.font_manager  # noqa: F401  (builds the cache if missing)

    return matplotlib.get_configdir()


def read_cells(path):
    """The code cells' sources; ValueError saying what is wrong with an unusable notebook.

    A notebook is JSON (nbformat 4): {"cells": [{"cell_type": "code", "source": ...}, ...]},
    each source a string or a list of strings. Plain `json` reads it; nothing in it runs.
    """
    try:
        notebook = json.loads(Path(path).read_bytes())
    except (ValueError, RecursionError):  # bad or truncated JSON, or not UTF-8
        raise ValueError("not a readable notebook (its JSON is invalid or cut short)") from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise ValueError("not a readable notebook (it has no list of cells)")
    sources = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise ValueError("not a readable notebook (a code cell's source is not text)")
        sources.append(source)
    return sources


def _cell_name(cells, index):
    first = next((line.strip() for line in cells[index].splitlines() if line.strip()), "")
    return f"code cell {index + 1} ({first[:40]!r})"


def run_submission(path, tests, limits=None):
    """Grade the notebook at `path` against the hidden `tests`; an Outcome."""
    outcome, limits = Outcome(), limits or Limits()
    if os.path.getsize(path) == 0:
        return _score_nothing(outcome, tests, "empty", "the notebook file is empty (0 bytes)")
    try:
        cells = read_cells(path)
    except ValueError as error:
        return _score_nothing(outcome, tests, "invalid", str(error))
    if not any(source.strip() for source in cells):
        return _score_nothing(outcome, tests, "empty", "the notebook has no code")
    deadline = time.monotonic() + limits.total_seconds
    skip, pending, output = set(), list(tests), OutputTail()
    banned = uses_of_answers(cells, tests)
    for name, used in banned.items():
        outcome.notes.append(f"{name} uses {', '.join(used)}, which this exercise set names as "
                             "doing the work it asks for: its tests earn no points")  # fmt: skip
    for _attempt in range(limits.restarts + 1):
        sandbox = None
        try:  # Sandbox() too: a plan over the protocol's limit ends it at once
            sandbox = Sandbox(cells, skip, limits, output)
            functions = _run_cells(sandbox, cells, skip, outcome, deadline)
            if functions is None:
                continue  # a cell was skipped: run the notebook again without it
            pending = _run_tests(sandbox, functions, pending, outcome, deadline, banned)
            if not pending:
                break
        except SandboxLost as error:  # before any student code ran: the grader's fault
            if sandbox is not None:
                sandbox.kill()  # so that the output below is complete
            note = f"{error}: {output.text(600)}"
            return _score_nothing(Outcome(), tests, "grader error", note)
        finally:
            if sandbox is not None:
                sandbox.kill()  # the process group, then the folder, with all it holds
    outcome.output = output.text()
    for test in pending:
        outcome.results += not_run([test], "the submission used up its time limit")
        _worsen(outcome, "timeout")
    order = {test.name: i for i, test in enumerate(tests)}
    outcome.results.sort(key=lambda result: order[result.name])
    return outcome


def _run_cells(sandbox, cells, skip, outcome, deadline):
    """Run the notebook; its functions' names, or None when a cell had to be skipped."""
    index = None
    try:
        outcome.sandbox = sandbox.next(min(STARTUP_SECONDS, deadline - time.monotonic()))["sandbox"]
        while True:
            message = sandbox.next(min(sandbox.limits.cell_seconds, deadline - time.monotonic()))
            if message.get("event") == "ready":
                return set(message.get("functions", []))
            index = message.get("index")
            if message.get("event") == "done" and message.get("error"):
                note = f"{_cell_name(cells, index)} raised {message['error']}"
                if note not in outcome.notes:  # the notebook may run again after a lost call
                    outcome.notes.append(note)
                _worsen(outcome, "cell errors")
    except (SandboxLost, KeyError, TypeError, IndexError) as error:
        if index is None or index in skip or not isinstance(index, int):
            raise SandboxLost(f"the sandbox could not start: {error}") from None
        skip.add(index)
        outcome.notes.append(f"{_cell_name(cells, index)} {error}; it was skipped")
        _worsen(outcome, "timeout" if "limit" in str(error) else "crashed")
        return None


def _run_tests(sandbox, functions, pending, outcome, deadline, banned=None):
    """Run the pending tests in order; those left when the sandbox is lost are returned.

    A function in `banned` (name -> the answer modules it uses) is not called: its stand-in
    raises, so every test that needs it fails and says why.
    """
    stand_ins = {name: StudentFunction(sandbox, name) for name in functions}
    for name, used in (banned or {}).items():
        if name in stand_ins:
            stand_ins[name] = UsesAnswers(name, used)
    for position, test in enumerate(pending):
        if time.monotonic() > deadline:
            return pending[position:]
        try:
            outcome.results.append(run_test(test, stand_ins))
        except SandboxLost as error:
            outcome.results.append(failed(test, f"the call {error}"))
            outcome.notes.append(f"during {test.name}, the notebook's code {error}; "
                                 "the notebook was run again for the tests after it")  # fmt: skip
            _worsen(outcome, "timeout" if "limit" in str(error) else "crashed")
            return pending[position + 1 :]
    return []


SEVERITY = ["ok", "cell errors", "timeout", "crashed", "empty", "invalid", "grader error"]


def _worsen(outcome, status):
    if SEVERITY.index(status) > SEVERITY.index(outcome.status):
        outcome.status = status


def _score_nothing(outcome, tests, status, note):
    outcome.status, outcome.notes = status, [note]
    outcome.results = not_run(tests, note)
    return outcome


def over_disk_limits(folder, limits):
    """Why `folder` is over the limits (bytes, entries, depth), or None when it is not.

    Walks the folder without recursion and without paths: each subfolder is opened from
    its parent's descriptor with O_NOFOLLOW | O_DIRECTORY (no link is followed, no FIFO
    waited on, no name too long for a path), at most MAX_DEPTH + 1 descriptors at once.
    Files, folders, links and FIFOs all count towards `limits.disk_files`; a file's size
    is the larger of its length and the blocks it holds. Stops at the first limit passed.
    """
    most_bytes, most_files = limits.disk_mb * 2**20, limits.disk_files
    total = files = 0
    try:
        fd = os.open(folder, DIRECTORY_FLAGS)
    except OSError:  # gone already
        return None
    stack = []  # (an open folder, its subfolders still to visit), the deepest last
    try:
        while fd is not None or stack:
            if fd is not None:  # a folder just opened: count what it holds
                subfolders, size, count = _listing(fd)
                stack.append((fd, subfolders))
                fd = None
                total, files = total + size, files + count
                if total > most_bytes:
                    return f"wrote more than {limits.disk_mb} MB of files"
                if files > most_files:
                    return f"made more than {most_files} files and folders"
            parent, subfolders = stack[-1]
            if not subfolders:
                os.close(stack.pop()[0])
            elif len(stack) > MAX_DEPTH:
                return f"nested folders more than {MAX_DEPTH} deep"
            else:
                try:
                    fd = os.open(subfolders.pop(), DIRECTORY_FLAGS, dir_fd=parent)
                except OSError:  # deleted or replaced meanwhile
                    fd = None
    finally:
        for open_folder, _ in stack:
            os.close(open_folder)
    return None


DIRECTORY_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def _listing(fd):
    """(names of the subfolders, bytes of the other entries, number of entries) of `fd`."""
    subfolders, size, count = [], 0, 0
    try:
        with os.scandir(fd) as entries:
            for entry in entries:
                count += 1
                try:
                    if entry.is_dir(follow_symlinks=False):
                        subfolders.append(entry.name)
                    else:
                        info = entry.stat(follow_symlinks=False)
                        size += max(info.st_size, info.st_blocks * 512)
                except OSError:  # deleted meanwhile
                    pass
    except OSError:
        pass
    return subfolders, size, count


def remove_folder(folder):
    """Delete `folder` and all it holds, however deep and whatever the names; follow no link.

    Without recursion and without paths: each subfolder met is first moved into a holding
    folder made at the top, so no folder is ever opened more than two levels down. Called
    once the sandbox's processes are gone, so nothing changes meanwhile.
    """
    try:
        top = os.open(folder, DIRECTORY_FLAGS)
    except OSError:  # gone already (or not a folder: the fallback below says nothing)
        shutil.rmtree(folder, ignore_errors=True)
        return
    try:
        _quietly(os.fchmod, top, 0o700)
        holding = _holding_folder(top)
        hold = os.open(holding, DIRECTORY_FLAGS, dir_fd=top)
        try:
            numbers = itertools.count()
            pending = _clear(top, hold, numbers, skip=holding)
            while pending:
                name = pending.pop()
                try:
                    fd = os.open(name, DIRECTORY_FLAGS, dir_fd=hold)
                except OSError:
                    continue
                try:
                    pending += _clear(fd, hold, numbers)
                finally:
                    os.close(fd)
                _quietly(os.rmdir, name, dir_fd=hold)
        finally:
            os.close(hold)
        _quietly(os.rmdir, holding, dir_fd=top)
    except OSError:
        pass
    finally:
        os.close(top)
    _quietly(os.rmdir, folder)
    if os.path.lexists(folder):  # something was refused above: try the standard way
        shutil.rmtree(folder, ignore_errors=True)


def _clear(fd, hold, numbers, skip=None):
    """Delete what the folder `fd` holds but its subfolders, which move into `hold`.

    Returns the subfolders' new names in `hold`.
    """
    moved = []
    try:
        with os.scandir(fd) as listing:
            entries = [(entry.name, entry.is_dir(follow_symlinks=False)) for entry in listing]
    except OSError:
        return moved
    for name, is_folder in entries:
        if name == skip:
            continue
        if not is_folder:
            _quietly(os.unlink, name, dir_fd=fd)
            continue
        new = str(next(numbers))
        _quietly(os.chmod, name, 0o700, dir_fd=fd)  # to list it, and to move it (its "..")
        if _quietly(os.rename, name, new, src_dir_fd=fd, dst_dir_fd=hold):
            moved.append(new)
    return moved


def _holding_folder(top):
    """A new folder in `top` whose name clashes with nothing already there."""
    while True:
        name = f".byhand-removing-{os.urandom(6).hex()}"
        try:
            os.mkdir(name, 0o700, dir_fd=top)
            return name
        except FileExistsError:
            continue


def _quietly(action, *args, **kwargs):
    """Run `action`; True if it worked, False if it raised OSError."""
    try:
        action(*args, **kwargs)
        return True
    except OSError:
        return False


def _private_matplotlib_dir(workdir, uid, gid):
    """A Matplotlib folder for a sandbox run as `uid`, with a copy of the grader's font cache.

    Matplotlib wants a folder it may write; the grader's own is not the sandbox user's.
    Made in the sandbox's new folder before the sandbox starts, so nothing of the
    student's is there yet.
    """
    private = os.path.join(workdir, ".matplotlib")
    os.mkdir(private, 0o700)
    import matplotlib

    for folder in (matplotlib_config_dir(), matplotlib.get_cachedir()):
        for cache in Path(folder).glob("fontlist-*.json"):
            shutil.copyfile(cache, os.path.join(private, cache.name))
            os.chown(os.path.join(private, cache.name), uid, gid)
    os.chown(private, uid, gid)
    return private
