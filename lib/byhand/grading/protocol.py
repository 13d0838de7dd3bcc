"""The messages between the grader and a submission's sandbox: one JSON object per line.

Values cross in a deliberately small vocabulary, so that nothing the student's code returns
can run code in the grader (no pickle): None, bool, int, float, str, NumPy arrays of
numbers or booleans (sent as raw bytes with their dtype and shape), and lists, tuples and
dicts with string keys of those. Anything else arrives as `Unencodable(type_name)`, which a
hidden test reports as a wrong result.
"""

from __future__ import annotations

import base64
import json
import math

import numpy as np

MAX_LINE = 64 * 2**20  # bytes in one message; a longer one is refused as hostile
MAX_DEPTH = 20
ARRAY_KINDS = "biufc"  # bool, signed and unsigned integers, floats, complex


class ProtocolError(Exception):
    """A message that does not follow the protocol (truncated, too large or malformed)."""


class Unencodable:
    """Stands for a value of a type the protocol cannot carry (a function, an object...)."""

    def __init__(self, type_name):
        self.type_name = str(type_name)

    def __repr__(self):
        return f"<a {self.type_name} object>"

    def __eq__(self, other):
        return isinstance(other, Unencodable) and other.type_name == self.type_name

    __hash__ = None


def encode(value, depth=0):
    """A JSON-ready form of `value` (see the module docstring for what can travel)."""
    if depth > MAX_DEPTH:
        return {"unencodable": "deeply nested value"}
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2**63 else {"unencodable": "int too large"}
    if isinstance(value, float):
        return value if math.isfinite(value) else {"float": repr(float(value))}  # np.float64 too
    if isinstance(value, np.generic | np.ndarray):
        array = np.asarray(value)
        if array.dtype.kind not in ARRAY_KINDS:
            return {"unencodable": f"array of {array.dtype}"}
        data = base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")
        kind = "scalar" if isinstance(value, np.generic) else "array"
        return {kind: data, "dtype": array.dtype.str, "shape": list(array.shape)}
    if isinstance(value, list | tuple):
        key = "tuple" if isinstance(value, tuple) else "list"
        return {key: [encode(item, depth + 1) for item in value]}
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return {"dict": {key: encode(item, depth + 1) for key, item in value.items()}}
    return {"unencodable": type(value).__name__}


def decode(data, depth=0):
    """The value `encode` made `data` from; raises ProtocolError on anything else."""
    if depth > MAX_DEPTH + 1:
        raise ProtocolError("value nested too deeply")
    if data is None or isinstance(data, bool | int | float | str):
        return data
    if not isinstance(data, dict) or len(data) not in (1, 3):
        raise ProtocolError(f"unexpected value {str(data)[:80]!r}")
    (key, item), *_ = data.items()
    if key in ("array", "scalar") and len(data) == 3:
        return _decode_array(data, key)
    if len(data) != 1:
        raise ProtocolError(f"unexpected value {str(data)[:80]!r}")
    if key in ("list", "tuple") and isinstance(item, list):
        items = [decode(x, depth + 1) for x in item]
        return items if key == "list" else tuple(items)
    if key == "dict" and isinstance(item, dict):
        return {str(k): decode(v, depth + 1) for k, v in item.items()}
    if key == "float" and item in ("nan", "inf", "-inf"):
        return float(item)
    if key == "unencodable" and isinstance(item, str):
        return Unencodable(item[:100])
    raise ProtocolError(f"unexpected value {str(data)[:80]!r}")


def _decode_array(data, key):
    try:
        dtype = np.dtype(data["dtype"])
        shape = tuple(int(n) for n in data["shape"])
        raw = base64.b64decode(data[key], validate=True)
    except (KeyError, TypeError, ValueError) as error:
        raise ProtocolError(f"malformed array: {error}") from None
    if dtype.kind not in ARRAY_KINDS or any(n < 0 for n in shape):
        raise ProtocolError(f"refused array of dtype {dtype} and shape {shape}")
    if len(raw) != dtype.itemsize * math.prod(shape):
        raise ProtocolError(f"array data does not fill shape {shape}")
    array = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    return array[()] if key == "scalar" else array


def write_message(stream, message):
    """Send one message (a dict of JSON-ready values) as a line."""
    stream.write(json.dumps(message, allow_nan=False) + "\n")
    stream.flush()


def read_message(stream):
    """The next message as a dict, or None at end of stream; ProtocolError if malformed."""
    line = stream.readline(MAX_LINE + 1)
    if not line:
        return None
    if len(line) > MAX_LINE or not line.endswith("\n"):
        raise ProtocolError("message too long or cut short")
    try:
        message = json.loads(line)
    except ValueError:
        raise ProtocolError(f"not JSON: {line[:80]!r}") from None
    if not isinstance(message, dict):
        raise ProtocolError(f"not a message: {line[:80]!r}")
    return message
