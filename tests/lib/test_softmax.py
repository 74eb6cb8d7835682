"""Unit tests for softmax, log_softmax and naive_softmax: values, shapes, dtypes, axes,
temperature, ``out=`` and the conventions for empty, NaN and infinite input."""

import math

import numpy as np
import pytest

import softmax_lib as sl

from .oracles import along_axis, log_softmax_row, softmax_row

INF, NAN = math.inf, math.nan
EPS64 = np.finfo(np.float64).eps
REFS = {sl.softmax: softmax_row, sl.log_softmax: log_softmax_row, sl.naive_softmax: softmax_row}


# ---------------------------------------------------------------- exact values


@pytest.mark.parametrize(
    "row",
    [
        [2.0, 1.0, 0.1],
        [1.0, 2.0, 3.0],
        [0.0, 0.0],
        [-3.0, 5.0, 0.5, 2.25],
        [1.0],
        [700.0, -700.0, 0.0],
    ],
)
def test_softmax_values(row):
    np.testing.assert_allclose(sl.softmax(row), softmax_row(row), rtol=4 * EPS64, atol=0)


def test_softmax_exact_small_cases():
    assert sl.softmax([0.0, 0.0]).tolist() == [0.5, 0.5]
    assert sl.softmax([5.0]).tolist() == [1.0]
    assert sl.softmax([7.0, 7.0, 7.0, 7.0]).tolist() == [0.25] * 4
    assert sl.softmax([-7.0] * 5).tolist() == [0.2] * 5
    assert sl.softmax([1000.0, 0.0]).tolist() == [1.0, 0.0]
    assert sl.softmax([-1000.0, -1000.0]).tolist() == [0.5, 0.5]
    np.testing.assert_allclose(sl.softmax([0.0, math.log(3.0)]), [0.25, 0.75], rtol=2 * EPS64)


@pytest.mark.parametrize("row", [[2.0, 1.0, 0.1], [0.0, -1000.0], [3.0, 3.0, -2.0], [1e-3, 0.0]])
def test_log_softmax_values(row):
    np.testing.assert_allclose(sl.log_softmax(row), log_softmax_row(row), rtol=4 * EPS64)


def test_log_softmax_exact_small_cases():
    assert sl.log_softmax([0.0, -1000.0]).tolist() == [0.0, -1000.0]
    assert sl.log_softmax([4.0]).tolist() == [0.0]
    assert sl.log_softmax([-1e300]).tolist() == [0.0]


def test_log_softmax_ties_at_the_maximum_are_minus_log_n():
    # two entries of value 1 in the sum: log1p(1 + rest), not the dominant-entry shortcut
    assert sl.log_softmax([2.0, 2.0]).tolist() == [-math.log(2.0)] * 2
    np.testing.assert_allclose(sl.log_softmax([2.0, 2.0, -50.0])[:2], -math.log(2), rtol=EPS64)


def test_log_softmax_dominant_entry_is_minus_tail_not_zero():
    # log(1 + e^-40) == 0 in float64; the answer is -e^-40 (to within rounding)
    out = sl.log_softmax([0.0, -40.0])
    assert out[0] == pytest.approx(-math.exp(-40.0), rel=4 * EPS64)
    assert out[1] == pytest.approx(-40.0 - math.exp(-40.0), rel=4 * EPS64)
    v = sl.log_softmax(np.array([0.0, -20.0], dtype=np.float32))[0]
    assert v.dtype == np.float32 and v == pytest.approx(-math.exp(-20.0), rel=1e-6)
    assert sl.log_softmax([0.0, -800.0])[0] == 0.0  # e^-800 underflows: -0.0 or 0.0


