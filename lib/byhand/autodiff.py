"""Reverse-mode automatic differentiation for single numbers (scalars).

A `Value` holds one number and remembers how it was computed. Calling `backward()` on a
result runs the chain rule through that record, from the result back to the inputs, and
leaves in every input's `.grad` the derivative of the result with respect to it:

    x = Value(1.5, name="x")
    y = (x + 2) * cos(x)      # y.data = 3.5 * cos(1.5)
    y.backward()              # x.grad = dy/dx = cos(x) - (x + 2) * sin(x) at x = 1.5

Each operation creates a new Value and stores, next to its number:

    parents       the Values it was computed from: (a, b) for a * b
    op            the operation's name: "*"
    local_grads   the derivative of the result with respect to each parent, as numbers,
                  computed right away in the forward pass: (b.data, a.data) for a * b

These records form the *computational graph*. `backward()` visits its nodes from the
result back to the inputs and applies the chain rule once per edge,

    parent.grad += local_grad * node.grad

so a Value used in several places collects one term per path, and the terms add up.
Numbers are Python floats (float64). Values test equal and hash by identity, so sets of
them (as in `topological_order`) hold each node once.
"""

from __future__ import annotations

import math
from numbers import Real

MAX_EXP = math.log(1.7976931348623157e308)  # ln of the largest float, about 709.78

__all__ = ["Value", "cos", "exp", "log", "relu", "sigmoid", "sin", "tanh", "topological_order"]


class Value:
    """One real number that records the operation that produced it.

    data : float, the number.   grad : float, d(output)/d(this value) after output.backward().
    parents : tuple of Value.   op : str, "" for an input or a constant.
    local_grads : tuple of float, d(this value)/d(parent) for each parent.   name : str.
    """

    def __init__(self, data, name="", *, parents=(), op="", local_grads=()):
        if isinstance(data, bool) or not isinstance(data, Real):
            raise TypeError(f"Value: expected a real number, got {type(data).__name__} {data!r}")
        if not math.isfinite(data):
            made_by = f" (the result of {op!r} overflowed)" if op else ""
            raise ValueError(f"Value: expected a finite number, got {data}{made_by}")
        self.data = float(data)
        self.grad = 0.0
        self.name = name
        self.parents = tuple(parents)
        self.op = op
        self.local_grads = tuple(float(g) for g in local_grads)

    def __repr__(self):
        name = f"{self.name}: " if self.name else ""
        return f"Value({name}data={self.data!r}, grad={self.grad!r})"

    def __add__(self, other):  # d(a + b)/da = 1, d(a + b)/db = 1
        other = _as_value(other)
        return _node(self.data + other.data, "+", (self, 1.0), (other, 1.0))

    def __sub__(self, other):  # d(a - b)/da = 1, d(a - b)/db = -1
        other = _as_value(other)
        return _node(self.data - other.data, "-", (self, 1.0), (other, -1.0))

    def __mul__(self, other):  # d(a * b)/da = b, d(a * b)/db = a
        other = _as_value(other)
        return _node(self.data * other.data, "*", (self, other.data), (other, self.data))

    def __truediv__(self, other):  # d(a / b)/da = 1/b, d(a / b)/db = -a/b**2
        other = _as_value(other)
        a, b = self.data, other.data
        if b == 0:
            raise ZeroDivisionError(f"Value: division by zero in {a!r} / {b!r}")
        return _node(a / b, "/", (self, 1.0 / b), (other, -a / b**2))

    def __neg__(self):  # d(-a)/da = -1
        return _node(-self.data, "neg", (self, -1.0))

    def __pow__(self, exponent):
        """a ** n for a fixed number n: d(a ** n)/da = n * a ** (n - 1).

        With a Value as the exponent, a ** b = exp(b * log(a)), which needs a > 0.
        """
        if isinstance(exponent, Value):
            if self.data <= 0:
                raise ValueError(
                    f"Value: a ** b with a Value exponent is exp(b * log(a)) and needs a > 0, "
                    f"got a = {self.data!r}"
                )
            return exp(exponent * log(self))
        n = _as_value(exponent).data
        a = self.data
        if a < 0 and not n.is_integer():
            raise ValueError(f"Value: {a!r} ** {n!r} is not a real number")
        if a == 0 and n < 0:
            raise ZeroDivisionError(f"Value: 0.0 ** {n!r} divides by zero")
        if a == 0 and 0 < n < 1:
            raise ValueError(f"Value: the derivative of a ** {n!r} is infinite at a = 0")
        return _node(a**n, f"**{n:g}", (self, n * a ** (n - 1) if n != 0 else 0.0))

    # A number on the left: 2 + x, 2 - x, 2 * x, 2 / x, 2 ** x.
    def __radd__(self, other):
        return _as_value(other) + self

    def __rsub__(self, other):
        return _as_value(other) - self

    def __rmul__(self, other):
        return _as_value(other) * self

    def __rtruediv__(self, other):
        return _as_value(other) / self

    def __rpow__(self, other):
        return _as_value(other) ** self

    def backward(self):
        """Set .grad of this Value and of every Value it depends on to d(self)/d(that Value).

        Every call starts again from zero, so calling it twice gives the same gradients,
        not twice them (PyTorch instead adds to .grad on every call and needs zero_grad()).
        Within one call, the contributions of different paths add up.
        """
        order = topological_order(self)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0  # d(self)/d(self)
        for node in reversed(order):  # every node comes before its parents
            for parent, local_grad in zip(node.parents, node.local_grads, strict=True):
                parent.grad += local_grad * node.grad  # the chain rule, one edge at a time


