"""Tests for byhand.datasets.load_mnist, against a small npz served on 127.0.0.1.

No test touches the internet: a local HTTP server (port 0, in a thread) serves a tiny
stand-in for mnist.npz and counts the requests it answers.
"""

import hashlib
import http.server
import io
import socket
import threading

import numpy as np
import pytest

from byhand.datasets import MNIST_SHA256, MNIST_URL, default_cache_dir, load_mnist


def tiny_mnist():
    """An npz with MNIST's keys, dtypes and image size, but 5 + 3 images."""
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
        "y_train": np.array([5, 0, 4, 1, 9], dtype=np.uint8),
        "x_test": rng.integers(0, 256, (3, 28, 28), dtype=np.uint8),
        "y_test": np.array([7, 2, 1], dtype=np.uint8),
    }
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return arrays, buffer.getvalue()


class Server:
    """Serve `body` at /mnist.npz (404 elsewhere) and count the requests."""

    def __init__(self, body):
        self.requests = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests += 1
                if self.path != "/mnist.npz":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # keep the test output clean
                pass

        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/mnist.npz"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def served():
    arrays, body = tiny_mnist()
    with Server(body) as server:
        yield server, arrays, hashlib.sha256(body).hexdigest()


def test_downloads_once_then_reads_the_cache(served, tmp_path, capsys):
    server, arrays, sha = served
    cache = tmp_path / "cache"  # created by load_mnist
    (x_train, y_train), (x_test, y_test) = load_mnist(cache_dir=cache, url=server.url, sha256=sha)
    assert server.requests == 1
    assert (cache / "mnist.npz").is_file()
    assert list(cache.iterdir()) == [cache / "mnist.npz"]  # no partial file left behind
    assert "Downloading" in capsys.readouterr().out
    for got, key in [(x_train, "x_train"), (y_train, "y_train"), (x_test, "x_test")]:
        np.testing.assert_array_equal(got, arrays[key])
    assert x_train.dtype == np.uint8 and x_train.shape == (5, 28, 28)
    assert y_test.tolist() == [7, 2, 1]

    # The second call finds the file and does not ask the server.
    (x_again, _), _ = load_mnist(cache_dir=cache, url=server.url, sha256=sha, verbose=False)
    assert server.requests == 1
    np.testing.assert_array_equal(x_again, arrays["x_train"])


def test_second_call_works_without_the_server(served, tmp_path):
    server, arrays, sha = served
    load_mnist(cache_dir=tmp_path, url=server.url, sha256=sha, verbose=False)
    dead_url = f"http://127.0.0.1:{closed_port()}/mnist.npz"
    (_, y_train), _ = load_mnist(cache_dir=tmp_path, url=dead_url, sha256=sha, verbose=False)
    np.testing.assert_array_equal(y_train, arrays["y_train"])


def test_wrong_checksum_raises_and_keeps_nothing(served, tmp_path):
    server, _, sha = served
    wrong = "0" * 64
    with pytest.raises(ValueError, match=rf"has SHA-256 {sha}, expected {wrong}; it was deleted"):
        load_mnist(cache_dir=tmp_path, url=server.url, sha256=wrong, verbose=False)
    assert list(tmp_path.iterdir()) == []


def test_corrupt_cached_file_is_downloaded_again(served, tmp_path):
    server, arrays, sha = served
    (tmp_path / "mnist.npz").write_bytes(b"half a file")
    (_, y_train), _ = load_mnist(cache_dir=tmp_path, url=server.url, sha256=sha, verbose=False)
    assert server.requests == 1
    np.testing.assert_array_equal(y_train, arrays["y_train"])


def closed_port():
    """A local port with nothing listening on it (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_url_gives_a_clear_error(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}/mnist.npz"
    with pytest.raises(ConnectionError, match=r"could not download http://127\.0\.0\.1:\d+/mnist"):
        load_mnist(cache_dir=tmp_path, url=url, sha256=MNIST_SHA256, timeout=5, verbose=False)
    assert list(tmp_path.iterdir()) == []


def test_missing_file_on_the_server_gives_a_clear_error(served, tmp_path):
    server, _, sha = served
    url = server.url.replace("mnist.npz", "nothing.npz")
    with pytest.raises(ConnectionError, match=r"could not download .*nothing\.npz.*404"):
        load_mnist(cache_dir=tmp_path, url=url, sha256=sha, verbose=False)
    assert list(tmp_path.iterdir()) == []


def test_defaults(monkeypatch, tmp_path):
    # The real file: Keras's copy and the SHA-256 in Keras's source.
    assert MNIST_URL == "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
    assert MNIST_SHA256 == "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / ".cache" / "byhand"


def test_data_module_reexports_the_loaders():
    from byhand import data

    assert data.load_mnist is load_mnist
