"""Make the submissions the grader's tests grade: good, broken and hostile notebooks.

    python tests/grading_fixtures/make_fixtures.py          # rewrite submissions/
    python tests/grading_fixtures/make_fixtures.py --check  # fail if they are out of date

Each submission answers the toy exercise set of `hidden/toy.py` (double, sum_all,
count_positive; 6 points). The notebooks are committed without outputs; tests copy them
to a temporary folder with `copy_submissions`, which fills in the placeholders below, so
that the hostile ones aim at the real paths of that grading run:

    @HIDDEN@       the hidden-test file being graded against (absolute path)
    @SUBMISSIONS@  the folder of submissions
    @OUT@          the grader's output folder
    @HOME@         the home folder of the user running the grader
    @STRAY@        a name unique to the run, for files a submission must not manage to make
    @UDP_PORT@     a port on 127.0.0.1 where the test listens for datagrams
    @UNIX_SOCKET@  the path of a UNIX socket the test listens on, outside every sandbox

A cell whose first line starts with `# attempt:` is a hostile attempt that the sandbox must
refuse: it raises (the tests check that every one left a note), and if it got through, it
calls `leak`, which makes `count_positive` wrong, so that the score shows it too.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
SUBMISSIONS = HERE / "submissions"
HIDDEN = HERE / "hidden" / "toy.py"
PLACEHOLDERS = ("@HIDDEN@", "@SUBMISSIONS@", "@OUT@", "@HOME@", "@STRAY@", "@UDP_PORT@",
                "@UNIX_SOCKET@")  # fmt: skip

SETUP = "import os\nimport sys\n\nimport numpy as np"
DOUBLE = "def double(x):\n    return 2 * x"
TOTAL = "def sum_all(x):\n    return float(np.sum(x))"
COUNT = "def count_positive(x):\n    return int(np.sum(x > 0))"
GOOD = [SETUP, DOUBLE, TOTAL, COUNT]
NOTHING = "raise LookupError('found nothing')"  # a search the sandbox emptied


# The hostile notebooks record anything they get away with; a leak costs count_positive.
LEAKS = (
    "leaks = []\n\n\ndef leak(*found):\n    leaks.append(found)\n    print('LEAK' + 'ED', *found)"
)
COUNT_UNLESS_LEAKED = "def count_positive(x):\n    return int(np.sum(x > 0)) + len(leaks)"


def attempt(what, code):
    """A cell that tries something the sandbox must refuse; it calls leak() if it got through."""
    return f"# attempt: {what}\n{code}\nleak({what!r})"


# Modules planted in the sandbox's folder under the names of modules the sandbox imports as
# it starts. Were one ever imported from there (at a restart in the same folder, before the
# limits and walls), it would mark the folder and leave a file in /tmp, then hand over the
# real module so that nothing else shows.
SHIM = """import importlib, os, sys

here = os.getcwd()
with open(os.path.join(here, 'planted.ran'), 'a') as mark:
    mark.write(__name__ + '\\n')
try:
    with open('/tmp/@STRAY@-planted', 'w') as stray:
        stray.write(__name__)
except OSError:
    pass
saved = sys.path[:]
sys.path[:] = [p for p in sys.path if os.path.abspath(p or '.') != here]
del sys.modules[__name__]
try:
    sys.modules[__name__] = importlib.import_module(__name__)
finally:
    sys.path[:] = saved
"""
PLANTED = ("resource", "json", "numpy", "IPython", "traitlets", "matplotlib", "sitecustomize",
           "usercustomize")  # fmt: skip

# Switches the audit hook off from inside, as a student's function can: walks up its call
# frames to the sandbox's own globals, empties the tables of refused events and makes every
# path look allowed (without even resolving it). What still holds after this is what the
# kernel enforces.
HOOK_OFF = """import gc


def switch_the_hook_off():
    frame = sys._getframe()
    while 'DENIED_EVENTS' not in frame.f_globals:
        frame = frame.f_back
    walls = frame.f_globals
    for table in ('DENIED_EVENTS', 'DENIED_IMPORTS', 'WRITE_EVENTS', 'READ_EVENTS'):
        walls[table].clear()
    walls['DENIED_PREFIXES'] = ()
    walls['Policy']._under = staticmethod(lambda path, roots: True)
    walls['Policy']._resolve = lambda self, path: '/'


