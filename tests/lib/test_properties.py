"""Property tests (hypothesis). Profiles live in conftest.py ("ci" with CI=true).

Bounds used below, for a row of n entries in a dtype with machine epsilon eps:
  * sum of softmax (accumulated exactly with math.fsum): |sum - 1| <= (2 + log2 n) eps --
    one rounding in each quotient and exp (they average out) plus the pairwise sum of the
    denominator;
  * temperature: softmax(x, T) and softmax(x / T) differ only by the rounding of x / T, so
    |difference_i| <= p_i eps (8 + 2 (|d_i| + sum_j p_j |d_j|)), d = (x - max) / T.
"""

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import softmax_lib as sl

EPS64 = np.finfo(np.float64).eps


def finite(lo=-1e3, hi=1e3, width=64):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, width=width)


def rows(elements=finite(), min_side=1, max_side=24, dtype=np.float64, min_dims=1, max_dims=2):
    return hnp.arrays(
        dtype, hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side), elements=elements
    )


wide = st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False)


@given(rows(st.one_of(finite(), wide)), st.sampled_from([-1, 0]))
def test_rows_sum_to_one_float64(x, axis):
    p = sl.softmax(x, axis=axis)
    n = x.shape[axis]
    sums = np.apply_along_axis(math.fsum, axis, p)
    assert np.all(np.abs(sums - 1) <= (2 + math.log2(n)) * EPS64)
    assert ((p >= 0) & (p <= 1)).all()


@given(rows(finite(-80, 80, width=32), dtype=np.float32), st.sampled_from([-1, 0]))
def test_rows_sum_to_one_float32(x, axis):
    p = sl.softmax(x, axis=axis)
    assert p.dtype == np.float32
    sums = np.apply_along_axis(math.fsum, axis, p.astype(np.float64))
    assert np.all(np.abs(sums - 1) <= (2 + math.log2(x.shape[axis])) * np.finfo(np.float32).eps)


grid = st.integers(-(2**20), 2**20).map(lambda k: k / 8)  # dyadic: x + c is exact


@given(rows(grid), st.integers(-(2**20), 2**20), st.sampled_from([-1, 0]))
def test_shift_invariance_exact(x, c, axis):
    # x + c and x are shifted to the same x - max exactly, so the results are identical
    np.testing.assert_array_equal(sl.softmax(x + c, axis=axis), sl.softmax(x, axis=axis))
    np.testing.assert_array_equal(sl.log_softmax(x + c, axis=axis), sl.log_softmax(x, axis=axis))
    # logsumexp adds the max back, which rounds, and so does adding c afterwards: half an ulp
    # of |LSE(x)| plus half an ulp of |LSE(x) + c| each (|LSE(x)| may be the larger one)
    lse = sl.logsumexp(x, axis=axis)
    tol = EPS64 * (np.abs(lse) + np.abs(lse + c))
    assert (np.abs(sl.logsumexp(x + c, axis=axis) - (lse + c)) <= tol).all()


@given(rows(finite(-50, 50)), finite(-1e3, 1e3))
def test_shift_invariance_any_constant(x, c):
    # x + c rounds: the error is that rounding times the row's spread, not worse
    p, q = sl.softmax(x + c), sl.softmax(x)
    d = np.abs(x - x.max(axis=-1, keepdims=True)) + abs(c)
    np.testing.assert_array_less(np.abs(p - q), q * EPS64 * (8 + 4 * d.max(axis=-1, keepdims=True)) + 1e-300)


@given(rows(st.one_of(finite(), wide), min_side=2))
def test_order_preservation(x):
    for func in (sl.softmax, sl.log_softmax):
        out = func(x)
        i = np.argsort(x, axis=-1, kind="stable")
        xs, os = np.take_along_axis(x, i, -1), np.take_along_axis(out, i, -1)
        assert (np.diff(os, axis=-1) >= 0).all()  # weakly increasing with x
        same = np.diff(xs, axis=-1) == 0
        assert (np.diff(os, axis=-1)[same] == 0).all()  # ties get equal values


