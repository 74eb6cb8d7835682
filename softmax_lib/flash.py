"""Blockwise ("flash") attention: scaled dot-product attention over query and key/value tiles,
never holding the ``n_q x n_k`` score matrix.

Each query tile keeps a running maximum ``m``, a running sum ``l`` of ``exp(score - m)`` and
an output accumulator; a key/value tile that raises the maximum rescales both by
``exp(m_old - m_new)`` (the online normaliser of :mod:`softmax_lib.online`, carried through
the product with the values). The backward pass stores only the per-row log-sum-exp and
recomputes the probabilities tile by tile.
"""

from __future__ import annotations

import math
import operator
from typing import Any, Literal, NamedTuple, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from softmax_lib._engine import finite_shift, quiet
from softmax_lib._validate import as_real_array, check_positive_scalar, format_index

DEFAULT_BLOCK = 128


class _Checked(NamedTuple):
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


def _matrix(x: ArrayLike, func: str, name: str, axes: str) -> tuple[NDArray[Any], np.dtype[Any]]:
    arr, out_dtype = as_real_array(x, func, name)
    if arr.ndim < 2:
        raise ValueError(
            f"{func}: {name} must have shape {axes} (at least 2-D), got shape {arr.shape}"
        )
    return arr, out_dtype


def _block(value: Any, func: str, name: str) -> int:
    """A tile size: a positive int (numpy integers accepted; bools and floats refused)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{func}: {name} must be a positive int, got {value!r}")
    b = operator.index(value)
    if b < 1:
        raise ValueError(f"{func}: {name} must be a positive int (a tile size), got {b}")
    return b


def _check(
    q: ArrayLike,
    k: ArrayLike,
    v: ArrayLike,
    mask: ArrayLike | None,
    scale: Any,
    block_q: Any,
    block_k: Any,
    func: str,
) -> _Checked:
    qa, q_dtype = _matrix(q, func, "q", "(..., n_q, d)")
    ka, k_dtype = _matrix(k, func, "k", "(..., n_k, d)")
    va, v_dtype = _matrix(v, func, "v", "(..., n_k, d_v)")
    if qa.shape[-1] != ka.shape[-1]:
        raise ValueError(
            f"{func}: q and k must have the same last axis d, got q {qa.shape} (d = "
            f"{qa.shape[-1]}) and k {ka.shape} (d = {ka.shape[-1]})"
        )
    if va.shape[-2] != ka.shape[-2]:
        raise ValueError(
            f"{func}: v must have one row per key: k has n_k = {ka.shape[-2]} keys {ka.shape}, "
            f"v has {va.shape[-2]} rows {va.shape}"
        )
    try:
        batch = np.broadcast_shapes(qa.shape[:-2], ka.shape[:-2], va.shape[:-2])
    except ValueError:
        raise ValueError(
            f"{func}: the batch axes (all but the last two) do not broadcast: q {qa.shape}, "
            f"k {ka.shape}, v {va.shape}"
        ) from None
    d, n_q, n_k = qa.shape[-1], qa.shape[-2], ka.shape[-2]
    if scale is None:
        s = 1.0 / math.sqrt(d) if d > 0 else 1.0  # d = 0: every score is 0 anyway
    else:
        s = check_positive_scalar(scale, func, "scale", "a real scalar or None")
    bq, bk = _block(block_q, func, "block_q"), _block(block_k, func, "block_k")
    shape = (*batch, n_q, n_k)

    keep = None
    if mask is not None:
        keep = np.asarray(mask)
        if keep.dtype != np.bool_:
            raise ValueError(
                f"{func}: mask must be a boolean array (True = may attend), got dtype {keep.dtype}"
            )
        try:
            fits = np.broadcast_shapes(keep.shape, shape) == shape
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(
                f"{func}: mask of shape {keep.shape} does not broadcast to the scores' shape "
                f"{shape} (..., n_q, n_k)"
            )
        keep = np.broadcast_to(keep, shape)
    if n_k == 0 and math.prod(shape[:-1]) > 0:
        raise ValueError(f"{func}: k has no keys (n_k = 0); each query needs at least one key")
    if keep is not None and keep.size:
        blind = ~keep.any(axis=-1)
        if blind.any():
            row = format_index(np.argwhere(blind)[0])
            raise ValueError(
                f"{func}: query row {row} has every key masked ({int(blind.sum())} such "
                f"row(s) in all); a softmax over no keys is 0/0, so each query must be allowed "
                f"at least one key"
            )
    dtype = np.result_type(qa.dtype, ka.dtype, va.dtype)

    def full(a: NDArray[Any], rows: int, cols: int) -> NDArray[Any]:
        return np.broadcast_to(a.astype(dtype, copy=False), (*batch, rows, cols))

    return _Checked(
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


def _scores(c: _Checked, qi: NDArray[Any], i: slice, j: slice) -> NDArray[Any]:
    """The scaled scores of one tile, ``-inf`` where masked."""
    kj = c.k[..., j, :]
    st: NDArray[Any] = np.matmul(qi, np.swapaxes(kj, -1, -2))
    st *= st.dtype.type(c.scale)
    if c.keep is not None:
        st = np.where(c.keep[..., i, j], st, st.dtype.type(-np.inf))
    return st


def _forward(c: _Checked) -> tuple[NDArray[Any], NDArray[Any]]:
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
                st = _scores(c, qi, i, j)
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


@overload
def flash_attention(
    q: ArrayLike,
    k: ArrayLike,
    v: ArrayLike,
    mask: ArrayLike | None = ...,
    *,
    block_q: int = ...,
    block_k: int = ...,
    scale: float | None = ...,
    return_lse: Literal[False] = ...,
) -> NDArray[Any]: ...


@overload
def flash_attention(
    q: ArrayLike,
    k: ArrayLike,
    v: ArrayLike,
    mask: ArrayLike | None = ...,
    *,
    block_q: int = ...,
    block_k: int = ...,
    scale: float | None = ...,
    return_lse: Literal[True],
) -> tuple[NDArray[Any], NDArray[Any]]: ...


def flash_attention(
    q: ArrayLike,
    k: ArrayLike,
    v: ArrayLike,
    mask: ArrayLike | None = None,
    *,
    block_q: int = DEFAULT_BLOCK,
    block_k: int = DEFAULT_BLOCK,
    scale: float | None = None,
    return_lse: bool = False,
) -> NDArray[Any] | tuple[NDArray[Any], NDArray[Any]]:
    r"""Scaled dot-product attention computed blockwise, never forming the score matrix.

    Equal to :func:`softmax_lib.scaled_dot_product_attention` within a few ulps, with memory
    :math:`O(n_q d_v + b_q b_k)` instead of :math:`O(n_q n_k)`.

    Parameters
    ----------
    q : array_like, shape (..., n_q, d)
        Queries. Real; dtype policy as in :func:`softmax_lib.softmax` (float16 is computed in
        float32; integers and bools give float64; mixed dtypes give numpy's common type, in
        which everything is computed).
    k : array_like, shape (..., n_k, d)
        Keys, with the same `d` as `q`.
    v : array_like, shape (..., n_k, d_v)
        Values, one per key. The batch axes of `q`, `k`, `v` broadcast together.
    mask : array_like of bool, optional
        Broadcastable to ``(..., n_q, n_k)``; ``True`` means the query may attend to the key.
        Default None: every key is visible.
    block_q, block_k : int, optional
        Tile sizes along the queries and along the keys and values (positive ints; a tile at
        the end may be shorter). Default 128 each. The result does not depend on them beyond
        rounding.
    scale : float, optional
        Positive, finite factor multiplying every score. Default :math:`1/\sqrt{d}`.
    return_lse : bool, optional
        Also return the per-row log-sum-exp of the scaled, masked scores, the one number per
        query that the backward pass (:func:`flash_attention_backward`) stores.

    Returns
    -------
    out : ndarray, shape (..., n_q, d_v)
        ``scaled_dot_product_attention(q, k, v, mask=mask, scale=scale)`` up to rounding.
    lse : ndarray, shape (..., n_q)
        Only if `return_lse`: :math:`\log \sum_j e^{S_{ij}}` over the visible keys, in the
        common dtype of `q` and `k`.

    Raises
    ------
    TypeError
        If `q`, `k` or `v` is not real (strings, objects, None, complex), `scale` is not a
        real scalar (or None), or a block size is not an int (floats and bools included).
    ValueError
        If `q`, `k` or `v` has fewer than two axes; `q` and `k` differ in `d`; `v` has not one
        row per key; the batch axes do not broadcast; `mask` is not boolean or does not
        broadcast to ``(..., n_q, n_k)``; `scale` is zero, negative, NaN or infinite; a block
        size is 0 or negative; there are no keys for a non-empty set of queries; or `mask`
        hides every key from some query (the message names the first such row, as
        :func:`softmax_lib.scaled_dot_product_attention` does).

    Notes
    -----
    For each query tile :math:`Q_i` the state is a running maximum :math:`m`, a running sum
    :math:`\ell` and an accumulator :math:`A`, all per row, starting at
    :math:`(-\infty, 0, 0)`. A key/value tile :math:`(K_j, V_j)` with scores
    :math:`S = s\, Q_i K_j^\top` (:math:`-\infty` where masked) updates them to

    .. math:: m' = \max\bigl(m, \operatorname{rowmax} S\bigr), \quad
              P = e^{S - m'}, \quad
              \ell' = e^{m - m'} \ell + \operatorname{rowsum} P, \quad
              A' = e^{m - m'} A + P V_j,

    and after the last tile :math:`O_i = A / \ell` and
    :math:`\operatorname{LSE}_i = m + \log \ell`. The invariant
    :math:`\ell = \sum e^{S - m}`, :math:`A = \sum e^{S - m} V` over the keys seen holds at
    every step, so the result is the softmax-weighted average
    (Milakov & Gimelshein 2018; Dao et al. 2022).

    **Fully masked tiles.** If every score a row has seen so far is :math:`-\infty` (a
    masked tile, as in causal attention), :math:`m' = -\infty` and :math:`e^{S - m'}` would
    be :math:`e^{-\infty + \infty}`, NaN. The convention here: such a row is shifted by 0
    (so :math:`P = e^{-\infty} = 0`), and the rescaling factor is taken as exactly 1
    whenever the maximum does not change, also from :math:`-\infty` to :math:`-\infty`; its
    :math:`\ell` and :math:`A` stay 0 until a visible key arrives, when the factor
    :math:`e^{-\infty - m'} = 0` multiplies those zeros. A query that sees no key at all has
    no softmax (:math:`0/0`) and is an error, raised before any work.

    **Why tiles.** Every score is still exponentiated once; what blockwise attention saves
    is memory and memory traffic: full attention writes and reads the :math:`n_q \times n_k`
    scores and probabilities, this holds one :math:`b_q \times b_k` tile at a time (on a
    GPU, in on-chip memory). Non-finite visible scores follow
    :func:`softmax_lib.softmax`: a NaN makes the row NaN; one :math:`+\infty` score gives
    that key's value; two or more, or only :math:`-\infty` scores, give NaN. No numpy
    warning is emitted.

    References
    ----------
    .. [1] T. Dao, D. Y. Fu, S. Ermon, A. Rudra and C. Ré, "FlashAttention: fast and
       memory-efficient exact attention with IO-awareness", NeurIPS 2022.
    .. [2] T. Dao, "FlashAttention-2: faster attention with better parallelism and work
       partitioning", ICLR 2024.
    .. [3] M. Milakov and N. Gimelshein, "Online normalizer calculation for softmax",
       arXiv:1805.02867, 2018.

    See Also
    --------
    softmax_lib.scaled_dot_product_attention : the same result from the full score matrix.
    flash_attention_backward : the gradients, recomputing the probabilities tile by tile.
    softmax_lib.online_logsumexp : the running maximum and sum alone.

    Examples
    --------
    >>> import numpy as np, softmax_lib as sl
    >>> from softmax_lib.flash import flash_attention
    >>> rng = np.random.default_rng(0)
    >>> q, k, v = rng.normal(size=(6, 4)), rng.normal(size=(9, 4)), rng.normal(size=(9, 2))
    >>> out = flash_attention(q, k, v, block_q=4, block_k=3)
    >>> bool(np.allclose(out, sl.scaled_dot_product_attention(q, k, v), rtol=1e-14))
    True
    >>> causal = np.tril(np.ones((6, 9), dtype=bool))   # query 0's 2nd and 3rd tiles: all -inf
    >>> out, lse = flash_attention(q, k, v, causal, block_q=2, block_k=3, return_lse=True)
    >>> bool(np.allclose(out, sl.scaled_dot_product_attention(q, k, v, mask=causal)))
    True
    >>> bool(np.isclose(lse[0], q[0] @ k[0] / 2))       # one visible key: LSE is its score
    True
    """
    c = _check(q, k, v, mask, scale, block_q, block_k, "flash_attention")
    out, lse = _forward(c)
    result = out.astype(c.out_dtype, copy=False)
    if not return_lse:
        return result
    return result, lse[..., 0].astype(c.lse_dtype, copy=False)


def _unbroadcast(grad: NDArray[Any], shape: tuple[int, ...]) -> NDArray[Any]:
    """Sum a gradient over the batch axes along which its argument was broadcast."""
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + a for a, n in enumerate(shape[:-2]) if n == 1 and grad.shape[lead + a] != 1
    )
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def flash_attention_backward(
    q: ArrayLike,
    k: ArrayLike,
    v: ArrayLike,
    do: ArrayLike,
    mask: ArrayLike | None = None,
    *,
    o: ArrayLike | None = None,
    lse: ArrayLike | None = None,
    block_q: int = DEFAULT_BLOCK,
    block_k: int = DEFAULT_BLOCK,
    scale: float | None = None,
) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any]]:
    r"""Gradients of blockwise attention with respect to `q`, `k` and `v`, tile by tile.

    Parameters
    ----------
    q, k, v, mask, block_q, block_k, scale
        As in :func:`flash_attention`.
    do : array_like, shape (..., n_q, d_v)
        The upstream gradient :math:`dO = \partial L / \partial O`, the shape of the output
        (with the batch axes broadcast).
    o, lse : array_like, optional
        The forward pass's output and per-row log-sum-exp
        (``flash_attention(..., return_lse=True)``), both or neither; if omitted they are
        recomputed by one forward pass.

    Returns
    -------
    dq, dk, dv : ndarray
        :math:`\partial L / \partial q`, :math:`\partial L / \partial k`,
        :math:`\partial L / \partial v`, each the shape and dtype (under the library's
        policy) of its argument; gradients of broadcast batch axes are summed.

    Raises
    ------
    TypeError
        As in :func:`flash_attention`, and if `do`, `o` or `lse` is not real.
    ValueError
        As in :func:`flash_attention`; if `do` or `o` does not have the output's shape or
        `lse` the shape ``(..., n_q)``; or if only one of `o` and `lse` is given.

    Notes
    -----
    With :math:`S = s\, Q K^\top` (masked: :math:`-\infty`), :math:`P = \operatorname{softmax}(S)`
    row by row and :math:`O = P V`:

    .. math:: dV = P^\top dO, \quad dP = dO\, V^\top, \quad
              dS = P \odot (dP - D), \quad D = \operatorname{rowsum}(dO \odot O), \quad
              dQ = s\, dS\, K, \quad dK = s\, dS^\top Q .

    :math:`dS` is the softmax vector-Jacobian product
    :math:`dS_{i\cdot} = P_{i\cdot} \odot (dP_{i\cdot} - P_{i\cdot}^\top dP_{i\cdot})`, and
    :math:`P_{i\cdot}^\top dP_{i\cdot} = dO_i^\top V^\top P_{i\cdot} = dO_i^\top O_i = D_i`:
    one dot product per row of :math:`n_q \times d_v` arrays, with no row of :math:`P` in
    full. Each tile of :math:`P` is recomputed from the stored log-sum-exp as
    :math:`e^{S - \operatorname{LSE}}` (no running maximum needed), so the memory is
    :math:`O((n_q + n_k)\, d + b_q b_k)`. Masked entries get :math:`P = 0`, so no gradient
    flows through them. Rows with non-finite scores give NaN gradients. No numpy warning is
    emitted.

    References
    ----------
    .. [1] T. Dao, D. Y. Fu, S. Ermon, A. Rudra and C. Ré, "FlashAttention: fast and
       memory-efficient exact attention with IO-awareness", NeurIPS 2022 (Algorithm 4).

    See Also
    --------
    flash_attention : the forward pass.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib.flash import flash_attention, flash_attention_backward
    >>> rng = np.random.default_rng(1)
    >>> q, k, v = rng.normal(size=(3, 2)), rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    >>> g = rng.normal(size=(3, 2))                      # L = sum(g * O), so dO = g
    >>> dq, dk, dv = flash_attention_backward(q, k, v, g, block_q=2, block_k=2)
    >>> h = 1e-6; e = np.zeros_like(q); e[1, 0] = h       # one finite difference
    >>> fd = (np.sum(g * flash_attention(q + e, k, v)) -
    ...       np.sum(g * flash_attention(q - e, k, v))) / (2 * h)
    >>> bool(abs(fd - dq[1, 0]) < 1e-8)
    True
    """
    func = "flash_attention_backward"
    c = _check(q, k, v, mask, scale, block_q, block_k, func)
    batch, n_q, n_k = c.q.shape[:-2], c.q.shape[-2], c.k.shape[-2]
    out_shape = (*batch, n_q, c.v.shape[-1])
    dtype = c.q.dtype
    do_a, _ = as_real_array(do, func, "do")
    if do_a.shape != out_shape:
        raise ValueError(
            f"{func}: do must have the output's shape {out_shape} (..., n_q, d_v), got {do_a.shape}"
        )
    if (o is None) != (lse is None):
        raise ValueError(f"{func}: give both o and lse (from the forward pass), or neither")
    if o is None or lse is None:
        o_a, lse_a = _forward(c)
    else:
        o_a = as_real_array(o, func, "o")[0].astype(dtype, copy=False)
        lse_a = as_real_array(lse, func, "lse")[0].astype(dtype, copy=False)
        if o_a.shape != out_shape:
            raise ValueError(f"{func}: o must have the output's shape {out_shape}, got {o_a.shape}")
        if lse_a.shape != out_shape[:-1]:
            raise ValueError(
                f"{func}: lse must have shape {out_shape[:-1]} (..., n_q), got {lse_a.shape}"
            )
        lse_a = lse_a[..., None]
    do_a = do_a.astype(dtype, copy=False)
    dq = np.zeros(c.q.shape, dtype=dtype)
    dk = np.zeros(c.k.shape, dtype=dtype)
    dv = np.zeros(c.v.shape, dtype=dtype)
    s = dtype.type(c.scale)
    with quiet():
        big_d = np.sum(do_a * o_a, axis=-1, keepdims=True)  # D = rowsum(dO * O)
        for j0 in range(0, n_k, c.block_k):
            j = slice(j0, j0 + c.block_k)
            kj, vj = c.k[..., j, :], c.v[..., j, :]
            for i0 in range(0, n_q, c.block_q):
                i = slice(i0, i0 + c.block_q)
                qi, doi = c.q[..., i, :], do_a[..., i, :]
                p = np.exp(_scores(c, qi, i, j) - lse_a[..., i, :])  # P, recomputed
                dv[..., j, :] += np.matmul(np.swapaxes(p, -1, -2), doi)
                dp = np.matmul(doi, np.swapaxes(vj, -1, -2))
                ds = p * (dp - big_d[..., i, :])
                dq[..., i, :] += s * np.matmul(ds, kj)
                dk[..., j, :] += s * np.matmul(np.swapaxes(ds, -1, -2), qi)
    (qs, ks, vs), (qd, kd, vd) = c.shapes, c.dtypes
    return (
        _unbroadcast(dq, qs).astype(qd, copy=False),
        _unbroadcast(dk, ks).astype(kd, copy=False),
        _unbroadcast(dv, vs).astype(vd, copy=False),
    )
