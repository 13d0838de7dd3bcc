"""The Chapter 3 exercise set, "Activation functions" (exercises/03_activations): cases, check.

The notebook imports this set's own `check`: `from byhand.exercises.activations import check`.
The functions to write, with the course's shape letters (N examples, K classes); "any" is an
array of any shape, and a backward pass returns dz = dL/dz, of the shape of z, from the
upstream gradient da = dL/da of the activation's output a:

    sigmoid(z [any]) -> a                           1 / (1 + e^-z), with no overflow
    sigmoid_backward(z, da) -> dz                   da * σ(z) (1 − σ(z))
    relu(z [any]) -> a                              max(z, 0)
    relu_backward(z, da) -> dz                      da where z > 0, else 0 (0 at z = 0)
    leaky_relu(z [any], alpha) -> a                 z where z > 0, else alpha * z
    leaky_relu_backward(z, da, alpha) -> dz         da where z > 0, else alpha * da
    softmax(Z [N, K] or [K]) -> S, same shape       each row e^z / Σ e^z, row max subtracted
    softmax_jacobian(z [K]) -> J [K, K]             J_ij = s_i (δ_ij − s_j)
    softmax_backward(Z [N, K], dA [N, K]) -> dZ     S ⊙ (dA − Σ_k dA_k S_k), row by row

Conventions at the kinks, as in `byhand.activations` (and TensorFlow): relu'(0) = 0 and
leaky_relu'(0) = alpha. Every backward pass has a public case whose expected value is central
finite differences of L = Σ da ⊙ f(z) in float64 (z kept away from the kinks there), and the
kinks have cases worked by hand. The softmax Jacobian's cases are finite differences too.

`check` runs sigmoid, sigmoid_backward, softmax, softmax_jacobian and softmax_backward with
NumPy raising an error at the first overflow (np.errstate(over="raise")) instead of warning:
these must be stable, and a formula that overflows, even in a branch that np.where then
throws away, is reported with its line and what to do instead. (The grader's hidden tests
see only values: there a sigmoid must give σ(−712) ≈ 6.1e−310, where 1 / (1 + e^-z) gives 0.)
"""

from __future__ import annotations

import functools

import numpy as np

from byhand.exercises.cases import Case, Exercise, Mistake, finite_differences
from byhand.exercises.checking import check_exercise
from byhand.exercises.feedback import hint_lines

LN3 = float(np.log(3.0))


