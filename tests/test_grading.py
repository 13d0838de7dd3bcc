"""The batch grader against good, broken and hostile submissions, all in one batch.

The submissions are tests/grading_fixtures/submissions (made by make_fixtures.py), graded
against the toy set tests/grading_fixtures/hidden/toy.py (6 points) with small limits and
two workers. Every hostile notebook must get exactly the points it genuinely earns, a
status and a note that say what happened, and must leave everything outside its own
temporary folder as it was; the good notebooks in the same batch must get full marks.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from byhand.grading import seccomp
from byhand.grading.batch import grade_folder
from byhand.grading.hidden import load_tests
from byhand.grading.runner import Limits

FIXTURES = Path(__file__).resolve().parent / "grading_fixtures"
sys.path.insert(0, str(FIXTURES))
import make_fixtures  # noqa: E402

LIMITS = Limits(cell_seconds=3, call_seconds=3, total_seconds=60, memory_mb=1024, disk_mb=16,
                disk_files=1000)  # fmt: skip
SECRET = "byhand-hidden-toy-secret-7f3a"  # a comment in the hidden-test file
EXERCISES = ["double", "sum_all", "count_positive"]
TESTS = ["test_double_vector", "test_double_keeps_its_input", "test_sum_all",
         "test_count_positive"]  # fmt: skip
NOT_NUMBERS = "which is not a number or an array"
# The public message of a wrong value (hidden tests show no value, only how far it is off).
RELATIVE_ERROR = "relative error ‖received − expected‖ / ‖expected‖"

# report name -> (status, total of 6, substrings the notes must hold, {test: message substring})
EXPECTED = {
    "good": ("ok", 6, [], {}),
    "class_b__good": ("ok", 6, [], {}),
    "stub": ("ok", 0, [], {t: "not attempted yet" for t in TESTS}),
    "partial": ("ok", 2, [], {"test_sum_all": "wrong shape", "test_count_positive": "dtype"}),
    "renamed": ("ok", 0, [], {"test_double_vector": "double is not defined",
                              "test_sum_all": "sum_all is not defined",
                              "test_count_positive": "count_positive is not defined"}),
    "loop_cell": ("timeout", 6, ["code cell 3 ('while True:') ran over its 3 s limit; "
                                 "it was skipped"], {}),
    "loop_call": ("timeout", 4, ["during test_sum_all, the notebook's code ran over its 3 s"],
                  {"test_sum_all": "the call ran over its 3 s limit"}),
    "memory_cell": ("cell errors", 6, ["code cell 3 ('huge = np.ones(10**11)') raised MemoryError",
                                       "code cell 5 ('hoard = []') raised MemoryError"], {}),
    "memory_call": ("ok", 4, [], {"test_sum_all": "sum_all raised MemoryError"}),
    "exits": ("cell errors", 6, ["code cell 2 ('sys.exit(3)') raised SystemExit: 3",
                                 "code cell 4 (\"raise SystemExit('bye')\") raised SystemExit"],
              {}),
    "os_exit": ("crashed", 6, ["code cell 3 ('os._exit(3)') ended the kernel with exit code 3; "
                               "it was skipped"], {}),
    "fills_disk": ("crashed", 6, ["code cell 3 ('for k in range(100):') wrote more than 16 MB "
                                  "of files; it was skipped"], {}),
    "killed": ("crashed", 6, ["code cell 3 ('os.kill(os.getpid(), 9)') raised PermissionError",
                              "code cell 5 ('import signal') was killed by SIGKILL; "
                              "it was skipped"], {}),
    "exit_in_function": ("crashed", 2, ["during test_sum_all, the notebook's code ended the "
                                        "kernel with exit code 1"],
                         {"test_double_vector": "double raised SystemExit (line",
                          "test_double_keeps_its_input": "double raised SystemExit",
                          "test_sum_all": "the call ended the kernel with exit code 1"}),
    "truncated": ("invalid", 0, ["not a readable notebook"],
                  {t: "not run: not a readable notebook" for t in TESTS}),
    "garbage": ("invalid", 0, ["not a readable notebook"], {}),
    "zero_bytes": ("empty", 0, ["empty (0 bytes)"], {t: "not run" for t in TESTS}),
    "no_cells": ("empty", 0, ["the notebook has no code"], {}),
    "markdown_only": ("empty", 0, ["the notebook has no code"], {}),
    "fake_output": ("cell errors", 4, ["raised RuntimeError: forged"],
                    {"test_sum_all": "sum_all is not defined"}),
    "channel": ("crashed", 4, ["during test_sum_all, the notebook's code broke the grader's "
                               "protocol"], {"test_sum_all": "broke the grader's protocol"}),
    "monkeypatch": ("ok", 0, [], {"test_double_vector": "relative error",
                                  "test_sum_all": f"{RELATIVE_ERROR}: 1",
                                  "test_count_positive": f"{RELATIVE_ERROR}: 1"}),
    "read_secrets": ("cell errors", 4, [], {"test_sum_all": "sum_all is not defined"}),
    "write_outside": ("cell errors", 4, [], {"test_sum_all": "sum_all is not defined"}),
    "processes": ("cell errors", 6, [], {}),
    "leak_control": ("ok", 4, [], {"test_count_positive": f"{RELATIVE_ERROR}: 0.333"}),
    "surrogate": ("cell errors", 6, ["is half a character"], {}),
    "unencodable": ("ok", 0, [], {"test_double_vector": f"returned a function, {NOT_NUMBERS}",
                                  "test_sum_all": f"returned a object, {NOT_NUMBERS}",
                                  "test_count_positive": f"array of <U1, {NOT_NUMBERS}"}),
    "huge_return": ("crashed", 4, ["broke the grader's protocol (message too long"],
                    {"test_sum_all": "broke the grader's protocol"}),
    "prints_megabytes": ("ok", 6, [], {}),
    # The four classes of issue 12's walls (see make_fixtures.py).
    "restart_plants": ("crashed", 6, ["code cell 7 ('os._exit(7)') ended the kernel with exit "
                                      "code 7; it was skipped"], {}),
    "links_fifos": ("crashed", 6, ["code cell 9 ('os._exit(5)') ended the kernel with exit "
                                   "code 5; it was skipped"], {}),
    "names_sizes": ("crashed", 6, [
        "code cell 6 ('# 1,500 folders, each inside the last') nested folders more than 100 "
        "deep; it was skipped",
        "code cell 7 ('# 30,000 empty files') made more than 1000 files and folders; it was "
        "skipped",
        "code cell 9 ('# 64 MB under a path longer than PATH_MA') wrote more than 16 MB of "
        "files; it was skipped"], {}),
    "hook_off": ("cell errors", 6, ["raised PermissionError: [Errno 1] Operation not permitted"],
                 {}),
}  # fmt: skip

# report name -> {test: substring of the instructor's detail that the student must not read}
DETAILS = {"exit_in_function": {"test_double_vector": "double raised SystemExit: no more"}}


def snapshot(*folders):
    """Every file under the folders: its bytes' hash, size and modification time."""
    found = {}
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            stat = path.lstat()
            data = path.read_bytes() if path.is_file() else b""
            found[str(path)] = (hashlib.sha256(data).hexdigest(), stat.st_size, stat.st_mtime_ns)
    return found


