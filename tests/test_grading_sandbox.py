"""The sandbox's walls, each on its own: the audit-hook policy, Landlock, seccomp, the
dropped capabilities; and the grader's own dealings with a sandbox's folder.

The batch tests (test_grading.py) check them together against hostile notebooks; here the
policy's hook is called directly with the events Python would raise, and each kernel layer
is applied alone (no audit hook, no other layer) in a child process that then tries what
that layer must refuse.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from byhand.grading import landlock, privileges, seccomp
from byhand.grading.runner import LIB as GRADER_LIB
from byhand.grading.runner import MAX_DEPTH, Limits, over_disk_limits, remove_folder, run_submission
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


def test_a_links_target_is_read_from_the_links_own_folder(places, monkeypatch):
    """As the kernel reads it: `sub/link -> ../x` is `x`, whatever the current folder."""
    policy, work = places["policy"], places["work"]
    (work / "a" / "b").mkdir(parents=True)
    assert refused(policy, "os.symlink", "../secret.txt", "link2", -1)  # from work: outside
    assert not refused(policy, "os.symlink", "../../mine.txt", "a/b/up", -1)  # work/mine.txt
    assert refused(policy, "os.symlink", "../../../secret.txt", "a/b/out", -1)
    monkeypatch.chdir(work / "a" / "b")  # made from a subfolder, a link at the top ...
    assert refused(policy, "os.symlink", "../secret.txt", str(work / "peek"), -1)  # ... climbs
    assert not refused(policy, "os.symlink", "mine.txt", str(work / "peek"), -1)
    top = os.open(work, os.O_RDONLY)
    try:  # the link's folder given by a descriptor
        assert refused(policy, "os.symlink", "../secret.txt", "peek", top)
        assert not refused(policy, "os.symlink", "a/b", "peek", top)
        assert refused(policy, "os.symlink", b"../secret.txt", b"peek", top)
    finally:
        os.close(top)


def test_paths_relative_to_a_folder_descriptor_are_read_from_it(places, monkeypatch):
    policy, work = places["policy"], places["work"]
    (work / "a" / "b").mkdir(parents=True)
    monkeypatch.chdir(work / "a" / "b")
    top = os.open(work, os.O_RDONLY)
    try:  # from the current folder "../x" would be work/a/x; from `top` it is outside
        assert refused(policy, "os.remove", "../secret.txt", top)
        assert refused(policy, "os.rename", "mine.txt", "../stolen.txt", top, top)
        assert refused(policy, "os.mkdir", "../made", 0o777, top)
        assert refused(policy, "os.link", "../secret.txt", "hard", top, top)
        assert not refused(policy, "os.remove", "mine.txt", top)
        assert not refused(policy, "os.rename", "mine.txt", "a/yours.txt", top, top)
        assert refused(policy, "glob.glob/2", "../*", False, str(work), None)  # under root_dir
        assert not refused(policy, "glob.glob/2", "a/*", False, str(work), None)
    finally:
        os.close(top)


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
        "import os\nprint([name for name in os.listdir('.') if not name.startswith('.')])",
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


SECCOMP_CHILD = textwrap.dedent("""
    import ctypes, errno, json, os, signal, socket, sys, threading
    from byhand.grading import seccomp

    udp_port, unix_path = int(sys.argv[1]), sys.argv[2]
    results = {"installed": seccomp.install()}  # and nothing else: no hook, no Landlock
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long

    def attempt(name, action):
        try:
            action()
            results[name] = "allowed"
        except OSError as error:
            results[name] = errno.errorcode.get(error.errno, str(error.errno))

    def syscall(number, *args):
        if libc.syscall(ctypes.c_long(number), *args) < 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code))

    def send_udp():
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.sendto(b"from the seccomp child", ("127.0.0.1", udp_port))

    def connect_unix():
        with socket.socket(socket.AF_UNIX) as unix:
            unix.connect(unix_path)

    def fork():
        if os.fork() == 0:
            os._exit(0)

    def thread():
        done = []
        worker = threading.Thread(target=done.append, args=(1,))
        worker.start()
        worker.join()
        assert done == [1]

    numbers = seccomp.SYSCALLS[seccomp.machine()]
    attempt("datagram", send_udp)
    attempt("UNIX socket", connect_unix)
    attempt("socket pair", socket.socketpair)
    attempt("fork", fork)
    attempt("spawn", lambda: os.posix_spawn("/bin/true", ["/bin/true"], {}))
    attempt("exec", lambda: os.execv("/bin/true", ["/bin/true"]))
    # signal 0 tests the right to signal and sends nothing
    attempt("signal the parent", lambda: os.kill(os.getppid(), 0))
    attempt("signal every process", lambda: os.kill(-1, 0))
    attempt("signal our group", lambda: os.kill(0, 0))
    attempt("signal ourselves", lambda: os.kill(os.getpid(), 0))
    attempt("signal our thread", lambda: signal.pthread_kill(threading.get_ident(), 0))
    attempt("thread", thread)
    attempt("pidfd of the parent", lambda: os.close(os.pidfd_open(os.getppid())))
    attempt("ptrace the parent", lambda: syscall(numbers["ptrace"], 16, os.getppid(), 0, 0))
    attempt("io_uring", lambda: syscall(numbers["io_uring_setup"], 1, None))
    attempt("clone3", lambda: syscall(numbers["clone3"], None, 0))
    attempt("new user namespace", lambda: syscall(numbers["unshare"], 0x10000000))
    if seccomp.machine() == "x86_64":
        attempt("x32 getpid", lambda: syscall(seccomp.X32_SYSCALL_BIT | 39))
    print(json.dumps(results))
