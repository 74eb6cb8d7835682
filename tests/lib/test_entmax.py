"""Tests for entmax15, 1.5-entmax by the exact sort-based algorithm (Peters, Niculae & Martins
2019).

Reference (here, not in oracles.py): the threshold found by bisection on
``sum((u - tau)_+^2) = 1`` with ``u = (x - max x) / 2``, without sorting, sums taken with
``math.fsum``; it is accurate to about an ulp of 1. Accuracy claim, measured on the seeded
cases below: every entry within 4 ulps (absolute, of 1) of the reference, rows summing to 1
within 4 ulps (float64) and 4 ulps of float32 (float32), exact zeros outside the support.
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.exceptions import AxisError

import softmax_lib as sl
from softmax_lib.entmax import entmax15

INF, NAN = math.inf, math.nan
EPS64 = float(np.finfo(np.float64).eps)
EPS32 = float(np.finfo(np.float32).eps)


def entmax15_bisection(row):
    """(p, tau, u): 1.5-entmax of one row by bisection on tau in [-1, 0] (float64)."""
    u = np.asarray(row, dtype=np.float64)
    u = (u - u.max()) / 2
    lo, hi = -1.0, 0.0
    while True:
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if math.fsum(np.maximum(u - mid, 0) ** 2) > 1:
            lo = mid
        else:
            hi = mid
    return np.maximum(u - mid, 0) ** 2, mid, u


def random_rows(count=150, seed=0):
    rng = np.random.default_rng(seed)
    for i in range(count):
        n = int(rng.integers(1, 80))
        scale = float(rng.choice([1e-6, 1e-3, 0.1, 1.0, 10.0, 1e3]))
        offset = float(rng.choice([0.0, 5.0, -100.0]))
        row = rng.normal(offset, scale, n)
        if i % 3 == 0:  # ties
            row = offset + np.round((row - offset) * 2 / scale) * scale / 2
        yield row


finite_rows = hnp.arrays(
    np.float64, st.integers(1, 12), elements=st.floats(-50, 50, allow_nan=False)
)


# ---------------------------------------------------------------- known values


def test_two_classes_closed_form():
    # x = (t, 0): both in the support for |t| < 2, with p_2 = b^2, b = (sqrt(8 - t^2) - t)/4
    for t in np.linspace(-3, 3, 121):
        p = entmax15([t, 0.0])
        if abs(t) >= 2:
            expect = [1.0, 0.0] if t > 0 else [0.0, 1.0]
        else:
            b = (math.sqrt(8 - t * t) - t) / 4
            expect = [1 - b * b, b * b]
        np.testing.assert_allclose(p, expect, rtol=0, atol=4 * EPS64)
    assert entmax15([2.0, 0.0]).tolist() == [1.0, 0.0]  # the boundary, exactly


def test_uniform_and_single():
    assert entmax15([5.0]).tolist() == [1.0]
    np.testing.assert_allclose(entmax15(np.zeros(7)), np.full(7, 1 / 7), rtol=2 * EPS64)
    np.testing.assert_allclose(entmax15([3.0, 3.0, -9.0]), [0.5, 0.5, 0.0], atol=EPS64)


@pytest.mark.parametrize("seed", [0, 1])
def test_matches_bisection_reference(seed):
    for row in random_rows(seed=seed):
        expect, tau, u = entmax15_bisection(row)
        p = entmax15(row)
        np.testing.assert_allclose(p, expect, rtol=0, atol=4 * EPS64)
        assert abs(math.fsum(p) - 1) <= 4 * EPS64
        # exact zeros below the threshold (away from it by more than rounding)
        assert (p[u < tau - 1e-12] == 0).all()


def test_float32_matches_bisection_reference():
    for row in random_rows(count=60, seed=2):
        x = row.astype(np.float32)
        p = entmax15(x)
        assert p.dtype == np.float32
        expect, _, _ = entmax15_bisection(x.astype(np.float64))
        np.testing.assert_allclose(p, expect, rtol=0, atol=4 * EPS32)
        assert abs(math.fsum(p.astype(np.float64)) - 1) <= 4 * EPS32


def test_large_supports_sum_to_one():
    rng = np.random.default_rng(3)
    for n, scale in [(2000, 1e-3), (5000, 1e-6), (5000, 1e-2)]:
        P = entmax15(rng.normal(0, scale, (4, n)))
        assert (P > 0).sum(axis=1).max() > n // 10  # a large support
        assert np.abs(P.sum(axis=1) - 1).max() <= 4 * EPS64


def test_huge_and_tiny_scales():
    assert entmax15([1e308, -1e308, 0.0]).tolist() == [1.0, 0.0, 0.0]
    np.testing.assert_allclose(entmax15([1e308, 1e308]), [0.5, 0.5], rtol=2 * EPS64)
    assert entmax15([-1e308] * 4).tolist() == [0.25] * 4
    np.testing.assert_allclose(entmax15([1e-300, 0.0, -1e-300]), [1 / 3] * 3, rtol=4 * EPS64)
    np.testing.assert_allclose(entmax15([1e6 + 1.0, 1e6]), entmax15([1.0, 0.0]), atol=1e-9)
    assert entmax15(np.array([3e38, -3e38], np.float32)).tolist() == [1.0, 0.0]


# ---------------------------------------------------------------- properties


@given(finite_rows)
def test_on_simplex_and_order_preserving(x):
    p = entmax15(x)
    assert (p >= 0).all() and (p <= 1).all()
    assert abs(math.fsum(p) - 1) <= 4 * EPS64
    i = np.argsort(x, kind="stable")
    assert (np.diff(p[i]) >= 0).all()  # larger score, weakly larger probability
    for a, b in zip(x, p, strict=True):  # equal scores, equal probabilities
        assert (p[x == a] == b).all()


@given(finite_rows, st.floats(-1e3, 1e3))
def test_shift_invariance(x, c):
    np.testing.assert_allclose(entmax15(x + c), entmax15(x), atol=1e-10)


@given(finite_rows)
def test_between_softmax_and_sparsemax_in_sparsity(x):
    p = entmax15(x)
    # sparsemax's support is contained in entmax15's; softmax has no zeros at these scales
    assert ((p > 0) >= (sl.sparsemax(x) > 0)).all()
    assert (p > 0).sum() >= (sl.sparsemax(x) > 0).sum()
    assert (sl.softmax(x / 100) > 0).all()


def tsallis15(p):
    return (4 / 3) * np.sum(p - p**1.5)  # H_alpha = sum(p - p^alpha) / (alpha (alpha - 1))


@given(finite_rows, st.data())
def test_maximises_score_plus_tsallis_entropy(x, data):
    p = entmax15(x)
    w = data.draw(hnp.arrays(np.float64, x.shape, elements=st.floats(0, 1)))
    q = w / w.sum() if w.sum() > 0 else np.full(x.shape, 1 / x.size)
    assert p @ x + tsallis15(p) >= q @ x + tsallis15(q) - 1e-9


def test_jacobian_by_finite_differences():
    # d entmax15 / dx = diag(s) - s s^T / sum(s) with s = sqrt(p) (Peters et al. 2019):
    # continuous in x, unlike sparsemax's, since s -> 0 as an entry leaves the support
    rng = np.random.default_rng(6)
    h = 1e-6
    for _ in range(20):
        x = rng.normal(0, 2, int(rng.integers(2, 10)))
        s = np.sqrt(entmax15(x))
        jac = np.diag(s) - np.outer(s, s) / s.sum()
        fd = np.column_stack(
            [(entmax15(x + h * e) - entmax15(x - h * e)) / (2 * h) for e in np.eye(x.size)]
        )
        np.testing.assert_allclose(fd, jac, atol=1e-7)


def test_exact_zeros_where_sparse():
    x = [1.0, 0.8, 0.1, -1.0]
    p = entmax15(x)
    assert p[3] == 0.0 and (p[:3] > 0).all()  # not tiny: exactly 0
    assert (sl.softmax(x) > 0).all()  # softmax has no zero
    assert (sl.sparsemax(x) == 0).sum() == 2  # sparsemax has one more
    assert entmax15([10.0, 0.0, -1.0]).tolist() == [1.0, 0.0, 0.0]


# ---------------------------------------------------------------- dtypes, shapes, axes


@pytest.mark.parametrize(
    "dtype, out, tol",
    [
        (np.float64, np.float64, 4 * EPS64),
        (np.float32, np.float32, 4 * EPS32),
        (np.float16, np.float16, 1e-3),
        (np.longdouble, np.longdouble, 4 * EPS64),
        (np.int64, np.float64, 4 * EPS64),
        (np.bool_, np.float64, 4 * EPS64),
    ],
)
def test_dtypes(dtype, out, tol):
    x = np.array([[1, 0, 0], [0, 1, 1]], dtype=np.float64).astype(dtype)
    p = entmax15(x)
    assert p.dtype == np.dtype(out)
    for row, r in zip(p, [[1, 0, 0], [0, 1, 1]], strict=True):
        np.testing.assert_allclose(row.astype(float), entmax15_bisection(r)[0], atol=tol)


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2, -3])
def test_axis(axis):
    x = np.random.default_rng(5).normal(size=(3, 4, 5))
    p = entmax15(x, axis=axis)
    expect = np.moveaxis(
        np.apply_along_axis(lambda r: entmax15_bisection(r)[0], -1, np.moveaxis(x, axis, -1)),
        -1,
        axis,
    )
    np.testing.assert_allclose(p, expect, atol=4 * EPS64)


def test_empty():
    assert entmax15(np.zeros((3, 0))).shape == (3, 0)
    assert entmax15(np.zeros((0, 4))).shape == (0, 4)
    assert entmax15(np.zeros(0, np.float32)).dtype == np.float32


def test_nan_and_infinities():
    p = entmax15([[1.0, NAN, 0.0], [0.5, 0.0, 0.0]])
    assert np.isnan(p[0]).all()
    np.testing.assert_array_equal(p[1], entmax15([0.5, 0.0, 0.0]))
    assert entmax15([0.0, INF, 5.0]).tolist() == [0.0, 1.0, 0.0]
    assert np.isnan(entmax15([INF, INF, 0.0])).all()
    assert np.isnan(entmax15([-INF, -INF])).all()
    np.testing.assert_allclose(entmax15([-INF, 0.0, 0.5]), [0.0, *entmax15([0.0, 0.5])])
    assert entmax15([-INF, 0.0, 0.5])[0] == 0.0


def test_no_warnings_and_input_untouched():
    x = np.array([[1e308, -1e308, NAN], [INF, -INF, 0.0]])
    copy = x.copy()
    entmax15(x)  # filterwarnings = error: any numpy warning fails
    np.testing.assert_array_equal(x, copy)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "bad, what",
    [
        (None, "got None"),
        ("abc", "got dtype <U3"),
        ([1.0, None], "got dtype object"),
        (np.array([object()]), "got dtype object"),
        ([[1.0, 2.0], [3.0]], "inhomogeneous"),
    ],
)
def test_non_real_x(bad, what):
    with pytest.raises(TypeError, match=rf"^entmax15: x must be an array of real numbers.*{what}"):
        entmax15(bad)


def test_complex_x():
    with pytest.raises(TypeError, match=r"^entmax15: x is complex \(complex128\)"):
        entmax15([1j, 2.0])


@pytest.mark.parametrize("axis", [2, -3])
def test_axis_out_of_range(axis):
    with pytest.raises(AxisError, match=rf"^entmax15: axis {axis} is out of bounds"):
        entmax15(np.zeros((2, 3)), axis=axis)
    with pytest.raises(AxisError, match=r"^entmax15: axis -1 is out of bounds .* dimension 0"):
        entmax15(3.0)


@pytest.mark.parametrize("axis", [1.0, None, True, "0"])
def test_axis_not_int(axis):
    with pytest.raises(TypeError, match=r"^entmax15: axis must be an int"):
        entmax15(np.zeros((2, 3)), axis=axis)