def reference_sigmoid(z):
    """σ(z) = 1 / (1 + e^-z), entry by entry, stably: with e = exp(−|z|) <= 1,

    σ = 1 / (1 + e) for z >= 0 and e / (1 + e) for z < 0, so exp never overflows.
    """
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def reference_softmax(Z):
    """Softmax over the last axis, stably: exp(Z − row max) / its row sum. [..., K] -> [..., K]."""
    Z = np.asarray(Z, dtype=float)
    e = np.exp(Z - Z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _relu(z):
    return np.maximum(z, 0)


def _shifted_exp(Z):
    """exp(Z − row max), each row's largest entry 1."""
    return np.exp(Z - Z.max(axis=-1, keepdims=True))


def _leaky(z, alpha):
    return np.where(z > 0, z, alpha * z)


def _backward_case(forward, z, da, extra=(), about="", name="f"):
    """A Case for a backward pass f_backward(z, da, *extra).

    Its expected dz is the gradient of L(z) = Σ da ⊙ f(z, *extra) with respect to z, by
    central finite differences in float64 (`finite_differences`).
    """

    def loss(z):
        return float(np.sum(da * forward(z, *extra)))

    (expected,) = finite_differences(loss, (z,), (0,))
    return Case(
        (z, da, *extra),
        expected,
        about,
        rtol=1e-6,
        atol=1e-8,
        source=f"the expected dz are central finite differences (float64) of sum(da * {name})",
    )


def _jacobian_case(z, about=""):
    """A Case for softmax_jacobian(z): row i is the finite-difference gradient of s_i(z)."""
    rows = [
        finite_differences(lambda z, i=i: float(reference_softmax(z)[i]), (z,), (0,))[0]
        for i in range(len(z))
    ]
    return Case(
        (z,),
        np.array(rows),
        about,
        rtol=1e-6,
        atol=1e-8,
        source="row i of the expected J is the central finite-difference gradient (float64) "
        "of softmax(z)_i",
    )


def _quietly(function):
    """`function` run with NumPy's floating-point warnings off (a mistake may divide by 0)."""

    @functools.wraps(function)
    def quiet(*args):
        with np.errstate(all="ignore"):
            return function(*args)

    return quiet


_rng = np.random.default_rng(3)  # the random cases; no |z| below 0.05 (the kinks are at 0)
_Z34 = _rng.normal(size=(3, 4)) * 2.0
_DA34 = _rng.normal(size=(3, 4))
_Z6 = np.array([-1.7, -0.3, -0.05, 0.4, 1.1, 2.6])
_DA6 = np.array([0.5, -1.0, 2.0, 1.5, -0.5, 1.0])
_Z43 = _rng.normal(size=(4, 3)) * 2.0
_DA43 = _rng.normal(size=(4, 3))

# --- sigmoid ------------------------------------------------------------------------------

SIGMOID = Exercise(
    "sigmoid",
    ("z",),
    (
        # σ(0) = 1/2; σ(2) = 1 / (1 + e^-2) = 1 / 1.135335 = 0.880797; σ(-2) = 1 - σ(2)
        Case(
            (np.array([-2.0, 0.0, 2.0]),),
            reference_sigmoid(np.array([-2.0, 0.0, 2.0])),
            "σ(0) = 0.5 and σ(−z) = 1 − σ(z)",
        ),
        # A [2, 3] array keeps its shape; σ(ln 3) = 1 / (1 + 1/3) = 0.75, σ(-ln 3) = 0.25
        Case(
            (np.array([[LN3, -LN3, 0.0], [0.0, LN3, -LN3]]),),
            np.array([[0.75, 0.25, 0.5], [0.5, 0.75, 0.25]]),
            "a [2, 3] array keeps its shape",
        ),
        # e^-1000 underflows to 0: σ(-1000) = 0 and σ(1000) = 1, exactly, without overflow
        Case((np.array([-1000.0, 1000.0]),), np.array([0.0, 1.0]), "z = ±1000, no overflow"),
        # σ(-40) = e^-40 / (1 + e^-40) = 4.248e-18: tiny, but not 0. Compared relatively
        # (atol = 0): 1 - σ(40) = 1 - 1 gives 0, the small value lost to cancellation.
        Case(
            (np.array([-40.0]),),
            reference_sigmoid(np.array([-40.0])),
            "far in the left tail, compared relatively: σ(−40) ≈ 4.25e−18 is not 0",
            atol=0.0,
        ),
    ),
    mistakes=(
        Mistake(
            "σ(−z)",
            "this is σ(−z) = 1 − σ(z): a sign slipped in the exponent, or the two branches "
            "are swapped. σ(z) = 1 / (1 + e^(−z)); with e = exp(−|z|) that is 1 / (1 + e) "
            "for z >= 0 and e / (1 + e) for z < 0",
            lambda z: reference_sigmoid(-z),
        ),
        Mistake(
            "1 − σ(−z)",
            "a small σ came out as 0: a difference of two numbers close to 1, such as "
            "1 − σ(−z) or (1 + tanh(z/2)) / 2, loses it. For z < 0 compute e / (1 + e) with "
            "e = exp(z), which keeps σ(−40) ≈ 4.25e−18",
            lambda z: np.where(z >= 0, reference_sigmoid(z), 1 - reference_sigmoid(-z)),
        ),
    ),
)


def _sigmoid_slope_at(z):
    a = reference_sigmoid(z)
    return a * (1 - a)


SIGMOID_BACKWARD = Exercise(
    "sigmoid_backward",
    ("z", "da"),
    (
        # σ(0) = 0.5, σ'(0) = 0.5 * 0.5 = 0.25: dz = (0.25 * 1, 0.25 * (-2)) = (0.25, -0.5)
        Case((np.zeros(2), np.array([1.0, -2.0])), np.array([0.25, -0.5]), "at z = 0"),
        # σ(ln 3) = 0.75: σ' = 0.75 * 0.25 = 0.1875, and the same at -ln 3 (σ' is even);
        # dz = (0.1875 * 2, 0.1875 * 4, 0.25 * (-1)) = (0.375, 0.75, -0.25)
        Case(
            (np.array([LN3, -LN3, 0.0]), np.array([2.0, 4.0, -1.0])),
            np.array([0.375, 0.75, -0.25]),
            "σ' is the same at ln 3 and −ln 3",
        ),
        _backward_case(reference_sigmoid, _Z34, _DA34, (), "a random [3, 4] array", "sigmoid(z)"),
        # σ(±1000) is 0 or 1, so σ' = 0 there: dz = (0, 0.25 * 4, 0)
        Case(
            (np.array([-1000.0, 0.0, 1000.0]), np.array([1.0, 4.0, 1.0])),
            np.array([0.0, 1.0, 0.0]),
            "z = ±1000: the slope is 0, no overflow",
        ),
    ),
    mistakes=(
        Mistake(
            "σ/(1−σ)",
            "this is da · σ/(1 − σ), a slip found in lecture notes: the derivative of σ is the "
            "product σ(z) · (1 − σ(z)), not a quotient",
            _quietly(lambda z, da: da * reference_sigmoid(z) / (1 - reference_sigmoid(z))),
        ),
        Mistake(
            "σ' at σ(z)",
            "σ(1 − σ) is taken at σ(z) instead of at z (σ applied twice): with a = σ(z), "
            "the slope is a · (1 − a)",
            lambda z, da: da * _sigmoid_slope_at(reference_sigmoid(z)),
        ),
        Mistake(
            "z(1 − z)",
            "this is da · z · (1 − z): the formula a · (1 − a) needs the sigmoid's output "
            "a = σ(z), not its input z",
            lambda z, da: da * z * (1 - z),
        ),
        Mistake(
            "no da",
            "this is σ'(z) alone: multiply by the upstream gradient, dz = da · σ(z)(1 − σ(z)), "
            "entry by entry",
            lambda z, da: _sigmoid_slope_at(z),
        ),
    ),
)

# --- ReLU and leaky ReLU ------------------------------------------------------------------

_KINK = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])

