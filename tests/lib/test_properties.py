"""Property tests (hypothesis). Profiles live in conftest.py ("ci" with CI=true).

Bounds used below, for a row of n entries in a dtype with machine epsilon eps:
  * sum of softmax (accumulated exactly with math.fsum): |sum - 1| <= (2 + log2 n) eps --
    one rounding in each quotient and exp (they average out) plus the pairwise sum of the
    denominator;
  * shift by a constant c: rounding x_i + c moves it by up to (|x_i| + |c|) u (u = eps / 2),
    and so d_i = x_i - max by up to (|x_i| + |max| + 2 |c|) u; softmax turns a perturbation
    delta of d into a relative change of p_i of delta_i - sum_j p_j delta_j, at most twice the
    largest delta. Both results also round d_i (|d_i| u each) and the exp, sum and quotient
    (a few eps): |p_i - q_i| <= q_i eps (8 + 2 (max |x| + |c| + max |d|)) per row;
  * temperature: softmax(x, T) and softmax(x / T) differ only by the rounding of x / T, so
    |difference_i| <= p_i eps (8 + 2 (|d_i| + sum_j p_j |d_j|)), d = (x - max) / T.
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import softmax_lib as sl

EPS64 = np.finfo(np.float64).eps


def finite(lo=-1e3, hi=1e3, width=64):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, width=width)


FINITE = finite()


def rows(elements=FINITE, min_side=1, max_side=24, dtype=np.float64, min_dims=1, max_dims=2):
    return hnp.arrays(
        dtype,
        hnp.array_shapes(
            min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
        ),
        elements=elements,
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
    # x + c rounds: the bound of the module docstring, which involves |x| and |c|, not only the
    # spread x - max
    p, q = sl.softmax(x + c), sl.softmax(x)
    spread = np.abs(x - x.max(axis=-1, keepdims=True)).max(axis=-1, keepdims=True)
    size = np.abs(x).max(axis=-1, keepdims=True) + abs(c)
    assert np.all(np.abs(p - q) <= q * EPS64 * (8 + 2 * (size + spread)) + 1e-300)


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


@given(rows(finite(), min_side=1, max_side=8, max_dims=1), st.floats(0.25, 4.0))
def test_jacobian_matches_central_differences(x, t):
    # step h = 1e-5 T: truncation error ~ h^2 / T^3 ~ 1e-10 / T; rounding ~ eps (1 + |x|) / h
    h = 1e-5 * t
    jac = sl.softmax_jacobian(x, temperature=t)
    steps = h * np.eye(len(x))
    fd = np.stack(
        [
            (sl.softmax(x + e, temperature=t) - sl.softmax(x - e, temperature=t)) / (2 * h)
            for e in steps
        ],
        axis=1,
    )
    tol = 1e-8 + 4 * EPS64 * (1 + np.abs(x).max()) / h
    np.testing.assert_allclose(jac, fd, rtol=0, atol=tol)
    np.testing.assert_allclose(jac, jac.T, atol=1e-17)


@given(
    rows(finite(), min_side=2, max_side=6, min_dims=2, max_dims=2),
    st.data(),
    st.sampled_from(["sum", "mean", "none"]),
)
def test_cross_entropy_gradient_matches_central_differences(z, data, reduction):
    n, k = z.shape
    labels = np.array(data.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    w = data.draw(hnp.arrays(np.float64, (n, k), elements=st.floats(0.01, 1.0)))
    soft = w / w.sum(axis=1, keepdims=True)
    h = 1e-5
    # rounding of the loss differences ~ eps (1 + |z|) n / h ("none": the sum over examples)
    tol = 1e-8 + 4 * EPS64 * (1 + np.abs(z).max()) * n / h
    for y, onehot in ((labels, np.eye(k)[labels]), (soft, soft)):
        grad = sl.cross_entropy_grad(z, y, reduction=reduction)
        scale = n if reduction == "mean" else 1
        np.testing.assert_allclose(grad * scale, sl.softmax(z) - onehot, rtol=1e-15, atol=1e-16)
        fd = np.empty_like(z)
        for idx in np.ndindex(z.shape):
            e = np.zeros_like(z)
            e[idx] = h
            up = sl.cross_entropy(z + e, y, reduction=reduction).sum()
            down = sl.cross_entropy(z - e, y, reduction=reduction).sum()
            fd[idx] = (up - down) / (2 * h)
        np.testing.assert_allclose(grad, fd, rtol=0, atol=tol)


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
    lse = sl.logsumexp(x, axis=axis, keepdims=True)
    m = x.max(axis=axis, keepdims=True)
    n = x.shape[axis]
    assert (lse >= m).all()
    assert (lse <= m + math.log(n) * (1 + 4 * EPS64) + 4 * EPS64 * np.abs(m)).all()
    # log_softmax = x - logsumexp, up to the rounding of the two forms
    lp = sl.log_softmax(x, axis=axis)
    scale = np.abs(x).max(axis=axis, keepdims=True) + np.abs(lse) + 1
    assert np.all(np.abs((x - lse) - lp) <= 4 * EPS64 * scale)


@given(
    rows(
        st.one_of(finite(), st.sampled_from([math.inf, -math.inf, math.nan])),
        min_side=1,
        max_side=6,
    )
)
def test_non_finite_rows_never_warn_and_stay_isolated(x):
    # filterwarnings=error turns any numpy warning into a failure
    for func in (sl.softmax, sl.log_softmax):
        out = np.atleast_2d(func(x))
        for row, got in zip(np.atleast_2d(x), out, strict=True):
            if np.isfinite(row).all():
                np.testing.assert_array_equal(got, func(row))
            if np.isnan(row).any():
                assert np.isnan(got).all()
    # a logsumexp is NaN exactly where its row has a NaN (+inf beside -inf is +inf)
    lse = np.atleast_1d(sl.logsumexp(x))
    np.testing.assert_array_equal(np.isnan(lse), np.isnan(np.atleast_2d(x)).any(axis=-1))
    np.testing.assert_array_equal(np.isnan(sl.sigmoid(x)), np.isnan(x))


def matrices(elements, dtype=np.float64, max_rows=4, max_cols=12):
    shape = st.tuples(st.integers(1, max_rows), st.integers(1, max_cols))
    return hnp.arrays(dtype, shape, elements=elements)


@given(matrices(finite(-1e300, 1e300)))
def test_exp_log_softmax_sums_to_one(x):
    lp = sl.log_softmax(x)
    assert (lp <= 0).all()
    sums = np.apply_along_axis(math.fsum, -1, np.exp(lp))
    # each exp(lp_i) rounds, and lp_i = d_i - log s carries about (|d_i| + log n) u absolute
    assert np.all(np.abs(sums - 1) <= (4 + x.shape[-1] / 4) * EPS64)


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
    allowance = (
        0
        if dtype == np.float16
        else d * ref * float(np.finfo(dtype).eps) / np.spacing(ref.astype(dtype))
    )
    assert np.all(ulps <= (1 if dtype == np.float16 else 4 + x.shape[-1] / 8) + allowance)
