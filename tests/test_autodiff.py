"""byhand.autodiff: every operation against central differences, the chain rule through
shared nodes and long chains, the semantics of backward(), and clear errors."""

import math
import re
import sys

import numpy as np
import pytest
import sympy as sp

from byhand import autodiff as ad
from byhand.autodiff import Value, topological_order
from byhand.gradcheck import numerical_gradient, relative_error

TOLERANCE = 1e-7  # relative error, autodiff vs central differences (eps = 1e-6, float64)


def autodiff_gradient(f, point):
    """[d f / d x_i] at `point` from one backward pass through f(Value(x_1), Value(x_2), ...)."""
    inputs = [Value(float(p)) for p in point]
    f(*inputs).backward()
    return np.array([x.grad for x in inputs])


def numeric_gradient(f, point):
    """The same by central differences in float64: f evaluated on plain floats."""
    return numerical_gradient(lambda p: f(*(float(v) for v in p)), np.array(point, dtype=float))


# Each case: a function of Values (it must also work on plain floats, through math below),
# and a sampler of points where it is defined and smooth.
class M:
    """The `math` counterparts of byhand.autodiff's functions, to evaluate f on floats."""

    exp, log, sin, cos, tanh = math.exp, math.log, math.sin, math.cos, math.tanh

    @staticmethod
    def sigmoid(x):
        return 1.0 / (1.0 + math.exp(-x))

    @staticmethod
    def relu(x):
        return max(0.0, x)


def cases(m):
    """name -> (function of the inputs, sampler of a point), with the functions taken from m."""

    def positive(rng, n):
        return rng.uniform(0.2, 3.0, size=n)

    def anywhere(rng, n):
        return rng.uniform(-3.0, 3.0, size=n)

    def away_from_zero(rng, n):
        return rng.choice([-1.0, 1.0], size=n) * rng.uniform(0.1, 3.0, size=n)

    return {
        "a + b": (lambda a, b: a + b, lambda r: anywhere(r, 2)),
        "a - b": (lambda a, b: a - b, lambda r: anywhere(r, 2)),
        "a * b": (lambda a, b: a * b, lambda r: anywhere(r, 2)),
        "a / b": (lambda a, b: a / b, lambda r: away_from_zero(r, 2)),
        "-a": (lambda a: -a, lambda r: anywhere(r, 1)),
        "a ** 3": (lambda a: a**3, lambda r: anywhere(r, 1)),
        "a ** -2": (lambda a: a**-2, lambda r: away_from_zero(r, 1)),
        "a ** 0.5": (lambda a: a**0.5, lambda r: positive(r, 1)),
        "a ** b": (lambda a, b: a**b, lambda r: positive(r, 2)),
        "2 + a": (lambda a: 2 + a, lambda r: anywhere(r, 1)),
        "2 - a": (lambda a: 2 - a, lambda r: anywhere(r, 1)),
        "2 * a": (lambda a: 2 * a, lambda r: anywhere(r, 1)),
        "2 / a": (lambda a: 2 / a, lambda r: away_from_zero(r, 1)),
        "2 ** a": (lambda a: 2**a, lambda r: anywhere(r, 1)),
        "exp": (lambda a: m.exp(a), lambda r: anywhere(r, 1)),
        "log": (lambda a: m.log(a), lambda r: positive(r, 1)),
        "sin": (lambda a: m.sin(a), lambda r: anywhere(r, 1)),
        "cos": (lambda a: m.cos(a), lambda r: anywhere(r, 1)),
        "tanh": (lambda a: m.tanh(a), lambda r: anywhere(r, 1)),
        "sigmoid": (lambda a: m.sigmoid(a), lambda r: anywhere(r, 1)),
        "relu": (lambda a: m.relu(a), lambda r: away_from_zero(r, 1)),
        # Compositions in the style of the chapter's examples.
        "(a + 2) * cos(a)": (lambda a: (a + 2) * m.cos(a), lambda r: anywhere(r, 1)),
        "a ** 4 * b": (lambda a, b: a**4 * b, lambda r: anywhere(r, 2)),
        "tanh(a * b + c) / (1 + exp(c))": (
            lambda a, b, c: m.tanh(a * b + c) / (1 + m.exp(c)),
            lambda r: anywhere(r, 3),
        ),
    }