RELU = Exercise(
    "relu",
    ("z",),
    (
        # max(z, 0): negatives and 0 become 0, positives stay
        Case((_KINK,), np.array([0.0, 0.0, 0.0, 0.5, 3.0]), "negatives become 0"),
        Case(
            (np.array([[1.0, -1.0, 0.0], [-3.0, 2.0, 0.25]]),),
            np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 0.25]]),
            "a [2, 3] array keeps its shape",
        ),
    ),
    mistakes=(
        Mistake(
            "np.max(z, 0)",
            "np.max(z, 0) is the largest entry along axis 0, a reduction; the entry-by-entry "
            "max(z, 0) is np.maximum(z, 0)",
            lambda z: np.max(z, 0),
        ),
        Mistake(
            "the mask",
            "this is the 0/1 mask z > 0, which is ReLU's slope; ReLU itself keeps the "
            "positive inputs as they are: max(z, 0)",
            lambda z: (z > 0).astype(float),
        ),
    ),
)

RELU_BACKWARD = Exercise(
    "relu_backward",
    ("z", "da"),
    (
        # the slope is 1 where z > 0 and 0 where z <= 0, z = 0 included: dz = (0, 0, 0, 4, 5)
        Case(
            (_KINK, np.array([1.0, 2.0, 3.0, 4.0, 5.0])),
            np.array([0.0, 0.0, 0.0, 4.0, 5.0]),
            "z = 0 gets slope 0",
        ),
        _backward_case(_relu, _Z6, _DA6, (), "six values away from 0", "relu(z)"),
        _backward_case(_relu, _Z34, _DA34, (), "a random [3, 4] array", "relu(z)"),
    ),
    mistakes=(
        Mistake(
            "1 at 0",
            "at z = 0 the slope is 1 here; the course (as Keras and TensorFlow) takes 0 "
            "there: the gradient passes where z > 0 only, not where z >= 0",
            lambda z, da: da * (z >= 0),
        ),
        Mistake(
            "wrong side",
            "the gradient passes where z < 0; it passes where z > 0, where ReLU has slope 1, "
            "and is 0 where ReLU is flat",
            lambda z, da: da * (z < 0),
        ),
        Mistake(
            "no da",
            "this is ReLU's slope alone: multiply it by the upstream gradient, "
            "dz = da where z > 0, else 0",
            lambda z, da: (z > 0).astype(float),
        ),
        Mistake(
            "da · relu(z)",
            "this multiplies da by ReLU's value max(z, 0); the backward pass needs its slope, "
            "1 where z > 0 and 0 elsewhere",
            lambda z, da: da * np.maximum(z, 0),
        ),
    ),
)

