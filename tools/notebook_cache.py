"""The book's execution cache: each notebook runs once, and the book shows that run's outputs.

`make notebooks` (a stage of `make test`) and `make book` run this file first: it executes
every notebook of the book in a fresh kernel, two at a time, exactly as MyST-NB would (in the
notebook's folder, with the timeout and `allow_errors` of _config.yml's `execute:` section),
fails on the first error of any notebook, and stores each executed copy in the jupyter-cache
that the build reads (`execute_notebooks: cache`). The build then executes only what is not
in the cache, so a notebook runs once per `make test` in the book's environment, and
`make book` alone on a fresh clone still executes everything (and fails with -W on an error).

jupyter-cache matches a notebook on its code cells and kernel only: it cannot see a change to
the engine the code imports. So the cache folder itself is keyed on a hash of everything else
the outputs depend on: lib/byhand, requirements.txt, pyproject.toml and the Python version.
Change any of them and both this tool and the build (through the Sphinx extension below,
listed in _config.yml) use a new, empty folder, and the old folders are deleted: a stale
cache can never put old library outputs in the book.

    python tools/notebook_cache.py run [--jobs 2] [--force] [NOTEBOOK ...]
    python tools/notebook_cache.py times [--top N]

`times` prints the notebooks' execution times, slowest first, from the runs that filled the
current cache (the book's "Execution times" page shows the same figures).

The learner stage of `make test` (tests/test_learner_env.py), which runs before the notebooks
stage, executes the chapters and exercise sets in a fresh environment holding only what the
README installs, pinned to the same versions. Its runs are the same runs, so it leaves each
executed copy in `_build/.learner_runs/<key>/` (`stage_learner_run`), and `run` takes them into
the cache instead of executing those notebooks a second time. A run that the cache would not
match to the notebook as it is now (its code cells changed since, or its metadata) or that was
made under another key is dropped, never used, and the notebook is executed. A notebook that
imports one of the frameworks (Keras, PyTorch: the `frameworks` extra, which the learner's
environment lacks) runs differently there, so the book never takes its outputs from there.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import re
import shutil
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What a notebook's outputs depend on besides its own code cells (see the docstring). The
# notebooks read no other file of the repository; one that starts to must be listed here.
KEY_INPUTS = ("lib/byhand", "requirements.txt", "pyproject.toml")

# Executed copies left by the learner stage, waiting for `run` to take them into the cache.
LEARNER_RUNS = ".learner_runs"
# The frameworks extra of pyproject.toml: a notebook that names one in its code may run
# differently in the learner's environment, which does not install them.
FRAMEWORKS = re.compile(r"\b(?:keras|torch|tensorflow)\b")

# Each notebook must run top to bottom in a fresh kernel within this many seconds on the
# 2-core machine (docs/execution_times.md); `times` flags the ones over it.
BUDGET_SECONDS = 30.0


def cache_key(root: Path = ROOT) -> str:
    """A short hash of KEY_INPUTS under `root` and the Python version."""
    digest = hashlib.sha256(f"python {platform.python_version()}\n".encode())
    for name in KEY_INPUTS:
        top = root / name
        if not top.exists():
            raise FileNotFoundError(f"the execution cache is keyed on {top}, which is missing")
        files = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def cache_folder(build_dir: Path, root: Path = ROOT, prune: bool = True) -> Path:
    """build_dir/.jupyter_cache/<key>; with prune, the folders of other keys are deleted."""
    parent = Path(build_dir) / ".jupyter_cache"
    folder = parent / cache_key(root)
    if prune and parent.is_dir():
        for other in parent.iterdir():
            if other != folder:
                if other.is_dir():
                    shutil.rmtree(other)
                else:
                    other.unlink()
    return folder


def book_notebooks(root: Path = ROOT) -> list[Path]:
    """The notebooks the book executes: every .ipynb page of _toc.yml, in the book's order."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text())
    found: list[Path] = []

    def walk(entry):
        if isinstance(entry, list):
            for item in entry:
                walk(item)
        elif isinstance(entry, dict):
            for key in ("root", "file"):
                if key in entry and (root / f"{entry[key]}.ipynb").is_file():
                    found.append(root / f"{entry[key]}.ipynb")
            for key in ("parts", "chapters", "sections"):
                walk(entry.get(key, []))

    walk(toc)
    return found


def execution_settings(root: Path = ROOT) -> tuple[int, bool]:
    """(timeout, allow_errors) from _config.yml, with MyST-NB's defaults (30 s, False)."""
    import yaml

    execute = yaml.safe_load((root / "_config.yml").read_text()).get("execute") or {}
    return int(execute.get("timeout", 30)), bool(execute.get("allow_errors", False))


