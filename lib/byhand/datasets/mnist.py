"""MNIST: downloaded once, checked against its SHA-256, then read from a local cache."""

from __future__ import annotations

import hashlib
import http.client
import os
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
from tqdm import tqdm

# The copy of MNIST that Keras downloads (keras.datasets.mnist.load_data), with the
# checksum Keras's source (keras/src/datasets/mnist.py) gives for it. To check a copy by
# hand: `sha256sum mnist.npz` (Linux) or `shasum -a 256 mnist.npz` (macOS).
MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def default_cache_dir() -> Path:
    """~/.cache/byhand, where downloaded data sets are kept."""
    return Path.home() / ".cache" / "byhand"


def load_mnist(cache_dir=None, url=MNIST_URL, sha256=MNIST_SHA256, timeout=60, verbose=True):
    """The MNIST digits (70,000 28x28 grey images), as Keras's `mnist.load_data()`.

    The first call downloads `url` into `cache_dir` (default ~/.cache/byhand) as
    mnist.npz and checks its SHA-256; later calls find the file there, check it again
    and read it without the network. A cached file that fails the check is downloaded
    again; a download that fails it raises ValueError and is not kept.

    Parameters
    ----------
    cache_dir : folder for mnist.npz, or None for ~/.cache/byhand
    url, sha256 : where to download from, and the SHA-256 (64 hex digits) to expect
    timeout : seconds to wait for the server before giving up
    verbose : print where the file goes and show a progress bar while downloading

    Raises ConnectionError (saying the URL and the reason) when the download fails.

    Returns
    -------
    (x_train, y_train), (x_test, y_test):
        x_train uint8 [60000, 28, 28] (pixels 0..255), y_train uint8 [60000] (digits),
        x_test uint8 [10000, 28, 28], y_test uint8 [10000].
        For a Dense network: x_train.reshape(-1, 784) / 255.0 gives X [60000, 784].

    Licence: MNIST is made available under CC BY-SA 3.0 (see Keras's mnist.load_data).
    """
    cache_dir = default_cache_dir() if cache_dir is None else Path(cache_dir)
    path = cache_dir / "mnist.npz"
    if not (path.is_file() and _sha256_of(path) == sha256):
        _download(url, path, sha256, timeout, verbose)
    with np.load(path) as data:
        return (data["x_train"], data["y_train"]), (data["x_test"], data["y_test"])


def _download(url, path, sha256, timeout, verbose):
    """Fetch url into path, keeping the file only if its SHA-256 equals sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if verbose:
        print(f"Downloading {url} to {path} ...", flush=True)
    # Write to a temporary file beside the target; it becomes the target only when whole
    # and checked, so an interrupted or corrupt download never looks like a cached one.
    fd, partial = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".part")
    try:
        digest = hashlib.sha256()
        with (
            os.fdopen(fd, "wb") as out,
            urllib.request.urlopen(url, timeout=timeout) as response,
            tqdm(  # a progress bar in bytes; the size is known when the server sends it
                total=int(response.headers.get("Content-Length", 0)) or None,
                unit="B",
                unit_scale=True,
                desc=path.name,
                file=sys.stdout,
                disable=not verbose,
            ) as bar,
        ):
            while chunk := response.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
                bar.update(len(chunk))
        if digest.hexdigest() != sha256:
            raise ValueError(
                f"load_mnist: the file downloaded from {url} has SHA-256 "
                f"{digest.hexdigest()}, expected {sha256}; it was deleted. The download "
                f"may be corrupt or the file may have changed: try again, or pass the "
                f"new sha256 if you trust the source"
            )
        os.replace(partial, path)
    except (urllib.error.URLError, ConnectionError, TimeoutError, http.client.HTTPException) as err:
        raise ConnectionError(
            f"load_mnist: could not download {url} ({err}). Check the network connection, "
            f"or download the file by hand and save it as {path}"
        ) from err
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def _sha256_of(path):
    """The SHA-256 of a file as 64 hex digits, read 1 MiB at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
