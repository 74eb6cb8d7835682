"""Unit tests for attention_weights and scaled_dot_product_attention: values against a
from-scratch reference, masking, the fully masked row, errors, dtypes, batch axes, and the
invariance under permuting keys and values together."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import softmax_lib as sl

from .oracles import attention_weights as ref_weights

EPS64 = np.finfo(np.float64).eps


def sample(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


# ---------------------------------------------------------------- values


@pytest.mark.parametrize("n_q, n_k, d", [(3, 3, 4), (1, 5, 2), (4, 2, 8), (2, 7, 1)])
@pytest.mark.parametrize("scale", [None, 1.0, 0.3])
def test_weights_match_reference(n_q, n_k, d, scale):
    q, k = sample((n_q, d), 1), sample((n_k, d), 2)
    w = sl.attention_weights(q, k, scale=scale)
    assert w.shape == (n_q, n_k) and w.dtype == np.float64
    np.testing.assert_allclose(w, ref_weights(q, k, scale=scale), rtol=1e-13, atol=1e-16)


def test_default_scale_is_inverse_sqrt_d():
    q, k = sample((3, 16), 3), sample((5, 16), 4)
    np.testing.assert_allclose(
        sl.attention_weights(q, k), sl.attention_weights(q, k, scale=0.25), rtol=0, atol=0
    )
    np.testing.assert_allclose(
        sl.attention_weights(q, k), sl.softmax(q @ k.T, temperature=4.0), rtol=4 * EPS64
    )


def test_rows_sum_to_one_and_lie_in_unit_interval():
    q, k = 5 * sample((2, 6, 8), 5), 5 * sample((2, 9, 8), 6)
    w = sl.attention_weights(q, k)
    assert ((w >= 0) & (w <= 1)).all()
    np.testing.assert_allclose(w.sum(axis=-1), 1.0, rtol=0, atol=4 * EPS64)


def test_output_matches_reference():
    q, k, v = sample((4, 3), 7), sample((6, 3), 8), sample((6, 5), 9)
    out = sl.scaled_dot_product_attention(q, k, v)
    assert out.shape == (4, 5)
    np.testing.assert_allclose(out, ref_weights(q, k) @ v, rtol=1e-12, atol=1e-15)


def test_large_scores_do_not_overflow():
    q = np.array([[1000.0, 0.0]])
    k = np.array([[1000.0, 0.0], [0.0, 1000.0]])
    np.testing.assert_array_equal(sl.attention_weights(q, k), [[1.0, 0.0]])


def test_inputs_not_modified():
    q, k, v = sample((2, 3), 1), sample((4, 3), 2), sample((4, 2), 3)
    copies = [a.copy() for a in (q, k, v)]
    sl.scaled_dot_product_attention(q, k, v, mask=np.tril(np.ones((2, 4), dtype=bool)))
    for a, c in zip((q, k, v), copies, strict=True):
        np.testing.assert_array_equal(a, c)


# ---------------------------------------------------------------- masking


@pytest.mark.parametrize("n", [1, 3, 6])
def test_causal_mask_gives_exact_zeros_above_diagonal(n):
    q, k = 10 * sample((n, 4), 10), 10 * sample((n, 4), 11)
    causal = np.tril(np.ones((n, n), dtype=bool))
    w = sl.attention_weights(q, k, mask=causal)
    assert (w[np.triu_indices(n, 1)] == 0.0).all()  # exact, not merely tiny
    assert (w[causal] > 0).all()
    np.testing.assert_allclose(w.sum(axis=-1), 1.0, rtol=0, atol=4 * EPS64)
    np.testing.assert_allclose(w, ref_weights(q, k, mask=causal), rtol=1e-12, atol=1e-300)
    assert w[0, 0] == 1.0  # the first token sees only itself


def test_causal_mask_output_ignores_future_values():
    q, k, v = sample((4, 3), 1), sample((4, 3), 2), sample((4, 2), 3)
    causal = np.tril(np.ones((4, 4), dtype=bool))
    v_changed = v.copy()
    v_changed[3] = 1e6  # only the last token's value
    a = sl.scaled_dot_product_attention(q, k, v, mask=causal)
    b = sl.scaled_dot_product_attention(q, k, v_changed, mask=causal)
    np.testing.assert_array_equal(a[:3], b[:3])


def test_masked_positions_ignore_nan_and_inf_scores():
    q = np.array([[1.0, 0.0]])
    k = np.array([[np.nan, 0.0], [np.inf, 0.0], [0.5, 0.0]])
    mask = np.array([[False, False, True]])
    np.testing.assert_array_equal(sl.attention_weights(q, k, mask=mask), [[0.0, 0.0, 1.0]])


def test_mask_broadcasts_over_batch():
    q, k = sample((2, 3, 4), 1), sample((2, 3, 4), 2)
    causal = np.tril(np.ones((3, 3), dtype=bool))
    w = sl.attention_weights(q, k, mask=causal)
    for b in range(2):
        np.testing.assert_allclose(
            w[b], ref_weights(q[b], k[b], mask=causal), rtol=1e-12, atol=1e-300
        )
    # a per-key padding mask of shape (n_k,) broadcasts over every query
    pad = np.array([True, True, False])
    assert (sl.attention_weights(q, k, mask=pad)[..., 2] == 0).all()


def test_fully_masked_row_raises_and_names_the_row():
    q, k = sample((3, 2), 1), sample((3, 2), 2)
    mask = np.ones((3, 3), dtype=bool)
    mask[1] = False
    with pytest.raises(ValueError, match=r"attention_weights: query row 1 has every key masked"):
        sl.attention_weights(q, k, mask=mask)
    with pytest.raises(ValueError, match=r"scaled_dot_product_attention: query row 1 "):
        sl.scaled_dot_product_attention(q, k, k, mask=mask)


def test_fully_masked_row_in_a_batch_names_the_batch_index():
    q, k = sample((2, 3, 2), 1), sample((2, 3, 2), 2)
    mask = np.ones((2, 3, 3), dtype=bool)
    mask[1, 2] = False
    mask[1, 0] = False
    with pytest.raises(ValueError, match=r"query row \(1, 0\) .*\(2 such row"):
        sl.attention_weights(q, k, mask=mask)


def test_no_keys_is_an_error_but_no_queries_is_empty():
    with pytest.raises(ValueError, match="no keys"):
        sl.attention_weights(np.zeros((2, 3)), np.zeros((0, 3)))
    assert sl.attention_weights(np.zeros((0, 3)), np.zeros((4, 3))).shape == (0, 4)
    assert sl.scaled_dot_product_attention(
        np.zeros((0, 3)), np.zeros((4, 3)), np.zeros((4, 2))
    ).shape == (0, 2)


def test_d_zero_gives_uniform_weights():
    np.testing.assert_array_equal(
        sl.attention_weights(np.zeros((2, 0)), np.zeros((4, 0))), np.full((2, 4), 0.25)
    )


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "bad", [None, "abc", np.array([["a", "b"]]), np.ones((2, 2)) * 1j, np.array([[object()]])]
)
@pytest.mark.parametrize("arg", ["q", "k", "v"])
def test_non_real_is_type_error_naming_the_argument(bad, arg):
    args = {"q": np.ones((2, 2)), "k": np.ones((3, 2)), "v": np.ones((3, 2))}
    args[arg] = bad
    with pytest.raises(TypeError, match=rf"scaled_dot_product_attention: {arg} "):
        sl.scaled_dot_product_attention(**args)
    if arg != "v":
        with pytest.raises(TypeError, match=rf"attention_weights: {arg} "):
            sl.attention_weights(args["q"], args["k"])


@pytest.mark.parametrize("arg", ["q", "k", "v"])
def test_fewer_than_two_axes(arg):
    args = {"q": np.ones((2, 2)), "k": np.ones((3, 2)), "v": np.ones((3, 2))}
    args[arg] = np.ones(2)
    with pytest.raises(ValueError, match=rf"{arg} must have shape .*got shape \(2,\)"):
        sl.scaled_dot_product_attention(**args)


def test_d_mismatch():
    with pytest.raises(ValueError, match=r"same last axis d.*\(2, 3\).*\(4, 5\)"):
        sl.attention_weights(np.ones((2, 3)), np.ones((4, 5)))


def test_n_k_mismatch_between_k_and_v():
    with pytest.raises(ValueError, match=r"one row per key.*n_k = 4.*has 3 rows"):
        sl.scaled_dot_product_attention(np.ones((2, 3)), np.ones((4, 3)), np.ones((3, 2)))


def test_batch_axes_that_do_not_broadcast():
    with pytest.raises(ValueError, match="batch axes"):
        sl.attention_weights(np.ones((2, 2, 3)), np.ones((3, 4, 3)))
    with pytest.raises(ValueError, match="batch axes"):
        sl.scaled_dot_product_attention(np.ones((2, 2, 3)), np.ones((2, 4, 3)), np.ones((3, 4, 1)))


@pytest.mark.parametrize(
    "mask",
    [
        np.ones((3, 4), dtype=bool),
        np.ones((2, 5), dtype=bool),
        np.ones((2, 2, 4), dtype=bool),
        np.ones(3, dtype=bool),
    ],
)
def test_mask_of_wrong_shape(mask):
    with pytest.raises(ValueError, match=r"mask of shape .* does not broadcast .*\(2, 4\)"):
        sl.attention_weights(np.ones((2, 3)), np.ones((4, 3)), mask=mask)


@pytest.mark.parametrize(
    "mask",
    [np.ones((2, 4)), np.ones((2, 4), dtype=int), [[1, 0, 1, 1]] * 2, np.array([["a"] * 4] * 2)],
)
def test_mask_not_bool(mask):
    with pytest.raises(ValueError, match="mask must be a boolean array"):
        sl.attention_weights(np.ones((2, 3)), np.ones((4, 3)), mask=mask)


@pytest.mark.parametrize("scale", [0.0, -1.0, math.nan, math.inf, -math.inf])
def test_scale_not_finite_positive(scale):
    with pytest.raises(ValueError, match="scale must be finite and > 0"):
        sl.attention_weights(np.ones((2, 3)), np.ones((4, 3)), scale=scale)
    with pytest.raises(ValueError, match="scaled_dot_product_attention: scale"):
        sl.scaled_dot_product_attention(
            np.ones((2, 3)), np.ones((4, 3)), np.ones((4, 1)), scale=scale
        )


@pytest.mark.parametrize("scale", [True, "1", np.array([1.0, 2.0]), 1j])
def test_scale_not_a_real_scalar(scale):
    with pytest.raises(TypeError, match="scale must be a real scalar"):
        sl.attention_weights(np.ones((2, 3)), np.ones((4, 3)), scale=scale)


def test_scale_accepts_numpy_scalars_and_ints():
    q, k = sample((2, 3), 1), sample((4, 3), 2)
    ref = sl.attention_weights(q, k, scale=2.0)
    np.testing.assert_array_equal(sl.attention_weights(q, k, scale=np.float32(2.0)), ref)
    np.testing.assert_array_equal(sl.attention_weights(q, k, scale=2), ref)


# ---------------------------------------------------------------- dtypes


@pytest.mark.parametrize(
    "dtype, expected",
    [
        (np.float64, np.float64),
        (np.float32, np.float32),
        (np.float16, np.float16),
        (np.int64, np.float64),
        (np.bool_, np.float64),
        (np.longdouble, np.longdouble),
    ],
)
def test_dtype_policy(dtype, expected):
    q = np.array([[1, 0], [0, 1]], dtype=dtype)
    k = np.array([[1, 1], [0, 1], [1, 0]], dtype=dtype)
    w = sl.attention_weights(q, k)
    out = sl.scaled_dot_product_attention(q, k, k)
    assert w.dtype == expected and out.dtype == expected
    ref = ref_weights(q.astype(float), k.astype(float))
    tol = {np.float16: 1e-3, np.float32: 1e-6}.get(dtype, 1e-14)
    np.testing.assert_allclose(w.astype(float), ref, rtol=tol)
    np.testing.assert_allclose(out.astype(float), ref @ k.astype(float), rtol=tol)


def test_mixed_dtypes_give_common_type():
    q32, k64 = np.ones((2, 3), np.float32), np.ones((4, 3))
    assert sl.attention_weights(q32, k64).dtype == np.float64
    assert sl.attention_weights(q32, q32).dtype == np.float32
    assert (
        sl.scaled_dot_product_attention(q32, q32, np.ones((2, 1), np.float16)).dtype == np.float32
    )


def test_float16_is_computed_in_float32():
    # q.k = 300 * 300 = 90000 overflows float16 (max 65504) but not float32
    q = np.array([[300.0, 0.0]], dtype=np.float16)
    k = np.array([[300.0, 0.0], [299.0, 0.0]], dtype=np.float16)
    w = sl.attention_weights(q, k, scale=1 / 300)
    assert w.dtype == np.float16 and np.isfinite(w).all()
    np.testing.assert_allclose(w.astype(float), [sl.softmax([300.0, 299.0])], rtol=1e-3)


def test_float16_causal_mask_exact_zero():
    q = sample((4, 8), 1).astype(np.float16)
    causal = np.tril(np.ones((4, 4), dtype=bool))
    w = sl.attention_weights(q, q, mask=causal)
    assert w.dtype == np.float16 and (w[~causal] == 0).all()


def test_python_lists_accepted():
    w = sl.attention_weights([[1.0, 0.0]], [[2.0, 0.0], [0.0, 2.0]], scale=1.0)
    np.testing.assert_allclose(w, [[1 / (1 + math.exp(-2)), 1 / (1 + math.exp(2))]], rtol=1e-15)


# ---------------------------------------------------------------- batch axes


def test_batch_axes_match_loop():
    q, k, v = sample((2, 3, 4, 5), 1), sample((2, 3, 6, 5), 2), sample((2, 3, 6, 2), 3)
    w = sl.attention_weights(q, k)
    out = sl.scaled_dot_product_attention(q, k, v)
    assert w.shape == (2, 3, 4, 6) and out.shape == (2, 3, 4, 2)
    for i in range(2):
        for j in range(3):
            np.testing.assert_allclose(w[i, j], ref_weights(q[i, j], k[i, j]), rtol=1e-12)
            np.testing.assert_allclose(
                out[i, j], ref_weights(q[i, j], k[i, j]) @ v[i, j], rtol=1e-12, atol=1e-15
            )


def test_batch_axes_broadcast():
    q, k = sample((3, 4, 5), 1), sample((6, 5), 2)  # one key set shared by 3 batches
    w = sl.attention_weights(q, k)
    assert w.shape == (3, 4, 6)
    np.testing.assert_allclose(w[2], ref_weights(q[2], k), rtol=1e-12)
    out = sl.scaled_dot_product_attention(q, k, sample((1, 6, 2), 3))
    assert out.shape == (3, 4, 2)


# ---------------------------------------------------------------- warnings and non-finite


def test_no_numpy_warnings_on_extreme_input():
    # pytest runs with filterwarnings = error, so any numpy warning fails this test
    q = np.array([[1e200, 1.0], [np.inf, 0.0], [np.nan, 0.0]])
    k = np.array([[1e200, 0.0], [1.0, 1.0]])
    w = sl.attention_weights(q, k)
    np.testing.assert_array_equal(w[0], [1.0, 0.0])
    assert np.isnan(w[1:]).all()  # inf * 0 and NaN scores give NaN rows, as softmax does


# ---------------------------------------------------------------- properties


@st.composite
def attention_inputs(draw):
    n_q, n_k, d, d_v = (draw(st.integers(1, 5)) for _ in range(4))
    elems = st.floats(-10, 10, allow_nan=False, width=64)
    q = draw(hnp.arrays(np.float64, (n_q, d), elements=elems))
    k = draw(hnp.arrays(np.float64, (n_k, d), elements=elems))
    v = draw(hnp.arrays(np.float64, (n_k, d_v), elements=elems))
    mask = draw(hnp.arrays(np.bool_, (n_q, n_k)))
    mask[:, draw(st.integers(0, n_k - 1))] = True  # every query sees at least one key
    perm = np.array(draw(st.permutations(range(n_k))))
    return q, k, v, mask, perm


@given(attention_inputs())
def test_permuting_keys_and_values_together_changes_nothing(case):
    q, k, v, mask, perm = case
    out = sl.scaled_dot_product_attention(q, k, v, mask=mask)
    out_perm = sl.scaled_dot_product_attention(q, k[perm], v[perm], mask=mask[:, perm])
    np.testing.assert_allclose(out_perm, out, rtol=1e-12, atol=1e-12)
    w = sl.attention_weights(q, k, mask=mask)
    np.testing.assert_allclose(
        sl.attention_weights(q, k[perm], mask=mask[:, perm]), w[:, perm], rtol=1e-12, atol=1e-300
    )


@given(attention_inputs())
def test_rows_are_distributions_and_masked_weights_are_zero(case):
    q, k, _, mask, _ = case
    w = sl.attention_weights(q, k, mask=mask)
    assert (w[~mask] == 0).all() and ((w >= 0) & (w <= 1)).all()
    np.testing.assert_allclose(w.sum(axis=-1), 1.0, rtol=0, atol=1e-14)
