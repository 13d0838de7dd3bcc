"""Compare a result with the expected one, and say what most likely went wrong.

`diagnose` returns None when the two agree, and otherwise a few lines a student can act on:
the expected and received values, the relative error

    relative error = ‖received − expected‖ / ‖expected‖        (2-norms over all entries)

and, when the difference has a familiar cause, a hint: a forgotten `return`, a wrong shape,
a transposed matrix, a flipped sign, integer division, NaN, a constant factor or offset.
`check` prints these lines for the public cases; hidden tests raise them with `assert_close`.
Values may be numbers, NumPy arrays, lists of numbers, or tuples of those (a tuple is read as
several return values, `return w, b`; a list as one array).
"""

from __future__ import annotations

import numpy as np

NOT_A_NUMBER = "returned a {}, which is not a number or an array"


def show(value):
    """`value` as text: arrays via np.array2string, tuples item by item."""
    if isinstance(value, tuple):
        return "(" + ", ".join(show(item) for item in value) + ")"
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return np.array2string(value, precision=6, max_line_width=88, threshold=60)
    if isinstance(value, np.generic | np.ndarray):
        return repr(value.item())
    return repr(value)


def field(label, text, indent=""):
    """'label: text', with the text's later lines lined up under its first."""
    pad = "\n" + indent + " " * (len(label) + 2)
    return f"{indent}{label}: " + text.replace("\n", pad)


def relative_error(received, expected):
    """‖received − expected‖ / ‖expected‖ (the absolute error when expected is all 0)."""
    difference = np.linalg.norm((received - expected).ravel())
    size = np.linalg.norm(expected.ravel())
    return float(difference / size) if size > 0 else float(difference)


def _as_numbers(value):
    """`value` as a numeric NumPy array, or None when it is not numbers."""
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):  # ragged lists, for one
        return None
    return array if array.dtype.kind in "biufc" else None


def _type_name(value):
    return getattr(value, "type_name", None) or type(value).__name__


def _shape_hint(r, e):
    """Why the shapes differ, as far as the numbers tell. r, e: received, expected arrays."""
    if r.ndim == 0:
        return (
            f"a single number came back where an array of shape {e.shape} was expected: "
            "did you sum or average over the batch, or return one example's value?"
        )
    if e.ndim == 2 and r.shape == e.shape[::-1]:
        return "transposed: the result has the shape of the expected result's transpose"
    if e.ndim == 1 and r.shape == (e.size, e.size):
        return (
            f"an [{e.size}, {e.size}] result where [{e.size}] was expected usually comes from "
            "broadcasting: adding an array of shape [N] to one of shape [N, 1]"
        )
    if r.size == e.size and np.allclose(r.reshape(e.shape), e):
        return (
            "the right numbers in the wrong shape: an extra or missing axis of length 1? "
            "(keep 1-D arrays 1-D; avoid reshape(-1, 1) and [:, None] here)"
        )
    return f"wrong shape: expected shape {e.shape}, received shape {r.shape}"


def _integer_hint(r, e):
    """A hint if r looks like e cut to whole numbers (integer dtype, //, int(...)), else None."""
    if e.dtype.kind != "f" or np.all(np.mod(e, 1) == 0):
        return None
    if r.dtype.kind in "iu" or any(
        np.allclose(r, cut(e)) for cut in (np.floor, np.trunc, np.round)
    ):
        dtype = f" (dtype {r.dtype})" if r.dtype.kind in "iu" else ""
        return (
            f"the result holds whole numbers only{dtype} where fractions are expected: "
            "integer division (//), int(...) or .astype(int) somewhere?"
        )
    return None


def _factor_hint(r, e, atol):
    """A hint if r = c * e for one constant c != 1, else None."""
    nonzero = np.abs(e) > atol
    if not nonzero.any() or not np.allclose(r[~nonzero], 0, atol=atol):
        return None
    ratios = r[nonzero] / e[nonzero]
    factor = float(np.mean(ratios))
    if not np.allclose(ratios, factor, rtol=1e-6) or np.isclose(factor, 1.0):
        return None
    hint = f"off by a constant factor: received = {factor:.6g} × expected"
    if factor > 1.5 and np.isclose(factor, round(factor)):
        hint += f" (a sum where a mean is meant? forgot to divide by N = {round(factor)}?)"
    elif 0 < factor < 0.75 and np.isclose(1 / factor, round(1 / factor)):
        hint += f" (divided by N = {round(1 / factor)} once too often?)"
    return hint


def _value_hint(r, e, rtol, atol):
    """A likely cause of a wrong value of the right shape, or None."""
    if not np.isfinite(r).all() and np.isfinite(e).all():
        return "the result contains NaN or inf: look for 0 / 0, log(0), or exp of a large number"
    integer = _integer_hint(r, e)
    r, e = r.astype(float), e.astype(float)
    close = dict(rtol=rtol, atol=atol)
    if np.abs(e).max() > atol and np.allclose(r, -e, **close):
        return "sign error: every value has the opposite sign (a subtraction the wrong way round?)"
    if e.ndim == 2 and e.shape[0] == e.shape[1] and np.allclose(r.T, e, **close):
        return "transposed: the result is the transpose of the expected matrix"
    hint = _factor_hint(r, e, atol) or integer
    if hint:
        return hint
    offset = (r - e).ravel()
    if e.size > 1 and abs(offset[0]) > atol and np.allclose(offset, offset[0]):
        sign = "+" if offset[0] > 0 else "-"
        return (
            f"off by a constant: received = expected {sign} {abs(offset[0]):.6g} "
            "(a bias left out, added twice, or with the wrong sign?)"
        )
    return None


