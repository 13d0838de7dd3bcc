"""Everything a page of the book loads comes from the book itself: MathJax, pinned.

The book's pages typeset their math with MathJax. Loading it from a CDN leaves readers who are
offline, behind a firewall or reading a downloaded copy with raw TeX, so the build serves its
own copy from `_static/mathjax/`. This module is the one place that pins it:

- `python tools/book_assets.py` (run by `make book`) fetches the npm tarball of MathJax, checks
  it against the registry's sha512 integrity string, keeps it under `.cache/mathjax/` and
  extracts the files the pages need at run time;
- as a Sphinx extension (`_config.yml`, `local_extensions`), it does the same if needed, adds
  the extracted folder to `html_static_path` and checks that `mathjax_path` names a file of
  the local copy, so no build can fall back to a CDN.

Nothing here is committed: the tarball and the extracted copy live in `.cache/` (git-ignored),
and `_build/html/_static/mathjax/` is what the published book serves.
"""

import base64
import hashlib
import io
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent

# The pin: one version, its tarball on the npm registry and the registry's integrity string.
MATHJAX_VERSION = "3.2.2"
MATHJAX_URL = f"https://registry.npmjs.org/mathjax/-/mathjax-{MATHJAX_VERSION}.tgz"
MATHJAX_INTEGRITY = (  # `npm view mathjax@3.2.2 dist.integrity`
    "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/"
    "O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw=="
)

# What the pages load: the TeX-to-HTML component, and what it fetches later, on demand: the
# TeX extensions it autoloads, the web fonts of its HTML output, and the accessibility and
# menu code (with the speech rules) that its right-click menu can switch on.
MATHJAX_COMPONENT = "tex-chtml.js"
MATHJAX_RUNTIME = (
    "input/tex/extensions/",
    "output/chtml/fonts/woff-v2/",
    "a11y/",
    "sre/",
    "ui/",
)

CACHE = ROOT / ".cache" / "mathjax"
TARBALL = CACHE / f"mathjax-{MATHJAX_VERSION}.tgz"
# The folder added to Sphinx's html_static_path: it holds `mathjax/`, which the build copies
# to `_build/html/_static/mathjax/`.
STATIC = CACHE / MATHJAX_VERSION / "static"
COPY = STATIC / "mathjax"
DONE = COPY / ".complete"


class AssetError(RuntimeError):
    """A book asset could not be fetched, verified or extracted."""


def _check_integrity(data, integrity=None):
    """Whether `data` matches an npm integrity string ("sha512-<base64 digest>")."""
    algorithm, _, expected = (integrity or MATHJAX_INTEGRITY).partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    return digest == expected


def fetch_tarball(url=MATHJAX_URL, dest=TARBALL, timeout=60, integrity=None, name=None, why=None):
    """The verified tarball: from the cache if it is there and intact, else from the registry.

    MathJax by default; another pinned npm package (the browser tests' axe-core) passes its
    own `integrity` string, `name` ("axe-core 4.14.1") and `why` it is needed.
    """
    integrity = integrity or MATHJAX_INTEGRITY
    name = name or f"MathJax {MATHJAX_VERSION}"
    why = why or (
        "The book serves its own copy of MathJax so that its pages typeset their math "
        "offline; building it needs the npm registry once (the tarball is then cached)."
    )
    if dest.is_file():
        if _check_integrity(dest.read_bytes(), integrity):
            return dest
        dest.unlink()  # a damaged or foreign file: fetch it again
    print(f"book_assets: fetching {name} from {url}", file=sys.stderr)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data = response.read()
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise AssetError(
            f"could not fetch {name} from {url}: {reason}.\n{why} "
            f"Check the network, or put the tarball at {dest} by hand."
        ) from exc
    if not _check_integrity(data, integrity):
        raise AssetError(
            f"the file fetched from {url} ({len(data)} bytes) does not match the pinned "
            f"integrity {integrity}: refusing to use it."
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".part")
    partial.write_bytes(data)
    partial.replace(dest)
    return dest


def _wanted(name):
    """The path inside the copy for a member of the npm tarball, or None to leave it out."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or path.parts[:1] != ("package",):
        return None
    if path.parts[1:] == ("LICENSE",):
        return PurePosixPath("LICENSE")
    if path.parts[1:2] != ("es5",):
        return None
    inner = PurePosixPath(*path.parts[2:])
    if str(inner) == MATHJAX_COMPONENT or any(str(inner).startswith(p) for p in MATHJAX_RUNTIME):
        return inner
    return None


def extract(tarball=TARBALL, copy=COPY):
    """Write the files the pages need into `copy`, replacing whatever was there."""
    data = tarball.read_bytes()
    copy.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="mathjax-", dir=copy.parent))
    try:
        count = 0
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for member in archive:
                inner = _wanted(member.name)
                if inner is None or not member.isfile():
                    continue
                target = work.joinpath(*inner.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.extractfile(member).read())
                count += 1
        if not (work / MATHJAX_COMPONENT).is_file():
            raise AssetError(f"{tarball} holds no es5/{MATHJAX_COMPONENT}")
        (work / ".complete").write_text(f"mathjax {MATHJAX_VERSION}: {count} files\n")
        if copy.exists():
            shutil.rmtree(copy)
        work.rename(copy)
    finally:
        if work.exists():
            shutil.rmtree(work)
    return copy


def ensure_mathjax():
    """The folder to add to html_static_path; fetches and extracts MathJax only when needed."""
    if not DONE.is_file():
        extract(fetch_tarball())
    return STATIC


# --- the Sphinx extension ----------------------------------------------------------------


def _serve_mathjax_locally(app, config):
    from sphinx.errors import ExtensionError

    try:
        static = ensure_mathjax()
    except AssetError as exc:
        raise ExtensionError(str(exc)) from exc
    if str(static) not in map(str, config.html_static_path):
        config.html_static_path.append(str(static))
    path = config.mathjax_path
    if "://" in path or path.startswith("/") or not (static / path).is_file():
        raise ExtensionError(
            f"mathjax_path is {path!r}, but the book must load MathJax from its own copy: "
            f"set it to 'mathjax/{MATHJAX_COMPONENT}' (a file of {COPY})."
        )


def setup(app):
    app.connect("config-inited", _serve_mathjax_locally)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main():
    try:
        static = ensure_mathjax()
    except AssetError as exc:
        print(f"book_assets: error: {exc}", file=sys.stderr)
        return 1
    print(f"book_assets: MathJax {MATHJAX_VERSION} ready in {static / 'mathjax'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