def test_huge_logits_do_not_overflow():
    # 1.7e308 - (-1e308) would overflow; the shift by the maximum does not
    assert sl.softmax([1e308, -1e308, 1.7e308]).tolist() == [0.0, 0.0, 1.0]
    assert sl.log_softmax([1e308, -1e308]).tolist() == [0.0, -INF]


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_extreme_finite_inputs(dtype):
    big = np.finfo(dtype).max
    x = np.array([big, -big, 0.0, big], dtype=dtype)
    p = sl.softmax(x)
    assert p.dtype == dtype
    np.testing.assert_array_equal(p, np.array([0.5, 0, 0, 0.5], dtype=dtype))
    lp = sl.log_softmax(x)
    assert lp.dtype == dtype
    half = dtype(-math.log(2.0))
    # -big - log 2 rounds to -big; -big - big is below the range
    np.testing.assert_array_equal(lp, np.array([half, -INF, -big, half], dtype=dtype))


# ---------------------------------------------------------------- naive_softmax


def test_naive_softmax_matches_on_small_inputs():
    x = np.array([[0.5, -1.0, 2.0], [3.0, 3.0, 3.0]])
    np.testing.assert_allclose(sl.naive_softmax(x), along_axis(softmax_row, x), rtol=4 * EPS64)
    np.testing.assert_allclose(sl.naive_softmax(x, axis=0), sl.softmax(x, axis=0), rtol=4 * EPS64)


def test_naive_softmax_warns_like_numpy_on_overflow():
    with pytest.warns(RuntimeWarning) as record:
        out = sl.naive_softmax([1000.0, 0.0])
    messages = [str(w.message) for w in record]
    assert messages == ["overflow encountered in exp", "invalid value encountered in divide"]
    assert np.isnan(out[0]) and out[1] == 0.0


def test_naive_softmax_silent_inside_errstate():
    with np.errstate(over="ignore", invalid="ignore"):
        out = sl.naive_softmax([1000.0, 0.0])
    assert np.isnan(out[0])


def test_naive_softmax_underflow_gives_nan():
    with pytest.warns(RuntimeWarning, match="invalid value"):
        out = sl.naive_softmax([-1000.0, -1000.0])
    assert np.isnan(out).all()


def test_naive_softmax_dtypes():
    assert sl.naive_softmax(np.array([1.0, 2.0], np.float32)).dtype == np.float32
    assert sl.naive_softmax([1, 2]).dtype == np.float64
    # float16 stays float16 and overflows above ~11.09: that is the lesson
    with pytest.warns(RuntimeWarning) as record:
        out = sl.naive_softmax(np.array([12.0, 0.0], np.float16))
    assert "overflow encountered in exp" in [str(w.message) for w in record]
    assert out.dtype == np.float16 and np.isnan(out[0])


# ---------------------------------------------------------------- shapes, dtypes, axes


@pytest.mark.parametrize("func", [sl.softmax, sl.log_softmax, sl.naive_softmax])
@pytest.mark.parametrize(
    "dtype, expected",
    [
        (np.float64, np.float64),
        (np.float32, np.float32),
        (np.float16, np.float16),
        (np.int8, np.float64),
        (np.int64, np.float64),
        (np.uint16, np.float64),
        (np.bool_, np.float64),
    ],
)
def test_dtype_policy(func, dtype, expected):
    x = np.array([[1, 0, 1], [0, 0, 1]], dtype=dtype)
    out = func(x)
    assert out.dtype == expected and out.shape == x.shape
    tol = {np.float64: 4 * EPS64, np.float32: 1e-6, np.float16: 1e-3}[expected]
    np.testing.assert_allclose(out.astype(np.float64), along_axis(REFS[func], x), rtol=tol)


def test_longdouble_is_kept():
    x = np.array([1.0, 2.0], dtype=np.longdouble)
    assert sl.softmax(x).dtype == np.longdouble
    assert sl.log_softmax(x).dtype == np.longdouble


def test_python_lists_and_scalars():
    assert sl.softmax([[1, 2], [3, 4]]).dtype == np.float64
    p = sl.softmax([True, False])
    assert p.dtype == np.float64
    np.testing.assert_allclose(p, softmax_row([1.0, 0.0]), rtol=EPS64)


