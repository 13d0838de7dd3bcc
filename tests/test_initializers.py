"""Tests for byhand.initializers: Keras's formulas checked statistically on large shapes."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from byhand import initializers
from byhand.initializers import (
    TRUNCATED_NORMAL_STDDEV,
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Ones,
    RandomNormal,
    RandomUniform,
    VarianceScaling,
    Zeros,
    compute_fans,
)

SHAPE = (400, 600)  # fan_in = 400, fan_out = 600: 240,000 samples
N = SHAPE[0] * SHAPE[1]

# name, limit of the uniform = sqrt(3 * variance)
UNIFORM = [
    (GlorotUniform, math.sqrt(6 / (400 + 600))),  # 0.0775
    (HeUniform, math.sqrt(6 / 400)),  # 0.1225
    (LecunUniform, math.sqrt(3 / 400)),  # 0.0866
]
# name, target standard deviation of the kept samples = sqrt(variance)
NORMAL = [
    (GlorotNormal, math.sqrt(2 / (400 + 600))),  # 0.0447
    (HeNormal, math.sqrt(2 / 400)),  # 0.0707
    (LecunNormal, math.sqrt(1 / 400)),  # 0.05
]


def test_truncation_constant_is_the_stddev_of_a_normal_cut_at_two():
    # Var of N(0, 1) cut to [-2, 2] = 1 - 2 * 2 * phi(2) / (Phi(2) - Phi(-2))
    phi = math.exp(-2) / math.sqrt(2 * math.pi)
    mass = math.erf(2 / math.sqrt(2))
    assert math.sqrt(1 - 4 * phi / mass) == pytest.approx(TRUNCATED_NORMAL_STDDEV, abs=1e-12)


@pytest.mark.parametrize("cls, limit", UNIFORM)
def test_uniform_variance_scaling_matches_keras_formula(cls, limit):
    w = cls()(SHAPE, np.random.default_rng(0))
    assert w.shape == SHAPE and w.dtype == np.float32
    assert w.min() >= -limit and w.max() <= limit
    assert w.max() > 0.999 * limit and w.min() < -0.999 * limit  # the whole range is used
    assert w.std() == pytest.approx(limit / math.sqrt(3), rel=0.01)
    assert abs(w.mean()) < 5 * (limit / math.sqrt(3)) / math.sqrt(N)  # 5 standard errors


@pytest.mark.parametrize("cls, std", NORMAL)
def test_truncated_normal_variance_scaling_matches_keras_formula(cls, std):
    w = cls()(SHAPE, np.random.default_rng(1)).astype(np.float64)
    stddev = std / TRUNCATED_NORMAL_STDDEV  # the stddev before truncation
    assert np.abs(w).max() <= 2 * stddev * (1 + 1e-6)  # cut at two standard deviations
    assert np.abs(w).max() > 1.99 * stddev
    assert w.std() == pytest.approx(std, rel=0.01)  # the kept samples have variance s
    assert abs(w.mean()) < 5 * std / math.sqrt(N)


def test_random_normal_and_uniform_defaults():
    rng = np.random.default_rng(2)
    w = RandomNormal()(SHAPE, rng)
    assert w.std() == pytest.approx(0.05, rel=0.01) and abs(w.mean()) < 5 * 0.05 / math.sqrt(N)
    assert np.abs(w).max() > 4 * 0.05  # not truncated
    w = RandomUniform()(SHAPE, rng)
    assert (
        w.min() >= -0.05 and w.max() <= 0.05 and w.std() == pytest.approx(0.1 / 12**0.5, rel=0.01)
    )
    w = RandomNormal(mean=3.0, stddev=0.5)((1000, 100), rng)
    assert w.mean() == pytest.approx(3.0, abs=5 * 0.5 / 100**2 * 10) and w.std() == pytest.approx(
        0.5, rel=0.02
    )


def test_zeros_and_ones_are_exact():
    np.testing.assert_array_equal(Zeros()((3, 2), np.random.default_rng(0)), np.zeros((3, 2)))
    np.testing.assert_array_equal(Ones()(4), np.ones(4))
    assert Zeros()((2, 2), dtype=np.float64).dtype == np.float64


@pytest.mark.parametrize("name", sorted(initializers.INITIALIZERS))
def test_same_seed_same_weights_and_no_global_state(name):
    init = initializers.get(name)
    np.random.seed(0)  # noqa: NPY002 (the legacy global state, which must not matter)
    a = init((30, 20), np.random.default_rng(42))
    np.random.seed(1)  # noqa: NPY002
    b = init((30, 20), np.random.default_rng(42))
    np.testing.assert_array_equal(a, b)
    assert a.dtype == np.float32 and init(
        (30, 20), np.random.default_rng(42), np.float64
    ).dtype == (np.float64)
    if name not in ("zeros", "ones"):
        assert not np.array_equal(a, init((30, 20), np.random.default_rng(43)))


def test_compute_fans_follows_keras():
    assert compute_fans((4, 3)) == (4, 3)  # a Dense kernel [D, M]
    assert compute_fans((5,)) == (5, 5)
    assert compute_fans(()) == (1, 1)
    assert compute_fans((3, 3, 8, 16)) == (72, 144)  # a conv kernel: 3 * 3 * 8, 3 * 3 * 16


def test_variance_scaling_modes():
    rng = np.random.default_rng(3)
    w = VarianceScaling(scale=2.0, mode="fan_out", distribution="uniform")((100, 800), rng)
    assert w.max() <= math.sqrt(6 / 800) and w.max() > 0.99 * math.sqrt(6 / 800)
    assert VarianceScaling(mode="fan_avg").variance((100, 300)) == pytest.approx(1 / 200)


@given(st.lists(st.integers(1, 5), min_size=0, max_size=3))
def test_any_small_shape_works(shape):
    for init in (GlorotUniform(), HeNormal(), Zeros()):
        w = init(tuple(shape), np.random.default_rng(0))
        assert w.shape == tuple(shape) and np.isfinite(w).all()


def test_get_and_errors():
    assert isinstance(initializers.get("Glorot_Uniform"), GlorotUniform)
    he = HeNormal()
    assert initializers.get(he) is he
    assert len(initializers.INITIALIZERS) == 10
    with pytest.raises(
        ValueError,
        match=r"Unknown initializer 'xavier'; valid names are: zeros, ones, random_normal, "
        r"random_uniform, glorot_uniform, glorot_normal, he_uniform, he_normal, lecun_uniform, "
        r"lecun_normal",
    ):
        initializers.get("xavier")
    with pytest.raises(TypeError, match=r"numpy.random.Generator .* got int"):
        GlorotUniform()((2, 2), 0)
    with pytest.raises(TypeError, match="got NoneType"):
        HeNormal()((2, 2))
    with pytest.raises(ValueError, match="non-negative ints"):
        Zeros()((2, -1))
    with pytest.raises(ValueError, match="unknown mode"):
        VarianceScaling(mode="fan_max")
    assert repr(GlorotUniform()) == "GlorotUniform()" and "mode='fan_in'" in repr(VarianceScaling())


@pytest.mark.parametrize(
    "make, message",
    [
        (
            lambda: RandomNormal(stddev=-1),
            "RandomNormal: stddev must be a number >= 0, got -1",
        ),
        (lambda: RandomNormal(mean=None), "RandomNormal: mean must be a finite number, got None"),
        (
            lambda: RandomUniform(1, -1),
            "RandomUniform: need minval <= maxval, got minval=1, maxval=-1",
        ),
        (lambda: RandomUniform("0", 1), "RandomUniform: minval must be a finite number, got '0'"),
        (lambda: VarianceScaling(scale=-1), "VarianceScaling: scale must be a number > 0, got -1"),
        (lambda: VarianceScaling(scale=0), "VarianceScaling: scale must be a number > 0, got 0"),
        (lambda: compute_fans(5), r"compute_fans: shape must be a tuple .* got 5"),
        (lambda: compute_fans((2, "3")), r"compute_fans: shape must be a tuple .* got \(2, '3'\)"),
        (lambda: Zeros()(2.5), "Zeros: shape must be non-negative ints, got 2.5"),
        (lambda: Ones()((True, 2)), r"Ones: shape must be non-negative ints, got \(True, 2\)"),
    ],
)
def test_bad_arguments_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("name", sorted(initializers.INITIALIZERS))
@pytest.mark.parametrize("dtype", [int, np.int32, bool, np.complex128])
def test_a_float_dtype_is_required(name, dtype):
    # int weights would be all zeros (or truncated) without a word
    with pytest.raises(ValueError, match="dtype must be a float type such as 'float32', got"):
        initializers.get(name)((3, 2), np.random.default_rng(0), dtype=dtype)


def test_numpy_scalars_are_numbers():
    w = RandomUniform(np.float32(-0.5), np.float64(0.5))((100,), np.random.default_rng(0))
    assert -0.5 <= w.min() and w.max() < 0.5
    assert RandomNormal(np.float32(0), np.float32(0))((3,), np.random.default_rng(0)).sum() == 0
    assert VarianceScaling(scale=np.float32(2)).variance((8, 1)) == 0.25
    assert compute_fans((np.int64(4), 3)) == (4, 3)
