"""Tests for the online (one-pass, chunked) logsumexp and softmax.

Accuracy claim, measured on the seeded data of ``cases`` (400 random cases for logsumexp and
300 for softmax, each 3 rows of 1 to 500 entries, scales from 1 to 1e6, offsets up to ±1e4,
split into 1 to 30 chunks of uneven sizes including size 1 and size 0): online_logsumexp is
within 2 ulps of logsumexp on the concatenation (worst seen: 1 ulp), online_softmax within
8 ulps of softmax on every entry above 1e-300 (worst seen: 6 ulps; its sum is accumulated in a
different order). Entries below 1e-300 are subnormal or nearly so and are compared absolutely.
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import softmax_lib as sl

from .oracles import ulps

INF, NAN = math.inf, math.nan
LSE_ULPS, SOFTMAX_ULPS = 2, 8


def random_split(x, rng, axis=-1, max_chunks=30):
    """Split x along axis at random cut points (a repeated cut gives an empty chunk)."""
    k = int(rng.integers(1, max_chunks + 1))
    cuts = np.sort(rng.integers(0, x.shape[axis] + 1, size=k - 1))
    return np.split(x, cuts, axis=axis)


def cases(count=400, seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        n = int(rng.integers(1, 501))
        scale = float(rng.choice([1.0, 10.0, 1e3, 1e6]))
        offset = float(rng.choice([0.0, 1e4, -1e4]))
        x = rng.normal(offset, scale, (3, n))
        yield x, random_split(x, rng, axis=1)


def test_logsumexp_matches_full_within_ulps():
    worst = max(
        ulps(sl.online_logsumexp(ch, axis=1), sl.logsumexp(x, axis=1)).max() for x, ch in cases()
    )
    assert worst <= LSE_ULPS


def test_softmax_matches_full_within_ulps():
    worst = 0.0
    for x, ch in cases(count=300, seed=1):
        p, ref = sl.online_softmax(ch, axis=1), sl.softmax(x, axis=1)
        assert p.shape == x.shape
        keep = ref > 1e-300  # subnormal tails have few significant bits; compare them absolutely
        worst = max(worst, ulps(p[keep], ref[keep]).max())
        np.testing.assert_allclose(p[~keep], ref[~keep], rtol=0, atol=1e-300)
    assert worst <= SOFTMAX_ULPS


def test_huge_logits_and_size_one_chunks():
    x = np.array([1e308, -1e308, 1e308, 7.0, -3.0])
    chunks = [x[i : i + 1] for i in range(len(x))]
    assert float(sl.online_logsumexp(chunks)) == float(sl.logsumexp(x))
    np.testing.assert_array_equal(sl.online_softmax(chunks), sl.softmax(x))
    # the maximum arrives last, so every earlier term is rescaled by an underflowing factor
    y = np.arange(0.0, 2000.0, 1.0)
    assert ulps(sl.online_logsumexp(np.array_split(y, 17)), sl.logsumexp(y)) <= LSE_ULPS


def test_dominant_entry_keeps_tiny_tail():
    # log(1 + e^-40) ~ 4.2e-18: lost by log(s), kept by log1p(t) as in logsumexp
    out = float(sl.online_logsumexp([[-40.0], [0.0]]))
    assert out == pytest.approx(math.exp(-40.0), rel=1e-15)
    assert float(sl.online_logsumexp([[0.0], [-40.0]])) == out


def test_one_chunk_is_logsumexp():
    x = np.random.default_rng(3).normal(0, 5, (4, 9))
    np.testing.assert_array_equal(sl.online_logsumexp([x]), sl.logsumexp(x))


def test_generator_is_consumed_once():
    x = np.random.default_rng(4).normal(0, 5, 1000)
    seen = []

    def reader():
        for c in np.array_split(x, 10):
            seen.append(len(c))
            yield c

    assert ulps(sl.online_logsumexp(reader()), sl.logsumexp(x)) <= LSE_ULPS
    assert seen == [100] * 10
    np.testing.assert_allclose(sl.online_softmax(reader()), sl.softmax(x), rtol=1e-14)


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3])
def test_axes_and_keepdims(axis):
    x = np.random.default_rng(5).normal(0, 3, (5, 6, 7))
    ch = np.array_split(x, 3, axis=axis)
    for keepdims in (False, True):
        out = sl.online_logsumexp(ch, axis=axis, keepdims=keepdims)
        ref = sl.logsumexp(x, axis=axis, keepdims=keepdims)
        assert out.shape == ref.shape
        assert ulps(out, ref).max() <= LSE_ULPS
    np.testing.assert_allclose(
        sl.online_softmax(ch, axis=axis), sl.softmax(x, axis=axis), rtol=1e-14
    )


@pytest.mark.parametrize(
    "dtypes, expected",
    [
        ((np.float64,), np.float64),
        ((np.float32,), np.float32),
        ((np.float16,), np.float16),
        ((np.int32,), np.float64),
        ((np.bool_,), np.float64),
        ((np.float32, np.float64), np.float64),
        ((np.float16, np.float32), np.float32),
    ],
)
def test_dtype_policy(dtypes, expected):
    x = np.random.default_rng(6).normal(0, 3, (2, 12))
    chunks = [x[:, 4 * i : 4 * i + 4].astype(dtypes[i % len(dtypes)]) for i in range(3)]
    assert sl.online_logsumexp(chunks).dtype == expected
    assert sl.online_softmax(chunks).dtype == expected


def test_float16_like_logsumexp():
    x = np.random.default_rng(7).normal(0, 4, (20, 30)).astype(np.float16)
    ch = np.array_split(x, 4, axis=1)
    np.testing.assert_array_equal(sl.online_logsumexp(ch), sl.logsumexp(x))
    np.testing.assert_allclose(
        sl.online_softmax(ch).astype(np.float64), sl.softmax(x).astype(np.float64), rtol=2e-3
    )


NONFINITE_ROWS = [
    [NAN, 0.0, 1.0, 2.0],
    [0.0, 1.0, INF, 2.0],
    [INF, 1.0, INF, 2.0],
    [-INF, -INF, -INF, -INF],
    [-INF, 0.0, -INF, 3.0],
    [INF, NAN, 0.0, 0.0],
    [1000.0, -INF, 0.0, INF],
]


@pytest.mark.parametrize("row", NONFINITE_ROWS)
@pytest.mark.parametrize("cuts", [[1, 2, 3], [2], [0, 4], [3, 3]])
def test_nonfinite_like_full(row, cuts):
    x = np.array([row, [1.0, 2.0, 3.0, 4.0]])
    ch = np.split(x, cuts, axis=1)
    lse, p = sl.online_logsumexp(ch), sl.online_softmax(ch)  # filterwarnings=error: no warning
    np.testing.assert_array_equal(lse, sl.logsumexp(x))
    np.testing.assert_allclose(p, sl.softmax(x), rtol=1e-15)
    np.testing.assert_array_equal(np.isnan(p), np.isnan(sl.softmax(x)))


def test_empty_chunks_and_empty_total():
    x = np.array([3.0, 1.0, 2.0])
    empty = np.empty(0)
    assert float(sl.online_logsumexp([empty, x, empty])) == float(sl.logsumexp(x))
    assert float(sl.online_logsumexp([empty])) == -INF
    assert float(sl.online_logsumexp([np.empty((2, 0)), np.empty((2, 0))]).max()) == -INF
    assert sl.online_softmax([empty, empty]).shape == (0,)


@given(
    x=hnp.arrays(
        np.float64,
        st.integers(1, 60),
        elements=st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
    ),
    data=st.data(),
)
def test_any_chunking_gives_the_same_result(x, data):
    cuts = sorted(data.draw(st.lists(st.integers(0, len(x)), max_size=8)))
    chunks = np.split(x, cuts)
    assert ulps(sl.online_logsumexp(chunks), sl.logsumexp(x)) <= LSE_ULPS
    p, ref = sl.online_softmax(chunks), sl.softmax(x)
    keep = ref > 1e-300
    assert ulps(p[keep], ref[keep]).max(initial=0.0) <= SOFTMAX_ULPS
    assert np.all(np.abs(p[~keep] - ref[~keep]) <= 1e-300)


def test_rescaling_invariant_by_hand():
    # after each chunk the running (m, s) is (max, sum exp(x - max)) of the prefix
    x = np.array([1.0, 5.0, 2.0, 9.0, 3.0])
    for k in range(1, len(x) + 1):
        prefix = x[:k]
        m = prefix.max()
        s = np.exp(prefix - m).sum()
        assert float(sl.online_logsumexp([prefix[:2], prefix[2:]])) == pytest.approx(
            m + math.log(s), rel=1e-15
        )


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("func", [sl.online_logsumexp, sl.online_softmax])
@pytest.mark.parametrize("bad", [None, np.arange(3.0), "abc", 3.0, 7])
def test_chunks_must_be_an_iterable_of_arrays(func, bad):
    with pytest.raises(TypeError, match=rf"{func.__name__}: chunks must be an iterable"):
        func(bad)


@pytest.mark.parametrize("func", [sl.online_logsumexp, sl.online_softmax])
@pytest.mark.parametrize("bad", [None, ["a", "b"], [1 + 2j], [object()]])
def test_bad_chunk_named(func, bad):
    with pytest.raises(TypeError, match=rf"{func.__name__}: chunks\[1\]"):
        func([[1.0], bad])


@pytest.mark.parametrize("func", [sl.online_logsumexp, sl.online_softmax])
def test_no_chunks(func):
    with pytest.raises(ValueError, match=rf"{func.__name__}: chunks is empty"):
        func([])
    with pytest.raises(ValueError, match="chunks is empty"):
        func(iter(()))


@pytest.mark.parametrize("func", [sl.online_logsumexp, sl.online_softmax])
@pytest.mark.parametrize(
    "second", [np.zeros((3, 2)), np.zeros(4), np.zeros((2, 2, 2)), np.float64(1.0)]
)
def test_mismatched_shapes(func, second):
    with pytest.raises(ValueError, match=rf"{func.__name__}: chunks\[1\] has shape"):
        func([np.zeros((2, 3)), second])


@pytest.mark.parametrize("func", [sl.online_logsumexp, sl.online_softmax])
def test_axis_errors(func):
    with pytest.raises(np.exceptions.AxisError, match=func.__name__):
        func([np.zeros((2, 3))], axis=2)
    with pytest.raises(np.exceptions.AxisError):
        func([np.float64(1.0)])
    with pytest.raises(TypeError, match=rf"{func.__name__}: axis must be an int"):
        func([np.zeros(3)], axis=1.0)
    with pytest.raises(TypeError, match="axis must be an int"):
        func([np.zeros(3)], axis=None)


def test_other_axis_may_differ_only_along_axis():
    a, b = np.zeros((2, 3)), np.zeros((4, 3))
    assert sl.online_logsumexp([a, b], axis=0).shape == (3,)
    with pytest.raises(ValueError, match="except along axis -1"):
        sl.online_logsumexp([a, b])