def attempt_cells(name):
    """The 1-based numbers (among code cells) of the `# attempt:` cells of a submission."""
    spec = make_fixtures.NOTEBOOKS[name.replace("__", "/")]
    code = [c for c in spec if not c.startswith("# markdown:")] if isinstance(spec, list) else []
    return [i + 1 for i, source in enumerate(code) if source.startswith("# attempt:")]


def survivors(folder):
    """The processes still running whose home is under `folder` (every sandbox's is)."""
    found = []
    home = f"HOME={folder}/".encode()
    for entry in os.listdir("/proc"):
        try:
            environment = Path(f"/proc/{entry}/environ").read_bytes()
        except OSError:  # not a process, gone, or not ours to read
            continue
        if any(item.startswith(home) for item in environment.split(b"\0")):
            found.append(int(entry))
    return found


def listened(udp, unix):
    """What reached the two listeners: datagrams, and connections to the UNIX socket."""
    received = []
    udp.setblocking(False)
    unix.setblocking(False)
    while True:
        try:
            received.append(udp.recv(4096))
        except BlockingIOError:
            break
    while True:
        try:
            connection, _ = unix.accept()
        except BlockingIOError:
            break
        with connection:
            connection.settimeout(1)
            received.append(b"UNIX connection: " + connection.recv(4096))
    return received


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    hidden = root / "hidden" / "toy.py"
    hidden.parent.mkdir()
    shutil.copy(make_fixtures.HIDDEN, hidden)
    submissions, out, sandboxes = root / "submissions", root / "out", root / "sandboxes"
    sandboxes.mkdir()
    listeners = root / "listeners"
    listeners.mkdir()
    stray = f"byhand-stray-{uuid.uuid4().hex[:12]}"
    # Listeners outside every sandbox, for hook_off to aim at: a UDP port on 127.0.0.1 and
    # a UNIX socket.
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    unix = socket.socket(socket.AF_UNIX)
    unix.bind(str(listeners / "grader.sock"))
    unix.listen(8)
    make_fixtures.copy_submissions(submissions, hidden=hidden, submissions=submissions,
                                   out=out, home=Path.home(), stray=stray,
                                   udp_port=udp.getsockname()[1],
                                   unix_socket=listeners / "grader.sock")  # fmt: skip
    before = snapshot(submissions, hidden.parent)
    tests = load_tests(hidden)
    started = time.monotonic()
    # The sandboxes' temporary folders go to a folder of this batch's own, to check that
    # they are all gone afterwards.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tempfile, "tempdir", str(sandboxes))
        reports = grade_folder(submissions, out, tests, "digest-of-toy", LIMITS, workers=2,
                               progress=False).reports  # fmt: skip
    seconds = time.monotonic() - started
    left = survivors(sandboxes)
    for pid in left:  # so that a failing run leaves nothing behind either
        os.kill(pid, signal.SIGKILL)
    received = listened(udp, unix)
    udp.close()
    unix.close()
    return {
        "reports": {report["submission"]: report for report in reports},
        "order": [report["submission"] for report in reports],
        "seconds": seconds,
        "survivors": left,
        "received": received,
        "before": before,
        "after": snapshot(submissions, hidden.parent),
        "root": root,
        "hidden": hidden,
        "submissions": submissions,
        "out": out,
        "sandboxes": sandboxes,
        "stray": stray,
    }


