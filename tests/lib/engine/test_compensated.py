"""``two_sum`` and ``two_prod`` are exact: ``s + e == a + b`` and ``p + e == a * b`` as rational
numbers (``fractions.Fraction`` holds every double exactly), on random doubles spread over the
whole exponent range and on adversarial ones (huge and tiny exponents, subnormals, ties,
cancellation, signs), in float64 and float32."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from softmax_lib._engine import quiet, split, sum_error, two_prod, two_sum
from softmax_lib._engine.compensated import veltkamp_factor

DTYPES = [np.float64, np.float32]


def random_floats(dtype, size: int, rng: np.random.Generator) -> np.ndarray:
    """Random signs, significands and exponents over the dtype's whole range, subnormals
    and zeros included."""
    info = np.finfo(dtype)
    exps = rng.integers(info.minexp - info.nmant, info.maxexp, size)
    sig = rng.uniform(1.0, 2.0, size)
    with quiet():
        x = (np.ldexp(sig, exps) * rng.choice([-1.0, 1.0], size)).astype(dtype)
    x[rng.random(size) < 0.02] = 0.0
    return x[np.isfinite(x)]


def adversarial_floats(dtype) -> np.ndarray:
    """Values where rounding is hardest: extremes of the range, subnormals, powers of two and
    their neighbours (ties when added or multiplied), and both signs of each."""
    info = np.finfo(dtype)
    one = dtype(1)
    vals = [
        0.0,
        info.smallest_subnormal,
        3 * info.smallest_subnormal,
        info.smallest_normal,
        info.smallest_normal - info.smallest_subnormal,
        info.max,
        np.nextafter(info.max, 0, dtype=dtype),
        info.max / 2,
        one,
        np.nextafter(one, 2, dtype=dtype),
        np.nextafter(one, 0, dtype=dtype),
        info.eps,
        info.eps / 2,  # 1 + eps/2 is a tie: rounds to even
        info.eps / 2 * (1 + info.eps),
        3.0,
        1.0 / 3.0,
        2.0 ** (info.nmant // 2 + 1) + 1,  # the split's factor: halves with many bits
        np.ldexp(dtype(1.5), info.maxexp // 2),
        np.ldexp(dtype(1.5), info.minexp // 2),
    ]
    x = np.array(vals, dtype=dtype)
    return np.concatenate([x, -x])


def pairs(dtype, rng):
    """(a, b) arrays: all adversarial pairs, then random ones."""
    adv = adversarial_floats(dtype)
    a, b = (v.ravel() for v in np.meshgrid(adv, adv))
    ra, rb = random_floats(dtype, 4000, rng), random_floats(dtype, 4000, rng)
    k = min(ra.size, rb.size)
    # random pairs whose exponents are close, so that the sum's error is not just b itself
    with quiet():  # (an overflow to inf is left out by the tests)
        near = ra[:k] * (1 + dtype(2.0) ** -rng.integers(1, 30, k).astype(dtype))
    return np.concatenate([a, ra[:k], ra[:k]]), np.concatenate([b, rb[:k], -near])


def exact(v) -> Fraction:
    return Fraction(float(v))


def ulp(v) -> Fraction:
    """The spacing of the floats at ``|v|`` (upwards), exactly, without overflow at max."""
    info = np.finfo(v.dtype)
    _, ex = np.frexp(abs(v))
    return Fraction(2) ** max(int(ex) - info.nmant - 1, info.minexp - info.nmant)


@pytest.mark.parametrize("dtype", DTYPES)
def test_two_sum_is_exact(dtype):
    a, b = pairs(dtype, np.random.default_rng(1))
    with quiet():
        s, e = two_sum(a, b)
        np.testing.assert_array_equal(s, a + b)
    assert s.dtype == e.dtype == dtype
    checked = 0
    for ai, bi, si, ei in zip(a, b, s, e, strict=True):
        if not np.isfinite(si):  # overflow: the one documented exception
            continue
        assert exact(si) + exact(ei) == exact(ai) + exact(bi), (ai, bi, si, ei)
        assert abs(exact(ei)) <= ulp(si) / 2
        checked += 1
    assert checked > 0.95 * a.size


@pytest.mark.parametrize("dtype", DTYPES)
def test_sum_error_into_scratch_and_with_broadcasting(dtype):
    rng = np.random.default_rng(2)
    a = random_floats(dtype, 600, rng)[:500].reshape(50, 10)
    b = -a.max(axis=1, keepdims=True)  # a row shift, as the log-sum kernel uses it
    s = a + b
    tmp = np.empty_like(a)
    err = sum_error(a, b, s, out=s.copy(), tmp=tmp)
    again = sum_error(a, b, s.copy(), out=None, tmp=None)
    in_s = sum_error(a, b, s, out=s, tmp=tmp)  # out may be s itself
    np.testing.assert_array_equal(err, again)
    np.testing.assert_array_equal(in_s, again)
    for (i, j), ei in np.ndenumerate(err):
        assert exact(a[i, j] + b[i, 0]) + exact(ei) == exact(a[i, j]) + exact(b[i, 0])


def in_product_domain(a, b, dtype) -> np.ndarray:
    """The documented domain of two_prod: no overflow of the product or of the split, and an
    error term above the subnormal range."""
    info = np.finfo(dtype)
    p = info.nmant + 1
    with quiet():
        prod = np.abs(a.astype(np.float64) * b.astype(np.float64))
    limit = np.ldexp(1.0, info.maxexp - (p + 1) // 2)
    return (
        (np.abs(a) < limit)
        & (np.abs(b) < limit)
        & (prod < float(info.max))
        & ((prod >= np.ldexp(1.0, info.minexp + p)) | (a == 0) | (b == 0))
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_two_prod_is_exact(dtype):
    a, b = pairs(dtype, np.random.default_rng(3))
    # random pairs with the exponents spread so that most products stay in range
    rng = np.random.default_rng(4)
    half = np.finfo(dtype).maxexp // 2
    more_a = np.ldexp(rng.uniform(1, 2, 3000), rng.integers(-half, half, 3000)).astype(dtype)
    more_b = np.ldexp(rng.uniform(-2, 2, 3000), rng.integers(-half, half, 3000)).astype(dtype)
    a, b = np.concatenate([a, more_a]), np.concatenate([b, more_b])
    ok = in_product_domain(a, b, dtype)
    assert ok.sum() > 3000
    a, b = a[ok], b[ok]
    with quiet():
        p, e = two_prod(a, b)
    assert p.dtype == e.dtype == dtype
    np.testing.assert_array_equal(p, a * b)
    for ai, bi, pi, ei in zip(a, b, p, e, strict=True):
        assert exact(pi) + exact(ei) == exact(ai) * exact(bi), (ai, bi, pi, ei)


@pytest.mark.parametrize("dtype", DTYPES)
def test_two_prod_of_scalars_and_ties(dtype):
    one_ulp = np.nextafter(dtype(1), dtype(2))  # (1 + eps)^2 = 1 + 2 eps + eps^2: a tie-free error
    p, e = two_prod(one_ulp, one_ulp)
    assert exact(p) + exact(e) == exact(one_ulp) ** 2
    assert e == np.finfo(dtype).eps ** 2
    p, e = two_prod(dtype(3), dtype(1) / dtype(3))
    assert exact(p) + exact(e) == 3 * exact(dtype(1) / dtype(3))


@pytest.mark.parametrize("dtype", DTYPES)
def test_split_halves_are_exact_and_short(dtype):
    x = random_floats(dtype, 3000, np.random.default_rng(5))
    x = x[np.abs(x) < np.ldexp(1.0, np.finfo(dtype).maxexp - (np.finfo(dtype).nmant + 2) // 2)]
    hi, lo = split(x)
    np.testing.assert_array_equal(hi + lo, x)
    half = (np.finfo(dtype).nmant + 1 + 1) // 2  # ceil(p / 2) bits at most
    for v in np.concatenate([hi, lo]):
        if v != 0 and abs(v) >= np.finfo(dtype).smallest_normal:
            m, _ = np.frexp(abs(v))
            assert Fraction(float(m)).denominator <= 2**half, v


def test_veltkamp_factors():
    assert veltkamp_factor(np.dtype(np.float64)) == 2.0**27 + 1
    assert veltkamp_factor(np.dtype(np.float32)) == 2.0**12 + 1