def _execute(path: str, timeout: int, allow_errors: bool):
    """Run one notebook as MyST-NB's cache mode does; (path, executed text, seconds, error)."""
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    nb = nbformat.read(path, as_version=4)
    try:
        result = single_nb_execution(
            nb, cwd=str(Path(path).parent), timeout=timeout, allow_errors=allow_errors
        )
    except Exception:  # the kernel would not start, a dead kernel...: report, never hang
        return path, None, 0.0, traceback.format_exc()
    if result.err is not None:
        return path, None, result.time, result.exc_string
    return path, nbformat.writes(result.nb), result.time, None


def _label(path: Path, root: Path) -> str:
    path = Path(path).resolve()
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def _code(nb) -> list[str]:
    """The sources of a notebook's code cells: what its run depends on (with the key)."""
    return ["".join(c.source) for c in nb.cells if c.cell_type == "code"]


def runs_the_same_for_a_learner(path: Path) -> bool:
    """False for a notebook whose code names a framework the learner's environment lacks."""
    import nbformat

    return not any(FRAMEWORKS.search(code) for code in _code(nbformat.read(path, 4)))


def stage_learner_run(
    path, executed_text: str, seconds: float, jobs: int = 1, build_dir=None, root: Path = ROOT
) -> Path | None:
    """Leave the learner stage's executed copy of `path` for `run`; None if it is not kept."""
    path = Path(path).resolve()
    if not runs_the_same_for_a_learner(path):
        return None
    build_dir = Path(build_dir) if build_dir is not None else root / "_build"
    dest = build_dir / LEARNER_RUNS / cache_key(root) / path.relative_to(root)
    dest.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "execution_seconds": seconds,
        "executed_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "jobs": jobs,
        "by": "the learner stage",
    }
    for target, text in ((dest, executed_text), (dest.with_suffix(".json"), json.dumps(record))):
        partial = target.with_name(target.name + ".part")
        partial.write_text(text)
        partial.replace(target)  # whole or absent, whatever else runs beside
    return dest


def adopt_learner_runs(cache, paths, build_dir: Path, root: Path = ROOT) -> set[Path]:
    """Cache the learner stage's runs of `paths` that match the notebooks as they are now, then
    delete every staged run (used or not): each is taken at most once."""
    import nbformat
    from jupyter_cache.base import CacheBundleIn

    parent = Path(build_dir) / LEARNER_RUNS
    folder = parent / cache_key(root)
    adopted = set()
    for path in paths:
        path = Path(path).resolve()
        staged = folder / path.relative_to(root) if path.is_relative_to(root) else None
        if staged is None or not (staged.is_file() and staged.with_suffix(".json").is_file()):
            continue
        executed = nbformat.read(staged, as_version=4)
        if _code(executed) != _code(nbformat.read(path, 4)) or not runs_the_same_for_a_learner(
            path
        ):
            continue
        data = json.loads(staged.with_suffix(".json").read_text())
        record = cache.cache_notebook_bundle(
            CacheBundleIn(executed, path, data=data), check_validity=False, overwrite=True
        )
        try:  # the cache must find it for the notebook as it is (its hash counts metadata too)
            found = cache.match_cache_notebook(nbformat.read(path, 4)).pk == record.pk
        except KeyError:
            found = False
        if not found:
            cache.remove_cache(record.pk)
            continue
        _forget_older_versions(cache, path, record.hashkey)
        adopted.add(path)
    shutil.rmtree(parent, ignore_errors=True)
    return adopted


def _forget_older_versions(cache, uri: str, keep: str) -> None:
    """Drop cached runs of earlier versions of the same notebook: the cache stays small."""
    for record in cache.list_cache_records():
        if record.uri == uri and record.hashkey != keep:
            cache.remove_cache(record.pk)


