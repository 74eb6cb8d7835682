"""Unit tests for logsumexp: values, shapes, keepdims, axes, dtypes and conventions."""

import math

import numpy as np
import pytest

import softmax_lib as sl

from .oracles import along_axis, logsumexp_row

INF, NAN = math.inf, math.nan
EPS64 = np.finfo(np.float64).eps


@pytest.mark.parametrize(
    "row", [[1.0, 2.0, 3.0], [0.0], [1000.0, 1000.0], [-1000.0, -1001.0], [5.0, -5.0, 0.25]]
)
def test_values(row):
    assert sl.logsumexp(row) == pytest.approx(logsumexp_row(row), rel=2 * EPS64)


def test_exact_small_cases():
    assert float(sl.logsumexp([0.0, 0.0])) == math.log(2.0)
    assert float(sl.logsumexp([7.5])) == 7.5
    assert float(sl.logsumexp([1000.0, 1000.0])) == 1000.0 + math.log(2.0)
    assert float(sl.logsumexp([0.0, -1000.0])) == 0.0


def test_dominant_entry_keeps_the_tail():
    # log(1 + e^-40) rounds to 0; log1p of the rest keeps e^-40 ~ 4.25e-18
    assert float(sl.logsumexp([0.0, -40.0])) == pytest.approx(math.exp(-40.0), rel=2 * EPS64)
    assert float(sl.logsumexp([0.0, -745.0])) == 5e-324  # exp(-745) rounds to the least subnormal
    # far below half an ulp of 5: the sum rounds to the maximum
    assert float(sl.logsumexp([5.0, -35.0])) == 5.0


@pytest.mark.parametrize(
    "dtype, expected",
    [(np.float64, np.float64), (np.float32, np.float32), (np.float16, np.float16),
     (np.int32, np.float64), (np.uint8, np.float64), (np.bool_, np.float64)],
)  # fmt: skip
def test_dtype_policy(dtype, expected):
    x = np.array([[1, 0, 1], [0, 1, 1]], dtype=dtype)
    out = sl.logsumexp(x)
    assert out.dtype == expected and out.shape == (2,)
    np.testing.assert_allclose(out.astype(np.float64), logsumexp_row([1.0, 0.0, 1.0]), rtol=1e-3)


def test_float16_computed_in_float32():
    # exp in float16 of x - max loses the tail; the result equals float32's rounded once
    x = np.random.default_rng(0).normal(0, 4, (20, 30)).astype(np.float16)
    assert np.array_equal(sl.logsumexp(x), sl.logsumexp(x.astype(np.float32)).astype(np.float16))
    # exp(20) overflows float16; computing in float32 does not
    out = sl.logsumexp(np.array([20.0, 20.0], dtype=np.float16))
    assert out.dtype == np.float16 and out == np.float16(20.0 + math.log(2))


def test_shapes():
    out = sl.logsumexp([1.0, 2.0])
    assert isinstance(out, np.ndarray) and out.shape == ()
    assert sl.logsumexp([1.0, 2.0], keepdims=True).shape == (1,)
    x = np.zeros((2, 3, 4))
    assert sl.logsumexp(x).shape == (2, 3)
    assert sl.logsumexp(x, axis=0).shape == (3, 4)
    assert sl.logsumexp(x, axis=-2, keepdims=True).shape == (2, 1, 4)


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2, -3])
@pytest.mark.parametrize("keepdims", [False, True])
def test_axes_and_keepdims_3d(axis, keepdims):
    x = np.random.default_rng(1).normal(0, 3, (3, 4, 5))
    out = sl.logsumexp(x, axis=axis, keepdims=keepdims)
    expected = along_axis(logsumexp_row, x, axis)
    if keepdims:
        expected = np.expand_dims(expected, axis)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=4 * EPS64)
    if keepdims:  # the same numbers as without keepdims
        np.testing.assert_array_equal(np.squeeze(out, axis), sl.logsumexp(x, axis=axis))


def test_axis0_on_2d():
    x = np.random.default_rng(2).normal(0, 3, (6, 4))
    np.testing.assert_allclose(
        sl.logsumexp(x, axis=0), along_axis(logsumexp_row, x, 0), rtol=4 * EPS64
    )


@pytest.mark.parametrize("axis", [0, -1])
def test_keepdims_broadcasts_back(axis):
    x = np.random.default_rng(3).normal(0, 3, (4, 6))
    lse = sl.logsumexp(x, axis=axis, keepdims=True)
    assert lse.shape == ((1, 6) if axis == 0 else (4, 1))
    np.testing.assert_allclose(np.exp(x - lse).sum(axis=axis), 1.0, rtol=1e-14)
    # x - lse loses the tail of the dominant entries' log-probability; compare absolutely
    np.testing.assert_allclose(x - lse, sl.log_softmax(x, axis=axis), rtol=1e-14, atol=1e-15)


def test_smooth_maximum_bounds():
    x = np.random.default_rng(4).normal(0, 10, (100, 7))
    lse, m = sl.logsumexp(x), x.max(axis=1)
    # max <= LSE <= max + log n, up to the one rounding of the result
    assert (lse >= m).all()
    assert (lse <= m + math.log(7) + EPS64 * (np.abs(m) + math.log(7))).all()


def test_input_is_not_modified():
    x = np.array([[1.0, 2.0], [NAN, -INF]])
    before = x.copy()
    sl.logsumexp(x)
    sl.logsumexp(x, axis=0, keepdims=True)
    np.testing.assert_array_equal(x, before)


# ---------------------------------------------------------------- conventions


@pytest.mark.parametrize("keepdims", [False, True])
def test_empty_axis_is_minus_inf(keepdims):
    assert sl.logsumexp(np.zeros(0)).tolist() == -INF
    out = sl.logsumexp(np.zeros((3, 0), dtype=np.float32), keepdims=keepdims)
    assert out.dtype == np.float32 and out.shape == ((3, 1) if keepdims else (3,))
    assert (out == -INF).all()
    assert sl.logsumexp(np.zeros((0, 2)), axis=0).tolist() == [-INF, -INF]


def test_empty_batch():
    assert sl.logsumexp(np.zeros((0, 3))).shape == (0,)


def test_non_finite_rows():
    rows = {
        (NAN, 1.0): NAN,
        (NAN, INF): NAN,
        (NAN, -INF): NAN,
        (-INF, NAN): NAN,
        (INF, 1.0): INF,
        (INF, INF): INF,
        (INF, -INF): INF,
        (-INF, -INF): -INF,
        (-INF, 2.0): 2.0,
        (-INF, 0.0): 0.0,
        (1.0, 1.0): 1.0 + math.log(2.0),
    }
    x = np.array(list(rows))
    out = sl.logsumexp(x)
    np.testing.assert_array_equal(out, list(rows.values()))
    np.testing.assert_array_equal(sl.logsumexp(x.T, axis=0), out)
    assert float(sl.logsumexp([-INF])) == -INF


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_no_overflow_at_the_top_of_the_range(dtype):
    big = np.finfo(dtype).max
    assert sl.logsumexp(np.array([big, -big, 0.0], dtype=dtype)) == big
    # big + log(2) rounds back to big (log 2 is far below half an ulp of big)
    assert sl.logsumexp(np.array([big, big], dtype=dtype)) == big
    below = dtype(big / 2)
    assert sl.logsumexp(np.array([below, below], dtype=dtype)) == below