LEAKY_RELU = Exercise(
    "leaky_relu",
    ("z", "alpha"),
    (
        # alpha = 0.1: -2 -> -0.2, -0.5 -> -0.05, 0 -> 0, positives stay
        Case((_KINK, 0.1), np.array([-0.2, -0.05, 0.0, 0.5, 3.0]), "alpha = 0.1"),
        # alpha = 0.01 (the course's default): -100 -> -1, -3 -> -0.03
        Case(
            (np.array([[-100.0, 1.0], [0.5, -3.0]]), 0.01),
            np.array([[-1.0, 1.0], [0.5, -0.03]]),
            "a [2, 2] array, alpha = 0.01",
        ),
    ),
    mistakes=(
        Mistake(
            "α on the positive side",
            "α scales the positive inputs here: leaky ReLU keeps z > 0 as it is and gives the "
            "others the small slope α, so z becomes α·z where z <= 0",
            lambda z, alpha: np.where(z > 0, alpha * z, z),
        ),
        Mistake(
            "plain ReLU",
            "the negative inputs came back as 0, as ReLU does: leaky ReLU lets them through "
            "with the slope α, as α·z",
            lambda z, alpha: np.maximum(z, 0),
        ),
    ),
)

LEAKY_RELU_BACKWARD = Exercise(
    "leaky_relu_backward",
    ("z", "da", "alpha"),
    (
        # alpha = 0.1: slopes (0.1, 0.1, 1) at z = (-2, 0, 3): dz = (0.1, 0.2, 3)
        Case(
            (np.array([-2.0, 0.0, 3.0]), np.array([1.0, 2.0, 3.0]), 0.1),
            np.array([0.1, 0.2, 3.0]),
            "z = 0 gets slope α",
        ),
        _backward_case(
            _leaky, _Z6, _DA6, (0.2,), "six values away from 0, alpha = 0.2", "leaky_relu(z)"
        ),
        _backward_case(
            _leaky, _Z34, _DA34, (0.01,), "a random [3, 4] array, alpha = 0.01", "leaky_relu(z)"
        ),
    ),
    mistakes=(
        Mistake(
            "1 at 0",
            "at z = 0 the slope is 1 here; the course (as TensorFlow) takes α there: "
            "slope 1 where z > 0, α where z <= 0",
            lambda z, da, alpha: da * np.where(z >= 0, 1.0, alpha),
        ),
        Mistake(
            "slopes swapped",
            "the two slopes are swapped: 1 belongs to z > 0 and α to z <= 0",
            lambda z, da, alpha: da * np.where(z > 0, alpha, 1.0),
        ),
        Mistake(
            "no da",
            "this is the slope alone: multiply it by the upstream gradient, "
            "dz = da where z > 0, else α · da",
            lambda z, da, alpha: np.where(z > 0, 1.0, alpha),
        ),
        Mistake(
            "α·z as the slope",
            "where z <= 0 the slope of α·z is α, not α·z: the derivative, not the value",
            lambda z, da, alpha: da * np.where(z > 0, 1.0, alpha * z),
        ),
    ),
)

# --- softmax ------------------------------------------------------------------------------

_WORKED = np.array([3.2, 1.3, 0.2, 0.8])
# The rows are logarithms, shifted: softmax(ln p + c) = p / Σ p for any constant c.
_SQUARE = np.log(np.array([[1.0, 2.0, 5.0], [1.0, 1.0, 1.0], [3.0, 1.0, 1.0]])) + [[0], [0], [7]]

