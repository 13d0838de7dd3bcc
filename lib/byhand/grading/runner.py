"""Grade one submission: run it in a sandbox, then score the hidden tests against it.

The notebook's code cells run in a sandbox process (see `sandbox`). The hidden tests run
here, in the grader's process, where the student's code cannot reach them; each call to a
student's function is sent to the sandbox and only its value comes back. A cell that runs
over its time limit or ends the process is skipped and the notebook is run again without
it, so one bad cell costs the points it earns, not the whole notebook; a call that hangs or
kills the sandbox fails its test and grading goes on in a fresh sandbox.
"""

from __future__ import annotations

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

from byhand.grading.hidden import StudentError, failed, not_run, run_test
from byhand.grading.protocol import ProtocolError, decode, encode, read_message, write_message

STARTUP_SECONDS = 60  # importing NumPy, IPython and Matplotlib on a busy machine


@dataclass(frozen=True)
class Limits:
    """Per-submission limits; every one can be set from the command line."""

    cell_seconds: float = 30.0  # one code cell
    call_seconds: float = 10.0  # one call of a student's function by a hidden test
    total_seconds: float = 180.0  # everything for one submission
    memory_mb: int = 2048  # address space of the sandbox process
    file_mb: int = 64  # largest file the sandbox may write
    disk_mb: int = 256  # all the files in the sandbox's folder together
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
    """The grader's handle on one sandbox process, its message channel and its output pipe."""

    def __init__(self, cells, skip, limits, workdir, output):
        self.limits = limits
        env = {
            "PATH": os.defpath,
            "HOME": workdir,
            "TMPDIR": workdir,
            "LANG": "C.UTF-8",
            "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
            "PYTHONNOUSERSITE": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": matplotlib_config_dir(),
            "IPYTHONDIR": os.path.join(workdir, ".ipython"),
            **{
                name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
            },
        }
        printed, self.printing = os.pipe()  # the sandbox's stderr, where its prints go too
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "byhand.grading.sandbox"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self.printing,
                cwd=workdir,
                env=env,
                text=True,
                encoding="utf-8",
                start_new_session=True,  # its own process group, killed as one
            )
        finally:
            os.close(self.printing)  # the sandbox holds the only writing end now
        self.messages = queue.Queue()
        self.over_disk = False
        self.output = output
        self.printer = threading.Thread(target=output.drain, args=(printed,), daemon=True)
        self.printer.start()
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._watch_disk, args=(workdir,), daemon=True).start()
        plan = {
            "cells": cells,
            "skip": sorted(skip),
            "memory_mb": limits.memory_mb,
            "cpu_seconds": int(limits.total_seconds) + 5,
            "file_mb": limits.file_mb,
        }
        try:
            write_message(self.process.stdin, plan)
        except OSError:
            lost = SandboxLost(self._ending())
            self.kill()
            raise lost from None

    def _read(self):
        try:
            while (message := read_message(self.process.stdout)) is not None:
                self.messages.put(message)
            self.messages.put(None)
        except (ProtocolError, OSError, ValueError, RecursionError) as error:  # deep JSON
            self.messages.put(ProtocolError(str(error)))

    def _watch_disk(self, workdir):
        """Kill the sandbox once its folder holds more than limits.disk_mb of files.

        The kernel limits each file (file_mb), not their number; this looks 20 times a
        second, so a fast writer may pass the limit by what it writes in 0.05 s.
        """
        while self.process.poll() is None:
            if _folder_bytes(workdir) > self.limits.disk_mb * 2**20:
                self.over_disk = True
                self.kill_group()
                return
            time.sleep(0.05)

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
            return f"wrote more than {self.limits.disk_mb} MB of files"
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return "closed its channel"
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
            raise StudentError(f"{name} raised {reply['error']}")
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
        self.kill_group()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.printer.join(timeout=5)  # the last prints; the whole group is gone, so it ends


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
    with tempfile.TemporaryDirectory(prefix="byhand-grade-") as workdir:
        for _attempt in range(limits.restarts + 1):
            sandbox = None
            try:  # Sandbox() too: a plan over the protocol's limit ends it at once
                sandbox = Sandbox(cells, skip, limits, workdir, output)
                functions = _run_cells(sandbox, cells, skip, outcome, deadline)
                if functions is None:
                    continue  # a cell was skipped: run the notebook again without it
                pending = _run_tests(sandbox, functions, pending, outcome, deadline)
                if not pending:
                    break
            except SandboxLost as error:  # before any student code ran: the grader's fault
                if sandbox is not None:
                    sandbox.kill()  # so that the output below is complete
                note = f"{error}: {output.text(600)}"
                return _score_nothing(Outcome(), tests, "grader error", note)
            finally:
                if sandbox is not None:
                    sandbox.kill()
                    if sandbox.over_disk:  # start the next run below the limit again
                        _remove_files(workdir)
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


def _run_tests(sandbox, functions, pending, outcome, deadline):
    """Run the pending tests in order; those left when the sandbox is lost are returned."""
    stand_ins = {name: StudentFunction(sandbox, name) for name in functions}
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


def _folder_bytes(folder):
    """The size of every file under `folder` (symbolic links not followed)."""
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:  # deleted meanwhile
                pass
    return total


def _remove_files(folder):
    """Delete everything under `folder`."""
    for entry in os.scandir(folder):
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            os.unlink(entry.path)
