"""SymPy companions of the activations and losses: each function and its derivative as a formula.

    z, f, df = activation_expression("sigmoid")       f = 1/(1 + exp(-z)), df = diff(f, z)
    y, y_hat, L, dL = loss_expression("mse")          L for one example, dL = dL/dy_hat

Lessons display these formulas; the tests turn them into functions (`sympy.lambdify`) and
compare them with the NumPy code of `byhand.activations` and `byhand.losses`. Every derivative
here is computed by SymPy (`sympy.diff`), never typed in by hand.

The losses are for ONE example: the NumPy losses average them over a batch of N examples, so
their gradients are these derivatives divided by N (and by M outputs for mse, mae, bce).
Clipping to [epsilon, 1 - epsilon] is left out: it only matters at probabilities 0 and 1.
"""

from __future__ import annotations

import sympy as sp

from byhand.checks import check_int, is_int


def _softmax(z):
    """The softmax of a column of symbols z_1..z_K, as a SymPy Matrix."""
    exps = z.applyfunc(sp.exp)
    return exps / sum(exps)


def activation_expression(name, alpha=None, classes=3):
    """(z, f, df): the activation `name` as a SymPy expression in z and its derivative.

    alpha: the slope (leaky_relu, default 0.01) or scale (elu, default 1.0); pass
    sympy.Symbol("alpha") to see it as a letter. For "softmax", z is a column of `classes`
    symbols z_1..z_K, f the column softmax(z) and df the K x K Jacobian d f_i / d z_j.
    The kinks at z = 0 follow the NumPy code: relu' = 0, leaky_relu' = alpha, elu' = 1.
    """
    z = sp.Symbol("z", real=True)
    name = _name("activation_expression", name)
    if name == "softmax":
        check_int("activation_expression", "classes", classes, 2)
        zs = sp.Matrix(sp.symbols(f"z_1:{classes + 1}", real=True))
        f = _softmax(zs)
        return zs, f, f.jacobian(zs)
    if name == "sigmoid":
        f = 1 / (1 + sp.exp(-z))
    elif name == "tanh":
        f = sp.tanh(z)
    elif name == "relu":
        f = sp.Piecewise((z, z > 0), (0, True))
    elif name == "leaky_relu":
        a = sp.Float(0.01) if alpha is None else alpha
        f = sp.Piecewise((z, z > 0), (a * z, True))
    elif name == "elu":
        a = sp.Integer(1) if alpha is None else alpha
        f = sp.Piecewise((z, z >= 0), (a * (sp.exp(z) - 1), True))
    elif name == "linear":
        f = z
    else:
        raise ValueError(
            f"activation_expression: unknown activation {name!r}; valid names are: "
            "sigmoid, tanh, relu, leaky_relu, elu, softmax, linear"
        )
    return z, f, sp.diff(f, z)


def _name(owner, name):
    if not isinstance(name, str):
        raise TypeError(f"{owner}: expected a name such as 'relu' or 'mse', got {name!r}")
    return name.lower()


_LOSS_NAMES = {
    "mse": "mse",
    "mean_squared_error": "mse",
    "mae": "mae",
    "mean_absolute_error": "mae",
    "binary_crossentropy": "binary_crossentropy",
    "categorical_crossentropy": "categorical_crossentropy",
    "sparse_categorical_crossentropy": "sparse_categorical_crossentropy",
    "kl_divergence": "kl_divergence",
    "kld": "kl_divergence",
}


def loss_expression(name, from_logits=False, classes=3, label=0):
    """(y, y_hat, L, dL): one example's loss `name` and its derivative dL/dy_hat.

    mse, mae, binary_crossentropy: y and y_hat are symbols (one output) and L, dL scalars.
    categorical_crossentropy, kl_divergence: y and y_hat are columns of `classes` symbols and
    dL is the gradient column. sparse_categorical_crossentropy: y is the integer `label`.
    The categorical losses divide y_hat by its sum first, as Keras does (for a softmax output
    the sum is 1). from_logits=True (cross-entropies): y_hat are the logits z, and dL = dL/dz.
    """
    key = _LOSS_NAMES.get(_name("loss_expression", name))
    if key is None:
        raise ValueError(
            f"loss_expression: unknown loss {name!r}; valid names are: {', '.join(_LOSS_NAMES)}"
        )
    if from_logits and "crossentropy" not in key:
        raise ValueError(f"loss_expression: {name!r} has no from_logits version")
    if key in ("mse", "mae", "binary_crossentropy"):
        y = sp.Symbol("y", real=True)
        y_hat = sp.Symbol("z" if from_logits else "yhat", real=True)
        if key == "mse":
            L = (y - y_hat) ** 2
        elif key == "mae":
            L = sp.Abs(y - y_hat)
        else:
            p = 1 / (1 + sp.exp(-y_hat)) if from_logits else y_hat
            L = -(y * sp.log(p) + (1 - y) * sp.log(1 - p))
        return y, y_hat, L, sp.diff(L, y_hat)

    check_int("loss_expression", "classes", classes, 2)
    y_hat = sp.Matrix(sp.symbols(f"{'z' if from_logits else 'yhat'}_1:{classes + 1}", real=True))
    if key == "sparse_categorical_crossentropy":
        if not (is_int(label) and 0 <= label < classes):  # another label gives L = 0
            raise ValueError(
                f"loss_expression: label must be an int in 0..{classes - 1}, got {label!r}"
            )
        y = sp.Integer(label)
        y_vec = sp.Matrix([1 if k == label else 0 for k in range(classes)])
    else:
        y = sp.Matrix(sp.symbols(f"y_1:{classes + 1}", real=True))
        y_vec = y
    if key == "kl_divergence":
        L = sum(y_vec[k] * sp.log(y_vec[k] / y_hat[k]) for k in range(classes))
    else:
        p = _softmax(y_hat) if from_logits else y_hat / sum(y_hat)
        L = -sum(y_vec[k] * sp.log(p[k]) for k in range(classes))
    return y, y_hat, L, sp.Matrix([sp.diff(L, v) for v in y_hat])
