"""The log-sum kernel: the argument's rounding error (exact, or first order with a
temperature), log1p in dominant rows, and its chunked fast path against the plain one."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest

from softmax_lib._engine import argument_rounding_error, fast_paths, quiet, shifted_log_sum
from softmax_lib._engine import logsum as logsum_module
from softmax_lib._engine.tuning import CHUNK

EPS = np.finfo(np.float64).eps


def F(v) -> Fraction:
    return Fraction(float(v))


def rows(shape, dtype=np.float64, seed=0, spread=30.0):
    """Rows whose maximum leads the runner-up by a lot (dominant rows) or not, mixed."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, spread, shape)
    return x.astype(dtype)


def test_argument_error_is_exact_without_temperature():
    x = rows((40, 30))
    shift = x.max(axis=1, keepdims=True)
    d = x - shift
    err = argument_rounding_error(x, shift, 1.0)
    for (i, j), e in np.ndenumerate(err):
        assert F(d[i, j]) + F(e) == F(x[i, j]) - F(shift[i, 0])
    assert np.count_nonzero(err) > err.size // 2  # the arguments do round


def test_argument_error_reuses_the_rounded_arguments_and_scratch():
    x = rows((20, 50), seed=1)
    shift = x.max(axis=1, keepdims=True)
    want = argument_rounding_error(x, shift, 1.0)
    out, tmp = np.empty_like(x), np.empty_like(x)
    got = argument_rounding_error(x, shift, 1.0, d=x - shift, out=out, tmp=tmp)
    assert got is out
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("temperature", [0.1, 0.37, 3.0, 1e-200])
def test_argument_error_with_temperature_is_first_order_exact(temperature):
    """(x - shift) / T exactly, minus fl(fl(x - shift) / T): a few roundings of a tiny number."""
    x = rows((10, 40), seed=2)
    shift = x.max(axis=1, keepdims=True)
    with quiet():
        q = (x - shift) / temperature
        err = argument_rounding_error(x, shift, temperature)
    t = F(temperature)
    for (i, j), e in np.ndenumerate(err):
        if not np.isfinite(q[i, j]) or q[i, j] == 0:
            continue
        want = (F(x[i, j]) - F(shift[i, 0])) / t - F(q[i, j])
        assert abs(F(e) - want) <= 4 * F(EPS) * abs(want) + F(np.finfo(float).smallest_subnormal)


@pytest.mark.parametrize("temperature", [1.0, 0.3])
def test_argument_error_float32_is_formed_in_float64(temperature):
    x = rows((10, 40), np.float32, seed=3, spread=20.0)
    shift = x.max(axis=1, keepdims=True)
    err = argument_rounding_error(x, shift, temperature)
    assert err.dtype == np.float64
    q = (x - shift) / np.float32(temperature)
    for (i, j), e in np.ndenumerate(err):
        want = (F(x[i, j]) - F(shift[i, 0])) / F(temperature) - F(q[i, j])
        # float64 holds the exact argument to about eps64 of its size
        assert abs(F(e) - want) <= 2 * F(EPS) * abs(F(x[i, j]) - F(shift[i, 0])) / F(temperature)


def exact_log_sum(row, temperature=1.0) -> float:
    """log(sum_j exp((x_j - max) / T)) at 50 digits, rounded once."""
    with mpmath.workdps(50):
        t = mpmath.mpf(float(temperature))
        xs = [mpmath.mpf(float(v)) for v in row]
        m = max(xs)
        return float(mpmath.log(mpmath.fsum(mpmath.exp((v - m) / t) for v in xs)))


def ulps(got, want) -> float:
    return abs(got - want) / np.spacing(abs(want)) if want else float(got != 0)


@pytest.mark.parametrize("temperature", [1.0, 0.5])
def test_dominant_rows_keep_all_their_digits(temperature):
    """A row [0, -40, -42.5, ...]: the sum is 1 + 4e-18, log(sum) would be 0, log1p of the
    corrected tail is within an ulp or two of the exact value. Without the correction the
    rounding of the arguments costs tens of ulps (shown with a shift whose subtraction
    rounds)."""
    base = np.array([0.0, -40.0, -42.5, -45.0, -60.0, -300.0])
    x = np.stack(
        [base + 1e4 + 0.1, base * 0.9 - 3.3, base + 7.77, np.array([5.0, 4.0, 3, 2, 1, 0])]
    )
    ls = shifted_log_sum(x, 1, temperature).log_sum[:, 0]
    for row, got in zip(x, ls, strict=True):
        assert ulps(got, exact_log_sum(row, temperature)) <= 2
    assert ls[0] > 0  # not lost to rounding
    # the same rows without the first-order correction of the tail
    d = (x - x.max(axis=1, keepdims=True)) / temperature
    e = np.exp(d)
    e[d == 0] = 0
    uncorrected = np.log1p(e.sum(axis=1))
    assert (
        max(ulps(u, exact_log_sum(r, temperature)) for u, r in zip(uncorrected, x, strict=True)) > 8
    )


