"""Hidden tests of the Chapter 2 exercise set (exercises/02_calculus.ipynb): 20 points.

Each test names the student's functions as its parameters (see byhand.grading.hidden). The
grader can send a student's function numbers and arrays but not a function, so three
exercises are tested through functions of the notebook that pass one of their own:
`slope_of_g(x, h)` calls central_difference on g(x) = (x + 2) cos x,
`gradient_of_rosenbrock(x, h)` calls numerical_gradient on Rosenbrock's function, and
`descend_bowl(A, center, x0, learning_rate, steps)` calls gradient_descent with the gradient
A (x - center) of a bowl. The inputs differ from the public cases in
byhand.exercises.calculus. Expected values are central differences computed here (with the
test's own step, so that they are the quotient the exercise asks for, not the derivative),
closed forms worked in the comments, or the gradient descent path in closed form,
x_k = c + (I - η A)^k (x0 - c).

ANSWER_MODULES, the modules whose use earns nothing (see byhand.grading.answers):
byhand.gradcheck computes numerical gradients (exercises 1 and 2), byhand.autodiff
differentiates x² y + x sin(x y) by itself (exercise 3), byhand.optimizers runs the update
of gradient descent (exercise 5), byhand.exercises holds finite differences and this set's
reference code, and SymPy differentiates f symbolically: exercise 3 asks for the partial
derivatives derived by hand, so a grad_f that calls SymPy (or lambdifies its derivative)
has not done what was asked. A student may still use SymPy outside the graded functions, to
check a derivation: the scan looks only at what the graded functions use.
"""

import numpy as np

from byhand.exercises import assert_close, assert_unchanged
from byhand.exercises.calculus import f, g
from byhand.exercises.cases import finite_differences
from byhand.grading import Through, call_and_inputs, points

ANSWER_MODULES = (
    "byhand.gradcheck",  # numerical_gradient: central differences of any f
    "byhand.autodiff",  # the chain rule by machine: the gradient of any expression
    "byhand.optimizers",  # SGD: the update of gradient descent
    "byhand.exercises",  # finite differences and this set's reference code
    "sympy",  # derivatives by symbol: exercise 3 asks for them by hand
)


def quotient(function, x, h):
    """The central difference (function(x + h) - function(x - h)) / (2 h) in float64."""
    x = float(x)
    return (function(x + h) - function(x - h)) / (2 * h)


# --- central_difference, through slope_of_g: 4 points ------------------------------------


@points(1, exercise="central_difference")
def test_central_difference_of_g_at_several_points(slope_of_g):
    slope_of_g = Through(slope_of_g, "central_difference")
    for number, x in enumerate([-2.5, 0.3, 4.0, 7.25], 1):
        what = f"central_difference of g at point {number} of 4, h = 1e-5"
        assert_close(slope_of_g(x, 1e-5), quotient(g, x, 1e-5), what)


@points(1, exercise="central_difference")
def test_central_difference_with_a_large_step(slope_of_g):
    slope_of_g = Through(slope_of_g, "central_difference")
    # h = 0.5: the quotient (g(1.7) - g(0.7)) / 1 is 0.078 above g'(1.2); the forward
    # difference (g(1.7) - g(1.2)) / 0.5 is 0.652 below it
    what = "central_difference of g, h = 0.5 (expected: the central difference itself)"
    assert_close(slope_of_g(1.2, 0.5), quotient(g, 1.2, 0.5), what, rtol=1e-9)


@points(1, exercise="central_difference")
def test_central_difference_at_integers(slope_of_g):
    slope_of_g = Through(slope_of_g, "central_difference")
    what = "central_difference of g at an integer x"
    assert_close(slope_of_g(2, 0.25), quotient(g, 2, 0.25), what + ", h = 0.25", rtol=1e-9)
    assert_close(slope_of_g(-1, 1e-4), quotient(g, -1, 1e-4), what + ", h = 1e-4")


@points(1, exercise="central_difference")
def test_central_difference_with_a_step_of_a_hundredth(slope_of_g):
    slope_of_g = Through(slope_of_g, "central_difference")
    # With h = 0.01 the forward difference is off by about h |g''| / 2, 0.010 to 0.021 here
    for number, x in enumerate([-1.5, 0.8, 2.9], 1):
        what = f"central_difference of g at point {number} of 3, h = 0.01"
        assert_close(slope_of_g(x, 0.01), quotient(g, x, 0.01), what, rtol=1e-9)