@pytest.mark.parametrize("func", [sl.softmax, sl.log_softmax])
def test_float16_computed_in_float32(func):
    # In float16 itself exp(x - max) would be computed with 11-bit precision; in float32 and
    # rounded once, the result equals the float32 result rounded to float16.
    x = np.random.default_rng(0).normal(0, 4, 200).astype(np.float16)
    out = func(x)
    assert out.dtype == np.float16
    assert np.array_equal(out, func(x.astype(np.float32)).astype(np.float16))


def test_float16_beyond_exp_range():
    # exp(12) overflows float16 (max 65504); computing in float32 gives the right answer
    p = sl.softmax(np.array([12.0, 0.0], dtype=np.float16))
    np.testing.assert_array_equal(p, np.array([1.0, 6.139e-06], dtype=np.float16))
    # and an output below float16's range is -inf, without a warning
    out = sl.log_softmax(np.array([60000.0, -60000.0], dtype=np.float16))
    np.testing.assert_array_equal(out, np.array([0.0, -INF], dtype=np.float16))


@pytest.mark.parametrize("func", [sl.softmax, sl.log_softmax, sl.naive_softmax])
def test_axis0_on_2d(func):
    x = np.random.default_rng(1).normal(0, 3, (5, 7))
    out = func(x, axis=0)
    assert out.shape == x.shape
    np.testing.assert_allclose(out, along_axis(REFS[func], x, 0), rtol=1e-14, atol=1e-300)
    np.testing.assert_array_equal(func(x, axis=-2), out)
    # each column gives what the 1-D function gives on it (to rounding: the sums differ in order)
    columns = np.stack([func(col) for col in x.T], axis=1)
    np.testing.assert_allclose(out, columns, rtol=2 * EPS64)


@pytest.mark.parametrize("func", [sl.softmax, sl.log_softmax])
@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2, -3])
def test_axes_on_3d(func, axis):
    x = np.random.default_rng(2).normal(0, 3, (3, 4, 5))
    out = func(x, axis=axis)
    assert out.shape == x.shape
    np.testing.assert_allclose(out, along_axis(REFS[func], x, axis), rtol=1e-14)
    # the same bits as moving the axis last
    np.testing.assert_array_equal(out, np.moveaxis(func(np.moveaxis(x, axis, -1)), -1, axis))


def test_numpy_integer_axis_and_noncontiguous_input():
    x = np.random.default_rng(3).normal(0, 3, (6, 8))[::2, ::-1]
    expected = sl.softmax(np.ascontiguousarray(x), axis=0)
    np.testing.assert_array_equal(sl.softmax(x, axis=np.int64(0)), expected)
    np.testing.assert_array_equal(sl.softmax(x.T, axis=1), expected.T)
    np.testing.assert_array_equal(sl.softmax(x), sl.softmax(np.ascontiguousarray(x)))


def test_input_is_not_modified():
    x = np.array([[3.0, 1.0, -INF], [NAN, 0.0, 1.0], [1.0, 2.0, 3.0]])
    before = x.copy()
    for func in (sl.softmax, sl.log_softmax, sl.naive_softmax):
        func(x[2:])
        func(x, axis=0)
    sl.softmax(x)
    sl.log_softmax(x, temperature=0.5)
    sl.softmax(x, temperature=0.3)
    np.testing.assert_array_equal(x, before)


# ---------------------------------------------------------------- temperature


@pytest.mark.parametrize("t", [0.1, 0.5, 2.0, 4.0, 10.0])
def test_temperature_values(t):
    row = [2.0, 1.0, 0.1, -3.0]
    np.testing.assert_allclose(sl.softmax(row, temperature=t), softmax_row(row, t), rtol=8 * EPS64)
    np.testing.assert_allclose(
        sl.log_softmax(row, temperature=t), log_softmax_row(row, t), rtol=8 * EPS64
    )