AD_CASES, FLOAT_CASES = cases(ad), cases(M)


@pytest.mark.parametrize("name", list(AD_CASES))
def test_every_operation_matches_central_differences_in_float64(name):
    f_ad, sample = AD_CASES[name]
    f_float, _ = FLOAT_CASES[name]
    rng = np.random.default_rng(list(AD_CASES).index(name))
    for _ in range(10):
        point = sample(rng)
        exact = autodiff_gradient(f_ad, point)
        numeric = numeric_gradient(f_float, point)
        error = relative_error(exact, numeric)
        assert error < TOLERANCE, f"{name} at {point}: relative error {error:.1e}"
        # The forward value is the float computation's.
        value = f_ad(*(Value(float(p)) for p in point)).data
        assert value == pytest.approx(f_float(*(float(p) for p in point)), rel=1e-12, abs=1e-12)


def test_hand_worked_examples():
    # (x + 2) cos x at x = 0: value 2 * 1 = 2; derivative cos 0 - (0 + 2) sin 0 = 1 - 0 = 1.
    x = Value(0.0)
    y = (x + 2) * ad.cos(x)
    y.backward()
    assert (y.data, x.grad) == (2.0, 1.0)
    # f = x^4 y at (1, 2): value 2; df/dx = 4 x^3 y = 4 * 1 * 2 = 8; df/dy = x^4 = 1.
    x, y = Value(1.0), Value(2.0)
    f = x**4 * y
    f.backward()
    assert (f.data, x.grad, y.grad) == (2.0, 8.0, 1.0)
    # f = 2 x^2 + 4 y at (3, -1): value 18 - 4 = 14; df/dx = 4x = 12; df/dy = 4 (not 4 x^3 = 108).
    x, y = Value(3.0), Value(-1.0)
    f = 2 * x**2 + 4 * y
    f.backward()
    assert (f.data, x.grad, y.grad) == (14.0, 12.0, 4.0)
    # sigmoid(0) = 1/2, its slope 1/2 * (1 - 1/2) = 1/4; relu has slope 0 at 0 by convention.
    z = Value(0.0)
    s = ad.sigmoid(z)
    s.backward()
    assert (s.data, z.grad) == (0.5, 0.25)
    r = ad.relu(z)
    r.backward()
    assert (r.data, z.grad) == (0.0, 0.0)


def test_agrees_with_sympy_on_the_chapters_examples():
    x, y, t = sp.symbols("x y t", real=True)
    examples = [  # (sympy expression, the same with byhand.autodiff, variables, point)
        ((x + 2) * sp.cos(x), lambda x: (x + 2) * ad.cos(x), (x,), (1.3,)),
        (x**5, lambda x: x**5, (x,), (0.7,)),
        (x / (1 + x**2), lambda x: x / (1 + x**2), (x,), (-0.4,)),
        ((x**2 + 1) ** 3, lambda x: (x**2 + 1) ** 3, (x,), (0.9,)),
        (x**4 * y, lambda x, y: x**4 * y, (x, y), (1.5, -2.0)),
        (2 * x**2 + 4 * y, lambda x, y: 2 * x**2 + 4 * y, (x, y), (-1.25, 3.0)),
        (
            t**2 + sp.exp(t) * sp.sin(t),  # the total derivative: L(t, x1 = e^t, x2 = sin t)
            lambda t: t**2 + ad.exp(t) * ad.sin(t),
            (t,),
            (0.5,),
        ),
    ]
    for expression, f, variables, point in examples:
        exact = [
            float(sp.diff(expression, v).subs(dict(zip(variables, point, strict=True))))
            for v in variables
        ]
        np.testing.assert_allclose(autodiff_gradient(f, point), exact, rtol=1e-13, atol=1e-13)


