"""Tests for sparsemax, the Euclidean projection onto the probability simplex.

References (``oracles.py``): an exact one in rational arithmetic (``fractions.Fraction``, the
sorted closed form of Martins & Astudillo 2016), and an independent one that finds the
threshold by bisection on ``sum(max(z - tau, 0)) = 1`` without sorting. Accuracy claim,
measured on the seeded cases below: rows sum to 1 within 4 ulps for supports of up to a few
thousand entries, and every entry is within 4 ulps (absolute, of 1) of the exact projection.
(Bad input is in test_errors.py, with the other functions of one array argument.)
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import softmax_lib as sl

from .oracles import sparsemax_bisection, sparsemax_exact

INF, NAN = math.inf, math.nan
EPS64 = np.finfo(np.float64).eps


def random_rows(count=300, seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        n = int(rng.integers(1, 60))
        scale = float(rng.choice([1e-3, 0.1, 1.0, 10.0]))
        offset = float(rng.choice([0.0, 5.0, -100.0]))
        yield rng.normal(offset, scale, n)


finite_rows = hnp.arrays(
    np.float64,
    st.integers(1, 12),
    elements=st.floats(-50, 50, allow_nan=False, allow_infinity=False),
)


# ---------------------------------------------------------------- known values


def test_two_classes_closed_form():
    # z = (t, 0): ((1 + t)/2, (1 - t)/2) for |t| <= 1, one-hot beyond (the paper's Fig. 1)
    for t in np.linspace(-2, 2, 81):
        p = sl.sparsemax([t, 0.0])
        expect = [1.0, 0.0] if t >= 1 else [0.0, 1.0] if t <= -1 else [(1 + t) / 2, (1 - t) / 2]
        np.testing.assert_allclose(p, expect, rtol=0, atol=2 * EPS64)


def test_hand_computed_values():
    # sorted (1, 0.8, 0.1, -1): k = 2 since 1 + 3(0.1) = 1.3 < 1.9; tau = (1.8 - 1)/2 = 0.4
    np.testing.assert_allclose(
        sl.sparsemax([1.0, 0.8, 0.1, -1.0]), [0.6, 0.4, 0, 0], atol=2 * EPS64
    )
    # all three in the support: tau = (0.5 + 0.25 + 0 - 1)/3
    np.testing.assert_allclose(
        sl.sparsemax([0.5, 0.25, 0.0]), [7 / 12, 4 / 12, 1 / 12], atol=2 * EPS64
    )
    assert sl.sparsemax([0.0, 0.0, 0.0, 0.0]).tolist() == [0.25] * 4
    assert sl.sparsemax([5.0]).tolist() == [1.0]
    assert sl.sparsemax([3.0, 1.0, -7.0]).tolist() == [1.0, 0.0, 0.0]
    assert sl.sparsemax([1.0, 0.0]).tolist() == [1.0, 0.0]  # the boundary t = 1 exactly


@pytest.mark.parametrize("seed", [0, 1])
def test_matches_exact_rational_reference(seed):
    for row in random_rows(seed=seed):
        expect, k = sparsemax_exact(row.tolist())
        p = sl.sparsemax(row)
        np.testing.assert_allclose(p, expect, rtol=0, atol=4 * EPS64)
        # exact zeros exactly outside the support
        assert (p > 0).sum() == k == sum(v > 0 for v in expect)


def test_matches_bisection_reference():
    for row in random_rows(seed=2):
        np.testing.assert_allclose(sl.sparsemax(row), sparsemax_bisection(row), rtol=0, atol=1e-14)


# ---------------------------------------------------------------- simplex, projection


@given(finite_rows)
def test_output_on_simplex(z):
    p = sl.sparsemax(z)
    assert (p >= 0).all() and (p <= 1).all()
    assert abs(math.fsum(p) - 1) <= 4 * EPS64
    # order kept (weakly: ties at 0 are allowed)
    i, j = np.argsort(z)[0], np.argsort(z)[-1]
    assert p[j] >= p[i]


def test_sum_within_few_ulps_for_large_supports():
    rng = np.random.default_rng(3)
    for n, scale in [(1000, 1e-3), (1000, 1e-2), (10000, 1e-3), (10000, 1e-6), (20, 0.1)]:
        P = sl.sparsemax(rng.normal(0, scale, (20, n)))
        assert (P > 0).sum(axis=1).max() > n // 10  # a large support: the hard case
        assert np.abs(P.sum(axis=1) - 1).max() <= 4 * EPS64


@given(finite_rows, st.data())
def test_is_the_euclidean_projection(z, data):
    p = sl.sparsemax(z)
    w = data.draw(hnp.arrays(np.float64, z.shape, elements=st.floats(0, 1)))
    q = w / w.sum() if w.sum() > 0 else np.full(z.shape, 1 / z.size)
    assert np.linalg.norm(p - z) <= np.linalg.norm(q - z) + 1e-12
    # and the optimality condition: p - z = -tau on the support, and z <= tau off it
    support = p > 0
    tau = (z - p)[support]
    np.testing.assert_allclose(tau, tau[0], atol=1e-12)
    assert (z[~support] <= tau[0] + 1e-12).all()


@given(finite_rows, st.floats(-1e3, 1e3))
def test_shift_invariance(z, c):
    np.testing.assert_allclose(sl.sparsemax(z + c), sl.sparsemax(z), atol=1e-11)


def test_exact_zeros_and_one_hot():
    p = sl.sparsemax([2.0, 1.5, 0.2, -3.0])
    assert p[2] == 0.0 and p[3] == 0.0  # not tiny: exactly zero
    assert sl.sparsemax([10.0, 0.0, -1.0]).tolist() == [1.0, 0.0, 0.0]
    # softmax never gives an exact zero for these scores, sparsemax does
    assert (sl.softmax([2.0, 1.5, 0.2, -3.0]) > 0).all()


# ---------------------------------------------------------------- dtypes, shapes, axes


@pytest.mark.parametrize(
    "dtype, out, ulps",
    [
        (np.float64, np.float64, 4),
        (np.float32, np.float32, 4),
        (np.float16, np.float16, 2),
        (np.longdouble, np.longdouble, 4),
        (np.int64, np.float64, 4),
        (np.bool_, np.float64, 4),
    ],
)
def test_dtypes(dtype, out, ulps):
    x = np.array([[1, 0, 0], [0, 1, 1]], dtype=np.float64).astype(dtype)
    p = sl.sparsemax(x)
    assert p.dtype == np.dtype(out)
    expect = [[1, 0, 0], [0, 0.5, 0.5]]
    np.testing.assert_allclose(p.astype(np.float64), expect, atol=ulps * float(np.finfo(out).eps))


def test_float32_matches_float64():
    rng = np.random.default_rng(4)
    z = rng.normal(size=(50, 30)).astype(np.float32)
    p32 = sl.sparsemax(z)
    assert p32.dtype == np.float32
    np.testing.assert_allclose(p32, sl.sparsemax(z.astype(np.float64)), atol=1e-6)
    assert np.abs(p32.sum(axis=1, dtype=np.float64) - 1).max() <= 4 * np.finfo(np.float32).eps


def test_lists_and_scalars_as_rows():
    assert sl.sparsemax([1, 2, 3]).tolist() == sl.sparsemax([1.0, 2.0, 3.0]).tolist()


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2, -3])
def test_axis_matches_moving_the_axis(axis):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(3, 4, 5))
    p = sl.sparsemax(x, axis=axis)
    assert p.shape == x.shape
    moved = np.moveaxis(x, axis, -1)
    expect = np.moveaxis(
        np.apply_along_axis(lambda r: sparsemax_exact(r.tolist())[0], -1, moved), -1, axis
    )
    np.testing.assert_allclose(p, expect, atol=4 * EPS64)
    np.testing.assert_allclose(p.sum(axis=axis), 1.0, atol=4 * EPS64)


def test_empty_axis_and_empty_batch():
    assert sl.sparsemax(np.zeros((3, 0))).shape == (3, 0)
    assert sl.sparsemax(np.zeros((0, 4))).shape == (0, 4)
    assert sl.sparsemax(np.zeros((0,), np.float32)).dtype == np.float32


# ---------------------------------------------------------------- non-finite input


def test_nan_row_is_nan_others_untouched():
    p = sl.sparsemax([[1.0, NAN, 0.0], [0.5, 0.0, 0.0]])
    assert np.isnan(p[0]).all()
    np.testing.assert_array_equal(p[1], sl.sparsemax([0.5, 0.0, 0.0]))


def test_infinities():
    assert sl.sparsemax([0.0, INF, 5.0]).tolist() == [0.0, 1.0, 0.0]  # one +inf: one-hot
    assert sl.sparsemax([INF, -INF]).tolist() == [1.0, 0.0]
    assert np.isnan(sl.sparsemax([INF, INF, 0.0])).all()  # path-dependent limit
    assert np.isnan(sl.sparsemax([-INF, -INF])).all()
    assert sl.sparsemax([-INF, 0.0, 0.5]).tolist() == [0.0, 0.25, 0.75]
    out = sl.sparsemax([[INF, 0.0], [INF, INF], [0.0, 0.0]], axis=-1)
    assert (
        out[0].tolist() == [1.0, 0.0] and np.isnan(out[1]).all() and out[2].tolist() == [0.5, 0.5]
    )


def test_huge_finite_values_do_not_overflow():
    assert sl.sparsemax([1e308, -1e308, 0.0]).tolist() == [1.0, 0.0, 0.0]
    assert sl.sparsemax([1e308, 1e308]).tolist() == [0.5, 0.5]
    assert sl.sparsemax([-1e308, -1e308, -1e308, -1e308]).tolist() == [0.25] * 4
    np.testing.assert_allclose(sl.sparsemax([1e6 + 0.5, 1e6]), [0.75, 0.25], atol=1e-10)
