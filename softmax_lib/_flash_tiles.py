"""The tiles shared by both passes of :mod:`softmax_lib.flash`: the checked arguments, the
scores of one tile, and the forward loop (running maximum, running sum, accumulator).

The argument checks are those of :mod:`softmax_lib._attention_args`, run in the same order
with the same messages, plus the values and the tile sizes.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from softmax_lib._attention_args import (
    batch_shape,
    check_block,
    check_same_d,
    check_scale,
    checked_mask,
    real_matrix,
)
from softmax_lib._engine import finite_shift, quiet

DEFAULT_BLOCK = 128


class Checked(NamedTuple):
    """The arguments of both passes, validated: compute arrays broadcast to the common batch
    shape, the mask as a broadcast view (or None), the scale, the block sizes, and the dtypes
    to return (output, log-sum-exp, and the gradients of q, k, v)."""

    q: NDArray[Any]
    k: NDArray[Any]
    v: NDArray[Any]
    keep: NDArray[np.bool_] | None
    scale: float
    block_q: int
    block_k: int
    out_dtype: np.dtype[Any]
    lse_dtype: np.dtype[Any]
    dtypes: tuple[np.dtype[Any], np.dtype[Any], np.dtype[Any]]
    shapes: tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]


def check(
    q: ArrayLike,
    k: ArrayLike,
    v: ArrayLike,
    mask: ArrayLike | None,
    scale: Any,
    block_q: Any,
    block_k: Any,
    func: str,
) -> Checked:
    """Every argument of both passes checked, in the order (and with the messages) of
    :func:`softmax_lib._attention_args.checked_attention_arguments`, plus `v` and the tiles."""
    qa, q_dtype = real_matrix(q, func, "q", "(..., n_q, d)")
    ka, k_dtype = real_matrix(k, func, "k", "(..., n_k, d)")
    va, v_dtype = real_matrix(v, func, "v", "(..., n_k, d_v)")
    check_same_d(qa, ka, func)
    if va.shape[-2] != ka.shape[-2]:
        raise ValueError(
            f"{func}: v must have one row per key: k has n_k = {ka.shape[-2]} keys {ka.shape}, "
            f"v has {va.shape[-2]} rows {va.shape}"
        )
    batch = batch_shape(func, q=qa.shape, k=ka.shape, v=va.shape)
    d, n_q, n_k = qa.shape[-1], qa.shape[-2], ka.shape[-2]
    s = check_scale(scale, d, func)
    bq, bk = check_block(block_q, func, "block_q"), check_block(block_k, func, "block_k")
    keep = checked_mask(mask, (*batch, n_q, n_k), func)
    dtype = np.result_type(qa.dtype, ka.dtype, va.dtype)

    def full(a: NDArray[Any], rows: int, cols: int) -> NDArray[Any]:
        return np.broadcast_to(a.astype(dtype, copy=False), (*batch, rows, cols))

    return Checked(
        full(qa, n_q, d),
        full(ka, n_k, d),
        full(va, n_k, va.shape[-1]),
        keep,
        s,
        bq,
        bk,
        np.result_type(q_dtype, k_dtype, v_dtype),
        np.result_type(q_dtype, k_dtype),
        (q_dtype, k_dtype, v_dtype),
        (qa.shape, ka.shape, va.shape),
    )


def scores(c: Checked, qi: NDArray[Any], i: slice, j: slice) -> NDArray[Any]:
    """The scaled scores of one tile, ``-inf`` where masked."""
    kj = c.k[..., j, :]
    st: NDArray[Any] = np.matmul(qi, np.swapaxes(kj, -1, -2))
    st *= st.dtype.type(c.scale)
    if c.keep is not None:
        st = np.where(c.keep[..., i, j], st, st.dtype.type(-np.inf))
    return st


def forward(c: Checked) -> tuple[NDArray[Any], NDArray[Any]]:
    """Output and per-row log-sum-exp in the compute dtype (the online update, tile by tile)."""
    batch, n_q, n_k = c.q.shape[:-2], c.q.shape[-2], c.k.shape[-2]
    dtype = c.q.dtype
    out = np.empty((*batch, n_q, c.v.shape[-1]), dtype=dtype)
    lse = np.empty((*batch, n_q, 1), dtype=dtype)
    with quiet():  # 0 * inf and inf - inf: NaN or inf, patched as softmax does
        for i0 in range(0, n_q, c.block_q):
            i = slice(i0, i0 + c.block_q)
            qi = c.q[..., i, :]
            rows = (*batch, qi.shape[-2], 1)
            m = np.full(rows, -np.inf, dtype=dtype)  # running maximum
            ell = np.zeros(rows, dtype=dtype)  # running sum of exp(score - m)
            acc = np.zeros((*batch, qi.shape[-2], c.v.shape[-1]), dtype=dtype)
            n_pos = np.zeros(rows, dtype=np.intp)  # +inf scores per row
            for j0 in range(0, n_k, c.block_k):
                j = slice(j0, j0 + c.block_k)
                st = scores(c, qi, i, j)
                m_new = np.maximum(m, st.max(axis=-1, keepdims=True))
                # Convention for rows whose maximum so far is -inf (every key masked up to
                # here, or a tile of -inf scores): shift by 0, so exp(-inf) = 0 and the row's
                # l and accumulator stay 0; the old state is rescaled by exactly 1 whenever
                # the maximum does not move (also -inf to -inf), never by exp(-inf + inf).
                p = np.exp(st - finite_shift(m_new))
                if np.isposinf(m_new).any():  # a +inf score: weight 1 there, 0 elsewhere
                    hot = np.isposinf(st)
                    p = np.where(np.isposinf(m_new), hot, p).astype(dtype)
                    n_pos += hot.sum(axis=-1, keepdims=True)
                alpha = np.where(m == m_new, 1.0, np.exp(m - m_new)).astype(dtype)
                ell = alpha * ell + p.sum(axis=-1, keepdims=True)
                acc *= alpha
                acc += np.matmul(p, c.v[..., j, :])
                m = m_new
            out[..., i, :] = acc / ell  # every key -inf: 0/0 = NaN, as softmax
            lse[..., i, :] = m + np.log(ell)
            if (n_pos > 1).any():  # two +inf scores: no limit, NaN (as softmax)
                np.copyto(out[..., i, :], np.nan, where=np.broadcast_to(n_pos > 1, acc.shape))
    return out, lse
