"""axe-core, pinned, for the browser tests' accessibility audit of every page of the book.

axe-core (Deque's accessibility rules engine) is a single script, `axe.min.js`, published on
the npm registry. The browser tests need it at test time but the book never serves it, so it
is not a book asset: this module fetches the pinned tarball with the same verified download as
MathJax (`book_assets.fetch_tarball`: the registry's sha512 integrity string is checked),
caches it under `.cache/axe-core/`, and hands the script's text to the tests, which inject it
into each page with Playwright (the pages' network is closed to anything but 127.0.0.1).

`python tools/axe.py` fetches it ahead of time and prints where it is.
"""

import io
import sys
import tarfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from book_assets import ROOT, AssetError, fetch_tarball  # noqa: E402

# The pin: `npm view axe-core@4.14.1 dist.integrity`.
AXE_VERSION = "4.14.1"
AXE_URL = f"https://registry.npmjs.org/axe-core/-/axe-core-{AXE_VERSION}.tgz"
AXE_INTEGRITY = (
    "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37"
    "OgudVGtQ=="
)
CACHE = ROOT / ".cache" / "axe-core"
TARBALL = CACHE / f"axe-core-{AXE_VERSION}.tgz"
MEMBER = "package/axe.min.js"

# What the audit checks: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and Deque's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def fetch(url=AXE_URL, dest=TARBALL, timeout=60):
    """The verified axe-core tarball (from the cache, or else from the npm registry)."""
    return fetch_tarball(
        url=url,
        dest=dest,
        timeout=timeout,
        integrity=AXE_INTEGRITY,
        name=f"axe-core {AXE_VERSION}",
        why=(
            "The browser tests audit every page of the book with axe-core, fetched from the "
            "npm registry once and then cached."
        ),
    )


def script(url=AXE_URL, dest=TARBALL):
    """The text of axe.min.js from the pinned, verified tarball."""
    with tarfile.open(fileobj=io.BytesIO(fetch(url, dest).read_bytes()), mode="r:gz") as archive:
        try:
            member = archive.extractfile(MEMBER)
        except KeyError:
            member = None
        if member is None:
            raise AssetError(f"{dest} holds no {MEMBER}")
        text = member.read().decode("utf-8")
    if "axe.run" not in text and "runPartial" not in text:
        raise AssetError(f"{MEMBER} in {dest} does not look like axe-core")
    return text


def main():
    try:
        text = script()
    except AssetError as exc:
        print(f"axe: error: {exc}", file=sys.stderr)
        return 1
    print(f"axe: axe-core {AXE_VERSION} ready in {TARBALL} ({len(text)} characters of script)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
