"""Unit tests for softmax_jacobian: exact values, the formula diag(p) - p p^T and its structure,
temperature, dtypes and limits. (Non-1-D input is in test_errors.py.)"""

import math

import numpy as np
import pytest

import softmax_lib as sl


def test_exact_small():
    assert sl.softmax_jacobian([0.0, 0.0]).tolist() == [[0.25, -0.25], [-0.25, 0.25]]
    assert sl.softmax_jacobian([3.0]).tolist() == [[0.0]]


def test_formula_and_structure():
    x = np.array([1.0, -2.0, 0.5, 3.0])
    p = sl.softmax(x)
    jac = sl.softmax_jacobian(x)
    assert jac.shape == (4, 4)
    np.testing.assert_allclose(jac, np.diag(p) - np.outer(p, p), rtol=1e-15, atol=1e-17)
    np.testing.assert_array_equal(jac, jac.T)
    np.testing.assert_allclose(jac.sum(axis=1), 0.0, atol=1e-16)
    eig = np.linalg.eigvalsh(jac)
    assert eig.min() > -1e-15 and np.sum(eig > 1e-12) == 3


@pytest.mark.parametrize("t", [0.25, 1.0, 4.0])
def test_temperature(t):
    x = np.array([1.0, -2.0, 0.5])
    p = sl.softmax(x / t)
    np.testing.assert_allclose(
        sl.softmax_jacobian(x, temperature=t), (np.diag(p) - np.outer(p, p)) / t, rtol=1e-14
    )


@pytest.mark.parametrize(
    "dtype, expected",
    [
        (np.float64, np.float64),
        (np.float32, np.float32),
        (np.float16, np.float16),
        (np.int64, np.float64),
        (np.bool_, np.float64),
    ],
)
def test_dtype_policy(dtype, expected):
    jac = sl.softmax_jacobian(np.array([1, 0], dtype=dtype))
    assert jac.dtype == expected
    p = 1 / (1 + math.exp(-1))
    np.testing.assert_allclose(
        jac.astype(np.float64),
        [[p * (1 - p), -p * (1 - p)], [-p * (1 - p), p * (1 - p)]],
        rtol=1e-3,
    )


def test_limits():
    jac = sl.softmax_jacobian([math.inf, 0.0])
    assert jac.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert np.isnan(sl.softmax_jacobian([math.nan, 0.0])).all()
    assert sl.softmax_jacobian([1000.0, 0.0]).tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_empty():
    assert sl.softmax_jacobian(np.zeros(0)).shape == (0, 0)


def _jacobian_mp(row, t=1.0):
    """The Jacobian in 60-digit arithmetic, with no cancellation on the diagonal:
    p_i (1 - p_i) = e_i (s - e_i) / s^2, the sum s - e_i formed from the other terms."""
    import mpmath

    with mpmath.workdps(60):
        e = [mpmath.exp(mpmath.mpf(v) / t) for v in row]
        s = mpmath.fsum(e)
        n = len(row)
        jac = [[-e[i] * e[j] / s**2 for j in range(n)] for i in range(n)]
        for i in range(n):
            jac[i][i] = e[i] * mpmath.fsum(e[:i] + e[i + 1 :]) / s**2
        return [[float(v / t) for v in r] for r in jac]


@pytest.mark.parametrize(
    ("gap", "t"),
    [(g, 1.0) for g in (0.5, 5.0, 20.0, 30.0, 36.0, 50.0, 300.0, 700.0)]
    + [(g, 0.3) for g in (5.0, 20.0, 36.0, 100.0, 200.0)],
)
def test_every_entry_accurate_when_one_class_dominates(gap, t):
    """The dominant diagonal entry p_k (1 - p_k) cancels if 1 - p_k is formed: at a gap of 36
    that loses 4% and at 50 everything. Every entry is as accurate as the probabilities allow:
    a few ulps, plus the rounding of x / T amplified by |x / T| (the exponential's condition
    number)."""
    row = [gap, 0.0, -1.0, 0.0]
    got = sl.softmax_jacobian(row, temperature=t)
    want = np.array(_jacobian_mp(row, t))
    nonzero = want != 0
    assert nonzero.sum() >= 4  # the diagonal at least: p_i (1 - p_i) > 0
    rel = np.abs(got[nonzero] - want[nonzero]) / np.abs(want[nonzero])
    eps = np.finfo(np.float64).eps
    assert rel.max() <= (8 + 2 * gap / t) * eps, (gap, t, rel.max())
    assert np.all(got[~nonzero] == 0)