def test_temperature_limits():
    x = [1.0, 0.0, 0.5]
    hot = sl.softmax(x, temperature=1e-3)
    assert hot[0] == 1.0 and hot[1] == 0.0
    flat = sl.softmax(x, temperature=1e6)
    np.testing.assert_allclose(flat, 1 / 3, rtol=1e-6)
    assert sl.softmax([1.0, 0.0], temperature=1e-300).tolist() == [1.0, 0.0]
    np.testing.assert_allclose(sl.softmax([1.0, 0.0], temperature=1e300), 0.5, rtol=EPS64)


def test_temperature_never_overflows_the_scaled_logits():
    # x / T overflows to inf for T < 1 and |x| near the top of the range; the shifted form
    # (x - max) / T does not.
    x = np.array([1e300, 1e300, -1e300])
    assert sl.softmax(x, temperature=0.1).tolist() == [0.5, 0.5, 0.0]
    out = sl.log_softmax(x, temperature=0.1)
    np.testing.assert_allclose(out[:2], -math.log(2), rtol=EPS64)
    assert out[2] == -2e301


@pytest.mark.parametrize("t", [2, np.float32(2.0), np.float64(2.0), np.array(2.0), np.int64(2)])
def test_temperature_accepts_numpy_and_int_scalars(t):
    x = [1.0, 0.0]
    np.testing.assert_array_equal(sl.softmax(x, temperature=t), sl.softmax(x, temperature=2.0))
    np.testing.assert_array_equal(
        sl.log_softmax(x, temperature=t), sl.log_softmax(x, temperature=2.0)
    )


def test_temperature_keeps_dtype():
    x = np.array([1.0, 2.0], dtype=np.float32)
    assert sl.softmax(x, temperature=np.float64(3.0)).dtype == np.float32
    assert sl.log_softmax(x, temperature=3).dtype == np.float32


# ---------------------------------------------------------------- conventions


@pytest.mark.parametrize("func", [sl.softmax, sl.log_softmax])
@pytest.mark.parametrize(
    "shape, axis", [((0,), -1), ((3, 0), -1), ((0, 3), -1), ((0, 4), 0), ((2, 0, 3), 1)]
)
def test_empty_input_gives_empty_result(func, shape, axis):
    out = func(np.zeros(shape, dtype=np.float32), axis=axis)
    assert out.shape == shape and out.dtype == np.float32


