"""Unit tests for sigmoid: values, tails, limits, dtypes and the softmax identity."""

import math

import numpy as np
import pytest

import softmax_lib as sl

from .oracles import sigmoid

EPS64 = np.finfo(np.float64).eps


@pytest.mark.parametrize(
    "x", [0.0, 1.0, -1.0, 2.5, -2.5, 20.0, -20.0, 36.0, -36.0, -40.0, 1e-8, -1e-8]
)
def test_values(x):
    # for x < 0 the result is relative-accurate: 1 - sigmoid(-x) would lose it
    assert float(sl.sigmoid(x)) == pytest.approx(sigmoid(x), rel=2 * EPS64)


def test_exact_values_and_no_overflow():
    assert sl.sigmoid([0.0, 1000.0, -1000.0, 1e308, -1e308]).tolist() == [0.5, 1, 0, 1, 0]
    assert sl.sigmoid(np.float64(40.0)) == 1.0
    assert sl.sigmoid(np.array([200.0, -200.0], np.float32)).tolist() == [1.0, 0.0]


def test_symmetry():
    x = np.linspace(-30, 30, 601)
    np.testing.assert_allclose(sl.sigmoid(x) + sl.sigmoid(-x), 1.0, rtol=2 * EPS64)


def test_subnormal_tail_kept():
    out = sl.sigmoid([-709.0, -730.0, -740.0, -744.0, -745.5, -746.0])
    assert out[0] == pytest.approx(math.exp(-709.0), rel=4 * EPS64)
    assert float(out[2]) == math.exp(-740.0)  # e / (1 + e) = e to the last bit
    assert 0 < out[3] < np.finfo(np.float64).smallest_normal
    assert out[4] <= 5e-324 and out[5] == 0.0  # e^-745.5 ~ 3e-324, e^-746 ~ 1e-324


@pytest.mark.parametrize("dtype, x", [(np.float32, [-90.0, -100.0, -103.0]), (np.float16, [-15.0])])
def test_low_precision_subnormal_tail(dtype, x):
    out = sl.sigmoid(np.array(x, dtype=dtype))
    assert out.dtype == dtype
    assert (out > 0).all() and out[-1] < np.finfo(dtype).smallest_normal


def test_limits_and_nan():
    out = sl.sigmoid([math.inf, -math.inf, math.nan])
    assert out[0] == 1.0 and out[1] == 0.0 and np.isnan(out[2])


@pytest.mark.parametrize(
    "dtype, expected",
    [(np.float64, np.float64), (np.float32, np.float32), (np.float16, np.float16),
     (np.int16, np.float64), (np.uint32, np.float64), (np.bool_, np.float64)],
)  # fmt: skip
def test_dtype_policy(dtype, expected):
    x = np.array([[0, 1], [1, 0]], dtype=dtype)
    out = sl.sigmoid(x)
    assert out.dtype == expected and out.shape == (2, 2)
    s1 = sigmoid(1.0)
    np.testing.assert_allclose(out.astype(np.float64), [[0.5, s1], [s1, 0.5]], rtol=1e-3)


@pytest.mark.parametrize("dtype, lim", [(np.float32, 100.0), (np.float16, 20.0)])
def test_low_precision_correctly_rounded(dtype, lim):
    x = np.linspace(-lim, lim, 4001).astype(dtype)
    expected = np.array([sigmoid(v) for v in x.astype(np.float64).tolist()]).astype(dtype)
    np.testing.assert_array_equal(sl.sigmoid(x), expected)


def test_shapes():
    assert sl.sigmoid(0.0).shape == ()
    assert sl.sigmoid(np.zeros((2, 0, 3))).shape == (2, 0, 3)
    assert sl.sigmoid(np.zeros((3, 4, 5))).shape == (3, 4, 5)


def test_is_two_class_softmax():
    x = np.linspace(-50, 50, 101)
    p = sl.softmax(np.stack([x, np.zeros_like(x)], axis=-1))[:, 0]
    np.testing.assert_allclose(sl.sigmoid(x), p, rtol=4e-16, atol=0)


def test_input_not_modified():
    x = np.array([-1.0, 2.0])
    sl.sigmoid(x)
    assert x.tolist() == [-1.0, 2.0]
