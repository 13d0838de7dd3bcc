"""The Chapter 2 exercise set (02_calculus): its hints, its public cases, its hidden tests.

HINT_PAIRS pairs each known mistake of the set with a wrong function that earns its hint and
a different wrong function that does not, written as a student would write them (not taken
from the mistakes' own code), in the form of `EARNED` in test_exercise_hints.py; they run
through the set's own `check`, as a student sees it. The public cases' expected values are
checked against formulas worked out independently of the module's arithmetic, and the hidden
tests must take points from every wrong function here. The grader cannot pass a function to
a student's function, so three exercises are graded through functions of the notebook
(`slope_of_g`, `gradient_of_rosenbrock`, `descend_bowl`); the last tests run the real
grader, sandbox and all, on the solutions and on the untouched exercises.
"""

import copy

import nbformat
import numpy as np
import pytest
from set_tools import flat, printed_by
from test_exercises import ROOT, notebook_namespace

from byhand.exercises.calculus import (
    CENTRAL_DIFFERENCE,
    CLASSIFY_CRITICAL_POINT,
    GRAD_F,
    GRADIENT_DESCENT,
    NUMERICAL_GRADIENT,
    Formula,
    NudgeError,
    OneAtATime,
    check,
    f,
    g,
)
from byhand.exercises.cases import Exercise, finite_differences
from byhand.exercises.checking import report
from byhand.grading import load_tests, run_tests
from byhand.grading.answers import answer_uses

SET = "02_calculus"
HIDDEN = ROOT / "solutions" / "hidden" / f"{SET}.py"


checked = printed_by(check)


# --- central_difference, as students get it wrong ---------------------------------------------


def forward_quotient(f, x, h=1e-5):
    return (f(x + h) - f(x)) / h


def backward_quotient(f, x, h=1e-5):
    return (f(x) - f(x - h)) / h