# --- numerical_gradient, through gradient_of_rosenbrock: 4 points ------------------------


def rosenbrock(v):
    """r(x) = sum over i < D - 1 of 100 (x_i+1 - x_i²)² + (1 - x_i)²."""
    return np.sum(100 * (v[1:] - v[:-1] ** 2) ** 2 + (1 - v[:-1]) ** 2)


def central_gradient(x, h):
    """The central differences of Rosenbrock's function at x, one entry at a time."""
    return finite_differences(rosenbrock, (np.array(x, dtype=np.float64),), (0,), eps=h)[0]


@points(1, exercise="numerical_gradient")
def test_numerical_gradient_at_a_random_point(gradient_of_rosenbrock):
    gradient_of_rosenbrock = Through(gradient_of_rosenbrock, "numerical_gradient")
    x = np.random.default_rng(201).normal(size=5)
    what = "numerical_gradient of Rosenbrock's function, D = 5, h = 1e-5"
    expected = central_gradient(x, 1e-5)
    assert_close(gradient_of_rosenbrock(x, 1e-5), expected, what, rtol=1e-6, atol=1e-6)


@points(1, exercise="numerical_gradient")
def test_numerical_gradient_with_a_large_step(gradient_of_rosenbrock):
    gradient_of_rosenbrock = Through(gradient_of_rosenbrock, "numerical_gradient")
    # h = 0.1: the central differences differ from the gradient (by 2 and -1.2 in entries 0
    # and 1, from the x_i⁴ terms), and each entry must be nudged alone: the function couples
    # neighbouring entries
    x = np.array([0.5, -0.3, 1.2])
    what = "numerical_gradient of Rosenbrock's function, D = 3, h = 0.1"
    assert_close(gradient_of_rosenbrock(x, 0.1), central_gradient(x, 0.1), what, rtol=1e-9)


@points(1, exercise="numerical_gradient")
def test_numerical_gradient_at_an_integer_point(gradient_of_rosenbrock):
    gradient_of_rosenbrock = Through(gradient_of_rosenbrock, "numerical_gradient")
    x = np.array([2, -1, 0, 1])
    what = "numerical_gradient of Rosenbrock's function at integers, D = 4, h = 1e-3"
    assert_close(gradient_of_rosenbrock(x, 1e-3), central_gradient(x, 1e-3), what, rtol=1e-7)


@points(1, exercise="numerical_gradient")
def test_numerical_gradient_of_float32_entries_leaves_them_alone(gradient_of_rosenbrock):
    gradient_of_rosenbrock = Through(gradient_of_rosenbrock, "numerical_gradient")
    x = np.random.default_rng(202).normal(size=4).astype(np.float32)
    grad, after = call_and_inputs(gradient_of_rosenbrock, x, 1e-5)
    what = "numerical_gradient at float32 entries, D = 4, h = 1e-5 (expected: float64)"
    assert_close(grad, central_gradient(x, 1e-5), what, rtol=1e-6, atol=1e-6)
    assert_unchanged(after, (x, 1e-5), ("x", "h"), "numerical_gradient")


# --- grad_f: 4 points --------------------------------------------------------------------

GRAD_NAMES = ("df_dx", "df_dy")


