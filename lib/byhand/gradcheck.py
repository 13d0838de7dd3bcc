"""Gradient checking: compare a backward pass with central finite differences.

A derivative is a limit of slopes; with a small step eps on either side of x,

    df/dx_i ~ (f(x + eps * e_i) - f(x - eps * e_i)) / (2 * eps)

where e_i is 1 at position i and 0 elsewhere. The error of this central difference
shrinks like eps**2 (a one-sided difference only like eps), so in float64 with eps = 1e-6
it agrees with a correct analytic gradient to about 1e-9 relative error; a wrong backward
pass is off by far more. Gradient checks always run in float64: float32 keeps only ~7
digits, too few to tell a small bug from rounding.
"""

from __future__ import annotations

import numpy as np


def numerical_gradient(f, x, eps=1e-6):
    """df/dx by central differences. f: a function x -> float; x: float64 array, any shape.

    Each entry of x is nudged IN PLACE to x_i + eps and x_i - eps, then put back, so f
    may read x either from its argument or through another reference to the same array
    (such as `layer.params["kernel"]`). Returns an array shaped like x (2 * x.size calls).
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError(
            "numerical_gradient: x must be a float64 NumPy array (it is nudged in place), "
            f"got {type(x).__name__} {getattr(x, 'dtype', '')}"
        )
    if not eps > 0:
        raise ValueError(f"numerical_gradient: eps must be a small number > 0, got {eps!r}")
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + eps
        f_plus = _scalar(f(x))
        x[i] = original - eps
        f_minus = _scalar(f(x))
        x[i] = original  # put it back
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def _scalar(value):
    """f's value as a float, or a clear error: a gradient is taken of ONE number, the loss."""
    array = np.asarray(value)
    if array.ndim != 0 or array.dtype.kind not in "biuf":
        raise TypeError(
            f"numerical_gradient: f must return one number (the loss), got {type(value).__name__}"
            f" of shape {array.shape}"
        )
    return float(array)


def relative_error(a, b):
    """max|a - b| / max(1e-12, max(|a| + |b|)), both maxima over all entries.

    Dividing by the size of the gradients makes the number independent of their scale;
    the 1e-12 floor avoids dividing by zero when both are zero. Below 1e-7 means the two
    agree (in float64); above 1e-3 usually means a bug.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error: shapes differ, {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b)) / max(1e-12, np.max(np.abs(a) + np.abs(b))))


def check_layer_gradients(layer, x, rng, training=True, eps=1e-6):
    """Relative errors between a layer's backward pass and finite differences.

    layer : a byhand layer; built here in float64 for x's shape if not built yet
    x : input array [N, ...] (a list of arrays for Concatenate), converted to float64
    rng : numpy.random.Generator, for the projection r and for building

    The loss is a random projection of the output plus the layer's weight penalties,

        L = sum(y * r) + layer.regularization_loss()      so dL/dy = r,

    which gives every output its own weight. The layer's random generator (dropout's
    masks) is reset before every forward pass, so all passes draw the same mask.
    Returns {"dx": error, "kernel": error, ...} ("dx_0", "dx_1", ... for a list x).
    Batch norm in training mode updates its moving averages on every pass.
    """
    if not hasattr(layer, "multiple_inputs"):
        raise TypeError(f"check_layer_gradients: expected a byhand layer, got {layer!r}")
    many = layer.multiple_inputs  # Concatenate reads a list of arrays
    xs = [np.array(xi, dtype=np.float64) for xi in (x if many else [x])]
    if any(xi.ndim < 2 or len(xi) == 0 for xi in xs):
        raise ValueError(
            f"check_layer_gradients: x must be a batch [N, ...] with N >= 1 examples, got "
            f"shape {[xi.shape for xi in xs] if many else xs[0].shape}"
        )
    if not layer.built:
        shapes = [xi.shape[1:] for xi in xs]
        layer.build(shapes if many else shapes[0], rng, dtype="float64")
    for key, w in layer.params.items():
        if w.dtype != np.float64:
            raise TypeError(f"{layer}: gradient checks run in float64, {key!r} is {w.dtype}")
    rng_state = layer.rng.bit_generator.state if layer.rng is not None else None

    def forward():
        if rng_state is not None:
            layer.rng.bit_generator.state = rng_state  # the same dropout mask every time
        return layer.forward(xs if many else xs[0], training=training)

    r = rng.standard_normal(forward().shape)

    def loss(_):
        return float(np.sum(forward() * r)) + layer.regularization_loss()

    forward()  # the analytic gradients
    dx = layer.backward(r)
    analytic = {"dx": dx} if not many else {f"dx_{i}": dxi for i, dxi in enumerate(dx)}
    analytic.update((key, layer.grads[key].copy()) for key in layer.params)
    numeric = {key: numerical_gradient(loss, w, eps) for key, w in layer.params.items()}
    names = ["dx"] if not many else [f"dx_{i}" for i in range(len(xs))]
    numeric.update(
        (name, numerical_gradient(loss, xi, eps)) for name, xi in zip(names, xs, strict=True)
    )
    return {key: relative_error(analytic[key], numeric[key]) for key in analytic}
