"""Values cross between the grader and a sandbox as JSON, in a small vocabulary (protocol.py).

A student's function may return NaN or infinity, as np.float64 as often as float (NumPy 2
writes repr(np.float64("nan")) as "np.float64(nan)"): each must come back as the number it
is, so that the hidden test reports a wrong value rather than a broken protocol.
"""

import io
import json
import math

import numpy as np
import pytest

from byhand.grading.protocol import (
    ProtocolError,
    Unencodable,
    decode,
    encode,
    read_message,
    write_message,
)


def through_a_pipe(value):
    """`value` as the grader receives it: encoded, written as a line, read and decoded."""
    stream = io.StringIO()
    write_message(stream, {"value": encode(value)})
    stream.seek(0)
    return decode(read_message(stream)["value"])


@pytest.mark.parametrize("value", [float("nan"), np.float64("nan"), np.float32("nan")])
def test_nan_comes_back_as_nan(value):
    received = through_a_pipe(value)
    assert isinstance(received, float | np.floating) and math.isnan(received)


@pytest.mark.parametrize("value", [float("inf"), -np.float64("inf"), np.float64(-np.inf)])
def test_infinities_come_back_with_their_sign(value):
    assert through_a_pipe(value) == value


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        0,
        -3,
        2.5,
        np.float64(0.125),
        "minimum",
        [1, "a"],
        (1.5, None),
        {"w": 1.0, "b": [2, 3]},
    ],  # fmt: skip
)
def test_plain_values_come_back_equal_and_of_the_same_kind(value):
    received = through_a_pipe(value)
    assert (
        received == value
        and type(received) is type(value)
        or (isinstance(value, np.floating) and received == value)
    )


def test_arrays_keep_dtype_shape_and_values_even_with_nan():
    array = np.array([[1.0, np.nan], [-np.inf, 4.0]], dtype=np.float32)
    received = through_a_pipe(array)
    assert received.dtype == np.float32 and received.shape == (2, 2)
    np.testing.assert_array_equal(received, array)  # NaN where NaN was


def test_what_cannot_travel_arrives_as_unencodable():
    assert through_a_pipe(len) == Unencodable("builtin_function_or_method")
    assert through_a_pipe(2**70) == Unencodable("int too large")
    assert through_a_pipe(np.array(["a"])) == Unencodable("array of <U1")


@pytest.mark.parametrize(
    "data",
    [
        {"float": "np.float64(nan)"},
        {"float": "1e400"},
        {"eval": "1"},
        [1, 2],
        {"array": "AAAA", "dtype": "|O", "shape": [1]},
    ],  # fmt: skip
)
def test_anything_else_is_refused(data):
    with pytest.raises(ProtocolError):
        decode(json.loads(json.dumps(data)))
