"""Unit tests for logsumexp: values, shapes, keepdims, axes, dtypes and conventions."""

import math

import numpy as np
import pytest

import softmax_lib as sl

INF, NAN = math.inf, math.nan
EPS64 = np.finfo(np.float64).eps


def ref_lse(row):
    m = max(row)
    return m + math.log1p(math.fsum([math.exp(v - m) for v in row] + [-1.0]))


@pytest.mark.parametrize("row", [[1.0, 2.0, 3.0], [0.0], [1000.0, 1000.0], [-1000.0, -1001.0], [5.0, -5.0, 0.25]])
def test_values(row):
    assert sl.logsumexp(row) == pytest.approx(ref_lse(row), rel=2 * EPS64)


def test_exact_small_cases():
    assert float(sl.logsumexp([0.0, 0.0])) == math.log(2.0)
    assert float(sl.logsumexp([7.5])) == 7.5
    assert float(sl.logsumexp([1000.0, 1000.0])) == 1000.0 + math.log(2.0)
    assert float(sl.logsumexp([0.0, -1000.0])) == 0.0


def test_dominant_entry_uses_log1p():
    assert float(sl.logsumexp([0.0, -40.0])) == pytest.approx(math.exp(-40.0), rel=2 * EPS64)
    assert float(sl.logsumexp([0.0, -745.0])) == 5e-324  # exp(-745) rounds to the smallest subnormal


def test_returns_0d_array_for_1d_input():
    out = sl.logsumexp([1.0, 2.0])
    assert isinstance(out, np.ndarray) and out.shape == ()


@pytest.mark.parametrize(
    "dtype, expected",
    [(np.float64, np.float64), (np.float32, np.float32), (np.float16, np.float16),
     (np.int32, np.float64), (np.uint8, np.float64), (np.bool_, np.float64)],
)
def test_dtype_policy(dtype, expected):
    x = np.array([[1, 0, 1], [0, 1, 1]], dtype=dtype)
    out = sl.logsumexp(x)
    assert out.dtype == expected and out.shape == (2,)
    np.testing.assert_allclose(out.astype(np.float64), ref_lse([1.0, 0.0, 1.0]), rtol=1e-3)


def test_float16_computed_in_float32():
    # 12 + log(2) would overflow nothing, but exp in float16 of 0 - 12 loses the tail; compare
    # against float32 rounded once
    x = np.random.default_rng(0).normal(0, 4, (20, 30)).astype(np.float16)
    assert np.array_equal(sl.logsumexp(x), sl.logsumexp(x.astype(np.float32)).astype(np.float16))


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2, -3])
@pytest.mark.parametrize("keepdims", [False, True])
def test_axes_and_keepdims_3d(axis, keepdims):
    x = np.random.default_rng(1).normal(0, 3, (3, 4, 5))
    out = sl.logsumexp(x, axis=axis, keepdims=keepdims)
    moved = np.moveaxis(x, axis, -1)
    expected = np.array([ref_lse(r) for r in moved.reshape(-1, moved.shape[-1]).tolist()]).reshape(moved.shape[:-1])
    if keepdims:
        expected = np.expand_dims(expected, axis)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=4 * EPS64)


def test_axis0_on_2d():
    x = np.random.default_rng(2).normal(0, 3, (6, 4))
    np.testing.assert_allclose(sl.logsumexp(x, axis=0), [ref_lse(c) for c in x.T.tolist()], rtol=4 * EPS64)


def test_keepdims_broadcasts_back():
    x = np.random.default_rng(3).normal(0, 3, (4, 6))
    lse = sl.logsumexp(x, axis=0, keepdims=True)
    assert lse.shape == (1, 6)
    np.testing.assert_allclose(np.exp(x - lse).sum(axis=0), 1.0, rtol=1e-14)
    # x - lse loses the tail of the dominant entries' log-probability; compare absolutely
    np.testing.assert_allclose(x - lse, sl.log_softmax(x, axis=0), rtol=1e-14, atol=1e-15)


