"""Unit tests for sigmoid: values, tails, limits, dtypes and the softmax identity."""

import math

import numpy as np
import pytest

import softmax_lib as sl

EPS64 = np.finfo(np.float64).eps


def ref(x):
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


@pytest.mark.parametrize("x", [0.0, 1.0, -1.0, 2.5, -2.5, 20.0, -20.0, 36.0, -36.0, 1e-8, -1e-8])
def test_values(x):
    assert float(sl.sigmoid(x)) == pytest.approx(ref(x), rel=2 * EPS64)


def test_exact_values():
    assert sl.sigmoid([0.0, 1000.0, -1000.0]).tolist() == [0.5, 1.0, 0.0]
    assert sl.sigmoid(np.float64(40.0)) == 1.0


def test_symmetry():
    x = np.linspace(-30, 30, 601)
    np.testing.assert_allclose(sl.sigmoid(x) + sl.sigmoid(-x), 1.0, rtol=2 * EPS64)


def test_subnormal_tail_kept():
    out = sl.sigmoid([-709.0, -730.0, -744.0, -745.5, -746.0])
    assert out[0] == pytest.approx(math.exp(-709.0), rel=4 * EPS64)
    assert 0 < out[2] < np.finfo(np.float64).smallest_normal
    assert out[3] <= 5e-324 and out[4] == 0.0  # e^-745.5 ~ 3e-324, e^-746 ~ 1e-324


def test_limits_and_nan():
    out = sl.sigmoid([math.inf, -math.inf, math.nan])
    assert out[0] == 1.0 and out[1] == 0.0 and np.isnan(out[2])


@pytest.mark.parametrize(
    "dtype, expected",
    [(np.float64, np.float64), (np.float32, np.float32), (np.float16, np.float16),
     (np.int16, np.float64), (np.uint32, np.float64), (np.bool_, np.float64)],
)
def test_dtype_policy(dtype, expected):
    x = np.array([[0, 1], [1, 0]], dtype=dtype)
    out = sl.sigmoid(x)
    assert out.dtype == expected and out.shape == (2, 2)
    np.testing.assert_allclose(out.astype(np.float64), [[0.5, ref(1.0)], [ref(1.0), 0.5]], rtol=1e-3)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_low_precision_correctly_rounded(dtype):
    x = np.linspace(-20, 20, 4001).astype(dtype)
    expected = np.array([ref(v) for v in x.astype(np.float64).tolist()]).astype(dtype)
    np.testing.assert_array_equal(sl.sigmoid(x), expected)


def test_float32_subnormal_tail():
    out = sl.sigmoid(np.array([-90.0, -100.0, -103.0, -104.5], dtype=np.float32))
    assert out.dtype == np.float32
    assert (out[:3] > 0).all() and out[2] < np.finfo(np.float32).smallest_normal


def test_shapes():
    assert sl.sigmoid(0.0).shape == ()
    assert sl.sigmoid(np.zeros((2, 0, 3))).shape == (2, 0, 3)
    assert sl.sigmoid(np.zeros((3, 4, 5))).shape == (3, 4, 5)


def test_is_two_class_softmax():
    x = np.linspace(-50, 50, 101)
    p = sl.softmax(np.stack([x, np.zeros_like(x)], axis=-1))[:, 0]
    np.testing.assert_allclose(sl.sigmoid(x), p, rtol=4 * EPS64, atol=0)


def test_input_not_modified():
    x = np.array([-1.0, 2.0])
    sl.sigmoid(x)
    assert x.tolist() == [-1.0, 2.0]


# --- further cases ---
inf, nan = np.inf, np.nan


def test_large_magnitudes_no_warning():
    np.testing.assert_array_equal(sl.sigmoid([1000.0, -1000.0, 1e308, -1e308]), [1.0, 0.0, 1.0, 0.0])
    np.testing.assert_array_equal(sl.sigmoid(np.array([200.0, -200.0], np.float32)), [1.0, 0.0])


def test_subnormal_tail():
    v = sl.sigmoid(-740.0)
    assert 0 < v < np.finfo(np.float64).tiny  # subnormal, not 0
    assert float(v) == math.exp(-740.0)  # e/(1+e) = e to the last bit
    assert sl.sigmoid(-746.0) == 0.0
    v32 = sl.sigmoid(np.float32(-100.0))
    assert v32.dtype == np.float32 and 0 < v32 < np.finfo(np.float32).tiny
    v16 = sl.sigmoid(np.float16(-15.0))
    assert v16.dtype == np.float16 and 0 < v16 < np.finfo(np.float16).tiny


def test_small_tail_relative_accuracy():
    # 1 - sigmoid(x) for large x would lose everything; sigmoid(-x) keeps it
    assert float(sl.sigmoid(-40.0)) == pytest.approx(math.exp(-40.0), rel=1e-15)


def test_float32_correctly_rounded_from_float64():
    x = np.linspace(-100, 100, 2001).astype(np.float32)
    np.testing.assert_array_equal(sl.sigmoid(x), sl.sigmoid(x.astype(np.float64)).astype(np.float32))


def test_matches_two_class_softmax():
    x = np.linspace(-50, 50, 101)
    p = sl.softmax(np.stack([x, np.zeros_like(x)], axis=-1))[:, 0]
    np.testing.assert_allclose(sl.sigmoid(x), p, rtol=4e-16, atol=0)