@pytest.mark.parametrize("func", [sl.softmax, sl.log_softmax])
def test_nan_rows_are_isolated(func):
    x = np.array([[1.0, NAN, 0.0], [1.0, 2.0, 3.0], [NAN, INF, 0.0], [-INF, NAN, -INF]])
    out = func(x)
    assert np.isnan(out[[0, 2, 3]]).all()
    np.testing.assert_array_equal(out[1], func(x[1]))
    # the same along axis 0
    out0 = func(x.T, axis=0)
    assert np.isnan(out0[:, [0, 2, 3]]).all()
    np.testing.assert_array_equal(out0[:, 1], func(x[1]))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_softmax_infinite_limits(dtype):
    x = np.array(
        [[INF, 0.0, -1.0], [3.0, -INF, 1.0], [INF, -INF, -INF], [-INF, 0.0, -INF]], dtype=dtype
    )
    out = sl.softmax(x)
    assert out.dtype == dtype
    np.testing.assert_array_equal(out[0], [1.0, 0.0, 0.0])
    p31 = np.array(softmax_row([3.0, 1.0]), dtype=dtype)
    np.testing.assert_allclose(out[1], [p31[0], 0.0, p31[1]], rtol=4 * np.finfo(dtype).eps)
    np.testing.assert_array_equal(out[2], [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(out[3], [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(sl.softmax(x.T, axis=0), out.T)


def test_log_softmax_infinite_limits():
    x = np.array([[INF, 0.0, -1.0], [-INF, 0.0, 0.0], [INF, -INF, -INF]])
    out = sl.log_softmax(x)
    np.testing.assert_array_equal(out[0], [0.0, -INF, -INF])
    np.testing.assert_array_equal(out[1], [-INF, -math.log(2.0), -math.log(2.0)])
    np.testing.assert_array_equal(out[2], [0.0, -INF, -INF])
    np.testing.assert_array_equal(sl.log_softmax(x.T, axis=0), out.T)
    assert sl.log_softmax([-INF, 0.0]).tolist() == [-INF, 0.0]


@pytest.mark.parametrize("func", [sl.softmax, sl.log_softmax])
@pytest.mark.parametrize(
    "row",
    [[-INF, -INF], [-INF], [INF, INF], [INF, INF, 0.0], [INF, 1.0, INF], [INF, -INF, INF]],
)
def test_path_dependent_rows_are_nan(func, row):
    x = np.array([row, [0.0] * len(row)])
    out = func(x)
    assert np.isnan(out[0]).all()
    np.testing.assert_array_equal(out[1], func([0.0] * len(row)))
    np.testing.assert_array_equal(func(x.T, axis=0), out.T)


def test_softmax_rows_sum_to_one_and_lie_in_unit_interval():
    x = np.random.default_rng(4).normal(0, 30, (50, 20))
    p = sl.softmax(x)
    assert ((p >= 0) & (p <= 1)).all()
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=8 * EPS64)


# ---------------------------------------------------------------- out=


@pytest.mark.parametrize("func", [sl.softmax, sl.log_softmax])
@pytest.mark.parametrize("axis", [-1, 0])
def test_out_argument(func, axis):
    x = np.random.default_rng(5).normal(0, 3, (6, 9))
    buf = np.empty_like(x)
    res = func(x, axis=axis, out=buf)
    assert res is buf
    np.testing.assert_array_equal(buf, func(x, axis=axis))


@pytest.mark.parametrize("func", [sl.softmax, sl.log_softmax])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_out_in_place(func, dtype):
    x = np.random.default_rng(6).normal(0, 3, (4, 5)).astype(dtype)
    x[1, 2] = INF
    x[2] = NAN
    expected = func(x, temperature=0.5)
    res = func(x, temperature=0.5, out=x)
    assert res is x
    np.testing.assert_array_equal(x, expected)


@pytest.mark.parametrize("func", [sl.softmax, sl.log_softmax])
def test_out_noncontiguous(func):
    x = np.random.default_rng(7).normal(0, 3, (4, 6))
    big = np.zeros((8, 6))
    view = big[::2]
    res = func(x, axis=0, out=view)
    assert res is view
    np.testing.assert_array_equal(big[::2], func(x, axis=0))
    assert (big[1::2] == 0).all()


@pytest.mark.parametrize("func", [sl.softmax, sl.log_softmax])
def test_out_bad(func):
    x = np.zeros((2, 3))
    name = func.__name__
    with pytest.raises(ValueError, match=rf"{name}: out has shape \(3, 2\)"):
        func(x, out=np.empty((3, 2)))
    with pytest.raises(TypeError, match=rf"{name}: out must have dtype float64"):
        func(x, out=np.empty((2, 3), dtype=np.float32))
    with pytest.raises(TypeError, match=rf"{name}: out must be a numpy array"):
        func(x, out=[[0.0] * 3] * 2)
    ro = np.empty((2, 3))
    ro.flags.writeable = False
    with pytest.raises(ValueError, match=rf"{name}: out is read-only"):
        func(x, out=ro)
    with pytest.raises(TypeError, match=rf"{name}: out must have dtype float64"):
        func(np.zeros(3, dtype=np.int32), out=np.empty(3, dtype=np.int32))


def test_out_empty_axis():
    buf = np.empty((2, 0))
    assert sl.softmax(np.zeros((2, 0)), out=buf) is buf