switch_the_hook_off()
gc.get_objects()  # refused while the hook stood
print('the audit hook is off')"""


def stub(name):
    return (f"def {name}(x):\n    # YOUR CODE HERE\n"
            f"    raise NotImplementedError(\"{name}: your code here\")")  # fmt: skip


def notebook(cells):
    """A notebook of these code cells (markdown for a cell that starts with '# markdown:')."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "byhand": {"exercise_set": "toy"},
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    }
    for index, source in enumerate(cells):
        if source.startswith("# markdown:"):
            cell = nbformat.v4.new_markdown_cell(source.removeprefix("# markdown:").strip())
        else:
            cell = nbformat.v4.new_code_cell(source)
        cell.id = f"cell-{index}"
        nb.cells.append(cell)
    return nb


# name -> list of code cells (str), or the raw bytes of a file that is no notebook.
NOTEBOOKS = {
    "good": GOOD,
    "class_b/good": [
        SETUP,
        "def double(x):\n    y = np.array(x, dtype=float)\n    return y + y",
        "def sum_all(x):\n    return np.add.reduce(np.ravel(x)).item()",
        "def count_positive(x):\n    return np.count_nonzero(np.asarray(x) > 0)",
    ],
    "stub": [SETUP, stub("double"), stub("sum_all"), stub("count_positive")],
    "partial": [
        SETUP,
        DOUBLE,
        "def sum_all(x):\n    return np.sum(x, axis=0)  # one sum per column",
        "def count_positive(x):\n    return float(np.sum(x > 0))  # right value, float dtype",
    ],
    "renamed": [
        SETUP,
        "def Double(x):\n    return 2 * x",
        "def summed(x):\n    return float(np.sum(x))",
        "count_positive = 3",
    ],
    "loop_cell": [SETUP, DOUBLE, "while True:\n    pass", TOTAL, COUNT],
    "loop_call": [SETUP, DOUBLE, "def sum_all(x):\n    while True:\n        pass", COUNT],
    # The growing bombs reserve address space without touching it (np.empty): the address
    # space limit stops them exactly where it stops a bomb that writes its memory, but a
    # gigabyte of page faults on a loaded 2-core machine can outlast the tests' 3 s limits.
    "memory_cell": [
        SETUP,
        DOUBLE,
        "huge = np.ones(10**11)",
        TOTAL,
        "hoard = []\nwhile True:\n    hoard.append(np.empty(10**7))  # 80 MB a step",
        COUNT,
    ],
    "memory_call": [
        SETUP,
        DOUBLE,
        "def sum_all(x):\n    hoard = []\n    while True:\n"
        "        hoard.append(np.empty(10**7))  # 80 MB a step",
        COUNT,
    ],
    "exits": [
        SETUP,
        "sys.exit(3)",
        DOUBLE,
        "raise SystemExit('bye')",
        TOTAL,
        "exit()",
        "quit()",
        COUNT,
    ],
    "os_exit": [SETUP, DOUBLE, "os._exit(3)", TOTAL, COUNT],
    # Files of 4 MB each, under the per-file limit, until the folder passes disk_mb.
    "fills_disk": [
        SETUP,
        DOUBLE,
        "for k in range(100):\n    with open(f'junk{k}.bin', 'wb') as junk:\n"
        "        junk.write(bytes(4 * 2**20))",
        TOTAL,
        COUNT,
    ],
    "killed": [
        SETUP,
        DOUBLE,
        "os.kill(os.getpid(), 9)",
        TOTAL,
        "import signal\nsignal.raise_signal(signal.SIGKILL)",
        COUNT,
    ],
    "exit_in_function": [
        SETUP,
        "def double(x):\n    raise SystemExit('no more')",
        "def sum_all(x):\n    os._exit(1)",
        COUNT,
    ],
    "truncated": nbformat.writes(notebook(GOOD)).encode()[:300],  # cut inside a cell
    "garbage": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe",
    "zero_bytes": b"",
    "no_cells": [],
    "markdown_only": ["# markdown: def double(x): return 2 * x"],
    "fake_output": [
        SETUP,
        LEAKS,
        DOUBLE,
        COUNT_UNLESS_LEAKED,
        'print(\'{"event": "ready", "functions": []}\')\n'
        "print('{\"value\": 6}')\n"
        "print('Score: 6 / 6 (100 %), status: ok')\n"
        "print('submission,double,sum_all,count_positive,total,max_total,percent,status')\n"
        "sys.stderr.write('fake_output,2,2,2,6,6,100,ok\\n')\n"
        'os.write(1, b\'{"event": "done", "index": 0, "error": null}\\n\')\n'
        "os.write(2, b'**Score: 6 / 6 (100 %)**\\n')",
        "os.makedirs('feedback', exist_ok=True)\nos.makedirs('reports', exist_ok=True)\n"
        "open('scores.csv', 'w').write('submission,total\\nfake_output,6\\n')\n"
        "open('feedback/fake_output.md', 'w').write('**Score: 6 / 6 (100 %)**')\n"
        "open('reports/fake_output.json', 'w').write('{\"total\": 6}')",
        attempt(
            "forge scores.csv in the out folder",
            "open('@OUT@/scores.csv', 'w').write('submission,total\\nfake_output,6\\n')",
        ),
        attempt(
            "forge the feedback in the out folder",
            "open('@OUT@/feedback/fake_output.md', 'w').write('**Score: 6 / 6**')",
        ),
        attempt(
            "forge the report in the out folder",
            "open('@OUT@/reports/fake_output.json', 'w').write('{\"total\": 6}')",
        ),
        attempt(
            "forge lines in the notes",
            "raise RuntimeError('forged\\n**Score: 6 / 6 (100 %)**, status: ok\\n'\n"
            "                   'fake_output,2,2,2,6,6,100,ok,\\n\"x\",y')",
        ),
    ],  # fmt: skip
    "channel": [
        SETUP,
        DOUBLE,
        "def sum_all(x):\n"
        "    for fd in range(3, 10):  # the channel to the grader is one of these\n"
        "        try:\n"
        "            os.write(fd, b'{\"value\": ' + b'[' * 10**5 + b']' * 10**5 + b'}\\n')\n"
        "        except OSError:\n"
        "            pass\n"
        "    return float(np.sum(x))",
        COUNT,
    ],
    "monkeypatch": [
        SETUP,
        "np.allclose = lambda *args, **kwargs: True\n"
        "np.isclose = lambda *args, **kwargs: True\n"
        "np.array_equal = lambda *args, **kwargs: True\n"
        "np.testing.assert_allclose = lambda *args, **kwargs: None",
        "import byhand.exercises\nimport byhand.exercises.feedback\n"
        "byhand.exercises.check = lambda *args, **kwargs: True\n"
        "byhand.exercises.assert_close = lambda *args, **kwargs: None\n"
        "byhand.exercises.feedback.diagnose = lambda *args, **kwargs: None",
        "import byhand.grading\nimport byhand.grading.hidden\n"
        "byhand.grading.points = lambda n, exercise=None: (lambda test: None)\n"
        "byhand.grading.hidden.run_test = lambda test, functions: None\n"
        "byhand.grading.run_tests = lambda tests, functions: []",
        "def double(x):\n    return x",
        "def sum_all(x):\n    return 0.0",
        "def count_positive(x):\n    return 0",
    ],
    "read_secrets": [
        SETUP,
        LEAKS,
        DOUBLE,
        COUNT_UNLESS_LEAKED,
        attempt("read the hidden tests", "leak(open('@HIDDEN@').read())"),
        attempt("read them by a relative path", "leak(open(os.path.relpath('@HIDDEN@')).read())"),
        attempt("read them through ../", "leak(open('../' * 12 + '@HIDDEN@').read())"),
        attempt("read another submission", "leak(open('@SUBMISSIONS@/good.ipynb').read())"),
        attempt("list the submissions", "leak(os.listdir('@SUBMISSIONS@'))"),
        attempt("list the parent folder", "leak(os.listdir('..'))"),
        attempt(
            "glob for notebooks and tests",
            "import glob\n"
            "found = glob.glob('@SUBMISSIONS@/*.ipynb') + glob.glob('/tmp/*')\n"
            "found += glob.glob('../*') + glob.glob('/tmp/**/toy.py', recursive=True)\n"
            f"if found:\n    leak(found)\n{NOTHING}",
        ),
        attempt(
            "walk the file system",
            "found = [f for _, _, files in os.walk('/tmp') for f in files]\n"
            "found += [f for _, _, files in os.walk('@SUBMISSIONS@') for f in files]\n"
            f"if found:\n    leak(found)\n{NOTHING}",
        ),
        attempt(
            "import the hidden tests from their path",
            "import importlib.util\n"
            "spec = importlib.util.spec_from_file_location('toy', '@HIDDEN@')\n"
            "module = importlib.util.module_from_spec(spec)\n"
            "spec.loader.exec_module(module)\nleak(dir(module))",
        ),
        attempt(
            "import them through sys.path",
            "sys.path.insert(0, os.path.dirname('@HIDDEN@'))\nimport toy\nleak(dir(toy))",
        ),
        attempt("list the grader's folder", "leak(os.listdir(f'/proc/{os.getppid()}/cwd'))"),
        attempt(
            "read through the grader's root",
            "leak(open(f'/proc/{os.getppid()}/root@HIDDEN@').read())",
        ),
        attempt("read our environment", "leak(open('/proc/self/environ').read())"),
        attempt("list our open files", "leak(os.listdir('/proc/self/fd'))"),
        attempt("read through our root", "leak(open('/proc/self/root@HIDDEN@').read())"),
        attempt(
            "read through a folder descriptor",
            "fd = os.open(os.path.dirname('@HIDDEN@'), os.O_RDONLY)\n"
            "leak(os.read(os.open('toy.py', os.O_RDONLY, dir_fd=fd), 999))",
        ),
        attempt("read with IPython's reader", "leak(get_ipython().find_user_code('@HIDDEN@'))"),
        attempt("run with a magic", "%run @HIDDEN@\nleak(test_sum_all)"),
        attempt("read with a shell command", "!cat @HIDDEN@"),
        attempt(
            "read the other sandboxes",
            "import glob\nfound = glob.glob('../byhand-grade-*/*')\n"
            f"if found:\n    leak(found)\n{NOTHING}",
        ),
    ],  # fmt: skip
    "write_outside": [
        SETUP,
        "import pathlib\nimport shutil",
        LEAKS,
        DOUBLE,
        COUNT_UNLESS_LEAKED,
        attempt("plant a notebook", "open('@SUBMISSIONS@/planted.ipynb', 'w').write('{}')"),
        attempt("delete another submission", "os.remove('@SUBMISSIONS@/good.ipynb')"),
        attempt("append to it", "open('@SUBMISSIONS@/good.ipynb', 'a').write(' ')"),
        attempt("overwrite it", "pathlib.Path('@SUBMISSIONS@/good.ipynb').write_text('{}')"),
        attempt("move it away", "os.rename('@SUBMISSIONS@/good.ipynb', 'stolen.ipynb')"),
        attempt("truncate it", "os.truncate('@SUBMISSIONS@/good.ipynb', 0)"),
        attempt(
            "open it with os.open", "os.open('@SUBMISSIONS@/good.ipynb', os.O_WRONLY | os.O_TRUNC)"
        ),
        attempt("touch the hidden tests", "os.utime('@HIDDEN@', (0, 0))"),
        attempt("chmod the hidden tests", "os.chmod('@HIDDEN@', 0o777)"),
        attempt("empty the hidden tests", "open('@HIDDEN@', 'w').close()"),
        attempt("delete the out folder", "shutil.rmtree('@OUT@')"),
        attempt("write into the out folder", "open('@OUT@/scores.csv', 'w').write('x')"),
        attempt("write into home", "open('@HOME@/@STRAY@', 'w').write('x')"),
        attempt("write into /tmp", "open('/tmp/@STRAY@', 'w').write('x')"),
        attempt("make a folder in /tmp", "os.mkdir('/tmp/@STRAY@-folder')"),
        attempt("link to the hidden tests", "os.symlink('@HIDDEN@', 'link.py')"),
        attempt("hard-link them", "os.link('@HIDDEN@', 'hard.py')"),
        attempt("move into the submissions", "os.chdir('@SUBMISSIONS@')"),
        attempt(
            "copy over a submission",
            "open('copy.ipynb', 'w').write('{}')\n"
            "shutil.copyfile('copy.ipynb', '@SUBMISSIONS@/good.ipynb')",
        ),
    ],  # fmt: skip
    "processes": [
        SETUP,
        LEAKS,
        DOUBLE,
        TOTAL,
        COUNT_UNLESS_LEAKED,
        attempt("subprocess", "import subprocess\nsubprocess.run(['touch', '/tmp/@STRAY@-run'])"),
        attempt("os.system", "os.system('touch /tmp/@STRAY@-system')"),
        attempt("os.popen", "os.popen('touch /tmp/@STRAY@-popen').read()"),
        attempt("a shell escape", "!touch /tmp/@STRAY@-bang"),
        attempt("exec", "os.execv('/bin/true', ['/bin/true'])"),
        attempt("posix_spawn", "os.posix_spawn('/bin/true', ['/bin/true'], {})"),
        attempt("fork", "if os.fork() == 0:\n    os._exit(0)"),
        attempt("pty", "import pty\npty.spawn('/bin/true')"),
        attempt(
            "multiprocessing",
            "import multiprocessing\nmultiprocessing.Process(target=print).start()",
        ),
        attempt(
            "subprocess's own fork_exec, without its audit event",
            "import subprocess\nr, w = os.pipe()\n"
            "subprocess._fork_exec([b'/bin/true'], [b'/bin/true'], True, (w,), None, None,\n"
            "                      -1, -1, -1, -1, -1, -1, r, w, False, True, -1, None,\n"
            "                      None, -1, -1, None, False)",
        ),
        attempt(
            "a second _imp, for an unguarded _posixsubprocess",
            "import importlib\nsys.modules.pop('_imp')\n_imp = importlib.import_module('_imp')",
        ),
        attempt(
            "a subinterpreter, without the audit hook",
            "import _xxsubinterpreters\n_xxsubinterpreters.create()",
        ),
        attempt("ctypes", "import ctypes\nctypes.CDLL(None).system(b'touch /tmp/@STRAY@-ctypes')"),
        attempt("a socket", "import socket\nsocket.create_connection(('127.0.0.1', 9), timeout=1)"),
        attempt("a URL", "import urllib.request\nurllib.request.urlopen('http://127.0.0.1:9')"),
        attempt("kill the grader", "import signal\nos.kill(os.getppid(), signal.SIGKILL)"),
        attempt("kill our process group", "os.killpg(os.getpgid(0), 9)"),
        attempt(
            "lift the memory limit",
            "import resource\nresource.setrlimit(resource.RLIMIT_AS, (-1, -1))",
        ),
    ],  # fmt: skip
    "leak_control": [  # an allowed "attempt": shows that getting through costs points
        SETUP,
        LEAKS,
        DOUBLE,
        TOTAL,
        COUNT_UNLESS_LEAKED,
        attempt("write into its own folder (allowed)", "open('mine.txt', 'w').write('x')"),
    ],
    "surrogate": [SETUP, DOUBLE, TOTAL, COUNT, "raise ValueError('\\ud800 is half a character')"],
    # Class 1, escape at restart: modules planted in the folder, then a crash, so the
    # sandbox restarts. Only what the notebook earns counts, and no planted line ever runs.
    "restart_plants": [
        SETUP,
        LEAKS,
        DOUBLE,
        TOTAL,
        COUNT_UNLESS_LEAKED,
        "# plant modules named like those the sandbox imports as it starts\n"
        f"shim = {SHIM!r}\n"
        f"for name in {PLANTED!r}:\n"
        "    with open(name + '.py', 'w') as module:\n"
        "        module.write(shim)\n"
        "os.makedirs('byhand', exist_ok=True)\n"
        "with open('byhand/__init__.py', 'w') as package:\n"
        "    package.write(shim)",
        "os._exit(7)",
        "# did a planted module run when the sandbox restarted?\n"
        "ran = [p for p in ('planted.ran', '/tmp/@STRAY@-planted') if os.path.exists(p)]\n"
        "if ran:\n"
        "    leak('planted code ran', ran)\n"
        "print('after the restart:', sorted(os.listdir('.')), [p for p in sys.path if not p])",
    ],
    # Class 2, links and FIFOs: FIFOs and links where a grader might look, links whose
    # relative targets climb out of the folder from where the link is (made from a
    # subfolder, or through a folder descriptor), then a crash and a restart.
    "links_fifos": [
        SETUP,
        LEAKS,
        DOUBLE,
        TOTAL,
        COUNT_UNLESS_LEAKED,
        "# FIFOs and links where a grader might look for its logs and results\n"
        "for name in ('output.log', 'sandbox.err', 'stdout', 'stderr', 'scores.csv',\n"
        "             'report.json', 'notebook.ipynb'):\n"
        "    os.mkfifo(name)  # a reader of this would wait for ever\n"
        "os.symlink('output.log', 'log')\n"
        "os.symlink('sandbox.err', 'errors.txt')",
        attempt(
            "a relative link, made from a subfolder, that climbs to the hidden tests",
            "top, back = os.getcwd(), os.open('.', os.O_RDONLY)\n"
            "target = os.path.relpath('@HIDDEN@', top)\n"
            "deep = os.path.join(*['sub'] * target.count('..'))  # as deep as it climbs\n"
            "os.makedirs(deep)\n"
            "os.chdir(deep)  # from here the same text stays inside the folder\n"
            "try:\n"
            "    os.symlink(target, os.path.join(top, 'peek.py'))\n"
            "finally:\n"
            "    os.fchdir(back)",
        ),
        attempt(
            "the same through a folder descriptor, to the out folder",
            "top = os.open('.', os.O_RDONLY)\n"
            "target = os.path.relpath('@OUT@', os.getcwd())\n"
            "deep = os.path.join(*['down'] * target.count('..'))\n"
            "os.makedirs(deep)\n"
            "os.chdir(deep)\n"
            "try:\n"
            "    os.symlink(target, 'results', dir_fd=top)\n"
            "finally:\n"
            "    os.fchdir(top)",
        ),
        "os._exit(5)",
        "print('after the restart:', sorted(n for n in os.listdir('.') if n[0] != '.'))",
    ],
    # Class 3, names and sizes: long names; folders nested far deeper than a recursive
    # walk can go; many empty files; with the audit hook off, files under a path longer
    # than PATH_MAX. Each of the last three must be stopped by the disk watcher.
    "names_sizes": [
        SETUP,
        DOUBLE,
        TOTAL,
        COUNT,
        "# names as long as the file system allows\n"
        "with open('n' * 255, 'w') as long_name:\n"
        "    long_name.write('x')\n"
        "os.mkdir('f' * 255)\n"
        "with open(os.path.join('f' * 255, 'g' * 255), 'w') as longer_path:\n"
        "    longer_path.write('y')",
        "# 1,500 folders, each inside the last\n"
        "import time\n"
        "for _ in range(1500):\n"
        "    os.mkdir('d')\n"
        "    os.chdir('d')\n"
        "while True:\n"
        "    time.sleep(0.1)",
        "# 30,000 empty files\n"
        "for i in range(30_000):\n"
        "    open(f'empty{i}', 'w').close()\n"
        "while True:\n"
        "    time.sleep(0.1)",
        HOOK_OFF,
        "# 64 MB under a path longer than PATH_MAX (20 folders of 250 characters)\n"
        "top = os.open('.', os.O_RDONLY)\n"
        "for _ in range(20):\n"
        "    os.mkdir('p' * 250)\n"
        "    os.chdir('p' * 250)\n"
        "for k in range(64):\n"
        "    with open(f'junk{k}', 'wb') as junk:\n"
        "        junk.write(bytes(2**20))\n"
        "os.fchdir(top)\n"
        "while True:\n"
        "    time.sleep(0.1)",
    ],
    # Class 4, the audit hook switched off from inside, then what only the kernel stops:
    # a datagram and a UNIX socket to listeners outside, a detached child that would write
    # after the grader is gone, and a signal to the grader.
    "hook_off": [
        SETUP + "\nimport signal\nimport socket\nimport time",
        LEAKS,
        DOUBLE,
        TOTAL,
        COUNT_UNLESS_LEAKED,
        HOOK_OFF,
        attempt(
            "a datagram to the grader's machine",
            "with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:\n"
            "    udp.sendto(b'a datagram from a sandbox', ('127.0.0.1', @UDP_PORT@))",
        ),
        attempt(
            "a UNIX socket outside the sandbox",
            "with socket.socket(socket.AF_UNIX) as unix:\n"
            "    unix.connect('@UNIX_SOCKET@')\n"
            "    unix.sendall(b'a message from a sandbox')",
        ),
        attempt(
            "a detached child that outlives the sandbox",
            "if os.fork() == 0:  # the child: a session of its own, out of the sandbox's group\n"
            "    os.setsid()\n"
            "    os.closerange(0, 1024)\n"
            "    for _ in range(120):\n"
            "        time.sleep(0.5)\n"
            "        for write in (lambda: open('/tmp/@STRAY@-child', 'w').write('late'),\n"
            "                      lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            "                      .sendto(b'from a child', ('127.0.0.1', @UDP_PORT@))):\n"
            "            try:\n"
            "                write()\n"
            "            except OSError:\n"
            "                pass\n"
            "    os._exit(0)",
        ),
        attempt("kill the grader", "os.kill(os.getppid(), signal.SIGKILL)"),
    ],
    "unencodable": [
        SETUP,
        "def double(x):\n    return lambda: 2 * x",
        "def sum_all(x):\n    return object()",
        "def count_positive(x):\n    return np.array(['3'])",
    ],
    "huge_return": [SETUP, DOUBLE, "def sum_all(x):\n    return np.zeros(7 * 10**6)", COUNT],
    "prints_megabytes": [
        SETUP,
        "print('x' * (20 * 2**20))",
        DOUBLE,
        TOTAL,
        "def count_positive(x):\n    print('y' * 2**20)\n    print('counted')\n"
        "    return int(np.sum(x > 0))",
    ],
}


