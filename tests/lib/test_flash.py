"""Tests for flash_attention (blockwise attention with the online rescaling) and
flash_attention_backward (dS = P * (dP - D), P recomputed from the stored log-sum-exp).

The reference is the full, non-blocked computation: sl.scaled_dot_product_attention, and an
extended-precision (long double) version of it. Accuracy claim, measured on the seeded cases
below: with scores that are exact in floating point (dyadic q, k), blockwise and full attention
differ by at most 16 ulps of (|A| |V|) (|A| the weights), and each is within 16 ulps of the
long double result; their errors are of the same size. Gradients agree with central finite
differences and with a dense backward pass built from softmax_jacobian.
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import softmax_lib as sl
from softmax_lib.flash import flash_attention, flash_attention_backward

INF, NAN = math.inf, math.nan


def sample(shape, seed=0, scale=1.0):
    return np.random.default_rng(seed).normal(0, scale, size=shape)


def dyadic(shape, seed):
    """Entries k/4 for small k: every score q.k is exact, so both computations see the same
    scores and only the softmax and the weighted sum are compared."""
    return np.random.default_rng(seed).integers(-6, 7, size=shape) / 4


def ulps_of(err, ref_mag):
    return float(np.max(np.abs(err) / np.spacing(ref_mag)))


def attention_longdouble(q, k, v, mask=None, scale=1.0):
    """Full attention in long double (about 11 more bits than float64 on x86)."""
    ql, kl, vl = (np.asarray(a, dtype=np.longdouble) for a in (q, k, v))
    s = (ql @ np.swapaxes(kl, -1, -2)) * np.longdouble(scale)
    if mask is not None:
        s = np.where(mask, s, -np.inf)
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)) @ vl


def random_case(rng):
    n_q, n_k, d, d_v = (int(rng.integers(1, 30)) for _ in range(4))
    mask = rng.random((n_q, n_k)) < 0.5
    mask[np.arange(n_q), rng.integers(0, n_k, n_q)] = True
    return n_q, n_k, d, d_v, mask, int(rng.integers(1, 9)), int(rng.integers(1, 9))


# ---------------------------------------------------------------- values


def test_equals_full_attention_within_a_few_ulps():
    rng = np.random.default_rng(0)
    worst = worst_flash = worst_full = 0.0
    for case in range(60):
        n_q, n_k, d, d_v, mask, bq, bk = random_case(rng)
        q, k, v = dyadic((n_q, d), case), dyadic((n_k, d), case + 100), sample((n_k, d_v), case)
        for m in (None, mask):
            out = flash_attention(q, k, v, m, block_q=bq, block_k=bk, scale=1.0)
            full = sl.scaled_dot_product_attention(q, k, v, mask=m, scale=1.0)
            mag = np.abs(sl.attention_weights(q, k, mask=m, scale=1.0)) @ np.abs(v)
            exact = attention_longdouble(q, k, v, m)
            worst = max(worst, ulps_of(out - full, mag))
            worst_flash = max(worst_flash, ulps_of((out - exact).astype(float), mag))
            worst_full = max(worst_full, ulps_of((full - exact).astype(float), mag))
    assert worst <= 16 and worst_flash <= 16 and worst_full <= 16


def test_random_scores_close_to_full_attention():
    # general q, k: the scores themselves may differ in the last bit (different matmul
    # shapes), and exp amplifies a score's rounding by its size; still within 1e-13 of the
    # magnitudes each output sums (|P| |V|): an output that nearly cancels has no relative
    # accuracy to speak of, in either computation
    q, k, v = sample((2, 37, 16), 1), sample((2, 53, 16), 2), sample((2, 53, 5), 3)
    full = sl.scaled_dot_product_attention(q, k, v)
    mag = np.abs(sl.attention_weights(q, k)) @ np.abs(v)
    for bq, bk in [(1, 1), (5, 7), (16, 16), (64, 64), (37, 53)]:
        out = flash_attention(q, k, v, block_q=bq, block_k=bk)
        assert np.all(np.abs(out - full) <= 1e-13 * mag)


def test_block_sizes_larger_than_the_input_and_default():
    q, k, v = sample((3, 4), 1), sample((5, 4), 2), sample((5, 2), 3)
    full = sl.scaled_dot_product_attention(q, k, v)
    one_tile = flash_attention(q, k, v)  # default 128: one tile
    np.testing.assert_allclose(one_tile, full, rtol=1e-14)
    np.testing.assert_array_equal(flash_attention(q, k, v, block_q=100, block_k=100), one_tile)


def test_lse_is_logsumexp_of_the_masked_scores():
    q, k, v = sample((7, 3), 4, 3.0), sample((11, 3), 5, 3.0), sample((11, 2), 6)
    causal = np.tril(np.ones((7, 11), dtype=bool))
    out, lse = flash_attention(q, k, v, causal, block_q=3, block_k=4, scale=0.5, return_lse=True)
    assert lse.shape == (7,)
    scores = np.where(causal, 0.5 * (q @ k.T), -INF)
    np.testing.assert_allclose(lse, sl.logsumexp(scores, axis=-1), rtol=1e-14)
    # the stored LSE gives back the weights: P = exp(S - LSE)
    np.testing.assert_allclose(
        np.exp(scores - lse[:, None]),
        sl.attention_weights(q, k, mask=causal, scale=0.5),
        rtol=1e-13,
        atol=1e-300,
    )


# ---------------------------------------------------------------- masked tiles


def test_causal_mask_with_fully_masked_tiles():
    # block_k = 2 and a causal mask: for query i, every key tile after i is all -inf, and
    # tiles of the first queries mix visible and fully masked rows
    n = 9
    q, k, v = dyadic((n, 4), 7), dyadic((n, 4), 8), sample((n, 3), 9)
    causal = np.tril(np.ones((n, n), dtype=bool))
    for bq, bk in [(1, 1), (2, 2), (3, 2), (4, 5)]:
        out = flash_attention(q, k, v, causal, block_q=bq, block_k=bk)
        assert np.isfinite(out).all()
        full = sl.scaled_dot_product_attention(q, k, v, mask=causal)
        np.testing.assert_allclose(out, full, rtol=1e-14, atol=1e-15)
        assert (out[0] == v[0]).all()  # the first query sees only the first key


def test_fully_masked_first_tile_then_visible_keys():
    # the chunks [(-inf, -inf), (1, 2)] of the many-classes chapter: a row whose first tile
    # is all -inf must not become NaN (exp(-inf - (-inf)))
    q = np.array([[1.0]])
    k = np.array([[5.0], [6.0], [1.0], [2.0]])
    v = np.arange(8.0).reshape(4, 2)
    mask = np.array([[False, False, True, True]])
    out, lse = flash_attention(q, k, v, mask, block_k=2, scale=1.0, return_lse=True)
    w = sl.softmax([1.0, 2.0])
    np.testing.assert_allclose(out, [w @ v[2:]], rtol=1e-15)
    np.testing.assert_allclose(lse, [sl.logsumexp([1.0, 2.0])], rtol=1e-15)
    # and a tile of -inf scores after visible ones changes nothing
    mask2 = np.array([[True, True, False, False]])
    np.testing.assert_allclose(
        flash_attention(q, k, v, mask2, block_k=2, scale=1.0),
        [sl.softmax([5.0, 6.0]) @ v[:2]],
        rtol=1e-15,
    )


def test_query_with_every_key_masked_is_the_same_error():
    q, k, v = sample((3, 2), 1), sample((4, 2), 2), sample((4, 2), 3)
    mask = np.ones((3, 4), dtype=bool)
    mask[1] = False
    with pytest.raises(ValueError, match=r"scaled_dot_product_attention: query row 1 ") as full:
        sl.scaled_dot_product_attention(q, k, v, mask=mask)
    with pytest.raises(ValueError, match=r"^flash_attention: query row 1 has every key") as fl:
        flash_attention(q, k, v, mask, block_k=2)
    assert str(fl.value).split(": ", 1)[1] == str(full.value).split(": ", 1)[1]
    with pytest.raises(ValueError, match=r"^flash_attention_backward: query row 1 "):
        flash_attention_backward(q, k, v, np.ones((3, 2)), mask)


def test_masked_positions_ignore_nan_and_inf():
    q = np.array([[1.0, 0.0]])
    k = np.array([[NAN, 0.0], [INF, 0.0], [0.5, 0.0]])
    v = np.array([[1.0], [2.0], [3.0]])
    mask = np.array([[False, False, True]])
    assert flash_attention(q, k, v, mask, block_k=1).tolist() == [[3.0]]


# ---------------------------------------------------------------- non-finite, shapes, dtypes


def test_non_finite_scores_as_full_attention():
    q = np.array([[1.0, 0.5], [0.5, 1.0], [NAN, 0.0], [-1.0, 1.0]])
    k = np.array([[INF, 0.0], [1.0, 0.0], [0.0, 1.0], [2.0, 0.0]])  # scores +inf, or -inf
    v = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]])
    out = flash_attention(q, k, v, block_k=2)
    full = sl.scaled_dot_product_attention(q, k, v)
    np.testing.assert_allclose(out, full, rtol=1e-15)  # NaN where full attention has NaN
    assert out[0].tolist() == out[1].tolist() == [1.0, 2.0]  # one +inf score: its value
    assert np.isnan(out[2]).all()  # a NaN query: NaN row
    assert np.isfinite(out[3]).all()  # a -inf score: weight 0
    all_neg = flash_attention(np.array([[-1.0]]), np.array([[INF], [INF]]), v[:2], block_k=1)
    assert np.isnan(all_neg).all()  # only -inf scores: 0/0, NaN as in softmax
    two_inf = flash_attention(np.array([[1.0]]), np.array([[INF], [INF]]), v[:2])
    assert np.isnan(two_inf).all()  # two +inf: no limit


def test_batch_axes_broadcast():
    q, k, v = sample((2, 3, 5, 4), 1), sample((3, 6, 4), 2), sample((1, 1, 6, 2), 3)
    out = flash_attention(q, k, v, block_q=2, block_k=4)
    assert out.shape == (2, 3, 5, 2)
    full = sl.scaled_dot_product_attention(q, k, v)
    mag = np.abs(sl.attention_weights(q, k)) @ np.abs(v)  # what each output sums
    assert np.all(np.abs(out - full) <= 1e-13 * mag)


def test_empty_and_d_zero():
    assert flash_attention(np.zeros((0, 3)), np.zeros((4, 3)), np.zeros((4, 2))).shape == (0, 2)
    out, lse = flash_attention(np.zeros((2, 0)), np.zeros((4, 0)), np.eye(4), return_lse=True)
    np.testing.assert_allclose(out, np.full((2, 4), 0.25))
    np.testing.assert_allclose(lse, [math.log(4)] * 2)


@pytest.mark.parametrize(
    "dtype, expected, rtol",
    [
        (np.float64, np.float64, 1e-14),
        (np.float32, np.float32, 1e-5),
        (np.float16, np.float16, 2e-3),
        (np.int64, np.float64, 1e-14),
        (np.bool_, np.float64, 1e-14),
    ],
)
def test_dtype_policy(dtype, expected, rtol):
    q = np.array([[1, 0], [0, 1], [1, 1]]).astype(dtype)
    k = np.array([[1, 1], [0, 1], [1, 0]]).astype(dtype)
    out, lse = flash_attention(q, k, k, block_q=2, block_k=2, return_lse=True)
    full = sl.scaled_dot_product_attention(q, k, k)
    assert out.dtype == expected == full.dtype and lse.dtype == expected
    np.testing.assert_allclose(out.astype(float), full.astype(float), rtol=rtol)


def test_inputs_not_modified():
    q, k, v = sample((4, 3), 1), sample((5, 3), 2), sample((5, 2), 3)
    copies = [a.copy() for a in (q, k, v)]
    flash_attention(q, k, v, block_q=2, block_k=2)
    flash_attention_backward(q, k, v, np.ones((4, 2)), block_q=2, block_k=2)
    for a, c in zip((q, k, v), copies, strict=True):
        np.testing.assert_array_equal(a, c)


# ---------------------------------------------------------------- backward


def dense_backward(q, k, v, do, mask=None, scale=None):
    """The gradients from the full weight matrix, row by row through softmax_jacobian."""
    s = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    a = sl.attention_weights(q, k, mask=mask, scale=s)
    scores = s * (q @ k.T)
    dv = a.T @ do
    dp = do @ v.T
    keep = np.ones_like(a, bool) if mask is None else mask
    rows = zip(scores, keep, dp, strict=True)
    ds = np.stack([sl.softmax_jacobian(np.where(mr, sr, -INF)) @ g for sr, mr, g in rows])
    return s * ds @ k, s * ds.T @ q, dv


def test_backward_matches_finite_differences():
    rng = np.random.default_rng(10)
    q, k, v = rng.normal(size=(5, 3)), rng.normal(size=(7, 3)), rng.normal(size=(7, 2))
    mask = np.tril(np.ones((5, 7), dtype=bool), k=1)
    g = rng.normal(size=(5, 2))  # L = sum(g * O)
    grads = flash_attention_backward(q, k, v, g, mask, block_q=2, block_k=3)
    h = 1e-6
    args = {"q": q, "k": k, "v": v}
    for (name, arr), grad in zip(args.items(), grads, strict=True):
        fd = np.empty_like(arr)
        for idx in np.ndindex(arr.shape):
            e = np.zeros_like(arr)
            e[idx] = h
            plus = {**args, name: arr + e}
            minus = {**args, name: arr - e}
            fd[idx] = (
                np.sum(g * sl.scaled_dot_product_attention(**plus, mask=mask))
                - np.sum(g * sl.scaled_dot_product_attention(**minus, mask=mask))
            ) / (2 * h)
        assert grad.shape == arr.shape
        np.testing.assert_allclose(grad, fd, atol=1e-8)


def test_backward_matches_dense_backward_and_ignores_masked_keys():
    rng = np.random.default_rng(11)
    for case in range(10):
        n_q, n_k, d, d_v, mask, bq, bk = random_case(rng)
        q, k, v = sample((n_q, d), case), sample((n_k, d), case + 50), sample((n_k, d_v), case)
        do = sample((n_q, d_v), case + 99)
        dq, dk, dv = flash_attention_backward(q, k, v, do, mask, block_q=bq, block_k=bk)
        for got, want in zip((dq, dk, dv), dense_backward(q, k, v, do, mask), strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
        hidden = ~mask.any(axis=0)  # keys no query may see get no gradient at all
        assert (dk[hidden] == 0).all() and (dv[hidden] == 0).all()


def test_backward_with_stored_o_and_lse_and_broadcast_batch():
    q, k, v = sample((2, 4, 3), 1), sample((5, 3), 2), sample((2, 5, 2), 3)
    do = sample((2, 4, 2), 4)
    o, lse = flash_attention(q, k, v, block_q=3, block_k=2, return_lse=True)
    stored = flash_attention_backward(q, k, v, do, o=o, lse=lse, block_q=3, block_k=2)
    fresh = flash_attention_backward(q, k, v, do, block_q=3, block_k=2)
    for a, b in zip(stored, fresh, strict=True):
        np.testing.assert_array_equal(a, b)
    dq, dk, dv = stored
    assert dq.shape == q.shape and dk.shape == k.shape and dv.shape == v.shape
    # k is shared by both batches: its gradient is the sum of the per-batch ones
    per_batch = [dense_backward(q[b], k, v[b], do[b]) for b in range(2)]
    np.testing.assert_allclose(dk, per_batch[0][1] + per_batch[1][1], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(dq[1], per_batch[1][0], rtol=1e-10, atol=1e-13)


# ---------------------------------------------------------------- properties


@st.composite
def attention_inputs(draw):
    n_q, n_k, d, d_v = (draw(st.integers(1, 6)) for _ in range(4))
    elems = st.floats(-4, 4, allow_nan=False)
    q = draw(hnp.arrays(np.float64, (n_q, d), elements=elems))
    k = draw(hnp.arrays(np.float64, (n_k, d), elements=elems))
    v = draw(hnp.arrays(np.float64, (n_k, d_v), elements=elems))
    mask = draw(hnp.arrays(np.bool_, (n_q, n_k)))
    mask[:, draw(st.integers(0, n_k - 1))] = True
    return q, k, v, mask, draw(st.integers(1, 7)), draw(st.integers(1, 7))


@given(attention_inputs())
def test_property_equals_full_computation(case):
    q, k, v, mask, bq, bk = case
    out, lse = flash_attention(q, k, v, mask, block_q=bq, block_k=bk, return_lse=True)
    full = sl.scaled_dot_product_attention(q, k, v, mask=mask)
    mag = np.abs(sl.attention_weights(q, k, mask=mask)) @ np.abs(v)
    assert (np.abs(out - full) <= 1e-12 * np.maximum(mag, 1e-300)).all()
    scores = np.where(mask, (q @ k.T) / math.sqrt(q.shape[1]), -INF)
    np.testing.assert_allclose(lse, sl.logsumexp(scores, axis=-1), rtol=1e-12, atol=1e-12)


@given(attention_inputs())
def test_property_backward_equals_dense(case):
    q, k, v, mask, bq, bk = case
    do = np.cos(np.arange(q.shape[0] * v.shape[1])).reshape(q.shape[0], v.shape[1])
    got = flash_attention_backward(q, k, v, do, mask, block_q=bq, block_k=bk)
    for a, b in zip(got, dense_backward(q, k, v, do, mask), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)


# ---------------------------------------------------------------- bad input

GOOD = {"q": np.ones((2, 3)), "k": np.ones((4, 3)), "v": np.ones((4, 2))}
FUNCS = {
    "flash_attention": flash_attention,
    "flash_attention_backward": lambda q, k, v, *a, **kw: flash_attention_backward(
        q, k, v, np.ones((2, 2)), *a, **kw
    ),
}


@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("arg", ["q", "k", "v"])
@pytest.mark.parametrize(
    "bad, what",
    [
        (None, "must be an array of real numbers, got None"),
        ("abc", "must be an array of real numbers, got dtype <U3"),
        (np.array([[object()]]), "must be an array of real numbers, got dtype object"),
        (np.ones((2, 2)) * 1j, r"is complex \(complex128\)"),
    ],
)
def test_non_real_inputs(name, arg, bad, what):
    with pytest.raises(TypeError, match=rf"^{name}: {arg} {what}"):
        FUNCS[name](**{**GOOD, arg: bad})


@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize(
    "args, message",
    [
        ({"q": np.ones(3)}, r"q must have shape \(\.\.\., n_q, d\) .*got shape \(3,\)"),
        ({"k": np.ones(3)}, r"k must have shape .*got shape \(3,\)"),
        ({"v": np.ones(4)}, r"v must have shape .*got shape \(4,\)"),
        ({"k": np.ones((4, 5))}, r"same last axis d, got q \(2, 3\) .* k \(4, 5\)"),
        ({"v": np.ones((3, 2))}, r"one row per key: k has n_k = 4 keys .* v has 3 rows"),
        ({"q": np.ones((2, 2, 3)), "k": np.ones((3, 4, 3))}, "batch axes .* do not broadcast"),
        ({"k": np.ones((0, 3)), "v": np.ones((0, 2))}, r"k has no keys \(n_k = 0\)"),
    ],
)
def test_bad_shapes(name, args, message):
    with pytest.raises(ValueError, match=rf"^{name}: .*{message}"):
        FUNCS[name](**{**GOOD, **args})


@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize(
    "mask, message",
    [
        (np.ones((3, 4), dtype=bool), r"mask of shape \(3, 4\) does not broadcast .*\(2, 4\)"),
        (np.ones((2, 4)), "mask must be a boolean array"),
        ([[1, 0, 1, 1]] * 2, "mask must be a boolean array"),
    ],
)
def test_bad_mask(name, mask, message):
    with pytest.raises(ValueError, match=rf"^{name}: {message}"):
        FUNCS[name](**GOOD, mask=mask)


@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("scale", [0.0, -1.0, NAN, INF, -INF])
def test_scale_not_finite_positive(name, scale):
    with pytest.raises(ValueError, match=rf"^{name}: scale must be finite and > 0"):
        FUNCS[name](**GOOD, scale=scale)


@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("scale", [True, "1", np.array([1.0, 2.0]), 1j])
def test_scale_not_a_real_scalar(name, scale):
    with pytest.raises(TypeError, match=rf"^{name}: scale must be a real scalar or None"):
        FUNCS[name](**GOOD, scale=scale)


@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("which", ["block_q", "block_k"])
@pytest.mark.parametrize("size", [0, -1, np.int64(-3)])
def test_block_size_not_positive(name, which, size):
    with pytest.raises(ValueError, match=rf"^{name}: {which} must be a positive int .*got -?\d"):
        FUNCS[name](**GOOD, **{which: size})


@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("which", ["block_q", "block_k"])
@pytest.mark.parametrize("size", [2.0, 1.5, True, "2", None, np.array([2])])
def test_block_size_not_an_int(name, which, size):
    with pytest.raises(TypeError, match=rf"^{name}: {which} must be a positive int, got"):
        FUNCS[name](**GOOD, **{which: size})


@pytest.mark.parametrize(
    "args",
    [
        {"q": np.ones(3)},
        {"k": "abc"},
        {"k": np.ones((4, 5))},
        {"scale": -1.0},
        {"scale": "1"},
        {"mask": np.ones((3, 4), dtype=bool)},
        {"mask": np.ones((2, 4))},
        {"mask": np.array([True, False, True, True]) & np.array([[True], [False]])},
    ],
)
def test_checks_of_q_k_scale_mask_are_those_of_full_attention(args):
    # one shared set of checks (softmax_lib._attention_args): same error, same message (the
    # batch-axes message differs by design: flash lists v too)
    full_args = {"q": GOOD["q"], "k": GOOD["k"], "v": np.ones((4, 2)), **args}
    with pytest.raises((TypeError, ValueError)) as full:
        sl.scaled_dot_product_attention(**full_args)
    for name in FUNCS:
        with pytest.raises(full.type) as fl:
            FUNCS[name](**{**GOOD, **args})
        assert str(fl.value) == str(full.value).replace("scaled_dot_product_attention", name, 1)


def test_block_size_accepts_numpy_ints():
    q, k, v = sample((3, 2), 1), sample((5, 2), 2), sample((5, 1), 3)
    np.testing.assert_array_equal(
        flash_attention(q, k, v, block_q=np.int32(2), block_k=np.int64(2)),
        flash_attention(q, k, v, block_q=2, block_k=2),
    )


def test_backward_bad_arguments():
    f = "flash_attention_backward"
    with pytest.raises(ValueError, match=rf"^{f}: do must have the output's shape \(2, 2\)"):
        flash_attention_backward(**GOOD, do=np.ones((2, 3)))
    with pytest.raises(TypeError, match=rf"^{f}: do must be an array of real numbers"):
        flash_attention_backward(**GOOD, do=None)
    with pytest.raises(ValueError, match=rf"^{f}: give both o and lse"):
        flash_attention_backward(**GOOD, do=np.ones((2, 2)), o=np.ones((2, 2)))
    with pytest.raises(ValueError, match=rf"^{f}: o must have the output's shape"):
        flash_attention_backward(**GOOD, do=np.ones((2, 2)), o=np.ones((3, 2)), lse=np.ones(2))
    with pytest.raises(ValueError, match=rf"^{f}: lse must have shape \(2,\)"):
        flash_attention_backward(**GOOD, do=np.ones((2, 2)), o=np.ones((2, 2)), lse=np.ones(3))
    with pytest.raises(TypeError, match=rf"^{f}: lse is complex"):
        flash_attention_backward(**GOOD, do=np.ones((2, 2)), o=np.ones((2, 2)), lse=[1j, 1j])


def test_no_numpy_warnings_on_extreme_input():
    # pytest runs with filterwarnings = error
    q = np.array([[1e200, 1.0], [INF, 0.0], [NAN, 0.0]])
    k = np.array([[1e200, 0.0], [1.0, 1.0]])
    v = np.ones((2, 2))
    out = flash_attention(q, k, v, block_k=1)
    np.testing.assert_array_equal(out, sl.scaled_dot_product_attention(q, k, v))
    flash_attention_backward(q, k, v, np.ones((3, 2)), block_k=1)