""")


@pytest.mark.skipif(seccomp.machine() is None, reason="seccomp's table has no entry for this "
                    "machine, so the sandbox goes without it")  # fmt: skip
def test_seccomp_alone_keeps_a_process_in(tmp_path):
    with (socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp,
          socket.socket(socket.AF_UNIX) as unix):  # fmt: skip
        udp.bind(("127.0.0.1", 0))
        unix.bind(str(tmp_path / "listen.sock"))
        unix.listen()
        run = subprocess.run(
            [sys.executable, "-c", SECCOMP_CHILD, str(udp.getsockname()[1]),
             str(tmp_path / "listen.sock")],
            capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(LIB)},
        )  # fmt: skip
        udp.setblocking(False)
        unix.setblocking(False)
        with pytest.raises(BlockingIOError):
            udp.recv(100)  # no datagram came
        with pytest.raises(BlockingIOError):
            unix.accept()  # no connection is waiting
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)
    expected = {
        "installed": True,
        "datagram": "EPERM",
        "UNIX socket": "EPERM",
        "socket pair": "EPERM",
        "fork": "EPERM",
        "spawn": "EPERM",
        "exec": "EPERM",
        "signal the parent": "EPERM",
        "signal every process": "EPERM",
        "signal our group": "EPERM",
        "signal ourselves": "allowed",
        "signal our thread": "allowed",
        "thread": "allowed",  # clone3 says ENOSYS, and the C library falls back to clone
        "pidfd of the parent": "EPERM",
        "ptrace the parent": "EPERM",
        "io_uring": "EPERM",
        "clone3": "ENOSYS",
        "new user namespace": "EPERM",
    }
    if seccomp.machine() == "x86_64":
        expected["x32 getpid"] = "EPERM"
    assert results == expected


def test_the_seccomp_program_checks_the_architecture_first():
    for arch in seccomp.SYSCALLS:
        code = seccomp.program(arch, 1234)
        assert code[0] == (seccomp.LD_W_ABS, 0, 0, seccomp.ARCH)
        assert code[1][0] == seccomp.JEQ and code[1][3] == seccomp.AUDIT_ARCH[arch]
        refuse = 1 + 1 + code[1][2]  # where a call of another architecture jumps
        assert code[refuse] == (seccomp.RET, 0, 0, seccomp.RET_ERRNO | 1)  # EPERM
        assert (seccomp.JEQ, 0, 0, 1234) not in code  # the pid test jumps somewhere
        assert any(op == seccomp.JEQ and k == 1234 for op, _, _, k in code)
        assert len(code) < 64
    assert seccomp.SYSCALLS["x86_64"]["seccomp"] == 317
    assert "fork" not in seccomp.SYSCALLS["aarch64"]  # AArch64 forks with clone only


CAPABILITIES_CHILD = textwrap.dedent("""
    import json, os, sys
    from byhand.grading import privileges

    theirs, mine = sys.argv[1], sys.argv[2]
    assert open(theirs).read() == "nobody's\\n"  # root reads any file, until now
    results = {"dropped": privileges.drop_capabilities()}  # and nothing else
    results["sets"] = privileges.capabilities()
    results["uid"] = os.getuid()

    def attempt(name, action):
        try:
            action()
            results[name] = "allowed"
        except (PermissionError, ValueError):  # setrlimit says ValueError
            results[name] = "denied"

    attempt("read another user's file", lambda: open(theirs).read())
    attempt("write a read-only file", lambda: open(mine, "a").write("x"))
    attempt("give a file away", lambda: os.chown(mine, 12345, 12345))
    attempt("become another user", lambda: os.setuid(65534))
    attempt("raise a hard limit", lambda: __import__("resource").setrlimit(
        __import__("resource").RLIMIT_NOFILE, (10**6, 10**6)))
    print(json.dumps(results))
