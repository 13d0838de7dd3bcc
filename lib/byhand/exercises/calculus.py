"""The Chapter 2 exercise set, "The calculus of learning" (exercises/02_calculus): cases, check.

The notebook imports this set's own `check`: `from byhand.exercises.calculus import check`.
The functions to write, with the course's shape letters (D entries of a vector, K steps):

    central_difference(f, x, h=1e-5) -> a number        (f(x + h) - f(x - h)) / (2 h)
    numerical_gradient(f, x [D], h=1e-5) -> float64 [D]  entry i: the central difference
                                                          along entry i, the others fixed
    grad_f(x, y) -> (df_dx, df_dy)                       of f(x, y) = x² y + x sin(x y)
    classify_critical_point(f_xx, f_yy, f_xy) -> "minimum", "maximum", "saddle" or
                                                 "inconclusive"  (D = f_xx f_yy - f_xy²)
    gradient_descent(gradient, x0 [D], learning_rate, steps=K) -> path [K + 1, D]
                                                          x_k+1 = x_k - learning_rate ∇f(x_k)

The functions passed to the student's code print as their formulas (`Formula`), so that a
failing case shows which function it used; `OneAtATime` also raises as soon as
numerical_gradient calls f at a point with more than one entry of x moved. Expected values
are worked by hand in the comments or are central finite differences in float64. Each
exercise also lists the mistakes students of this chapter make, as the wrong code would
compute them, with the hint `check` then shows.
"""

from __future__ import annotations

import numpy as np

from byhand.exercises.cases import Case, Exercise, Mistake, gradient_case
from byhand.exercises.checking import check_exercise


class Formula:
    """A function of the public cases that prints as its formula, "f(x) = x**3".

    Calling it calls `function`; `repr` (what a failing case shows) is `text`. A Formula
    never changes, so a copy of it is itself: `check` copies a case's arguments before each
    call and compares them after it, and a function passed in is not the student's to change.
    """

    def __init__(self, text, function):
        self.text, self.function = text, function

    def __call__(self, *args):
        return self.function(*args)

    def __repr__(self):
        return self.text

    def __deepcopy__(self, memo):
        return self


class NudgeError(Exception):
    """numerical_gradient called f at a point other than x with at most one entry moved."""


class OneAtATime(Formula):
    """A function of a vector that raises NudgeError unless called at x or x ± h e_i.

    `x` is the point numerical_gradient is asked about and `h` its step; an entry counts as
    moved when it is more than h / 1000 away from its value in x, so a restore by adding h
    back (x_i + h - h, a rounding away from x_i) is not taken for a move.
    """

    def __init__(self, formula, x, h):
        super().__init__(formula.text, formula.function)
        self.x, self.h = np.array(x, dtype=np.float64), h

    def __call__(self, v):
        moved = np.flatnonzero(np.abs(np.asarray(v, dtype=np.float64) - self.x) > self.h / 1000)
        if len(moved) > 1:
            raise NudgeError(
                f"f was called with {len(moved)} entries of x moved at once (entries "
                f"{', '.join(map(str, moved))}); each call moves one entry i to x_i + h or "
                "x_i - h and leaves the others as they are in x"
            )
        return self.function(v)


# --- central_difference -------------------------------------------------------------------


def g(x):
    """g(x) = (x + 2) cos x, the chapter's product; g'(x) = cos x - (x + 2) sin x."""
    return (x + 2) * np.cos(x)


CUBE = Formula("f(x) = x**3", lambda x: x**3)
G = Formula("g(x) = (x + 2) * cos(x)", g)
RECIPROCAL = Formula("f(x) = 1 / x", lambda x: 1 / x)
EXP = Formula("f(x) = exp(x)", np.exp)