def test_the_fixtures_are_up_to_date_and_hold_no_outputs():
    assert make_fixtures.stale() == [], "run python tests/grading_fixtures/make_fixtures.py"
    for path in make_fixtures.SUBMISSIONS.rglob("*.ipynb"):
        data = path.read_bytes()
        if data.startswith(b"{") and path.stem != "truncated":
            cells = json.loads(data)["cells"]
            assert all(not c.get("outputs") and not c.get("execution_count") for c in cells)


def test_every_submission_was_graded_and_expected():
    assert sorted(EXPECTED) == sorted(make_fixtures.NOTEBOOKS.keys() - {"class_b/good"}
                                      | {"class_b__good"})  # fmt: skip


def test_every_submission_is_in_the_batch(batch):
    assert sorted(batch["order"]) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_score_status_and_notes(batch, name):
    status, total, notes, messages = EXPECTED[name]
    report = batch["reports"][name]
    summary = json.dumps({k: report[k] for k in ("status", "total", "notes")}, indent=1)
    assert report["status"] == status, summary
    assert report["total"] == total, summary
    assert report["max_total"] == 6
    assert report["percent"] == round(100 * total / 6, 1)
    assert sum(e["points"] for e in report["exercises"].values()) == total
    assert [t["name"] for t in report["tests"]] == TESTS
    for note in notes:
        assert any(note in line for line in report["notes"]), f"no note {note!r}:\n{summary}"
    if status == "ok":
        assert report["notes"] == [], summary
    else:
        assert report["notes"], f"status {status} but no note saying why"
    for test in report["tests"]:
        passed = test["points"] == test["max_points"]
        assert passed == (test["message"] == ""), test
        if test["name"] in messages:
            assert not passed and messages[test["name"]] in test["message"], test
        detail = DETAILS.get(name, {}).get(test["name"])
        if detail is not None:  # the instructor's text: what the student's exception said
            assert detail in test["detail"] and detail not in test["message"], test


@pytest.mark.parametrize("name", [n for n in EXPECTED if attempt_cells(n)])
def test_every_hostile_attempt_was_refused_and_noted(batch, name):
    report = batch["reports"][name]
    expected = attempt_cells(name)
    if name == "leak_control":  # its one "attempt" is allowed: no note, and it costs points
        assert report["notes"] == [] and report["tests"][-1]["points"] == 0
        return
    for number in expected:
        prefix = f"code cell {number} ('# attempt:"
        prefix2 = f'code cell {number} ("# attempt:'
        found = [n for n in report["notes"] if n.startswith((prefix, prefix2))]
        assert len(found) == 1, f"cell {number} of {name} left no note: {report['notes']}"
        assert "raised" in found[0], found[0]
    assert "LEAKED" not in report["output_tail"]


