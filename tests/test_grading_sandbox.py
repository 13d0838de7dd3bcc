"""The sandbox's two walls, each on its own: the audit-hook policy and the Landlock layer.

The batch tests (test_grading.py) check both together against hostile notebooks; here the
policy's hook is called directly with the events Python would raise, and Landlock is
applied alone (no audit hook) in a child process.
"""

from __future__ import annotations

import ctypes
import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from byhand.grading import landlock
from byhand.grading.runner import Limits, run_submission
from byhand.grading.sandbox import DENIED_EVENTS, Policy, ends_with_semicolon

LIB = Path(__file__).resolve().parents[1] / "lib"


@pytest.fixture
def places(tmp_path, monkeypatch):
    """A sandbox folder, a read-only package folder, and a secret outside both."""
    work, lib = tmp_path / "work", tmp_path / "lib"
    (lib / "pkg").mkdir(parents=True)
    work.mkdir()
    (lib / "pkg" / "mod.py").write_text("x = 1\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("hidden tests\n")
    (work / "mine.txt").write_text("mine\n")
    (work / "link.txt").symlink_to(secret)
    monkeypatch.chdir(work)
    return {"policy": Policy(work, [lib]), "work": work, "lib": lib, "secret": secret}


def refused(policy, event, *args):
    try:
        policy.hook(event, args)
    except PermissionError as error:
        assert "the grader's sandbox does not allow" in str(error)
        return True
    return False


def test_opening_files(places):
    policy, work, lib, secret = (places[k] for k in ("policy", "work", "lib", "secret"))
    w = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    # reading
    assert refused(policy, "open", str(secret), "r", os.O_RDONLY)
    assert refused(policy, "open", os.fsencode(secret), "rb", os.O_RDONLY)
    assert refused(policy, "open", "../secret.txt", "r", os.O_RDONLY)  # relative to work
    assert refused(policy, "open", "link.txt", "r", os.O_RDONLY)  # a symlink to outside
    assert refused(policy, "open", "/proc/self/environ", "r", os.O_RDONLY)
    assert refused(policy, "open", str(lib / "pkg"), None, os.O_RDONLY)  # a folder: dir_fd
    assert not refused(policy, "open", str(lib / "pkg" / "mod.py"), "r", os.O_RDONLY)
    assert not refused(policy, "open", "mine.txt", "r", os.O_RDONLY)
    assert not refused(policy, "open", str(work), None, os.O_RDONLY)
    assert not refused(policy, "open", 5, "r", os.O_RDONLY)  # a descriptor already open
    # writing
    assert refused(policy, "open", str(lib / "pkg" / "mod.py"), "w", w)
    assert refused(policy, "open", str(lib / "pkg" / "mod.py"), "r+", os.O_RDWR)
    assert refused(policy, "open", str(secret), None, os.O_WRONLY | os.O_APPEND)
    assert refused(policy, "open", "../new.txt", "x", os.O_WRONLY | os.O_CREAT)
    assert refused(policy, "open", "/tmp/byhand-stray", "w", w)
    assert not refused(policy, "open", "mine.txt", "a", os.O_WRONLY | os.O_APPEND)
    assert not refused(policy, "open", str(work / "new.txt"), "w", w)
    assert not refused(policy, "open", "/dev/null", "w", w)


def test_changing_and_listing_paths(places):
    policy, work, lib, secret = (places[k] for k in ("policy", "work", "lib", "secret"))
    outside = str(secret)
    for event in ("os.remove", "os.rmdir", "os.truncate", "os.chmod", "os.utime",
                  "shutil.rmtree", "os.mkdir"):  # fmt: skip
        assert refused(policy, event, outside, None), event
        assert not refused(policy, event, str(work / "mine.txt"), None), event
    assert refused(policy, "os.rename", "mine.txt", outside, -1, -1)
    assert refused(policy, "os.rename", outside, "stolen.txt", -1, -1)
    assert not refused(policy, "os.rename", "mine.txt", "yours.txt", -1, -1)
    assert refused(policy, "os.symlink", outside, "new_link", -1)
    assert refused(policy, "os.link", outside, "hard", -1, -1)
    assert refused(policy, "shutil.copyfile", "mine.txt", outside)
    assert refused(policy, "shutil.copyfile", outside, "copy.txt")
    assert refused(policy, "tempfile.mkdtemp", "/tmp/elsewhere")
    for event in ("os.listdir", "os.scandir", "os.chdir"):
        assert refused(policy, event, str(secret.parent)), event
        assert refused(policy, event, ".."), event
        assert not refused(policy, event, str(lib / "pkg")), event
        assert not refused(policy, event, "."), event
    assert refused(policy, "glob.glob", str(secret.parent / "*"), False)
    # glob.glob/2: pattern, recursive, root_dir, dir_fd
    assert refused(policy, "glob.glob/2", str(secret.parent / "*"), False, None, None)
    assert refused(policy, "glob.glob/2", "*.txt", False, str(secret.parent), None)
    assert not refused(policy, "glob.glob/2", "*.txt", False, None, None)


@pytest.mark.parametrize("event", sorted(DENIED_EVENTS) + [
    "ctypes.dlopen", "ctypes.call_function", "socket.__new__", "socket.connect",
    "socket.getaddrinfo"])  # fmt: skip
def test_refused_events(places, event):
    assert refused(places["policy"], event, "anything", 1)


def test_the_policy_passes_ordinary_events(places):
    policy = places["policy"]
    for event in ("import", "exec", "compile", "object.__setattr__", "sys._getframe", "os.walk"):
        assert not refused(policy, event, "json", None), event


def test_cpythons_test_modules_cannot_be_imported(places):
    policy = places["policy"]
    for module in ("_testcapi", "_testinternalcapi", "_xxsubinterpreters", "_testcapi.sub"):
        assert refused(policy, "import", module, None, [], [], []), module
    assert not refused(policy, "import", "testcapi_lookalike", None, [], [], [])


def test_sealed_objects_keep_their_code(places):
    policy = places["policy"]

    def guard(x, _original=print):
        return x

    policy.sealed.append(guard)
    assert refused(policy, "object.__getattr__", guard, "__defaults__")
    assert refused(policy, "object.__getattr__", guard, "__code__")
    assert not refused(policy, "object.__getattr__", lambda: 0, "__code__")


def landlock_abi():
    if not sys.platform.startswith("linux"):
        return 0
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return landlock.abi_version(libc.syscall)


CHILD = textwrap.dedent("""
    import json, os, socket, sys
    from byhand.grading import landlock

    inside, outside, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    assert open(outside).read() == "hidden tests\\n"  # readable until now
    abi = landlock.restrict([sys.prefix, sys.base_prefix], [inside])
    results = {"abi": abi}  # and no audit hook: Landlock alone

    def attempt(name, action):
        try:
            action()
            results[name] = "allowed"
        except PermissionError:
            results[name] = "denied"
        except OSError as error:
            results[name] = f"other: {error}"

    attempt("read outside", lambda: open(outside).read())
    attempt("list outside", lambda: os.listdir(os.path.dirname(outside)))
    attempt("write outside", lambda: open(outside + ".new", "w").close())
    attempt("delete outside", lambda: os.remove(outside))
    attempt("write inside", lambda: open(os.path.join(inside, "x"), "w").write("x"))
    attempt("read inside", lambda: open(os.path.join(inside, "x")).read())
    attempt("execute", lambda: os.execv("/bin/true", ["/bin/true"]))
    if abi >= 6:
        attempt("signal the parent", lambda: os.kill(os.getppid(), 0))
    if abi >= 4:
        attempt("connect", lambda: socket.create_connection(("127.0.0.1", port), timeout=2))
    print(json.dumps(results))
""")


@pytest.mark.skipif(landlock_abi() == 0, reason="this kernel has no Landlock (ABI 0), "
                    "so the sandbox relies on its audit hook alone")  # fmt: skip
def test_landlock_alone_keeps_a_process_in(tmp_path):
    inside, outside = tmp_path / "inside", tmp_path / "secret.txt"
    inside.mkdir()
    outside.write_text("hidden tests\n")
    with socket.socket() as server:  # something to connect to, had Landlock let it
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        run = subprocess.run(
            [sys.executable, "-c", CHILD, str(inside), str(outside), str(port)],
            capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(LIB)},
        )  # fmt: skip
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)
    abi = results.pop("abi")
    assert abi == landlock_abi() > 0
    expected = {
        "read outside": "denied",
        "list outside": "denied",
        "write outside": "denied",
        "delete outside": "denied",
        "write inside": "allowed",
        "read inside": "allowed",
        "execute": "denied",
    }
    if abi >= 6:
        expected["signal the parent"] = "denied"
    if abi >= 4:
        expected["connect"] = "denied"
    assert results == expected
    assert outside.read_text() == "hidden tests\n" and not Path(f"{outside}.new").exists()


