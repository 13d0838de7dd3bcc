"""Compare a result with the expected one, and say what went wrong when the numbers show it.

`diagnose` returns None when the two agree, and otherwise a few lines a student can act on:
the expected and received values, the relative error

    relative error = ‖received − expected‖ / ‖expected‖        (2-norms over all entries)

and a hint, but only when the numbers point to a cause:

- the received value is what a known mistake of the exercise returns (`known`);
- it is None (a forgotten `return`), not numbers at all, or of the wrong shape;
- an updated parameter came back unchanged, or moved the wrong way (`before`);
- it holds NaN or inf; every sign is flipped; it is the expected matrix transposed;
- it is N × or 1/N × the expected value, N being the batch size (`batch`); any other
  constant factor is named only when at least two entries agree on it, since any two
  single numbers have a ratio;
- whole numbers where fractions are expected (integer division); a constant offset.

When none of these holds, no hint is given: a wrong guess costs a student more than none.
Every hint's text is in HINTS under a name, and the tests show each one earned by a real
wrong answer. `check` prints these lines for the public cases; hidden tests raise them with
`assert_close`. Values may be numbers, NumPy arrays, lists of numbers, or tuples of those (a
tuple is read as several return values, `return w, b`; a list as one array).
"""

from __future__ import annotations

import textwrap

import numpy as np

HINTS = {
    # The returned value as a whole
    "no return": "the function returned None: did you forget the `return` statement?",
    "not numbers": "the function returned a {type}, which is not a number or an array",
    "return all": "return them all, as in `return {names}`",
    # Shapes
    "one number": "a single number came back where an array of shape {shape} was expected: "
    "did you sum or average over the batch, or return one example's value?",
    "transposed shape": "transposed: the result has the shape of the expected result's transpose",
    "broadcast": "a [{n}, {n}] result whose diagonal holds the expected [{n}]: broadcasting "
    "combined an array of shape [{n}] with one of shape [{n}, 1]",
    "extra axis": "the right numbers in the wrong shape: an extra or missing axis of length 1? "
    "(keep 1-D arrays 1-D; avoid reshape(-1, 1) and [:, None] here)",
    "shape": "wrong shape: expected shape {expected}, received shape {received}",
    # Values
    "dtype": "the values are right, but their dtype is {dtype}: the task asks for integers "
    "(convert with .astype(int))",
    "nan": "the result contains NaN or inf: look for 0 / 0, log(0), or exp of a large number",
    "not updated": "{name} came back as it was passed in: the update was not applied to it",
    "update sign": "{name} moved the wrong way: its change from the value passed in has the "
    "opposite sign (a sign flipped in the update?)",
    "sign": "sign error: every value has the opposite sign (a subtraction the wrong way round?)",
    "transposed": "transposed: the result is the transpose of the expected matrix",
    "times N": "received = N × expected, where N = {n} is the batch size: "
    "a sum where a mean is meant (a missing 1/N)?",
    "over N": "received = expected / N, where N = {n} is the batch size: divided by N twice?",
    "factor": "received = {factor} × expected, in every entry: a constant factor too many "
    "or missing",
    "integer": "the result holds whole numbers only{dtype} where fractions are expected: "
    "integer division (//), int(...) or .astype(int) somewhere?",
    "offset": "off by a constant: received = expected {sign} {amount}, in every entry",
    # Errors and changed inputs (see `checking`)
    "matmul": "the shapes do not fit a matrix product; print the shapes you multiply",
    "shapes and types": "print the shapes and types of your arrays just before that line",
    "changed input": "compute a new array ({name} + ...) instead of changing the one passed "
    "in: `{name} += ...` and `{name}[i] = ...` change the caller's array too",
}


def hint(key, /, **values):
    """The text of the hint HINTS[key], with its blanks filled in from `values`."""
    return HINTS[key].format(**values)


def hint_lines(text):
    """['hint: ...', '      ...']: `text` wrapped to 88 columns; [] when there is no hint."""
    if not text:
        return []
    return textwrap.wrap(
        text, 88, initial_indent="hint: ", subsequent_indent=" " * 6, break_on_hyphens=False
    )


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
        return hint("one number", shape=e.shape)
    if e.ndim == 2 and r.shape == e.shape[::-1]:
        return hint("transposed shape")
    if e.ndim == 1 and r.shape == (e.size, e.size) and np.allclose(np.diagonal(r), e):
        return hint("broadcast", n=e.size)  # entry [i, i] pairs example i with itself
    if r.size == e.size and np.allclose(r.reshape(e.shape), e):
        return hint("extra axis")
    return hint("shape", expected=e.shape, received=r.shape)


def _update_hint(r, e, old, name, close):
    """For an updated parameter (`old` before the update): not applied, or moved backwards."""
    if old.shape != e.shape or np.allclose(e, old, **close):
        return None  # no change was expected, so none can be missing or reversed
    if np.allclose(r, old, **close):
        return hint("not updated", name=name)
    if np.allclose(r - old, old - e, **close):
        return hint("update sign", name=name)
    return None