def contents(name):
    """The bytes of submission `name` as committed (placeholders unfilled)."""
    spec = NOTEBOOKS[name]
    if isinstance(spec, bytes):
        return spec
    return nbformat.writes(notebook(spec)).encode("utf-8") + b"\n"


def path_of(name, folder=SUBMISSIONS):
    return Path(folder) / f"{name}.ipynb"


def write(folder=SUBMISSIONS):
    """Write every submission into `folder`; the paths written."""
    paths = []
    for name in NOTEBOOKS:
        path = path_of(name, folder)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(contents(name))
        paths.append(path)
    return paths


def copy_submissions(folder, **values):
    """Copy the committed submissions into `folder`, filling in the placeholders.

    `values` maps each placeholder's name (hidden, submissions, out, home, stray) to its
    text; it must not need escaping inside a JSON string.
    """
    fill = {f"@{name.upper()}@": str(text) for name, text in values.items()}
    if sorted(fill) != sorted(PLACEHOLDERS):
        raise ValueError(f"expected values for {PLACEHOLDERS}, got {sorted(fill)}")
    for text in fill.values():
        if json.dumps(text) != f'"{text}"':
            raise ValueError(f"{text!r} would need escaping in JSON")
    for name in NOTEBOOKS:
        data = path_of(name).read_bytes()
        for placeholder, text in fill.items():
            data = data.replace(placeholder.encode(), text.encode())
        target = path_of(name, folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return folder


def stale():
    """The committed submissions that differ from what this script makes (or are missing)."""
    wanted = {path_of(name): contents(name) for name in NOTEBOOKS}
    found = set(SUBMISSIONS.rglob("*.ipynb"))
    wrong = [p for p, data in wanted.items() if not p.is_file() or p.read_bytes() != data]
    return sorted(map(str, wrong + sorted(found - set(wanted))))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale submissions")
    args = parser.parse_args(argv)
    if args.check:
        out_of_date = stale()
        for path in out_of_date:
            print(f"out of date: {path}")
        return 1 if out_of_date else 0
    for path in write():
        print(f"wrote {path.relative_to(HERE)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