def test_processes_were_refused_by_the_sandbox(batch):
    notes = batch["reports"]["processes"]["notes"]
    refusals = [n for n in notes if "the grader's sandbox does not allow" in n]
    # All but the shell escape (IPython finds no pty) are refused by name; the subinterpreter
    # module cannot even be imported.
    assert len(refusals) >= len(attempt_cells("processes")) - 1, notes
    for what in ("subprocess.Popen", "os.system", "os.fork", "os.exec", "os.posix_spawn",
                 "ctypes.dlopen", "os.kill", "os.killpg", "resource.setrlimit",
                 "starting programs"):  # fmt: skip
        assert any(f"does not allow {what}" in n for n in notes), what
    assert any("does not allow importing _xxsubinterpreters" in n for n in notes), notes


def test_reads_were_refused_and_nothing_leaked(batch):
    report = batch["reports"]["read_secrets"]
    assert sum("does not allow reading" in n for n in report["notes"]) >= 12
    everything = {name: json.dumps(r) for name, r in batch["reports"].items()}
    everything |= {str(p): p.read_text() for p in batch["out"].rglob("*") if p.is_file()}
    assert [name for name, text in everything.items() if SECRET in text] == []
    leaked = sorted(name for name, text in everything.items() if "LEAKED" in text)
    assert leaked == sorted([str(batch["out"] / "reports" / "leak_control.json"),
                             "leak_control"])  # fmt: skip


def test_files_outside_the_sandbox_are_untouched(batch):
    assert batch["after"] == batch["before"]  # submissions and hidden tests: bytes and mtimes


def test_no_stray_files_in_tmp_home_or_the_sandboxes_folder(batch):
    stray = batch["stray"]
    assert not list(Path("/tmp").glob(f"{stray}*"))
    assert not list(Path(tempfile.gettempdir()).glob(f"{stray}*"))
    assert not list(Path.home().glob(f"{stray}*"))
    assert list(batch["sandboxes"].iterdir()) == []  # every sandbox's folder was removed
    assert sorted(p.name for p in batch["root"].iterdir()) == [
        "hidden", "listeners", "out", "sandboxes", "submissions"]  # fmt: skip
    assert [p.name for p in (batch["root"] / "listeners").iterdir()] == ["grader.sock"]


def test_the_out_folder_holds_exactly_the_grader_files(batch):
    out = batch["out"]
    names = sorted(EXPECTED)
    expected = {"scores.csv"}
    expected |= {f"feedback/{n}.md" for n in names} | {f"reports/{n}.json" for n in names}
    found = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert found == expected
    assert not list(out.rglob("*.partial"))


def test_scores_csv_has_one_exact_row_per_submission(batch):
    text = (batch["out"] / "scores.csv").read_text()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["submission", *EXERCISES, "total", "max_total", "percent", "status",
                       "notes"]  # fmt: skip
    assert [row[0] for row in rows[1:]] == batch["order"]
    for row in rows[1:]:
        report = batch["reports"][row[0]]
        status, total, _, _ = EXPECTED[row[0]]
        points = [report["exercises"][e]["points"] for e in EXERCISES]
        assert row[1:-1] == [*(f"{p:g}" for p in points), f"{total:g}", "6",
                             f"{round(100 * total / 6, 1):g}", status]  # fmt: skip
        # the notes, each on the one line of the row (their form is batch.score_table's)
        for note in report["notes"][:5]:
            assert note.splitlines()[0][:40] in row[-1], (note, row[-1])
        assert bool(report["notes"]) == bool(row[-1])
    assert rows[1:][batch["order"].index("good")][1:5] == ["2", "2", "2", "6"]


def test_feedback_says_score_status_and_why(batch):
    feedback = batch["out"] / "feedback"
    good = (feedback / "good.md").read_text()
    assert "**Score: 6 / 6 (100 %)**, status: ok" in good
    assert good.count("- passed `") == 4 and "FAILED" not in good
    partial = (feedback / "partial.md").read_text()
    assert "**Score: 2 / 6 (33.3 %)**, status: ok" in partial
    assert "| `count_positive` | 0 / 2 |" in partial
    assert "- FAILED `test_count_positive` (0 / 2)" in partial
    assert "count_positive (0 is not positive)" in partial
    assert "dtype is float64" in partial
    loop = (feedback / "loop_cell.md").read_text()
    assert "status: timeout" in loop and "## While running your notebook" in loop
    assert "ran over its 3 s limit; it was skipped" in loop
    # A lone surrogate in an error message cannot be written as UTF-8: it becomes "?".
    assert "raised ValueError: ? is half a character" in (feedback / "surrogate.md").read_text()
    # A student's text never starts a line of its own: the one score line is the grader's.
    forged = (feedback / "fake_output.md").read_text()
    assert [line for line in forged.splitlines() if "Score:" in line and line.startswith("**")] == [
        "**Score: 4 / 6 (66.7 %)**, status: cell errors"
    ]


