"""What a model does besides computing: its weights as a list, in a file, and its summary.

`Model` inherits these from `WeightsAndSummary`, so byhand/model.py keeps only the graph and
the two passes. They follow Keras 3: get_weights / set_weights / save_weights / load_weights
/ count_params / summary.
"""

from __future__ import annotations

import os

import numpy as np


class WeightsAndSummary:
    """get_weights, set_weights, save_weights, load_weights, count_params and summary, for a
    model with `layers`, `steps`, `input_shapes` and a `_check_built(where)` method."""

    # -- weights ----------------------------------------------------------------------
    def get_weights(self):
        """All weights, layer by layer in Keras order (Dense: kernel, bias; ...)."""
        return [w for layer in self.layers for w in layer.get_weights()]

    def set_weights(self, weights):
        """Overwrite all weights in place; all are checked first, so a bad list changes none."""
        self._check_built("set_weights")
        weights = list(weights)
        counts = [len(layer._weight_arrays()) for layer in self.layers]
        if len(weights) != sum(counts):
            raise ValueError(
                f"{self.name}: set_weights expected {sum(counts)} arrays, got {len(weights)}"
            )
        ends = np.cumsum([0, *counts]).tolist()
        for layer, start, stop in zip(self.layers, ends, ends[1:], strict=False):
            layer.check_weights(weights[start:stop])
        for layer, start, stop in zip(self.layers, ends, ends[1:], strict=False):
            layer._assign(weights[start:stop])

    def save_weights(self, filepath):
        """Write every weight array, in get_weights order, to one .npz file at `filepath`."""
        arrays = {f"w{i:04d}": w for i, w in enumerate(self.get_weights())}
        with open(_path(self, "save_weights", filepath), "wb") as file:  # no ".npz" added
            np.savez(file, **arrays)

    def load_weights(self, filepath):
        """Read weights written by `save_weights` into this (built) model."""
        self._check_built("load_weights")
        try:
            data = np.load(_path(self, "load_weights", filepath))
        except (ValueError, EOFError, IsADirectoryError) as error:  # not a NumPy file
            raise ValueError(
                f"{self.name}.load_weights: {filepath} is not a file written by save_weights"
                f" ({error})"
            ) from None
        if not isinstance(data, np.lib.npyio.NpzFile):
            raise ValueError(
                f"{self.name}.load_weights: {filepath} holds one array; expected the .npz "
                "file that save_weights writes"
            )
        with data:
            try:
                weights = [data[key] for key in sorted(data.files)]
            except ValueError as error:  # e.g. pickled objects, which are never loaded
                raise ValueError(f"{self.name}.load_weights: {filepath}: {error}") from None
        self.set_weights(weights)

    def count_params(self):
        return sum(layer.count_params() for layer in self.layers)

    # -- summary ----------------------------------------------------------------------
    def summary(self, print_fn=print):
        """Print each layer's name and type, output shape and number of parameters."""
        self._check_built("summary")
        rows = [("Layer (type)", "Output Shape", "Param #")]
        for shape, tensor_id in zip(self.input_shapes, self._input_ids, strict=True):
            rows.append((f"input_{tensor_id} (InputLayer)", _shape(shape), "0"))
        for layer, _, out in self.steps:
            kind = type(layer).__name__
            rows.append(
                (f"{layer.name} ({kind})", _shape(self._shapes[out]), str(layer.count_params()))
            )
        widths = [max(len(row[k]) for row in rows) + 2 for k in range(3)]
        line = "-" * sum(widths)
        print_fn(f'Model: "{self.name}"')
        print_fn(line)
        for k, row in enumerate(rows):
            print_fn("".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
            print_fn("=" * len(line) if k == 0 else line)
        trainable = sum(
            p.size for layer in self.layers if layer.trainable for p in layer.params.values()
        )
        print_fn(f"Total params: {self.count_params()}")
        print_fn(f"Trainable params: {trainable}")
        print_fn(f"Non-trainable params: {self.count_params() - trainable}")


def _path(model, where, filepath):
    if not isinstance(filepath, (str, os.PathLike)):
        raise TypeError(f"{model.name}.{where}: filepath must be a path, got {filepath!r}")
    return filepath


def _shape(shape):
    return "(None, " + ", ".join(str(n) for n in shape) + ")"