def test_a_value_used_twice_collects_both_contributions():
    x = Value(3.0)
    y = x * x  # d(x * x)/dx = x + x = 6, one x from each factor
    y.backward()
    assert x.grad == 6.0
    # A diamond: a feeds b and c, both feed d. d = (2a) * (a + 1), dd/da = 2(a + 1) + 2a = 4a + 2.
    a = Value(1.5)
    b, c = 2 * a, a + 1
    d = b * c
    d.backward()
    assert a.grad == 4 * 1.5 + 2
    assert (b.grad, c.grad) == (c.data, b.data)


def test_the_total_derivative_example_adds_the_three_paths():
    # L(t, x1, x2) = t^2 + x1 x2 with x1 = e^t, x2 = sin t: t reaches L along three paths,
    # dL/dt = 2t + x2 e^t + x1 cos t.
    t = Value(0.5)
    x1, x2 = ad.exp(t), ad.sin(t)
    loss = t**2 + x1 * x2
    loss.backward()
    expected = 2 * 0.5 + math.sin(0.5) * math.exp(0.5) + math.exp(0.5) * math.cos(0.5)
    assert t.grad == pytest.approx(expected, rel=1e-15)
    assert x1.grad == pytest.approx(math.sin(0.5), rel=1e-15)  # dL/dx1 = x2
    assert x2.grad == pytest.approx(math.exp(0.5), rel=1e-15)  # dL/dx2 = x1


@pytest.mark.parametrize("length", [5000, 20_000])
def test_a_long_chain_does_not_hit_the_recursion_limit(length):
    assert length > sys.getrecursionlimit()
    x = Value(0.5)
    y = x
    for _ in range(length):  # y = x + x + ... + x, with every + one level deeper
        y = y + x
    y.backward()
    assert y.data == pytest.approx(0.5 * (length + 1))
    assert x.grad == length + 1  # dy/dx = number of x's, exactly (integers in float64)
    # A product chain: z = x * 1.0001 * 1.0001 * ..., dz/dx = 1.0001 ** length.
    z = x
    for _ in range(length):
        z = z * 1.0001
    z.backward()
    assert x.grad == pytest.approx(1.0001**length, rel=1e-9)


def test_backward_twice_gives_the_same_gradients_not_twice_them():
    x, w = Value(2.0), Value(-1.0)
    y = ad.tanh(w * x) + w * w
    y.backward()
    first = (x.grad, w.grad, y.grad)
    y.backward()
    assert (x.grad, w.grad, y.grad) == first
    # A stale value is reset too: a leaf's grad from another graph is overwritten.
    x.grad, w.grad = 100.0, 100.0
    y.backward()
    assert (x.grad, w.grad, y.grad) == first


def test_backward_of_a_second_result_replaces_the_first_ones_gradients():
    x = Value(2.0)
    first, second = x * 3, x * x
    first.backward()
    assert x.grad == 3.0
    second.backward()
    assert x.grad == 4.0  # d(x * x)/dx at 2, not 3 + 4


def test_gradient_descent_with_the_engine():
    # L(w) = (w - 3)^2 from w = 0 with learning rate 0.25: w - 3 shrinks by 1 - 2 * 0.25 = 1/2.
    w = Value(0.0)
    for _ in range(10):
        loss = (w - 3) ** 2
        loss.backward()
        w.data -= 0.25 * w.grad
    assert w.data == 3 - 3 * 0.5**10  # exact: every number is a binary fraction