def run(paths, build_dir: Path, jobs: int = 2, force: bool = False, root: Path = ROOT) -> int:
    """Execute the notebooks that the cache lacks; 0 if all ran without error, else 1."""
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    timeout, allow_errors = execution_settings(root)
    folder = cache_folder(build_dir, root)
    cache = get_cache(folder)
    for path in paths:
        path = Path(path).resolve()
        if path.suffix != ".ipynb" or not path.is_file():
            raise FileNotFoundError(f"not a notebook: {path}")
    if force:  # everything runs here: the learner stage's runs are not wanted
        shutil.rmtree(Path(build_dir) / LEARNER_RUNS, ignore_errors=True)
    adopted = set() if force else adopt_learner_runs(cache, paths, build_dir, root)
    todo = []
    for path in paths:
        path = Path(path).resolve()
        if path in adopted:
            print(f"  learner  {_label(path, root)} (the learner stage's run)", flush=True)
            continue
        try:
            record = None if force else cache.match_cache_notebook(nbformat.read(path, 4))
        except KeyError:
            record = None
        if record is None:
            todo.append(path)
        else:
            print(f"  cached   {_label(path, root)}", flush=True)
    print(
        f"Executing {len(todo)} of {len(paths)} notebooks, {jobs} at a time, into {folder}",
        flush=True,
    )
    failed = []
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(_execute, str(p), timeout, allow_errors) for p in todo]
        for future in as_completed(futures):
            path, text, seconds, error = future.result()
            label = _label(Path(path), root)
            if error is not None:
                failed.append((label, error))
                print(f"  FAILED   {label} after {seconds:.1f} s", flush=True)
                continue
            executed = nbformat.reads(text, as_version=4)
            data = {
                "execution_seconds": seconds,
                "executed_at": datetime.now().astimezone().isoformat(timespec="seconds"),
                "jobs": jobs,
            }
            record = cache.cache_notebook_bundle(
                CacheBundleIn(executed, path, data=data), check_validity=False, overwrite=True
            )
            _forget_older_versions(cache, path, record.hashkey)
            over = "  (over the 30 s budget)" if seconds > BUDGET_SECONDS else ""
            print(f"  {seconds:5.1f} s  {label}{over}", flush=True)
    print(f"Done in {time.perf_counter() - started:.0f} s.", flush=True)
    for label, error in failed:
        error = re.sub(r"\x1b\[[0-9;]*m", "", error).rstrip()  # the kernel's colours
        print(f"\n==== {label} failed:\n{error[-4000:]}", file=sys.stderr)
    if failed:
        names = ", ".join(label for label, _ in failed)
        print(f"\n{len(failed)} notebook(s) raised an error: {names}", file=sys.stderr)
        return 1
    return 0


def recorded_times(paths, build_dir: Path, root: Path = ROOT):
    """[(label, seconds or None, data)] for the current version of each notebook."""
    import nbformat
    from jupyter_cache import get_cache

    folder = cache_folder(build_dir, root, prune=False)
    cache = get_cache(folder) if folder.is_dir() else None
    rows = []
    for path in paths:
        record = None
        if cache is not None:
            try:
                record = cache.match_cache_notebook(nbformat.read(path, 4))
            except KeyError:
                pass
        data = dict(record.data or {}) if record is not None else {}
        rows.append((_label(Path(path), root), data.get("execution_seconds"), data))
    return rows


def print_times(paths, build_dir: Path, top: int | None = None, root: Path = ROOT) -> int:
    """The slowest notebooks first; 1 if a notebook has no recorded run for this library."""
    rows = recorded_times(paths, build_dir, root)
    timed = sorted((r for r in rows if r[1] is not None), key=lambda r: -r[1])
    missing = [label for label, seconds, _ in rows if seconds is None]
    print(
        f"Notebook execution times (fresh kernel each; budget {BUDGET_SECONDS:.0f} s), "
        f"from the runs that filled {cache_folder(build_dir, root, prune=False)}:"
    )
    print(f"  {'seconds':>7}  {'notebook':<38} executed")
    for label, seconds, data in timed[:top]:
        when = data.get("executed_at", "by the book build")
        how = f", {data['jobs']} notebooks at a time" if data.get("jobs") else ""
        how += f", by {data['by']}" if data.get("by") else ""
        flag = "  OVER BUDGET" if seconds > BUDGET_SECONDS else ""
        print(f"  {seconds:7.1f}  {label:<38} {when}{how}{flag}")
    if timed:
        total = sum(seconds for _, seconds, _ in timed)
        print(f"  {total:7.1f}  in all, {len(timed)} notebooks")
    over = [label for label, seconds, _ in timed if seconds > BUDGET_SECONDS]
    print(f"Over the budget: {', '.join(over) if over else 'none'}.")
    if missing:
        print(
            f"No run of the current version for: {', '.join(missing)} "
            "(`make notebooks` executes them)."
        )
        return 1
    return 0


# Sphinx extension (listed under sphinx.local_extensions in _config.yml).


def _use_the_keyed_cache(app, config):
    build_dir = Path(app.outdir).parent  # MyST-NB's own default is <this>/.jupyter_cache
    config.nb_execution_cache_path = str(cache_folder(build_dir, Path(app.srcdir)))


def setup(app):
    app.connect("config-inited", _use_the_keyed_cache)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--build-dir",
        type=Path,
        default=ROOT / "_build",
        help="the book's build folder, which holds .jupyter_cache (default: _build)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="execute what the cache lacks")
    run_parser.add_argument("notebooks", nargs="*", type=Path, help="default: the whole book")
    run_parser.add_argument("--jobs", type=int, default=2, help="notebooks at a time")
    run_parser.add_argument("--force", action="store_true", help="execute even if cached")
    times_parser = commands.add_parser("times", help="the slowest notebooks first")
    times_parser.add_argument("--top", type=int, default=None, help="print only N")
    args = parser.parse_args(argv)
    if args.command == "run":
        paths = args.notebooks or book_notebooks()
        return run(paths, args.build_dir, jobs=args.jobs, force=args.force)
    return print_times(book_notebooks(), args.build_dir, top=args.top)


if __name__ == "__main__":
    sys.exit(main())