SOFTMAX = Exercise(
    "softmax",
    ("Z",),
    (
        # The chapter's worked example, one vector: e^3.2 = 24.5325, e^1.3 = 3.6693,
        # e^0.2 = 1.2214, e^0.8 = 2.2255, sum 31.6488: (0.7751, 0.1159, 0.0386, 0.0703)
        Case((_WORKED,), reference_softmax(_WORKED), "the worked example, one vector [K]"),
        # Rows (ln 1, ln 2, ln 5) -> (1, 2, 5) / 8; (0, 0, 0) -> 1/3 each;
        # (ln 3 + 7, 7, 7) -> (3, 1, 1) / 5, the shift by 7 changing nothing
        Case(
            (_SQUARE,),
            np.array([[0.125, 0.25, 0.625], [1 / 3, 1 / 3, 1 / 3], [0.6, 0.2, 0.2]]),
            "a batch [3, 3]: each row sums to 1",
        ),
        # (1000, 1000 + ln 3) -> (1, 3) / 4; (-1000, -1000) -> (1/2, 1/2);
        # (-1000, 1000) -> (e^-2000, 1) / (1 + e^-2000) = (0, 1) in float64
        Case(
            (np.array([[1000.0, 1000.0 + LN3], [-1000.0, -1000.0], [-1000.0, 1000.0]]),),
            np.array([[0.25, 0.75], [0.5, 0.5], [0.0, 1.0]]),
            "large logits, rows on different scales: no overflow, no NaN",
        ),
    ),
    mistakes=(
        Mistake(
            "axis 0",
            "the columns sum to 1 here: softmax normalizes each row, the K classes of one "
            "example, so sum over the last axis (axis=-1, keepdims=True)",
            _quietly(lambda Z: np.exp(Z) / np.exp(Z).sum(axis=0, keepdims=True)),
        ),
        Mistake(
            "sum over all",
            "the whole batch sums to 1 here: normalize each row on its own, "
            "sum(axis=-1, keepdims=True)",
            _quietly(lambda Z: np.exp(Z) / np.exp(Z).sum()),
        ),
        Mistake(
            "sum without keepdims",
            "the row sums came as an array of shape [N], which broadcasting lines up with "
            "the columns: entry (n, k) was divided by the sum of row k. Keep the axis: "
            "sum(axis=-1, keepdims=True) has shape [N, 1]",
            lambda Z: _shifted_exp(Z) / _shifted_exp(Z).sum(axis=-1),
        ),
        Mistake(
            "max without keepdims",
            "the row maxima came as an array of shape [N], which broadcasting lines up with "
            "the columns: each column got another row's maximum subtracted. Keep the axis: "
            "max(axis=-1, keepdims=True) has shape [N, 1]",
            lambda Z: reference_softmax(Z - Z.max(axis=-1)),
        ),
    ),
)

SOFTMAX_JACOBIAN = Exercise(
    "softmax_jacobian",
    ("z",),
    (
        # s = (1, 3) / 4 = (0.25, 0.75): s_1 (1 - s_1) = 0.1875 = s_1 s_2 off the diagonal
        Case(
            (np.array([0.0, LN3]),),
            np.array([[0.1875, -0.1875], [-0.1875, 0.1875]]),
            "two classes, s = (0.25, 0.75)",
        ),
        # s = 1/3 each: diagonal 1/3 * 2/3 = 2/9, off the diagonal -1/3 * 1/3 = -1/9
        Case(
            (np.zeros(3),),
            np.full((3, 3), -1 / 9) + np.eye(3) / 3,
            "three equal logits, s = 1/3 each",
        ),
        _jacobian_case(_WORKED, "the worked example"),
    ),
    mistakes=(
        Mistake(
            "diagonal only",
            "only the diagonal s_i (1 − s_i) is filled in; every logit moves every "
            "probability, so off the diagonal ∂s_i/∂z_j = −s_i s_j",
            lambda z: np.diag(reference_softmax(z) * (1 - reference_softmax(z))),
        ),
        Mistake(
            "s(1 − s) as a vector",
            "s (1 − s) is only the diagonal of the Jacobian; J is a [K, K] matrix, "
            "J = diag(s) − s sᵀ, with −s_i s_j off the diagonal",
            lambda z: reference_softmax(z) * (1 - reference_softmax(z)),
        ),
        Mistake(
            "s @ s",
            "s @ s is one number, the sum of the s_k²; the outer product s sᵀ, a [K, K] "
            "matrix, is np.outer(s, s)",
            lambda z: np.diag(reference_softmax(z)) - reference_softmax(z) @ reference_softmax(z),
        ),
    ),
)


def _softmax_backward(Z, dA, sum_axis=-1):
    """S ⊙ (dA − Σ dA ⊙ S), the sum taken over `sum_axis` (-1 right, others mistakes)."""
    S = reference_softmax(Z)
    return S * (dA - np.sum(dA * S, axis=sum_axis, keepdims=sum_axis is not None))