def _factor_hint(r, e, atol, batch):
    """A hint if r = c * e for one constant c other than 0 and 1, and c is evidence."""
    nonzero = np.abs(e) > atol
    if not nonzero.any() or np.allclose(r, 0, atol=atol):  # a 0 has no factor to find
        return None
    if not np.allclose(r[~nonzero], 0, atol=atol):
        return None
    ratios = r[nonzero] / e[nonzero]
    factor = float(np.mean(ratios))
    if not np.allclose(ratios, factor, rtol=1e-6) or np.isclose(factor, 1.0):
        return None
    if batch is not None and batch > 1 and np.isclose(factor, batch):
        return hint("times N", n=batch)
    if batch is not None and batch > 1 and np.isclose(factor, 1 / batch):
        return hint("over N", n=batch)
    if nonzero.sum() >= 2:  # two entries agree on it; one number alone proves nothing
        return hint("factor", factor=f"{factor:.6g}")
    return None


def _integer_hint(r, e):
    """A hint if r is e cut to whole numbers, with an integer dtype or in 2+ entries."""
    fractions = np.mod(e, 1) != 0
    if e.dtype.kind != "f" or not fractions.any():
        return None
    cut = any(np.allclose(r, cut(e)) for cut in (np.floor, np.trunc, np.round))
    if cut and (r.dtype.kind in "iu" or fractions.sum() >= 2):
        dtype = f" (dtype {r.dtype})" if r.dtype.kind in "iu" else ""
        return hint("integer", dtype=dtype)
    return None


def _offset_hint(r, e, atol):
    """A hint if r = e + c for one constant c != 0, seen in at least two entries."""
    offset = (r - e).ravel()
    if e.size > 1 and abs(offset[0]) > atol and np.allclose(offset, offset[0]):
        sign = "+" if offset[0] > 0 else "-"
        return hint("offset", sign=sign, amount=f"{abs(offset[0]):.6g}")
    return None


def _value_hint(r, e, rtol, atol, batch, before, name):
    """A likely cause of a wrong value of the right shape, or None."""
    if not np.isfinite(r).all() and np.isfinite(e).all():
        return hint("nan")
    integer = _integer_hint(r, e)  # before the conversion to float, which hides the dtype
    r, e = r.astype(float), e.astype(float)
    close = dict(rtol=rtol, atol=atol)
    if before is not None:
        update = _update_hint(r, e, np.asarray(before, dtype=float), name, close)
        if update:
            return update
    if np.abs(e).max() > atol and np.allclose(r, -e, **close):
        return hint("sign")
    if e.ndim == 2 and e.shape[0] == e.shape[1] and np.allclose(r.T, e, **close):
        return hint("transposed")
    return _factor_hint(r, e, atol, batch) or integer or _offset_hint(r, e, atol)


def _with_hint(lines, text):
    return "\n".join(lines + hint_lines(text))


def _compare(received, expected, rtol, atol, known=None, batch=None, before=None, name="",
             reveal=True):  # fmt: skip
    """None if one value matches, else the lines that explain the difference.

    With reveal=False the lines leave out the expected and received values (see `diagnose`).
    """
    e = np.asarray(expected)
    shown = [field("expected", show(e))] if reveal else []
    if received is None:
        return _with_hint([*shown, "received: None"], hint("no return"))
    if isinstance(expected, str):  # a word, such as "minimum": right or wrong, nothing between
        if isinstance(received, str) and received == expected:
            return None
        lines = [*shown, field("received", show(received))] if reveal else ["not the word expected"]
        return _with_hint(lines, known)
    r = None if hasattr(received, "type_name") else _as_numbers(received)
    if r is None:
        return _with_hint(shown, hint("not numbers", type=_type_name(received)))
    lines = [*shown, field("received", show(r))] if reveal else []
    if r.shape != e.shape:
        return _with_hint(lines, known or _shape_hint(r, e))
    if e.dtype.kind in "iu" and np.array_equal(r, e):  # whole numbers: 0/1 outputs, counts
        if r.dtype.kind in "iu":
            return None
        return _with_hint(lines, hint("dtype", dtype=r.dtype))
    if e.dtype.kind not in "iu" and np.allclose(r, e, rtol=rtol, atol=atol):
        return None
    error = relative_error(r.astype(float), e.astype(float))
    lines.append(f"relative error ‖received − expected‖ / ‖expected‖: {error:.3g}")
    name = name or "the result"
    return _with_hint(lines, known or _value_hint(r, e, rtol, atol, batch, before, name))