def partials(x, y, eps=1e-6):
    """(df/dx, df/dy) of f by central differences, entry by entry, in float64."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return (f(x + eps, y) - f(x - eps, y)) / (2 * eps), (f(x, y + eps) - f(x, y - eps)) / (2 * eps)


@points(1)
def test_grad_f_on_a_grid_of_points(grad_f):
    rng = np.random.default_rng(203)
    x, y = rng.uniform(-2, 2, size=(4, 3)), rng.uniform(-2, 2, size=(4, 3))
    what = "grad_f on arrays x, y of shape [4, 3] (expected: finite differences)"
    assert_close(grad_f(x, y), partials(x, y), what, rtol=1e-6, atol=1e-8, names=GRAD_NAMES)


@points(1)
def test_grad_f_at_one_point(grad_f):
    # x = 1.5, y = -0.7, xy = -1.05, sin = -0.867423, cos = 0.497571:
    # df/dx = 2xy + sin(xy) + xy cos(xy) = -2.1 - 0.867423 - 0.522450 = -3.489873
    # df/dy = x² + x² cos(xy) = 2.25 + 1.119535 = 3.369535
    x, y = 1.5, -0.7
    s, c = np.sin(x * y), np.cos(x * y)
    expected = (2 * x * y + s + x * y * c, x**2 + x**2 * c)
    assert_close(grad_f(x, y), expected, "grad_f at one point", names=GRAD_NAMES)


@points(1)
def test_grad_f_at_two_more_points(grad_f):
    # (2, 0): sin 0 = 0 and cos 0 = 1, so df/dx = 0 + 0 + 0 = 0 and df/dy = 4 + 4 = 8
    assert_close(grad_f(2.0, 0.0), (0.0, 8.0), "grad_f at a point with y = 0", names=GRAD_NAMES)
    expected = partials(-1.2, 2.5)
    what = "grad_f at a point with x < 0 (expected: finite differences)"
    assert_close(grad_f(-1.2, 2.5), expected, what, rtol=1e-6, atol=1e-8, names=GRAD_NAMES)


@points(1)
def test_grad_f_on_a_row_of_points_with_zeros(grad_f):
    x = np.array([0.0, 0.7, -2.2, 3.0, 0.0])
    y = np.array([1.3, 0.0, -0.4, 0.9, -2.0])
    what = "grad_f on arrays of shape [5] (expected: finite differences)"
    assert_close(grad_f(x, y), partials(x, y), what, rtol=1e-6, atol=1e-8, names=GRAD_NAMES)


# --- classify_critical_point: 4 points ---------------------------------------------------


def check_labels(classify_critical_point, points_and_labels, kind):
    """Each (f_xx, f_yy, f_xy) must give its label; a message without the hidden inputs."""
    wrong = 0
    for (f_xx, f_yy, f_xy), label in points_and_labels:
        received = classify_critical_point(f_xx, f_yy, f_xy)
        if not isinstance(received, str):
            name = getattr(received, "type_name", None) or type(received).__name__
            raise AssertionError(
                f"classify_critical_point returned a {name}; it returns one of the strings "
                '"minimum", "maximum", "saddle", "inconclusive"'
            )
        wrong += received != label
    count = len(points_and_labels)
    assert wrong == 0, f"classify_critical_point is wrong at {wrong} of the {count} {kind}"


@points(1)
def test_classify_minima_and_maxima(classify_critical_point):
    cases = [
        ((3.0, 1.5, 1.0), "minimum"),  # D = 4.5 - 1 = 3.5
        ((-1.0, -9.0, 2.5), "maximum"),  # D = 9 - 6.25 = 2.75
        ((0.2, 0.3, -0.1), "minimum"),  # D = 0.06 - 0.01 = 0.05
        ((-4.0, -1.0, 0.0), "maximum"),  # D = 4
    ]
    check_labels(classify_critical_point, cases, "points with D > 0 (minima and maxima)")


@points(1)
def test_classify_saddles(classify_critical_point):
    cases = [
        ((3.0, 3.0, -4.0), "saddle"),  # D = 9 - 16 = -7, though f_xx, f_yy > 0
        ((-1.0, 2.0, 0.5), "saddle"),  # D = -2 - 0.25
        ((0.0, 0.0, 2.0), "saddle"),  # D = -4 (f = 2xy)
        ((-2.0, -2.0, 3.0), "saddle"),  # D = 4 - 9 = -5, though f_xx, f_yy < 0
    ]
    check_labels(classify_critical_point, cases, "points with D < 0 (saddles)")


@points(1)
def test_classify_inconclusive_points(classify_critical_point):
    cases = [
        ((3.0, 12.0, 6.0), "inconclusive"),  # D = 36 - 36 = 0
        ((0.0, 0.0, 0.0), "inconclusive"),
        ((-2.0, -0.5, 1.0), "inconclusive"),  # D = 1 - 1 = 0
        ((0.0, 5.0, 0.0), "inconclusive"),  # D = 0 (f = x³ + 2.5 y², say)
    ]
    check_labels(classify_critical_point, cases, "points with D = 0")


@points(1)
def test_classify_integer_and_numpy_entries(classify_critical_point):
    cases = [
        ((np.float64(2.5), np.float64(0.4), np.float64(0.9)), "minimum"),  # D = 1 - 0.81
        ((-3, -3, 2), "maximum"),  # D = 9 - 4 = 5
        ((1, 1, 1), "inconclusive"),  # D = 1 - 1 = 0
        ((5, -1, 0), "saddle"),  # D = -5
    ]
    check_labels(classify_critical_point, cases, "points given as integers or NumPy numbers")


# --- gradient_descent, through descend_bowl: 4 points ------------------------------------


def bowl_path(A, center, x0, learning_rate, steps):
    """x_k = c + (I - η A)^k (x0 - c), k = 0..steps: descent on ½ (x - c)ᵀ A (x - c)."""
    step = np.eye(len(center)) - learning_rate * A
    start = np.asarray(x0, dtype=np.float64) - center
    return np.array([center + np.linalg.matrix_power(step, k) @ start for k in range(steps + 1)])


def random_bowl(seed, size):
    """(A, center, x0): a symmetric positive definite A [D, D], a center and a start [D]."""
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(size, size))
    return M @ M.T + np.eye(size), rng.normal(size=size), rng.normal(size=size)


@points(1, exercise="gradient_descent")
def test_gradient_descent_on_a_random_bowl(descend_bowl):
    descend_bowl = Through(descend_bowl, "gradient_descent")
    A, center, x0 = random_bowl(204, 3)
    rate = 0.5 / np.linalg.eigvalsh(A).max()
    what = "gradient_descent on a bowl, D = 3, 12 steps"
    expected = bowl_path(A, center, x0, rate, 12)
    assert_close(descend_bowl(A, center, x0, rate, 12), expected, what, rtol=1e-9, atol=1e-12)


@points(1, exercise="gradient_descent")
def test_gradient_descent_for_zero_and_one_step_from_integers(descend_bowl):
    descend_bowl = Through(descend_bowl, "gradient_descent")
    A, center = np.array([[2.0, 0.5], [0.5, 1.0]]), np.array([1.0, -1.0])
    x0 = np.array([3, -2])
    # steps = 0: the start alone, [[3., -2.]]; steps = 1: A (x0 - c) = A (2, -1) = (3.5, 0),
    # so x1 = (3, -2) - 0.1 * (3.5, 0) = (2.65, -2)
    assert_close(descend_bowl(A, center, x0, 0.1, 0), [[3.0, -2.0]], "gradient_descent, 0 steps")
    expected = [[3.0, -2.0], [2.65, -2.0]]
    assert_close(descend_bowl(A, center, x0, 0.1, 1), expected, "gradient_descent, 1 step")


@points(1, exercise="gradient_descent")
def test_gradient_descent_with_too_large_a_learning_rate(descend_bowl):
    descend_bowl = Through(descend_bowl, "gradient_descent")
    A, center, x0 = random_bowl(205, 2)
    rate = 2.5 / np.linalg.eigvalsh(A).max()  # past 2 / λ_max: the path diverges
    what = "gradient_descent with a learning rate too large, D = 2, 6 steps"
    expected = bowl_path(A, center, x0, rate, 6)
    assert_close(descend_bowl(A, center, x0, rate, 6), expected, what, rtol=1e-9, atol=1e-12)


@points(1, exercise="gradient_descent")
def test_gradient_descent_leaves_its_start_alone(descend_bowl):
    descend_bowl = Through(descend_bowl, "gradient_descent")
    A, center, x0 = random_bowl(206, 4)
    args = (A, center, x0, 0.05, 8)
    path, after = call_and_inputs(descend_bowl, *args)
    what = "gradient_descent on a bowl, D = 4, 8 steps"
    assert_close(path, bowl_path(*args), what, rtol=1e-9, atol=1e-12)
    assert_unchanged(after, args, ("A", "center", "x0", "learning_rate", "steps"), "descend_bowl")
