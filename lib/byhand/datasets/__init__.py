"""Digit images for the capstone: the 8x8 digits (shipped) and MNIST (downloaded once).

    load_digits()  X [1797, 64], y [1797]; read from digits.npz beside this file
    load_mnist()   (x_train, y_train), (x_test, y_test); cached in ~/.cache/byhand

README.md in this folder says where the shipped file comes from and under which licence.
"""

from byhand.datasets.digits import load_digits
from byhand.datasets.mnist import MNIST_SHA256, MNIST_URL, default_cache_dir, load_mnist

__all__ = ["MNIST_SHA256", "MNIST_URL", "default_cache_dir", "load_digits", "load_mnist"]