def test_kernel_outputs():
    x = np.array([[1.0, 2.0, 3.0], [-np.inf, 0.0, -np.inf], [np.inf, 0.0, 1.0]])
    out = shifted_log_sum(x, 1)
    np.testing.assert_array_equal(out.max[:, 0], [3.0, 0.0, np.inf])
    np.testing.assert_array_equal(out.shift[:, 0], [3.0, 0.0, 0.0])
    assert out.exps.shape == x.shape and out.log_sum.shape == (3, 1)
    assert ulps(out.log_sum[0, 0], exact_log_sum(x[0])) <= 1
    assert out.log_sum[1, 0] == 0.0  # exp(0) alone: log1p(0)


def dominant_batch(shape, axis, share, dtype=np.float64, seed=0):
    """Rows along ``axis``, the given share of them dominant (runner-up 20 to 40 below)."""
    rng = np.random.default_rng(seed)
    x = np.moveaxis(rng.normal(0, 1, shape), axis, -1).copy()
    flat = x.reshape(-1, x.shape[-1])
    pick = rng.random(flat.shape[0]) < share
    flat[pick, 0] = flat[pick].max(axis=1) + rng.uniform(20, 40, pick.sum())
    return np.moveaxis(x, -1, axis).astype(dtype)


# (shape, axis, share of dominant rows, dtype, temperature): every branch of the fast path
BATCHES = [
    ((4 * CHUNK // 50, 50), -1, 0.9, np.float64, 1.0),  # dense: views of runs of rows
    ((4 * CHUNK // 50, 50), -1, 0.3, np.float64, 1.0),  # gathered rows
    ((50, 4 * CHUNK // 50), 0, 0.9, np.float64, 1.0),  # axis 0, dense
    ((300, 2000), 0, 0.3, np.float64, 1.0),  # axis 0 (strided), gathered
    ((8, 3 * CHUNK // 8 // 40, 40), 1, 0.5, np.float64, 1.0),  # 3-D: rows gathered, last
    ((2, 3 * CHUNK), -1, 1.0, np.float64, 1.0),  # rows longer than a chunk: column blocks
    ((4 * CHUNK // 50, 50), -1, 0.5, np.float32, 1.0),  # float32: exact args in float64
    ((4 * CHUNK // 50, 50), -1, 0.5, np.float64, 0.7),  # temperature: Dekker's product
    ((3 * CHUNK,), 0, 1.0, np.float64, 1.0),  # one long row
]


@pytest.mark.parametrize(("shape", "axis", "share", "dtype", "temperature"), BATCHES)
def test_chunked_fast_path_agrees_with_the_plain_path(shape, axis, share, dtype, temperature):
    x = dominant_batch(shape, axis, share, dtype)
    with fast_paths(True):
        fast = shifted_log_sum(x, axis, temperature).log_sum
    with fast_paths(False):
        plain = shifted_log_sum(x, axis, temperature).log_sum
    # the same terms, summed in blocks of another size: within a few roundings of each other
    tol = 4 * np.finfo(dtype).eps
    np.testing.assert_allclose(fast, plain, rtol=tol, atol=0)
    moved = np.moveaxis(x, axis, -1).reshape(-1, x.shape[axis])
    flat = np.moveaxis(plain, axis, -1).reshape(-1)
    if moved.shape[1] > 5000:  # (the exact sum of long rows in mpmath takes seconds)
        return
    for r in np.random.default_rng(1).choice(moved.shape[0], min(6, moved.shape[0]), replace=False):
        want = exact_log_sum(moved[r], temperature)
        assert abs(flat[r] - want) <= 2 * np.spacing(np.array(abs(want), dtype)), r


def test_the_switch_takes_the_chunked_path_off(monkeypatch):
    x = dominant_batch((4 * CHUNK // 50, 50), -1, 0.9)
    calls = []
    real = logsum_module._chunked_tails

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(logsum_module, "_chunked_tails", spy)
    shifted_log_sum(x, -1)
    assert calls == [1]
    with fast_paths(False):
        shifted_log_sum(x, -1)
    assert calls == [1]