def test_the_graph_records_parents_operations_and_local_derivatives():
    x = Value(1.0, name="x")
    shifted = x + 2
    cosine = ad.cos(x)
    y = shifted * cosine
    assert y.op == "*" and y.parents == (shifted, cosine)
    assert y.local_grads == (cosine.data, shifted.data)
    assert shifted.op == "+" and shifted.parents[0] is x and shifted.parents[1].data == 2.0
    assert cosine.op == "cos" and cosine.parents == (x,)
    assert cosine.local_grads == (-math.sin(1.0),)
    assert x.op == "" and x.parents == () and x.name == "x"
    assert (x**2).op == "**2" and (-x).op == "neg" and (x / 2).op == "/"
    order = topological_order(y)
    assert len(order) == 5 and len(set(order)) == 5  # x, 2, x + 2, cos x, y: each once
    assert order[-1] is y
    position = {id(node): i for i, node in enumerate(order)}
    for node in order:
        assert all(position[id(p)] < position[id(node)] for p in node.parents)
    assert "x" in repr(x) and "data=1.0" in repr(x)


def test_sigmoid_and_exp_stay_finite_where_they_should():
    for z in (-800.0, 800.0):
        s = ad.sigmoid(Value(z))
        assert 0.0 <= s.data <= 1.0 and s.local_grads[0] >= 0.0
    assert ad.sigmoid(Value(-30.0)).data == pytest.approx(math.exp(-30.0), rel=1e-12)


def test_numbers_of_other_types_are_accepted_as_constants():
    x = Value(np.float64(2.0))
    y = np.int64(3) * x + np.float32(0.5)
    assert isinstance(y, Value) and y.data == 6.5 and isinstance(x.data, float)


@pytest.mark.parametrize(
    "bad, error, words",
    [
        (lambda: Value("3"), TypeError, "expected a real number, got str"),
        (lambda: Value(True), TypeError, "got bool"),
        (lambda: Value(np.array([1.0, 2.0])), TypeError, "got ndarray"),
        (lambda: Value(float("nan")), ValueError, "finite number, got nan"),
        (lambda: Value(float("inf")), ValueError, "finite number, got inf"),
        (lambda: Value(1.0) + "1", TypeError, "Value or a real number, got str"),
        (lambda: [1.0] * Value(1.0), TypeError, "got list"),
        (lambda: Value(1e200) * 1e200, ValueError, "result of '*' overflowed"),
        (lambda: ad.log(0.0), ValueError, "expected a number > 0, got 0.0"),
        (lambda: ad.log(Value(-1.0)), ValueError, "got -1.0"),
        (lambda: ad.exp("x"), TypeError, "got str"),
        (lambda: Value(1.0) / 0, ZeroDivisionError, "division by zero"),
        (lambda: 1 / Value(0.0), ZeroDivisionError, "division by zero"),
        (lambda: Value(-8.0) ** (1 / 3), ValueError, "is not a real number"),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, "divides by zero"),
        (lambda: Value(0.0) ** 0.5, ValueError, "infinite at a = 0"),
        (lambda: Value(-2.0) ** Value(2.0), ValueError, "needs a > 0, got a = -2.0"),
        (lambda: topological_order(1.0), TypeError, "expected a Value, got float"),
    ],
)
def test_bad_input_gives_a_clear_error(bad, error, words):
    with pytest.raises(error, match=re.escape(words)):
        bad()


def test_powers_at_zero_and_of_negative_numbers_where_they_are_defined():
    for n, slope in [(0, 0.0), (1, 1.0), (2, 0.0), (3.0, 0.0)]:  # d(a^n)/da = n a^(n-1) at a = 0
        a = Value(0.0)
        (a**n).backward()
        assert a.grad == slope
    a = Value(-2.0)
    cube = a**3  # (-2)^3 = -8, slope 3 * (-2)^2 = 12
    cube.backward()
    assert (cube.data, a.grad) == (-8.0, 12.0)


def test_exp_of_a_too_large_number_says_so():
    assert ad.exp(Value(709.0)).data == pytest.approx(math.exp(709.0))
    with pytest.raises(ValueError, match="too large for a float"):
        ad.exp(Value(710.0))