def _compare_values(received, expected, rtol, atol, names, known, batch, before, reveal):
    """`_compare` for several return values (a tuple `expected`), the first wrong one named."""
    count = len(expected)
    # Unnamed values (a list of batches, say) are counted by the hidden input itself: a
    # public message does not give their number away.
    hidden_count = not names and not reveal
    names = names or [f"value {i + 1}" for i in range(count)]
    wanted = ("expected another number of values" if hidden_count
              else f"expected {count} values, ({', '.join(names)})")  # fmt: skip
    if received is None:
        return _with_hint([f"{wanted}; received None"], hint("no return"))
    if hasattr(received, "type_name"):  # byhand.grading.protocol.Unencodable
        return _with_hint([wanted], hint("not numbers", type=received.type_name))
    if not isinstance(received, tuple | list):
        fix = known or hint("return all", names=", ".join(names))
        return _with_hint([f"{wanted}; received a single {_type_name(received)}"], fix)
    if len(received) != count:
        return _with_hint([f"{wanted}; received {len(received)} values"], known)
    befores = before if before is not None else (None,) * count
    for i, (r, e) in enumerate(zip(received, expected, strict=True)):
        message = _compare(r, e, rtol, atol, known, batch, befores[i], names[i], reveal)
        if message:
            where = f"returned value {i + 1}" + ("" if hidden_count else f" of {count}")
            return f"{names[i]} ({where}) is wrong\n{message}"
    return None


def diagnose(
    received,
    expected,
    *,
    rtol=1e-7,
    atol=1e-9,
    names=None,
    batch=None,
    before=None,
    known=(),
    reveal=True,
):
    """None if `received` matches `expected`, else lines that explain the difference.

    Arrays match when |received - expected| <= atol + rtol * |expected| entry by entry and
    the shapes agree; expected integers must come back as integers with the same values.
    A tuple `expected` means several return values: `received` must be a tuple or list of
    as many, compared one by one; `names` (such as ("w", "b")) names them in the message.
    What the hints may assume (see the module's docstring):

    batch:  N, the number of examples in the call, when the exercise has a batch
    before: for a function that returns updated parameters, their values before the
            update: one per returned value (None for a value that is no update)
    known:  (hint, value) pairs: what known mistakes return on these inputs; when
            `received` matches a value (by this same comparison), its hint is shown

    reveal=False leaves the values out (the expected one, and the received one, which a
    student's function could make from its inputs): what a student reads about a hidden
    test, whose inputs and answers stay hidden. The relative error and the hint remain.
    """
    match = (h for h, value in known if diagnose(received, value, rtol=rtol, atol=atol) is None)
    known_hint = next(match, None)
    with np.errstate(all="ignore"):  # NaN and inf in a result are reported, not warned about
        if isinstance(expected, tuple):
            return _compare_values(
                received, expected, rtol, atol, names, known_hint, batch, before, reveal
            )
        return _compare(received, expected, rtol, atol, known_hint, batch, before, "", reveal)


class Mismatch(AssertionError):
    """A failed comparison, told twice: in full (str), and without any value (`public`).

    The grader shows a student `public` for a hidden test and keeps the full text for the
    instructor; anywhere else it reads as the AssertionError it is.
    """

    def __init__(self, full, public):
        super().__init__(full)
        self.public = public


def _titled(what, message):
    return f"{what}\n{message}" if what else message


def assert_close(received, expected, what="", rtol=1e-7, atol=1e-9, names=None, batch=None):
    """Raise a Mismatch (an AssertionError) with the diagnosis unless `received` matches.

    `batch` is the number of examples in the call, if the exercise has a batch (it lets a
    hint say "N"); see `diagnose`.
    """
    options = dict(rtol=rtol, atol=atol, names=names, batch=batch)
    message = diagnose(received, expected, **options)
    if message:
        public = diagnose(received, expected, reveal=False, **options)
        raise Mismatch(_titled(what, message), _titled(what, public))


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


def changed_input(before, after, names, reveal=True):
    """None, or a message naming the first argument the call changed (before/after tuples).

    reveal=False leaves out the argument's values before and after the call.
    """
    for i, (old, new) in enumerate(zip(before, after, strict=True)):
        if same(old, new):
            continue
        name = names[i] if names and i < len(names) else f"argument {i + 1}"
        lines = [
            f"the function changed its input {name}" + (":" if reveal else ""),
            *(
                [
                    field("before the call", show(old), "  "),
                    field("after the call", show(new), "  "),
                ]
                if reveal
                else []
            ),  # fmt: skip
            *hint_lines(hint("changed input", name=name)),
        ]
        return "\n".join(lines)
    return None


def assert_unchanged(after, before, names=None, what=""):
    """Raise a Mismatch if the arguments `after` a call differ from those `before` it."""
    message = changed_input(tuple(before), tuple(after), names)
    if message:
        public = changed_input(tuple(before), tuple(after), names, reveal=False)
        raise Mismatch(_titled(what, message), _titled(what, public))