""")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="only a process run as root has capabilities to drop")  # fmt: skip
def test_dropping_capabilities_alone_leaves_root_powerless(tmp_path):
    theirs, mine = tmp_path / "theirs.txt", tmp_path / "mine.txt"
    theirs.write_text("nobody's\n")
    os.chown(theirs, 65534, 65534)
    theirs.chmod(0o600)
    mine.write_text("root's\n")
    mine.chmod(0o444)
    # One thread only, as in the sandbox: capabilities belong to each thread, and a BLAS
    # worker started by importing NumPy would keep root's.
    env = {**os.environ, "PYTHONPATH": str(LIB), "OPENBLAS_NUM_THREADS": "1",
           "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}  # fmt: skip
    run = subprocess.run(
        [sys.executable, "-c", CAPABILITIES_CHILD, str(theirs), str(mine)],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)
    assert results == {
        "dropped": True,
        "sets": {name: 0 for name in privileges.CAPABILITY_SETS},
        "uid": 0,  # still root, with nothing root could do
        "read another user's file": "denied",
        "write a read-only file": "denied",
        "give a file away": "denied",
        "become another user": "denied",
        "raise a hard limit": "denied",
    }
    assert mine.read_text() == "root's\n"
    # With a second thread already running, the drop cannot be complete: it says so.
    threaded = subprocess.run(
        [sys.executable, "-c", "import threading, time\n"
         "threading.Thread(target=time.sleep, args=(2,), daemon=True).start()\n"
         "from byhand.grading import privileges\nprint(privileges.drop_capabilities())"],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    assert threaded.stdout == "False\n", threaded.stderr


def test_the_sandbox_is_isolated_and_unprivileged(tmp_path):
    """Isolated mode: no PYTHON* variable, no current folder on the import path, so a module
    the notebook writes cannot be imported by name; and, as root, no capabilities left."""
    cells = [
        "import os, sys\nprint(sys.flags.isolated, [p for p in sys.path if p in ('', '.')])",
        "open('planted_module.py', 'w').write('print(1)')\nimport planted_module",
        "open('mine.txt', 'w').close()\nos.chown('mine.txt', 12345, 12345)",
    ]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    path = tmp_path / "isolated.ipynb"
    nbformat.write(nb, path)
    outcome = run_submission(path, [], Limits(total_seconds=60))
    assert outcome.output.startswith("1 []\n"), outcome.output
    assert outcome.notes[0].startswith("code cell 2") and "ModuleNotFoundError" in outcome.notes[0]
    assert outcome.notes[1].startswith("code cell 3") and "[Errno 1]" in outcome.notes[1]
    walls = outcome.sandbox.split(" + ")
    if seccomp.machine() is not None:
        assert "seccomp" in walls
    if os.geteuid() == 0:
        user = privileges.unprivileged_user(GRADER_LIB)
        assert walls[-1] == ("user nobody" if user else "no capabilities"), walls


def test_nobody_is_chosen_only_when_it_can_run_this_python():
    user = privileges.unprivileged_user(GRADER_LIB)
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        assert user is None
        return
    import pwd

    nobody = pwd.getpwnam(privileges.UNPRIVILEGED)
    try:
        can_run = subprocess.run(
            [sys.executable, "-I", "-c", "import numpy, IPython"], user=nobody.pw_uid,
            group=nobody.pw_gid, extra_groups=[], cwd="/", capture_output=True, timeout=120,
        ).returncode == 0  # fmt: skip
    except PermissionError:  # this Python is out of nobody's reach (under /root, say)
        can_run = False
    assert (user is not None) == can_run
    if user is not None:
        assert user == (nobody.pw_uid, nobody.pw_gid)


# --- The grader in the sandbox's folder: counting and deleting, following nothing -------


def nest(top, name, depth):
    """`depth` folders called `name`, each inside the last, made through descriptors (so
    that their path may outgrow PATH_MAX); the deepest one's descriptor."""
    fd = os.open(top, os.O_RDONLY)
    for _ in range(depth):
        os.mkdir(name, dir_fd=fd)
        deeper = os.open(name, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = deeper
    return fd


def write_at(fd, name, size):
    file = os.open(name, os.O_WRONLY | os.O_CREAT, dir_fd=fd)
    os.write(file, bytes(size))
    os.close(file)


def test_the_disk_watcher_counts_bytes_files_and_depth(tmp_path):
    limits = Limits(disk_mb=1, disk_files=50)
    outside = tmp_path / "outside.bin"
    outside.write_bytes(bytes(3 * 2**20))  # big, but only linked to
    folder = tmp_path / "box"
    folder.mkdir()
    os.symlink(outside, folder / "link")
    os.mkfifo(folder / "fifo")  # a reader would wait for ever
    (folder / "sub").mkdir()
    os.symlink(tmp_path, folder / "sub" / "up")  # a loop, were links followed
    assert over_disk_limits(folder, limits) is None
    deep = nest(folder / "sub", "p" * 250, 20)  # 5,000 characters: more than PATH_MAX
    write_at(deep, "heavy", 2**20 + 1)
    os.close(deep)
    assert over_disk_limits(folder, limits) == "wrote more than 1 MB of files"
    assert over_disk_limits(folder, Limits(disk_mb=2, disk_files=50)) is None
    for i in range(30):
        (folder / f"empty{i}").touch()
    assert over_disk_limits(folder, Limits(disk_mb=2, disk_files=50)) == (
        "made more than 50 files and folders"
    )
    assert over_disk_limits(folder, Limits(disk_mb=2, disk_files=60)) is None
    os.close(nest(folder, "d", MAX_DEPTH))  # as deep as allowed
    assert over_disk_limits(folder, Limits(disk_mb=2, disk_files=1000)) is None
    os.close(nest(folder, "e", MAX_DEPTH + 1))
    assert over_disk_limits(folder, Limits(disk_mb=2, disk_files=1000)) == (
        f"nested folders more than {MAX_DEPTH} deep"
    )
    assert over_disk_limits(tmp_path / "missing", limits) is None


@pytest.fixture
def deep_box(tmp_path):
    """A folder for trees deeper than shutil.rmtree can go (it recurses), removed even when
    the test fails, so that pytest's own clean-up of old temporary folders never meets it."""
    folder = tmp_path / "box"
    folder.mkdir()
    yield folder
    if folder.exists():
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(10_000)
        try:
            for root, folders, _ in os.walk(folder):
                for name in folders:
                    os.chmod(os.path.join(root, name), 0o700)
            shutil.rmtree(folder, ignore_errors=True)
        finally:
            sys.setrecursionlimit(limit)


def test_removing_a_sandboxs_folder_follows_no_link_and_fears_no_depth(tmp_path, deep_box):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep\n")
    folder = deep_box
    os.close(nest(folder, "d", 1500))  # deeper than Python's recursion limit
    deep = nest(folder, "p" * 250, 30)  # a path of 7,500 characters
    write_at(deep, "x" * 255, 10)
    os.close(deep)
    os.symlink(outside, folder / "to_outside")
    os.symlink(outside / "keep.txt", folder / "d" / "to_keep")
    os.mkfifo(folder / "fifo")
    locked = folder / "locked"
    (locked / "inner").mkdir(parents=True)
    (locked / "inner" / "file").write_text("x")
    (locked / "inner").chmod(0)
    locked.chmod(0)
    for i in range(100):
        (folder / f"empty{i}").touch()
    remove_folder(folder)
    assert not folder.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["outside"]
    assert (outside / "keep.txt").read_text() == "keep\n"
    remove_folder(folder)  # already gone: nothing to do