def topological_order(root):
    """Every Value that `root` depends on, and root itself, each after all of its parents.

    A depth-first search with a list as its stack rather than recursion, so a graph as deep
    as a long loop (thousands of operations) cannot hit Python's recursion limit.
    """
    if not isinstance(root, Value):
        raise TypeError(f"topological_order: expected a Value, got {type(root).__name__}")
    order, seen = [], set()
    stack = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)  # its parents were all appended before it
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))  # come back to it once its parents are done
            stack.extend((parent, False) for parent in reversed(node.parents))  # first parent first
    return order


def exp(x):
    """e ** x.   d exp(x)/dx = exp(x)"""
    x = _as_value(x)
    if x.data > MAX_EXP:
        raise ValueError(f"exp: e ** {x.data!r} is too large for a float (x must be at most "
                         f"{MAX_EXP:.2f})")  # fmt: skip
    result = math.exp(x.data)
    return _node(result, "exp", (x, result))


def log(x):
    """The natural logarithm, for x > 0.   d log(x)/dx = 1 / x"""
    x = _as_value(x)
    if x.data <= 0:
        raise ValueError(f"log: expected a number > 0, got {x.data!r}")
    return _node(math.log(x.data), "log", (x, 1.0 / x.data))


def sin(x):
    """d sin(x)/dx = cos(x)"""
    x = _as_value(x)
    return _node(math.sin(x.data), "sin", (x, math.cos(x.data)))


def cos(x):
    """d cos(x)/dx = -sin(x)"""
    x = _as_value(x)
    return _node(math.cos(x.data), "cos", (x, -math.sin(x.data)))


def tanh(x):
    """d tanh(x)/dx = 1 - tanh(x) ** 2"""
    x = _as_value(x)
    t = math.tanh(x.data)
    return _node(t, "tanh", (x, 1.0 - t * t))


def sigmoid(x):
    """1 / (1 + e ** -x).   d sigmoid(x)/dx = sigmoid(x) * (1 - sigmoid(x))"""
    x = _as_value(x)
    if x.data >= 0:
        s = 1.0 / (1.0 + math.exp(-x.data))
    else:  # the same number, written so that exp never overflows for x << 0
        s = math.exp(x.data) / (1.0 + math.exp(x.data))
    return _node(s, "sigmoid", (x, s * (1.0 - s)))


def relu(x):
    """max(0, x).   d relu(x)/dx = 1 for x > 0 and 0 for x < 0; we use 0 at x = 0."""
    x = _as_value(x)
    return _node(max(0.0, x.data), "relu", (x, 1.0 if x.data > 0 else 0.0))


def _as_value(x):
    """x itself if it is a Value, a constant Value if it is a number; else a TypeError."""
    if isinstance(x, Value):
        return x
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"Value: expected a Value or a real number, got {type(x).__name__} {x!r}")
    return Value(x)


def _node(data, op, *parents_and_local_grads):
    """A new Value computed by `op` from (parent, d result/d parent) pairs."""
    parents = [parent for parent, _ in parents_and_local_grads]
    local_grads = [local_grad for _, local_grad in parents_and_local_grads]
    return Value(data, parents=parents, op=op, local_grads=local_grads)