def test_reports_hold_the_contract_fields(batch):
    report = batch["reports"]["good"]
    assert set(report) == {"submission", "file", "sha256", "tests_sha256", "grader", "status",
                           "notes", "sandbox", "seconds", "exercises", "total", "max_total",
                           "percent", "tests", "output_tail"}  # fmt: skip
    path = batch["submissions"] / "good.ipynb"
    assert report["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert report["tests_sha256"] == "digest-of-toy"
    assert report["sandbox"].startswith("audit hook")
    saved = json.loads((batch["out"] / "reports" / "good.json").read_text())
    assert saved == report


def test_prints_are_kept_short_and_off_the_channel(batch):
    report = batch["reports"]["prints_megabytes"]
    assert 0 < len(report["output_tail"]) <= 4000
    # The last prints, from count_positive: a megabyte of y, then a short line that only
    # reaches the log if the sandbox flushes it before it is ended.
    assert report["output_tail"].endswith("y\ncounted\n")
    assert report["output_tail"].strip("y\ncounted") == ""
    assert (batch["out"] / "reports" / "prints_megabytes.json").stat().st_size < 20_000


def test_the_hostile_batch_is_quick(batch):
    assert batch["seconds"] < 60


# --- Issue 12: the sandbox's walls, class by class ------------------------------------


def test_every_sandbox_says_which_walls_held(batch):
    """On Linux x86-64 or AArch64 the kernel's seccomp filter is always there; as root, the
    sandbox is the user nobody or root without any capability."""
    fields = {report["sandbox"] for report in batch["reports"].values() if report["sandbox"]}
    assert len(fields) == 1, fields  # the same walls for every submission
    (field,) = fields
    assert field.startswith("audit hook")
    if seccomp.machine() is not None:
        assert "seccomp" in field.split(" + ")
    if os.geteuid() == 0:
        assert field.endswith((" + no capabilities", " + user nobody")), field


def test_planted_modules_never_ran_at_a_restart(batch):
    report = batch["reports"]["restart_plants"]
    assert not list(Path("/tmp").glob(f"{batch['stray']}-planted"))
    # the restart ran in a new folder: only what the notebook made again, and no "" path
    tail = report["output_tail"]
    assert "after the restart:" in tail and "planted.ran" not in tail, tail
    assert tail.rstrip().endswith("[]"), tail
    assert "LEAKED" not in tail


def test_links_made_from_a_subfolder_are_read_where_the_kernel_reads_them(batch):
    report = batch["reports"]["links_fifos"]
    attempts = [n for n in report["notes"] if "# attempt:" in n]
    assert len(attempts) == 2 and all("does not allow a link to" in n for n in attempts), attempts
    # The restart's folder is new: what the cells made again, and nothing else (a folder
    # used again would make the FIFO cell fail, and hold two of each subfolder's name).
    listing = ["'down'", "'errors.txt'", "'log'", "'notebook.ipynb'",
               "'output.log'", "'report.json'", "'sandbox.err'", "'scores.csv'", "'stderr'",
               "'stdout'", "'sub'"]  # fmt: skip
    assert report["output_tail"].endswith(f"after the restart: [{', '.join(listing)}]\n")


def test_the_disk_watcher_counts_bytes_files_and_depth_without_recursion(batch):
    report = batch["reports"]["names_sizes"]
    assert len([n for n in report["notes"] if n.endswith("it was skipped")]) == 3, report["notes"]
    assert "the audit hook is off" in report["output_tail"]  # the last cell really ran so


def test_with_the_hook_off_the_kernel_still_refuses(batch):
    report = batch["reports"]["hook_off"]
    assert "the audit hook is off" in report["output_tail"]
    assert len(report["notes"]) == 4, report["notes"]
    assert all("raised PermissionError: [Errno 1] Operation not permitted" in n
               for n in report["notes"]), report["notes"]  # fmt: skip
    assert batch["received"] == []  # no datagram, no connection to the UNIX socket
    assert batch["survivors"] == []  # no process outlived its sandbox
    assert not list(Path("/tmp").glob(f"{batch['stray']}-child"))