def _diagnose_value(received, expected, rtol, atol):
    with np.errstate(all="ignore"):  # NaN and inf in a result are reported, not warned about
        return _compare(received, expected, rtol, atol)


def _compare(received, expected, rtol, atol):
    e = np.asarray(expected)
    if received is None:
        return (
            f"{field('expected', show(e))}\nreceived: None\n"
            "hint: the function returned None: did you forget the `return` statement?"
        )
    r = None if hasattr(received, "type_name") else _as_numbers(received)
    if r is None:
        return f"{field('expected', show(e))}\nhint: the function " + NOT_A_NUMBER.format(
            _type_name(received)
        )
    lines = [field("expected", show(e)), field("received", show(r))]
    if r.shape != e.shape:
        return "\n".join([*lines, "hint: " + _shape_hint(r, e)])
    if e.dtype.kind in "iu" and np.array_equal(r, e):  # whole numbers: 0/1 outputs, counts
        if r.dtype.kind in "iu":
            return None
        lines.append(
            f"hint: the values are right, but their dtype is {r.dtype}: the task asks for "
            "integers (convert with .astype(int))"
        )
        return "\n".join(lines)
    if e.dtype.kind not in "iu" and np.allclose(r, e, rtol=rtol, atol=atol):
        return None
    error = relative_error(r.astype(float), e.astype(float))
    lines.append(f"relative error ‖received − expected‖ / ‖expected‖: {error:.3g}")
    hint = _value_hint(r, e, rtol, atol)
    return "\n".join(lines + ([f"hint: {hint}"] if hint else []))


def diagnose(received, expected, *, rtol=1e-7, atol=1e-9, names=None):
    """None if `received` matches `expected`, else lines that explain the difference.

    Arrays match when |received - expected| <= atol + rtol * |expected| entry by entry and
    the shapes agree; expected integers must come back as integers with the same values.
    A tuple `expected` means several return values: `received` must be a tuple or list of
    as many, compared one by one; `names` (such as ("w", "b")) names them in the message.
    """
    if not isinstance(expected, tuple):
        return _diagnose_value(received, expected, rtol, atol)
    count = len(expected)
    names = names or [f"value {i + 1}" for i in range(count)]
    wanted = f"{count} values, ({', '.join(names)})"
    if received is None:
        return f"expected {wanted}; received None\nhint: did you forget the `return` statement?"
    if hasattr(received, "type_name"):  # byhand.grading.protocol.Unencodable
        return f"expected {wanted}; the function " + NOT_A_NUMBER.format(received.type_name)
    if not isinstance(received, tuple | list):
        return (
            f"expected {wanted}; received a single {_type_name(received)}\n"
            f"hint: return them all, as in `return {', '.join(names)}`"
        )
    if len(received) != count:
        return f"expected {wanted}; received {len(received)} values"
    for i, (r, e) in enumerate(zip(received, expected, strict=True)):
        message = diagnose(r, e, rtol=rtol, atol=atol)
        if message:
            return f"{names[i]} (returned value {i + 1} of {count}) is wrong\n{message}"
    return None


def assert_close(received, expected, what="", rtol=1e-7, atol=1e-9, names=None):
    """Raise AssertionError with the diagnosis unless `received` matches `expected`."""
    message = diagnose(received, expected, rtol=rtol, atol=atol, names=names)
    if message:
        raise AssertionError(f"{what}\n{message}" if what else message)


def same(a, b):
    """Whether two values hold the same entries (a tuple and an equal list count as same)."""
    if isinstance(a, tuple | list) or isinstance(b, tuple | list):
        sequences = isinstance(a, tuple | list) and isinstance(b, tuple | list)
        return sequences and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, dict) or isinstance(b, dict):
        mappings = isinstance(a, dict) and isinstance(b, dict)
        return mappings and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        nan = a.dtype.kind in "fc" and b.dtype.kind in "fc"
        return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=nan))
    return bool(a == b) or (a != a and b != b)  # NaN equals NaN here


def changed_input(before, after, names):
    """None, or a message naming the first argument the call changed (before/after tuples)."""
    for i, (old, new) in enumerate(zip(before, after, strict=True)):
        if same(old, new):
            continue
        name = names[i] if names and i < len(names) else f"argument {i + 1}"
        lines = [
            f"the function changed its input {name}:",
            field("before the call", show(old), "  "),
            field("after the call", show(new), "  "),
            f"hint: compute a new array ({name} + ...) instead of changing the one passed in;",
            f"  `{name} += ...` and `{name}[i] = ...` change the caller's array too",
        ]
        return "\n".join(lines)
    return None


def assert_unchanged(after, before, names=None, what=""):
    """Raise AssertionError if the arguments `after` a call differ from those `before` it."""
    message = changed_input(tuple(before), tuple(after), names)
    if message:
        raise AssertionError(f"{what}\n{message}" if what else message)