def over_h(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / h


def times_h(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / 2 * h


# --- numerical_gradient -------------------------------------------------------------------


def forward_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros(len(x))
    for i in range(len(x)):
        moved = x.copy()
        moved[i] += h
        grad[i] = (f(moved) - f(x)) / h
    return grad


def gradient_over_h(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros(len(x))
    for i in range(len(x)):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        grad[i] = (f(up) - f(down)) / h
    return grad


def moves_every_entry(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros(len(x))
    for i in range(len(x)):
        grad[i] = (f(x + h) - f(x - h)) / (2 * h)
    return grad


def never_puts_back(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros(len(x))
    for i in range(len(x)):
        x[i] += h
        up = f(x)
        x[i] -= 2 * h
        grad[i] = (up - f(x)) / (2 * h)
    return grad


def nudges_and_adds_back(f, x, h=1e-5):
    grad = np.zeros(len(x))
    for i in range(len(x)):
        x[i] += h
        up = f(x)
        x[i] -= 2 * h
        grad[i] = (up - f(x)) / (2 * h)
        x[i] += h  # back, up to rounding
    return grad


def copies_as_it_came(f, x, h=1e-5):
    grad = np.zeros(len(x))
    for i in range(len(x)):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        grad[i] = (f(up) - f(down)) / (2 * h)
    return grad


def nudges_the_callers_x(f, x, h=1e-5):
    grad = np.zeros(len(x))
    for i in range(len(x)):
        x[i] += h
        up = f(x)
        x[i] -= 2 * h
        grad[i] = (up - f(x)) / (2 * h)
    return grad


# --- grad_f -------------------------------------------------------------------------------


def swaps_the_partials(x, y):
    return x**2 + x**2 * np.cos(x * y), 2 * x * y + np.sin(x * y) + x * y * np.cos(x * y)


def drops_the_sine(x, y):
    return 2 * x * y + x * y * np.cos(x * y), x**2 + x**2 * np.cos(x * y)


def drops_the_cosine(x, y):
    return 2 * x * y + np.sin(x * y), x**2 + x**2 * np.cos(x * y)


def multiplies_the_derivatives(x, y):
    return 2 * x * y + 1 * y * np.cos(x * y), x**2 + x**2 * np.cos(x * y)


def forgets_the_inner_derivative(x, y):
    return 2 * x * y + np.sin(x * y) + x * np.cos(x * y), x**2 + x * np.cos(x * y)


def drops_the_constant_factor(x, y):
    return 2 * x + np.sin(x * y) + x * y * np.cos(x * y), x**2 + x**2 * np.cos(x * y)


def right_grad_f(x, y):
    return 2 * x * y + np.sin(x * y) + x * y * np.cos(x * y), x**2 + x**2 * np.cos(x * y)


# --- classify_critical_point --------------------------------------------------------------


def max_for_positive_curvature(f_xx, f_yy, f_xy):
    d = f_xx * f_yy - f_xy**2
    if d > 0:
        return "maximum" if f_xx > 0 else "minimum"
    return "saddle" if d < 0 else "inconclusive"


def adds_the_mixed_term(f_xx, f_yy, f_xy):
    d = f_xx * f_yy + f_xy**2
    if d > 0:
        return "minimum" if f_xx > 0 else "maximum"
    return "saddle" if d < 0 else "inconclusive"


def mixed_term_unsquared(f_xx, f_yy, f_xy):
    d = f_xx * f_yy - f_xy
    if d > 0:
        return "minimum" if f_xx > 0 else "maximum"
    return "saddle" if d < 0 else "inconclusive"


def saddle_at_zero(f_xx, f_yy, f_xy):
    d = f_xx * f_yy - f_xy**2
    if d <= 0:
        return "saddle"
    return "minimum" if f_xx > 0 else "maximum"


def sign_of_f_xx_only(f_xx, f_yy, f_xy):
    if f_xx > 0:
        return "minimum"
    if f_xx < 0:
        return "maximum"
    return "inconclusive"


# --- gradient_descent ---------------------------------------------------------------------


def climbs(gradient, x0, learning_rate, steps):
    path = [np.array(x0, dtype=float)]
    for _ in range(steps):
        path.append(path[-1] + learning_rate * gradient(path[-1]))
    return np.array(path)


def leaves_out_the_start(gradient, x0, learning_rate, steps):
    x, path = np.array(x0, dtype=float), []
    for _ in range(steps):
        x = x - learning_rate * gradient(x)
        path.append(x)
    return np.array(path)


def one_update_too_many(gradient, x0, learning_rate, steps):
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(steps + 1):
        x = x - learning_rate * gradient(x)
        path.append(x)
    return np.array(path)


def one_update_too_few(gradient, x0, learning_rate, steps):
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(1, steps):
        x = x - learning_rate * gradient(x)
        path.append(x)
    return np.array(path)


def appends_one_array(gradient, x0, learning_rate, steps):
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(steps):
        x -= learning_rate * gradient(x)
        path.append(x)
    return np.array(path)


def slope_of_the_start(gradient, x0, learning_rate, steps):
    x = np.array(x0, dtype=float)
    slope = gradient(x)
    path = [x]
    for _ in range(steps):
        x = x - learning_rate * slope
        path.append(x)
    return np.array(path)


def forgets_the_learning_rate(gradient, x0, learning_rate, steps):
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(steps):
        x = x - gradient(x)
        path.append(x)
    return np.array(path)


def changes_x0(gradient, x0, learning_rate, steps):
    path = [x0.copy()]
    for _ in range(steps):
        x0 -= learning_rate * gradient(x0)
        path.append(x0.copy())
    return np.array(path, dtype=float)


# key -> (exercise, a wrong function that earns its hint, a different one that does not)
HINT_PAIRS = {
    f"{SET}/central_difference: forward": (
        CENTRAL_DIFFERENCE,
        forward_quotient,
        backward_quotient,
    ),
    f"{SET}/central_difference: backward": (
        CENTRAL_DIFFERENCE,
        backward_quotient,
        forward_quotient,
    ),
    f"{SET}/central_difference: / h": (CENTRAL_DIFFERENCE, over_h, times_h),
    f"{SET}/central_difference: / 2 * h": (CENTRAL_DIFFERENCE, times_h, over_h),
    f"{SET}/numerical_gradient: forward": (
        NUMERICAL_GRADIENT,
        forward_gradient,
        gradient_over_h,
    ),
    f"{SET}/numerical_gradient: / h": (NUMERICAL_GRADIENT, gradient_over_h, forward_gradient),
    f"{SET}/numerical_gradient: all at once": (
        NUMERICAL_GRADIENT,
        moves_every_entry,
        never_puts_back,
    ),
    f"{SET}/numerical_gradient: not put back": (
        NUMERICAL_GRADIENT,
        never_puts_back,
        moves_every_entry,
    ),
    f"{SET}/numerical_gradient: dtype kept": (
        NUMERICAL_GRADIENT,
        copies_as_it_came,
        forward_gradient,
    ),
    f"{SET}/grad_f: swapped": (GRAD_F, swaps_the_partials, drops_the_constant_factor),
    f"{SET}/grad_f: sin(xy) missing": (GRAD_F, drops_the_sine, drops_the_cosine),
    f"{SET}/grad_f: x y cos(xy) missing": (GRAD_F, drops_the_cosine, drops_the_sine),
    f"{SET}/grad_f: u'v'": (GRAD_F, multiplies_the_derivatives, forgets_the_inner_derivative),
    f"{SET}/grad_f: inner derivative missing": (
        GRAD_F,
        forgets_the_inner_derivative,
        multiplies_the_derivatives,
    ),
    f"{SET}/grad_f: y dropped": (GRAD_F, drops_the_constant_factor, swaps_the_partials),
    f"{SET}/classify_critical_point: min and max swapped": (
        CLASSIFY_CRITICAL_POINT,
        max_for_positive_curvature,
        sign_of_f_xx_only,
    ),
    f"{SET}/classify_critical_point: + f_xy²": (
        CLASSIFY_CRITICAL_POINT,
        adds_the_mixed_term,
        mixed_term_unsquared,
    ),
    f"{SET}/classify_critical_point: f_xy not squared": (
        CLASSIFY_CRITICAL_POINT,
        mixed_term_unsquared,
        adds_the_mixed_term,
    ),
    f"{SET}/classify_critical_point: D = 0 as saddle": (
        CLASSIFY_CRITICAL_POINT,
        saddle_at_zero,
        max_for_positive_curvature,
    ),
    f"{SET}/classify_critical_point: no D": (
        CLASSIFY_CRITICAL_POINT,
        sign_of_f_xx_only,
        adds_the_mixed_term,
    ),
    f"{SET}/gradient_descent: ascent": (GRADIENT_DESCENT, climbs, forgets_the_learning_rate),
    f"{SET}/gradient_descent: start missing": (
        GRADIENT_DESCENT,
        leaves_out_the_start,
        one_update_too_many,
    ),
    f"{SET}/gradient_descent: one step too many": (
        GRADIENT_DESCENT,
        one_update_too_many,
        leaves_out_the_start,
    ),
    f"{SET}/gradient_descent: one step too few": (
        GRADIENT_DESCENT,
        one_update_too_few,
        one_update_too_many,
    ),
    f"{SET}/gradient_descent: same array": (
        GRADIENT_DESCENT,
        appends_one_array,
        slope_of_the_start,
    ),
    f"{SET}/gradient_descent: gradient at x0": (
        GRADIENT_DESCENT,
        slope_of_the_start,
        appends_one_array,
    ),
    f"{SET}/gradient_descent: no learning rate": (
        GRADIENT_DESCENT,
        forgets_the_learning_rate,
        climbs,
    ),
}


def test_a_forward_difference_is_caught_even_with_the_small_default_step():
    """At h = 1e-5 its error, about h |g''(1)| / 2, is still some 80 times the tolerance."""
    only_small = Exercise("central_difference", ("f", "x", "h"), CENTRAL_DIFFERENCE.cases[1:2])
    assert "public case 1 of 1 fails" in report(only_small, forward_quotient)
    forward = forward_quotient(g, 1.0, 1e-5)
    slope = np.cos(1.0) - 3 * np.sin(1.0)
    assert abs(forward - slope) / abs(slope) > 50 * only_small.cases[0].rtol


def test_changing_the_input_in_place_is_named():
    for name, function, argument in [
        ("numerical_gradient", nudges_the_callers_x, "x"),
        ("gradient_descent", changes_x0, "x0"),
    ]:
        text = checked(name, function)
        assert f"the function changed its input {argument}" in text, text
        assert text.count("hint: ") == 1 and "instead of changing the one passed in" in text


def test_check_says_not_attempted_and_names_the_set_exercises():
    def grad_f(x, y):
        raise NotImplementedError("grad_f: your code here")

    assert checked("grad_f", grad_f) == "grad_f: not attempted yet"
    with pytest.raises(ValueError, match="Did you mean 'grad_f'"):
        check("gradf", grad_f)


# --- The functions the public cases pass ---------------------------------------------------


def test_a_formula_prints_as_its_text_and_copies_as_itself():
    cube = Formula("f(x) = x**3", lambda x: x**3)
    assert repr(cube) == "f(x) = x**3" and cube(2.0) == 8.0
    assert copy.deepcopy(cube) is cube  # so `check` does not take the copy for a change
    assert "f: f(x) = x**3" in checked("central_difference", forward_quotient)


def test_one_at_a_time_refuses_a_call_with_two_entries_moved():
    x = np.array([0.5, -1.0, 2.0])
    watched = OneAtATime(Formula("f(x) = sum(x)", np.sum), x, 1e-5)
    assert watched(x) == 1.5
    assert np.isclose(watched(x + np.array([0.0, 1e-5, 0.0])), 1.5 + 1e-5, rtol=0, atol=1e-12)
    assert watched(x + 1e-5 - 1e-5) == pytest.approx(1.5)  # a restore off by rounding is fine
    with pytest.raises(NudgeError, match="2 entries of x moved at once .entries 0, 1."):
        watched(x + np.array([1e-5, -1e-5, 0.0]))
    with pytest.raises(NudgeError, match="3 entries"):
        watched(x + 1e-5)


def test_a_gradient_that_moves_two_entries_fails_on_the_watched_case():
    """Alone, the case with OneAtATime stops a function at the call that moved two entries."""
    watched = Exercise("numerical_gradient", ("f", "x", "h"), NUMERICAL_GRADIENT.cases[2:3])
    text = flat(report(watched, never_puts_back))
    assert "it raised NudgeError: f was called with 2 entries of x moved at once" in text
    assert "in never_puts_back" in text
    # Putting x_i back by adding h is no second move, but rounding leaves the caller's x changed
    back = flat(report(watched, nudges_and_adds_back))
    assert "NudgeError" not in back and "the function changed its input x" in back


# --- The public cases' expected values --------------------------------------------------------


def test_the_central_difference_cases_are_the_quotients_they_say():
    cube, chapter, reciprocal, exponential = (case.expected for case in CENTRAL_DIFFERENCE.cases)
    assert cube == 12.25 and reciprocal == pytest.approx(-4 / 3, rel=1e-15)
    slope = np.cos(1.0) - 3 * np.sin(1.0)  # g'(1) = cos 1 - 3 sin 1 = -1.984111
    assert chapter == pytest.approx(slope, rel=1e-9) and round(slope, 6) == -1.984111
    assert exponential == pytest.approx(np.sinh(0.1) / 0.1, rel=1e-14)
    assert round(exponential, 6) == 1.001668


def test_the_numerical_gradient_cases_agree_with_finite_differences():
    for case in NUMERICAL_GRADIENT.cases:
        function, x, h = case.args
        x64 = np.array(x, dtype=np.float64)
        central = finite_differences(function.function, (x64,), (0,), eps=h)[0]
        assert np.allclose(case.expected, central, rtol=case.rtol, atol=case.atol), case.about
    softmax = NUMERICAL_GRADIENT.cases[2].expected
    assert np.allclose(softmax, [0.158445, 0.035354, 0.710100, 0.096102], rtol=0, atol=5e-7)
    assert np.allclose(NUMERICAL_GRADIENT.cases[4].expected, [0.27, 8.67], rtol=1e-6, atol=0)


def test_the_grad_f_cases_agree_with_the_formula():
    for case in GRAD_F.cases:
        expected = right_grad_f(*case.args)
        assert np.allclose(case.expected, expected, rtol=1e-8, atol=1e-9), case.about
    assert np.allclose(GRAD_F.cases[0].expected, (np.pi, 0.0), rtol=1e-8, atol=1e-9)
    assert np.allclose(GRAD_F.cases[1].expected, (-1.918217, 0.469396), rtol=0, atol=5e-7)
    assert np.allclose(GRAD_F.cases[2].expected, (-4.103601, 4.282949), rtol=0, atol=5e-7)


def test_the_grad_f_formula_is_the_derivative_sympy_finds():
    sp = pytest.importorskip("sympy")
    x, y = sp.symbols("x y")
    expression = x**2 * y + x * sp.sin(x * y)
    df_dx = 2 * x * y + sp.sin(x * y) + x * y * sp.cos(x * y)
    assert sp.simplify(sp.diff(expression, x) - df_dx) == 0
    assert sp.simplify(sp.diff(expression, y) - (x**2 + x**2 * sp.cos(x * y))) == 0
    assert f(1.5, -0.7) == pytest.approx(float(expression.subs({x: 1.5, y: -0.7})), rel=1e-14)


def test_the_classify_cases_follow_from_d():
    for case in CLASSIFY_CRITICAL_POINT.cases:
        f_xx, f_yy, f_xy = case.args
        d = f_xx * f_yy - f_xy**2
        if d > 0:
            assert case.expected == ("minimum" if f_xx > 0 else "maximum"), case.about
        else:
            assert case.expected == ("saddle" if d < 0 else "inconclusive"), case.about
    labels = [case.expected for case in CLASSIFY_CRITICAL_POINT.cases]
    assert {label: labels.count(label) for label in set(labels)} == {
        "minimum": 2,
        "maximum": 1,
        "saddle": 2,
        "inconclusive": 2,
    }


def test_the_gradient_descent_cases_are_the_closed_forms():
    # f(w) = (w - 3)²: w_k - 3 = (1 - 2η)^k (w_0 - 3); f = x0² + 10 x1²: factors 1 - 2η, 1 - 20η;
    # f = sum(x²): factor 1 - 2η
    factors = [np.array([0.5]), np.array([0.9, 0.0]), np.array([-2.0]), np.array([0.8, 0.8])]
    centers = [3.0, 0.0, 0.0, 0.0]
    for case, factor, center in zip(GRADIENT_DESCENT.cases, factors, centers, strict=True):
        _, x0, _, steps = case.args
        closed = [center + factor**k * (x0 - center) for k in range(steps + 1)]
        assert np.allclose(case.expected, closed, rtol=1e-15, atol=1e-15), case.about


# --- The hidden tests ------------------------------------------------------------------------


def solved_namespace():
    """The solution notebook's functions, the grader's three go-betweens among them."""
    return notebook_namespace(ROOT / "solutions" / f"{SET}.ipynb")


WRONG = [(exercise.name, earns) for exercise, earns, _ in HINT_PAIRS.values()]
WRONG += [
    ("numerical_gradient", nudges_the_callers_x),
    ("gradient_descent", changes_x0),
]


@pytest.mark.parametrize(
    ("name", "wrong"), WRONG, ids=[f"{name}-{wrong.__name__}" for name, wrong in WRONG]
)
def test_every_wrong_function_loses_points_in_the_hidden_tests(name, wrong):
    """Through the notebook's go-betweens too: they call the name the notebook binds."""
    tests = load_tests(HIDDEN)
    namespace = solved_namespace()
    namespace[name] = wrong  # what a student's cell defining it would do
    results = [r for r in run_tests(tests, namespace) if r.exercise == name]
    assert len(results) == 4
    lost = [r.name for r in results if not r.passed]
    assert lost, f"{wrong.__name__} passes every hidden test of {name}"


def test_the_go_betweens_pass_the_functions_they_say():
    namespace = solved_namespace()
    assert namespace["slope_of_g"](1.0, 0.5) == (g(1.5) - g(0.5)) / 1.0
    x = np.array([1.0, 1.0, 1.0])
    assert np.allclose(namespace["gradient_of_rosenbrock"](x), 0.0, atol=1e-6)  # the minimum
    A, center = np.array([[2.0, 0.0], [0.0, 4.0]]), np.array([1.0, -1.0])
    path = namespace["descend_bowl"](A, center, np.array([0.0, 0.0]), 0.25, 1)
    assert np.allclose(path, [[0.0, 0.0], [0.5, -1.0]])  # (0, 0) - 0.25 * (-2, 4)


def test_hidden_messages_name_no_hidden_label():
    tests = load_tests(HIDDEN)
    namespace = solved_namespace()
    namespace["classify_critical_point"] = sign_of_f_xx_only
    for result in run_tests(tests, namespace):
        if result.exercise == "classify_critical_point" and not result.passed:
            for word in ('"minimum"', '"maximum"', '"saddle"', '"inconclusive"', "3.0"):
                assert word not in result.message, result.message


def test_the_answer_modules_take_the_points_of_functions_that_use_them():
    tests = load_tests(HIDDEN)
    modules = tests[0].answer_modules
    cells = [
        "import numpy as np\nimport sympy as sp\nfrom byhand.gradcheck import numerical_gradient"
        " as ng\nfrom byhand.exercises.calculus import check",
        "def central_difference(f, x, h=1e-5):\n"
        "    return ng(lambda v: f(v[0]), np.array([x]), h)[0]",
        "def slope_of_g(x, h=1e-5):\n    return central_difference(np.cos, x, h)",
        "X, Y = sp.symbols('x y')\nDX = sp.lambdify((X, Y), sp.diff(X**2 * Y, X))",
        "def grad_f(x, y):\n    return DX(x, y), x**2",
        "def classify_critical_point(a, b, c):\n    check('grad_f', print)\n    return 'saddle'",
    ]
    uses = answer_uses(cells, modules, allowed=("byhand.exercises.calculus.check",))
    assert set(uses) == {"central_difference", "slope_of_g", "grad_f"}  # not the check
    assert uses["central_difference"] == ["byhand.gradcheck.numerical_gradient"]
    assert uses["grad_f"][0].startswith("sympy.")


def test_the_exercise_notebook_keeps_the_go_betweens_and_the_solutions_page_hides_them():
    exercise = nbformat.read(ROOT / "exercises" / f"{SET}.ipynb", as_version=4)
    solution = nbformat.read(ROOT / "solutions" / f"{SET}.ipynb", as_version=4)
    shown = [c for c in exercise.cells if "def descend_bowl(" in c.source]
    assert len(shown) == 1 and "remove-cell" not in shown[0].metadata.get("tags", [])
    hidden = [c for c in solution.cells if "def descend_bowl(" in c.source]
    assert len(hidden) == 1 and "remove-cell" in hidden[0].metadata["tags"]