def test_the_log_shows_what_a_notebook_shows_a_trailing_semicolon_hides_a_value(tmp_path):
    """The student's output log, as IPython would show it: check cells print their feedback
    only, and a cell ending in `;` shows no value."""
    cells = [
        "from byhand.exercises.perceptron import check",
        "def net_input(X, w, b):\n    return X @ w + b",
        'check("net_input", net_input);',
        'check("net_input", net_input)',  # check returns None: nothing more either way
        "1 + 1;",
        "(1, 2);  # a comment after the semicolon",
        "x = [1,\n     2];",
        "40 + 2",
        "print('done')",
    ]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    path = tmp_path / "semicolons.ipynb"
    nbformat.write(nb, path)
    outcome = run_submission(path, [], Limits(total_seconds=60))
    assert outcome.status == "ok", outcome.notes
    passing = "net_input: all 4 public cases pass\n"
    assert outcome.output == passing * 2 + "Out[0]: 42\ndone\n"


def test_ends_with_semicolon_is_ipythons_rule():
    assert ends_with_semicolon("check('step', step);")
    assert ends_with_semicolon("x = 1\ny;  # comment\n\n")
    assert not ends_with_semicolon("a;\nb")
    assert not ends_with_semicolon("'a;'")
    assert not ends_with_semicolon("f(1,")  # cannot be read: run it and report the error


def test_the_grader_reads_nothing_from_the_sandbox_folder(tmp_path):
    """The prints travel through a pipe the grader made: the folder holds no file of the
    grader's, and FIFOs planted where its logs used to be change nothing."""
    cells = [
        "import os\nprint([name for name in os.listdir('.') if name != '.ipython'])",
        "for name in ('output.log', 'sandbox.err'):\n"
        "    if os.path.exists(name):\n"
        "        os.remove(name)\n"
        "    os.mkfifo(name)  # a reader of this file would wait for ever",
        "print('still here')",
    ]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    path = tmp_path / "plants.ipynb"
    nbformat.write(nb, path)
    outcome = run_submission(path, [], Limits(total_seconds=60))
    assert outcome.status == "ok", outcome.notes
    assert outcome.output == "[]\nstill here\n"