@given(rows(st.one_of(finite(), wide)))
def test_log_softmax_is_log_of_softmax(x):
    p, lp = sl.softmax(x), sl.log_softmax(x)
    ok = p >= np.finfo(np.float64).smallest_normal  # log of a subnormal has lost digits
    np.testing.assert_allclose(lp[ok], np.log(p[ok]), rtol=4 * EPS64, atol=8 * EPS64)
    assert (lp <= 0).all()


@given(rows(finite(-30, 30), min_side=1, max_side=8, max_dims=1), st.floats(0.25, 4.0))
def test_jacobian_matches_central_differences(x, t):
    h = 1e-6
    jac = sl.softmax_jacobian(x, temperature=t)
    eye = np.eye(len(x))
    fd = np.stack([(sl.softmax(x + h * e, temperature=t) - sl.softmax(x - h * e, temperature=t)) / (2 * h) for e in eye], axis=1)
    np.testing.assert_allclose(jac, fd, atol=1e-8)
    np.testing.assert_allclose(jac, jac.T, atol=1e-17)


@given(
    rows(finite(-30, 30), min_side=2, max_side=6, min_dims=2, max_dims=2),
    st.data(),
    st.sampled_from(["sum", "mean", "none"]),
)
def test_cross_entropy_gradient_matches_central_differences(z, data, reduction):
    n, k = z.shape
    labels = np.array(data.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    w = np.array(data.draw(st.lists(st.floats(0.01, 1.0), min_size=n * k, max_size=n * k))).reshape(n, k)
    soft = w / w.sum(axis=1, keepdims=True)
    h = 1e-6
    for y, onehot in ((labels, np.eye(k)[labels]), (soft, soft)):
        grad = sl.cross_entropy_grad(z, y, reduction=reduction)
        scale = n if reduction == "mean" else 1
        np.testing.assert_allclose(grad * scale, sl.softmax(z) - onehot, rtol=1e-15, atol=1e-16)

        def loss(zz):
            out = sl.cross_entropy(zz, y, reduction=reduction)
            return out.sum()  # "none": the sum of the per-example losses has the same row gradients

        fd = np.empty_like(z)
        for idx in np.ndindex(z.shape):
            e = np.zeros_like(z)
            e[idx] = h
            fd[idx] = (loss(z + e) - loss(z - e)) / (2 * h)
        np.testing.assert_allclose(grad, fd, atol=1e-7)


@given(finite(-700, 700))
def test_sigmoid_is_two_class_softmax(x):
    s = float(sl.sigmoid(x))
    p = float(sl.softmax([x, 0.0])[0])
    assert s == pytest.approx(p, rel=4 * EPS64, abs=0)


@given(rows(finite(-50, 50)), st.floats(0.05, 20.0))
def test_temperature_is_division(x, t):
    a, b = sl.softmax(x, temperature=t), sl.softmax(x / t)
    # rounding (x - max) / t costs |x - max| / t, rounding x / t first costs |x| / t (times eps)
    d = (np.abs(x - x.max(axis=-1, keepdims=True)) + np.abs(x)) / t
    pd = (b * d).sum(axis=-1, keepdims=True)
    bound = b * EPS64 * (8 + 2 * (d + pd)) + 1e-300
    assert (np.abs(a - b) <= bound).all()
    la, lb = sl.log_softmax(x, temperature=t), sl.log_softmax(x / t)
    np.testing.assert_allclose(la, lb, rtol=1e-13, atol=EPS64 * (8 + 2 * d.max()))


@given(rows(st.one_of(finite(), wide)), st.sampled_from([-1, 0]))
def test_logsumexp_bounds_and_consistency(x, axis):
    lse = sl.logsumexp(x, axis=axis)
    m = x.max(axis=axis)
    n = x.shape[axis]
    assert (lse >= m).all()
    assert (lse <= m + math.log(n) * (1 + 4 * EPS64) + 4 * EPS64 * np.abs(m)).all()


@given(rows(st.one_of(finite(), st.sampled_from([math.inf, -math.inf, math.nan])), min_side=1, max_side=6))
def test_non_finite_rows_never_warn_and_stay_isolated(x):
    # filterwarnings=error turns any numpy warning into a failure
    for func in (sl.softmax, sl.log_softmax):
        out = func(x)
        clean = np.isfinite(x).all(axis=-1)
        for r in np.flatnonzero(clean):
            np.testing.assert_array_equal(out[r] if x.ndim > 1 else out, func(x[r] if x.ndim > 1 else x))
        has_nan = np.isnan(x).any(axis=-1)
        assert np.isnan(out[has_nan] if x.ndim > 1 else (out if has_nan else out[:0])).all()
    sl.logsumexp(x)
    sl.sigmoid(x)


# --- further cases ---
EPS32 = float(np.finfo(np.float32).eps)


def matrices(elements, dtype=np.float64, max_rows=4, max_cols=12):
    shape = st.tuples(st.integers(1, max_rows), st.integers(1, max_cols))
    return hnp.arrays(dtype, shape, elements=elements)


def vector(elements, dtype=np.float64, max_n=10):
    return hnp.arrays(dtype, st.integers(1, max_n), elements=elements)


def _central(f, x, h):
    g = np.empty((f(x).size, x.size))
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h
        g[:, j] = (f(x + e) - f(x - e)) / (2 * h)
    return g


@given(matrices(finite(-1e300, 1e300)))
def test_exp_log_softmax_sums_to_one(x):
    lp = sl.log_softmax(x)
    assert (lp <= 0).all()
    sums = np.apply_along_axis(math.fsum, -1, np.exp(lp))
    assert np.all(np.abs(sums - 1) <= (4 + x.shape[-1] / 4) * EPS64)


@given(matrices(finite(-50, 50)), finite(-1e3, 1e3))
def test_shift_invariance(x, c):
    # x + c rounds each entry by up to ulp(|x| + |c|) / 2, which moves p_i by that much
    # relative, times the spread; bound 8 eps + 2 (|x - max| + |c|) eps relative, +tiny abs
    p, q = sl.softmax(x + c), sl.softmax(x)
    d = np.abs(x - x.max(axis=-1, keepdims=True)).max(axis=-1, keepdims=True) + abs(c) + 100
    assert np.all(np.abs(p - q) <= q * EPS64 * (8 + 2 * d) + 1e-300)


@given(matrices(st.integers(-(2**20), 2**20).map(lambda k: k / 8.0)), st.integers(-(2**20), 2**20))
def test_shift_invariance_exact_on_a_grid(x, c):
    # dyadic values: x + c and x - max are exact, so softmax is bit-for-bit identical
    np.testing.assert_array_equal(sl.softmax(x + c), sl.softmax(x))
    np.testing.assert_array_equal(sl.log_softmax(x + c), sl.log_softmax(x))


@given(vector(finite(-700, 700)))
def test_order_preserved(x):
    p = sl.softmax(x)
    lp = sl.log_softmax(x)
    # monotone: x_a < x_b gives p_a <= p_b (ties in p only after rounding), x_a == x_b gives
    # identical outputs
    for a in range(x.size):
        for b in range(x.size):
            if x[a] < x[b]:
                assert p[a] <= p[b] and lp[a] <= lp[b]
            elif x[a] == x[b]:
                assert p[a] == p[b] and lp[a] == lp[b]


@given(matrices(finite(-700, 700)))
def test_log_softmax_equals_log_of_softmax(x):
    p = sl.softmax(x)
    lp = sl.log_softmax(x)
    ok = p > np.finfo(np.float64).tiny  # where log(p) is finite and not subnormal-coarse
    with np.errstate(divide="ignore"):
        logp = np.log(p)
    # |log p - lp| <= |d p / p| + eps|lp|: p carries (3 + n/8 + |x_i - m|) eps relative error
    bound = (4 + x.shape[-1] / 8 + np.abs(x - x.max(axis=-1, keepdims=True))) * EPS64 + 2 * EPS64 * np.abs(lp)
    assert np.all(np.abs(logp - lp)[ok] <= bound[ok])


@given(vector(finite(-1e3, 1e3), max_n=6), st.sampled_from([1.0, 0.5, 3.0]))
def test_jacobian_matches_finite_differences(x, t):
    # h = 1e-5 * T: truncation error ~ h^2/T^3 ~ 1e-10, rounding ~ eps * (1 + |x|) / h
    h = 1e-5 * t
    assume(np.all(np.abs(x) < 1e3))
    fd = _central(lambda v: sl.softmax(v, temperature=t), x, h)
    jac = sl.softmax_jacobian(x, temperature=t)
    tol = 1e-8 + EPS64 * (1 + np.abs(x).max()) / h * 4
    np.testing.assert_allclose(jac, fd, rtol=0, atol=tol)


@given(
    st.integers(1, 4).flatmap(
        lambda b: st.tuples(
            hnp.arrays(np.float64, (b, 4), elements=finite(-1e3, 1e3)),
            hnp.arrays(np.int64, (b,), elements=st.integers(0, 3)),
        )
    ),
    st.sampled_from(["mean", "sum"]),
)
def test_cross_entropy_grad_matches_finite_differences(zy, reduction):
    z, y = zy
    h = 1e-5
    loss = lambda v: np.atleast_1d(sl.cross_entropy(v.reshape(z.shape), y, reduction=reduction))  # noqa: E731
    fd = _central(loss, z.ravel(), h).reshape(z.shape)
    g = sl.cross_entropy_grad(z, y, reduction=reduction)
    tol = 1e-8 + EPS64 * (1 + np.abs(z).max()) * z.shape[0] / h * 4
    np.testing.assert_allclose(g, fd, rtol=0, atol=tol)
    # and it is p - y (divided by the batch for "mean")
    want = sl.softmax(z) - np.eye(4)[y]
    if reduction == "mean":
        want /= z.shape[0]
    np.testing.assert_allclose(g, want, rtol=0, atol=4 * EPS64)


@given(
    hnp.arrays(np.float64, (3, 5), elements=finite(-30, 30)),
    hnp.arrays(np.float64, (3, 5), elements=finite(0.01, 1)),
)
def test_soft_target_grad_matches_finite_differences(z, w):
    y = w / w.sum(axis=-1, keepdims=True)
    h = 1e-5
    fd = _central(lambda v: np.atleast_1d(sl.cross_entropy(v.reshape(3, 5), y, reduction="sum")), z.ravel(), h)
    np.testing.assert_allclose(sl.cross_entropy_grad(z, y, reduction="sum"), fd.reshape(3, 5), rtol=0, atol=1e-8)


@given(matrices(finite(-1e300, 1e300)))
def test_logsumexp_consistent_with_log_softmax(x):
    # log_softmax = x - logsumexp up to rounding of the two forms
    lse = sl.logsumexp(x, keepdims=True)
    assert np.all(lse >= x.max(axis=-1, keepdims=True))
    lp = sl.log_softmax(x)
    scale = np.abs(x).max(axis=-1, keepdims=True) + np.abs(lse) + 1
    assert np.all(np.abs((x - lse) - lp) <= 4 * EPS64 * scale)


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
@given(data=st.data())
def test_low_precision_matches_float64_rounded(dtype, data):
    # float16/32 results are within ~1 ulp (float16: 1, float32: a few) of the float64 result
    width = 16 if dtype == np.float16 else 32
    lim = 2.0**13 if dtype == np.float16 else 2.0**100
    x = data.draw(matrices(finite(-lim, lim, width=width), dtype=dtype))
    p = sl.softmax(x)
    ref = sl.softmax(x.astype(np.float64))
    ulps = np.abs(p.astype(np.float64) - ref) / np.spacing(ref.astype(dtype)).astype(np.float64)
    d = np.abs(x.astype(np.float64) - x.astype(np.float64).max(axis=-1, keepdims=True))
    # the shift x - m is exact in float32 for float16 input; for float32 input it rounds
    allowance = 0 if dtype == np.float16 else d * ref * float(np.finfo(dtype).eps) / np.spacing(ref.astype(dtype))
    assert np.all(ulps <= (1 if dtype == np.float16 else 4 + x.shape[-1] / 8) + allowance)