SOFTMAX_BACKWARD = Exercise(
    "softmax_backward",
    ("Z", "dA"),
    (
        # Row 1: S = (0.5, 0.5), Σ dA S = 0.5, dZ = 0.5 * (1 - 0.5, 0 - 0.5) = (0.25, -0.25);
        # row 2: S = (0.25, 0.75), Σ dA S = 0.75, dZ = (0.25 * -0.75, 0.75 * 0.25)
        Case(
            (np.array([[0.0, 0.0], [0.0, LN3]]), np.array([[1.0, 0.0], [0.0, 1.0]])),
            np.array([[0.25, -0.25], [-0.1875, 0.1875]]),
            "two examples, two classes",
        ),
        # S = (0.25, 0.75), Σ dA S = 0.75: dZ = (0.25 * -0.75, 0.75 * 0.25) = (-0.1875, 0.1875);
        # a dA equal in every class changes nothing: Σ dA S = 2, dZ = S * (2 - 2) = 0
        Case(
            (np.array([[1000.0, 1000.0 + LN3], [0.0, 5.0]]), np.array([[0.0, 1.0], [2.0, 2.0]])),
            np.array([[-0.1875, 0.1875], [0.0, 0.0]]),
            "large logits; an upstream gradient equal in every class gives 0",
        ),
        _backward_case(reference_softmax, _Z43, _DA43, (), "a random batch [4, 3]", "softmax(Z)"),
    ),
    mistakes=(
        Mistake(
            "no subtraction",
            "this is S ⊙ dA: the subtraction is missing. Each z_j moves every s_i, which "
            "adds −s_j Σ_i dA_i s_i: dZ = S ⊙ (dA − Σ_k dA_k S_k), the sum row by row",
            lambda Z, dA: reference_softmax(Z) * dA,
        ),
        Mistake(
            "S(1 − S)",
            "this is dA ⊙ S ⊙ (1 − S), the sigmoid's rule, which keeps only the diagonal of "
            "softmax's Jacobian; the off-diagonal −s_i s_j give dZ = S ⊙ (dA − Σ_k dA_k S_k)",
            lambda Z, dA: dA * reference_softmax(Z) * (1 - reference_softmax(Z)),
        ),
        Mistake(
            "sum over the batch",
            "Σ_k dA_k S_k is one number per example: sum over the classes of each row "
            "(axis=-1, keepdims=True), not over the whole batch",
            lambda Z, dA: _softmax_backward(Z, dA, sum_axis=None),
        ),
        Mistake(
            "sum over axis 0",
            "the sum runs down the columns, over the examples: Σ_k dA_k S_k sums over the "
            "classes of each row (axis=-1, keepdims=True)",
            lambda Z, dA: _softmax_backward(Z, dA, sum_axis=0),
        ),
    ),
)

EXERCISES = (
    SIGMOID,
    SIGMOID_BACKWARD,
    RELU,
    RELU_BACKWARD,
    LEAKY_RELU,
    LEAKY_RELU_BACKWARD,
    SOFTMAX,
    SOFTMAX_JACOBIAN,
    SOFTMAX_BACKWARD,
)

# The exercises that must never overflow, and what to do when they do.
_EXP_OF_MINUS_ABS = (
    "exp of a large number overflowed (check makes NumPy stop there; elsewhere it only "
    "warns). Take exp only of numbers <= 0: with e = exp(−|z|), σ(z) is 1 / (1 + e) for "
    "z >= 0 and e / (1 + e) for z < 0. np.where computes both of its branches, so neither "
    "may hold exp(−z) or exp(z)"
)
_SHIFT_BY_THE_ROW_MAX = (
    "exp of a large number overflowed (check makes NumPy stop there; elsewhere the result "
    "holds NaN). Subtract each row's maximum first, Z − Z.max(axis=-1, keepdims=True): "
    "softmax is unchanged, and the largest exponent is 0"
)
OVERFLOW_ADVICE = {
    "sigmoid": _EXP_OF_MINUS_ABS,
    "sigmoid_backward": _EXP_OF_MINUS_ABS,
    "softmax": _SHIFT_BY_THE_ROW_MAX,
    "softmax_jacobian": _SHIFT_BY_THE_ROW_MAX,
    "softmax_backward": _SHIFT_BY_THE_ROW_MAX,
}


def check(name, function):
    """Run the public cases of this set's exercise `name` on `function`; print the outcome.

    `check("softmax", softmax)` prints "softmax: all 3 public cases pass", or the first case
    that fails, with a hint. It returns None. The functions that must be stable (those in
    OVERFLOW_ADVICE) run with NumPy raising FloatingPointError at an overflow instead of
    warning; when one does, the failing case is followed by the advice. See
    `byhand.exercises.checking`.
    """
    advice = OVERFLOW_ADVICE.get(name)
    if advice is None or not callable(function):
        check_exercise(EXERCISES, name, function)
        return
    overflowed = []

    @functools.wraps(function)
    def stops_at_overflow(*args):
        with np.errstate(over="raise"):
            try:
                return function(*args)
            except FloatingPointError:
                overflowed.append(True)
                raise

    check_exercise(EXERCISES, name, stops_at_overflow)
    if overflowed:  # the report ended at the case that overflowed: add what to do
        print("\n".join("  " + line for line in hint_lines(advice)))