def test_smooth_maximum_bounds():
    x = np.random.default_rng(4).normal(0, 10, (100, 7))
    lse = sl.logsumexp(x)
    assert (lse >= x.max(axis=1)).all() and (lse <= x.max(axis=1) + math.log(7) + 1e-12).all()


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
    x = np.array([[NAN, 1.0], [INF, 1.0], [INF, INF], [INF, -INF], [-INF, -INF], [-INF, 2.0], [1.0, 1.0]])
    out = sl.logsumexp(x)
    assert np.isnan(out[0])
    assert out[1:4].tolist() == [INF, INF, INF]
    assert out[4] == -INF and out[5] == 2.0
    assert out[6] == 1.0 + math.log(2.0)
    np.testing.assert_array_equal(sl.logsumexp(x.T, axis=0), out)


def test_nan_beside_inf_is_nan():
    assert np.isnan(sl.logsumexp([NAN, INF]))
    assert np.isnan(sl.logsumexp([-INF, NAN]))


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_no_overflow_at_the_top_of_the_range(dtype):
    big = np.finfo(dtype).max
    out = sl.logsumexp(np.array([big, -big, 0.0], dtype=dtype))
    assert out == big
    # big + log(2) rounds back to big (log 2 is far below half an ulp of big)
    assert sl.logsumexp(np.array([big, big], dtype=dtype)) == big


# --- further cases ---
inf, nan = np.inf, np.nan


def test_dominant_entry_keeps_the_tail():
    # log(1 + e^-40) rounds to 0; the answer is 1 + e^-40 -> 1 + 4.25e-18: visible at 5.0
    assert float(sl.logsumexp([0.0, -40.0])) == pytest.approx(math.exp(-40.0), rel=1e-15)
    assert float(sl.logsumexp([5.0, -35.0])) == 5.0


def test_bounds_smooth_max():
    x = np.random.default_rng(3).standard_normal((20, 7)) * 10
    lse = sl.logsumexp(x)
    assert (lse >= x.max(axis=-1)).all()
    assert (lse <= x.max(axis=-1) + math.log(7) * (1 + 1e-15)).all()


def test_shapes_and_keepdims():
    x = np.random.default_rng(4).standard_normal((2, 3, 4))
    assert sl.logsumexp(x).shape == (2, 3)
    assert sl.logsumexp(x, axis=0).shape == (3, 4)
    assert sl.logsumexp(x, axis=-2, keepdims=True).shape == (2, 1, 4)
    assert sl.logsumexp([1.0, 2.0]).shape == ()
    assert sl.logsumexp([1.0, 2.0], keepdims=True).shape == (1,)
    for axis in (0, 1, 2, -1, -3):
        want = np.log(np.exp(x).sum(axis=axis, keepdims=True))
        np.testing.assert_allclose(sl.logsumexp(x, axis=axis, keepdims=True), want, rtol=1e-14)
        np.testing.assert_array_equal(
            sl.logsumexp(x, axis=axis), np.squeeze(sl.logsumexp(x, axis=axis, keepdims=True), axis)
        )


def test_broadcasts_back_with_keepdims():
    x = np.random.default_rng(5).standard_normal((3, 5))
    np.testing.assert_allclose(x - sl.logsumexp(x, keepdims=True), sl.log_softmax(x), atol=1e-15)


def test_float16_range():
    # exp(20) overflows float16; computing in float32 does not
    out = sl.logsumexp(np.array([20.0, 20.0], dtype=np.float16))
    assert out.dtype == np.float16 and out == np.float16(20.0 + math.log(2))


def test_infinite_limits():
    np.testing.assert_array_equal(
        sl.logsumexp([[-inf, -inf], [inf, 0.0], [inf, inf], [inf, -inf], [-inf, 2.0], [-inf, 0.0]]),
        [-inf, inf, inf, inf, 2.0, 0.0],
    )
    assert float(sl.logsumexp([-inf])) == -inf


def test_nan_row_only():
    out = sl.logsumexp([[nan, 1.0], [1.0, 1.0], [nan, inf], [nan, -inf]])
    assert np.isnan(out[[0, 2, 3]]).all()
    assert out[1] == 1.0 + math.log(2)


def test_huge_values():
    assert float(sl.logsumexp([1e308, 1e308])) == 1e308  # + log 2 is far below an ulp
    assert float(sl.logsumexp([1.7e308, -1.7e308])) == 1.7e308
    assert float(sl.logsumexp(np.array([3e38, 3e38], dtype=np.float32))) == np.float32(3e38)