def _central(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


CENTRAL_DIFFERENCE = Exercise(
    "central_difference",
    ("f", "x", "h"),
    (
        # (2.5**3 - 1.5**3) / (2 * 0.5) = (15.625 - 3.375) / 1 = 12.25; the slope 3 x**2 is
        # 12, and the difference is h**2 = 0.25 (for x**3 the error is exactly h**2 f'''/6)
        Case((CUBE, 2.0, 0.5), 12.25, "a large step, h = 0.5"),
        # The chapter's product at x = 1 with the default step: close to
        # g'(1) = cos 1 - 3 sin 1 = 0.540302 - 2.524413 = -1.984111
        Case((G, 1.0, 1e-5), _central(g, 1.0, 1e-5), "g of the chapter, h = 1e-5"),
        # (1 / 1.5 - 1 / 0.5) / 1 = 0.666667 - 2 = -1.333333 (the slope -1/x**2 is -1);
        # x comes as the integer 1
        Case((RECIPROCAL, 1, 0.5), -4 / 3, "an integer x"),
        # (e**0.1 - e**-0.1) / 0.2 = (1.105171 - 0.904837) / 0.2 = 1.001668 (the slope is 1)
        Case((EXP, 0.0, 0.1), (np.exp(0.1) - np.exp(-0.1)) / 0.2, "exp at 0, h = 0.1"),
    ),
    mistakes=(
        Mistake(
            "forward",
            "this is the forward difference (f(x + h) - f(x)) / h, whose error shrinks only "
            "like h; the central difference (f(x + h) - f(x - h)) / (2h) steps to both sides "
            "and its error shrinks like h²",
            lambda f, x, h: (f(x + h) - f(x)) / h,
        ),
        Mistake(
            "backward",
            "this is the backward difference (f(x) - f(x - h)) / h, whose error shrinks only "
            "like h; the central difference (f(x + h) - f(x - h)) / (2h) steps to both sides",
            lambda f, x, h: (f(x) - f(x - h)) / h,
        ),
        Mistake(
            "/ h",
            "twice the central difference: x - h and x + h lie 2h apart, so divide by 2h",
            lambda f, x, h: (f(x + h) - f(x - h)) / h,
        ),
        Mistake(
            "/ 2 * h",
            "`/ 2 * h` divides by 2 and then multiplies by h; write `/ (2 * h)`",
            lambda f, x, h: (f(x + h) - f(x - h)) / 2 * h,
        ),
    ),
)

# --- numerical_gradient -------------------------------------------------------------------

SQUARE_TIMES = Formula("f(x) = x[0]**2 * x[1]", lambda v: v[0] ** 2 * v[1])
PRODUCT = Formula("f(x) = x[0] * x[1] * x[2]", lambda v: v[0] * v[1] * v[2])
SMOOTH_MAX = Formula("f(x) = log(sum(exp(x)))", lambda v: np.log(np.sum(np.exp(v))))
CUBES = Formula("f(x) = sum(x**3)", lambda v: np.sum(v**3))


def _gradient(f, x, h, forward=False, divide_by=2, all_at_once=False, put_back=True,
              dtype=np.float64):  # fmt: skip
    """numerical_gradient with one of its known mistakes switched on (see NUMERICAL_GRADIENT).

    The nudged points are copies of x changed in place, as students write them, so that
    dtype=x.dtype rounds x_i ± h to integers or float32 as their code does.
    """
    v = np.array(x, dtype=dtype)
    grad = np.zeros(len(v))
    for i in range(len(v)):
        if not put_back:  # nudging v itself: entry i is left at x_i - h afterwards
            v[i] += h
            f_up = f(v)
            v[i] -= 2 * h
            f_down = f(v)
        else:
            up, down = v.copy(), v.copy()
            if all_at_once:
                up, down = v + h, v - h
            else:
                up[i] += h
                down[i] -= h
            f_up, f_down = f(up), f(v if forward else down)
        grad[i] = (f_up - f_down) / (h if forward else divide_by * h)
    return grad


_ENTRIES = np.array([0.5, -1.0, 2.0, 0.0])  # the smooth-max case
_SINGLE = np.array([0.3, -1.7], dtype=np.float32)  # the float32 case, in float64 below
_SINGLE_64 = _SINGLE.astype(np.float64)

NUMERICAL_GRADIENT = Exercise(
    "numerical_gradient",
    ("f", "x", "h"),
    (
        # f = x0² x1 at (1, 2) with h = 0.5:
        #   entry 0: (f(1.5, 2) - f(0.5, 2)) / 1 = (4.5 - 0.5) / 1 = 4   (2 x0 x1 = 4)
        #   entry 1: (f(1, 2.5) - f(1, 1.5)) / 1 = (2.5 - 1.5) / 1 = 1   (x0² = 1)
        Case((SQUARE_TIMES, np.array([1.0, 2.0]), 0.5), np.array([4.0, 1.0]), "h = 0.5"),
        # f = x0 x1 x2 at the integers (1, 2, 3): (x1 x2, x0 x2, x0 x1) = (6, 3, 2), exactly
        # (f is linear in each entry), up to rounding
        Case((PRODUCT, np.array([1, 2, 3]), 1e-5), np.array([6.0, 3.0, 2.0]), "an integer x"),
        # The gradient of log(sum(exp(x))) is softmax(x) = exp(x) / sum(exp(x)):
        # exp(0.5, -1, 2, 0) = (1.648721, 0.367879, 7.389056, 1), sum 10.405656, so
        # (0.158445, 0.035354, 0.710100, 0.096102); f raises if called off the axes
        Case(
            (OneAtATime(SMOOTH_MAX, _ENTRIES, 1e-5), _ENTRIES, 1e-5),
            np.exp(_ENTRIES) / np.sum(np.exp(_ENTRIES)),
            "D = 4; f checks where it is called",
            rtol=1e-6,
            atol=1e-8,
        ),
        # f = x0**3 at 2 with h = 0.1: (2.1**3 - 1.9**3) / 0.2 = (9.261 - 6.859) / 0.2 = 12.01
        Case((CUBES, np.array([2.0]), 0.1), np.array([12.01]), "D = 1: still an array [1]"),
        # float32 entries, the gradient 3 x**2 of their float64 values: 3 * 0.3**2 = 0.27,
        # 3 * 1.7**2 = 8.67 (x0 = 0.300000011920929 in float32, so 0.270000021...)
        Case(
            (CUBES, _SINGLE, 1e-5),
            3 * _SINGLE_64**2,
            "a float32 x: work in float64",
            rtol=1e-7,
            atol=1e-8,
        ),
    ),
    mistakes=(
        Mistake(
            "forward",
            "this is the forward difference (f(x + h e_i) - f(x)) / h, whose error shrinks "
            "only like h; take the central difference (f(x + h e_i) - f(x - h e_i)) / (2h)",
            lambda f, x, h: _gradient(f, x, h, forward=True),
        ),
        Mistake(
            "/ h",
            "twice the central difference: x - h e_i and x + h e_i lie 2h apart, so divide by 2h",
            lambda f, x, h: _gradient(f, x, h, divide_by=1),
        ),
        Mistake(
            "all at once",
            "every entry of x was moved at once (x + h): move one entry at a time, to "
            "x + h e_i, where e_i is 1 at entry i and 0 elsewhere",
            lambda f, x, h: _gradient(f, x, h, all_at_once=True),
        ),
        Mistake(
            "not put back",
            "entry i was left at x_i - h after its two calls of f, so the later entries were "
            "measured at a shifted point: put x_i back (or start each entry from a fresh copy "
            "of x)",
            lambda f, x, h: _gradient(f, x, h, put_back=False),
        ),
        Mistake(
            "dtype kept",
            "x_i ± h was rounded to the dtype x came with (integers, or float32): make your "
            "copy a float64 array, np.array(x, dtype=np.float64)",
            lambda f, x, h: _gradient(f, x, h, dtype=np.asarray(x).dtype),
        ),
    ),
)

# --- grad_f -------------------------------------------------------------------------------


def f(x, y):
    """f(x, y) = x² y + x sin(x y), entry by entry for arrays x and y of one shape."""
    return x**2 * y + x * np.sin(x * y)


def _partials(x, y, eps=1e-6):
    """(df/dx, df/dy) by central differences in float64, entry by entry."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return (f(x + eps, y) - f(x - eps, y)) / (2 * eps), (f(x, y + eps) - f(x, y - eps)) / (2 * eps)


def _grad_f_case(x, y, about):
    """A Case whose expected (df_dx, df_dy) are central finite differences of f."""
    if np.ndim(x) == 0:
        return gradient_case(f, (x, y), (0, 1), about, "f")
    source = "the expected partial derivatives are central finite differences (float64) of f"
    return Case((x, y), _partials(x, y), about, rtol=1e-6, atol=1e-8, source=source)


def _grad_f_with(x, y, dx_of_x_sin=None, inner=True, dx_of_x2y=None):
    """grad_f with a mistake: another derivative of x sin(xy) in x, or of x²y in x, or no
    inner derivative of sin(xy) (cos(xy) without its factor y or x)."""
    s, c = np.sin(x * y), np.cos(x * y)
    dx_sin = dx_of_x_sin if dx_of_x_sin is not None else s + x * y * c
    dx_x2y = dx_of_x2y if dx_of_x2y is not None else 2 * x * y
    if not inner:
        return dx_x2y + s + x * c, x**2 + x * c
    return dx_x2y + dx_sin, x**2 + x**2 * c


# The worked example, (x, y) = (1, π): sin π = 0 and cos π = -1, so
#   df/dx = 2 * 1 * π + sin π + 1 * π * cos π = 2π + 0 - π = π
#   df/dy = 1 + 1 * cos π = 0
GRAD_F = Exercise(
    "grad_f",
    ("x", "y"),
    (
        _grad_f_case(1.0, np.pi, "the worked example, (1, π)"),
        # xy = -0.5: df/dx = -1 + sin(-0.5) - 0.5 cos(-0.5) = -1 - 0.479426 - 0.438791
        #          = -1.918217;  df/dy = 0.25 + 0.25 cos(-0.5) = 0.25 + 0.219396 = 0.469396
        _grad_f_case(0.5, -1.0, "(0.5, -1)"),
        # xy = -1.5: df/dx = -3 + sin(-1.5) - 1.5 cos(-1.5) = -3 - 0.997495 - 0.106106
        #          = -4.103601;  df/dy = 4 + 4 cos(-1.5) = 4 + 0.282949 = 4.282949
        _grad_f_case(-2.0, 0.75, "(-2, 0.75)"),
        _grad_f_case(
            np.array([1.0, -0.5, 2.0]),
            np.array([2.0, 3.0, -0.25]),
            "arrays x and y of shape [3]: entry by entry",
        ),
    ),
    returns=("df_dx", "df_dy"),
    mistakes=(
        Mistake(
            "swapped",
            "the two partial derivatives are swapped: return (df/dx, df/dy), in that order",
            lambda x, y: _grad_f_with(x, y)[::-1],
        ),
        Mistake(
            "sin(xy) missing",
            "df/dx lacks sin(xy): x sin(xy) is a product of two factors that both change "
            "with x, and the product rule gives 1 · sin(xy) + x · y cos(xy)",
            lambda x, y: _grad_f_with(x, y, dx_of_x_sin=x * y * np.cos(x * y)),
        ),
        Mistake(
            "x y cos(xy) missing",
            "df/dx lacks x y cos(xy): in x sin(xy) the factor sin(xy) changes with x too, so "
            "the product rule gives 1 · sin(xy) + x · y cos(xy)",
            lambda x, y: _grad_f_with(x, y, dx_of_x_sin=np.sin(x * y)),
        ),
        Mistake(
            "u'v'",
            "the derivative of a product is not the product of the derivatives: "
            "(u v)' = u' v + u v', so x sin(xy) gives sin(xy) + x y cos(xy) in x",
            lambda x, y: _grad_f_with(x, y, dx_of_x_sin=y * np.cos(x * y)),
        ),
        Mistake(
            "inner derivative missing",
            "the inner derivative of sin(xy) is missing (chain rule): its slope in x is "
            "cos(xy) · y, and in y it is cos(xy) · x",
            lambda x, y: _grad_f_with(x, y, inner=False),
        ),
        Mistake(
            "y dropped",
            "in x² y, y is a constant factor while x changes, not a constant term: it stays, "
            "and the slope of x² y in x is 2 x y",
            lambda x, y: _grad_f_with(x, y, dx_of_x2y=2 * x),
        ),
    ),
)

# --- classify_critical_point --------------------------------------------------------------


def _classify(f_xx, f_yy, f_xy, swap=False, plus=False, square=True, zero_is_saddle=False,
              no_d=False):  # fmt: skip
    """The second-derivative test with one of its known mistakes switched on."""
    d = f_xx * f_yy + (1 if plus else -1) * (f_xy**2 if square else f_xy)
    if no_d:  # the sign of f_xx alone
        d = 1.0 if f_xx != 0 else 0.0
    up, down = ("maximum", "minimum") if swap else ("minimum", "maximum")
    if d > 0:
        return up if f_xx > 0 else down
    if d < 0 or (zero_is_saddle and d == 0):
        return "saddle"
    return "inconclusive"


CLASSIFY_CRITICAL_POINT = Exercise(
    "classify_critical_point",
    ("f_xx", "f_yy", "f_xy"),
    (
        # f = x² + y² at (0, 0): D = 2 * 2 - 0 = 4 > 0 and f_xx = 2 > 0
        Case((2.0, 2.0, 0.0), "minimum", "x² + y²"),
        # D = (-2)(-4) - 1² = 7 > 0 and f_xx = -2 < 0
        Case((-2.0, -4.0, 1.0), "maximum", "D > 0, f_xx < 0"),
        # f = x² - y²: D = 2 * (-2) - 0 = -4 < 0
        Case((2.0, -2.0, 0.0), "saddle", "x² - y²"),
        # D = 0.5 * 0.8 - 0.5² = 0.4 - 0.25 = 0.15 > 0 and f_xx > 0 (small curvatures)
        Case((0.5, 0.8, 0.5), "minimum", "D > 0, f_xx > 0, with f_xy = 0.5"),
        # D = 1 * 4 - 3² = -5 < 0: a saddle, though f curves up along both axes
        Case((1.0, 4.0, 3.0), "saddle", "f_xx and f_yy > 0, yet D < 0"),
        # D = 2 * 8 - 4² = 0: the test cannot tell
        Case((2.0, 8.0, 4.0), "inconclusive", "D = 0"),
        # f = x³ + y² at (0, 0): f_xx = 6x = 0, D = 0 * 2 - 0 = 0 (no extremum there)
        Case((0, 2, 0), "inconclusive", "x³ + y², integer entries"),
    ),
    mistakes=(
        Mistake(
            "min and max swapped",
            "minimum and maximum are swapped: with D > 0, f_xx > 0 means f curves up as x² "
            "does, a minimum; f_xx < 0 means it curves down, a maximum",
            lambda a, b, c: _classify(a, b, c, swap=True),
        ),
        Mistake(
            "+ f_xy²",
            "D = f_xx f_yy - f_xy²: the mixed term is subtracted, so a large f_xy makes a "
            "saddle even where f_xx and f_yy have one sign",
            lambda a, b, c: _classify(a, b, c, plus=True),
        ),
        Mistake(
            "f_xy not squared",
            "f_xy is squared in D = f_xx f_yy - f_xy²",
            lambda a, b, c: _classify(a, b, c, square=False),
        ),
        Mistake(
            "D = 0 as saddle",
            "D = 0 decides nothing: the test is inconclusive there (x⁴ + y², -x⁴ - y² and "
            "x³ + y² all have D = 0 at the origin); only D < 0 is a saddle",
            lambda a, b, c: _classify(a, b, c, zero_is_saddle=True),
        ),
        Mistake(
            "no D",
            "the sign of f_xx alone does not decide: compute D = f_xx f_yy - f_xy² first; "
            "D < 0 is a saddle whatever the sign of f_xx",
            lambda a, b, c: _classify(a, b, c, no_d=True),
        ),
    ),
)

# --- gradient_descent ---------------------------------------------------------------------

TO_THREE = Formula("gradient(w) = 2 * (w - 3)   [f(w) = (w - 3)**2]", lambda w: 2 * (w - 3))
NARROW_BOWL = Formula(
    "gradient(x) = [2 * x[0], 20 * x[1]]   [f(x) = x[0]**2 + 10 * x[1]**2]",
    lambda x: np.array([2 * x[0], 20 * x[1]]),
)
TO_ORIGIN = Formula("gradient(x) = 2 * x   [f(x) = sum(x**2)]", lambda x: 2 * x)


def _descend(gradient, x0, learning_rate, steps, sign=-1, rate=True, updates=0, at_x0=False):
    """The path of gradient descent, with a known mistake switched on (see GRADIENT_DESCENT).

    sign=+1 climbs; rate=False drops the learning rate; updates=±1 takes a step more or
    less; at_x0 evaluates the gradient at x0 on every step.
    """
    x = np.array(x0, dtype=np.float64)
    start, path = x.copy(), [x.copy()]
    for _ in range(steps + updates):
        slope = gradient(start if at_x0 else x)
        x = x + sign * (learning_rate if rate else 1) * slope
        path.append(x.copy())
    return np.array(path)


GRADIENT_DESCENT = Exercise(
    "gradient_descent",
    ("gradient", "x0", "learning_rate", "steps"),
    (
        # f(w) = (w - 3)², learning rate 0.25: each step halves the distance to 3,
        # w = 0 - 0.25 * 2 * (0 - 3) = 1.5, then 1.5 + 0.75 = 2.25, then 2.25 + 0.375 = 2.625
        Case(
            (TO_THREE, np.array([0.0]), 0.25, 3),
            np.array([[0.0], [1.5], [2.25], [2.625]]),
            "one weight, 3 steps",
        ),
        # From (1, 1) with learning rate 0.05: x0 shrinks by 1 - 0.05 * 2 = 0.9 a step, x1
        # by 1 - 0.05 * 20 = 0, so (1, 1) -> (0.9, 0) -> (0.81, 0)
        Case(
            (NARROW_BOWL, np.array([1.0, 1.0]), 0.05, 2),
            np.array([[1.0, 1.0], [0.9, 0.0], [0.81, 0.0]]),
            "two weights, 2 steps",
        ),
        # f(w) = w² with learning rate 1.5: w - 1.5 * 2w = -2w, so 1, -2, 4, -8: too large a
        # learning rate overshoots further at every step
        Case(
            (TO_ORIGIN, np.array([1.0]), 1.5, 3),
            np.array([[1.0], [-2.0], [4.0], [-8.0]]),
            "learning rate too large: the path diverges",
        ),
        # Zero steps: the path is the start alone, as floats, shape [1, 2]
        Case(
            (TO_ORIGIN, np.array([2, -1]), 0.1, 0),
            np.array([[2.0, -1.0]]),
            "steps = 0 and an integer x0",
        ),
    ),
    mistakes=(
        Mistake(
            "ascent",
            "the path climbs: gradient descent steps against the gradient, x - η ∇f(x), "
            "because the gradient points uphill",
            lambda gradient, x0, lr, steps: _descend(gradient, x0, lr, steps, sign=+1),
        ),
        Mistake(
            "start missing",
            "the start x0 is missing: row 0 of the path is x0, and row k the point after k "
            "steps, steps + 1 rows in all",
            lambda gradient, x0, lr, steps: _descend(gradient, x0, lr, steps)[1:],
        ),
        Mistake(
            "one step too many",
            "one step too many: `steps` updates give steps + 1 rows, x0 included",
            lambda gradient, x0, lr, steps: _descend(gradient, x0, lr, steps, updates=1),
        ),
        Mistake(
            "one step too few",
            "one step too few: the last row is the point after `steps` updates (steps + 1 "
            "rows, x0 included)",
            lambda gradient, x0, lr, steps: _descend(gradient, x0, lr, steps, updates=-1),
        ),
        Mistake(
            "same array",
            "every row holds the last point: the path kept the same array, which was then "
            "changed in place (x -= ...); store a copy, or make a new array at each step "
            "(x = x - ...)",
            lambda gradient, x0, lr, steps: np.tile(
                _descend(gradient, x0, lr, steps)[-1], (steps + 1, 1)
            ),
        ),
        Mistake(
            "gradient at x0",
            "the gradient is taken at x0 on every step: take it at the current point",
            lambda gradient, x0, lr, steps: _descend(gradient, x0, lr, steps, at_x0=True),
        ),
        Mistake(
            "no learning rate",
            "the learning rate is missing: x - η ∇f(x)",
            lambda gradient, x0, lr, steps: _descend(gradient, x0, lr, steps, rate=False),
        ),
    ),
)

EXERCISES = (
    CENTRAL_DIFFERENCE,
    NUMERICAL_GRADIENT,
    GRAD_F,
    CLASSIFY_CRITICAL_POINT,
    GRADIENT_DESCENT,
)


def check(name, function):
    """Run the public cases of this set's exercise `name` on `function`; print the outcome.

    `check("grad_f", grad_f)` prints "grad_f: all 4 public cases pass", or the first case
    that fails, with a hint. It returns None. See `byhand.exercises.checking`.
    """
    check_exercise(EXERCISES, name, function)
