"""Blockwise ("flash") attention: scaled dot-product attention over query and key/value tiles,
never holding the ``n_q x n_k`` score matrix.

Each query tile keeps a running maximum ``m``, a running sum ``l`` of ``exp(score - m)`` and
an output accumulator; a key/value tile that raises the maximum rescales both by
``exp(m_old - m_new)`` (the online normaliser of :mod:`softmax_lib.online`, carried through
the product with the values). The backward pass stores only the per-row log-sum-exp and
recomputes the probabilities tile by tile.
"""

from __future__ import annotations

from typing import Any, Literal, overload

from numpy.typing import ArrayLike, NDArray

from softmax_lib._flash_tiles import DEFAULT_BLOCK, check, forward
from softmax_lib.flash_backward import flash_attention_backward

__all__ = ["DEFAULT_BLOCK", "flash_attention", "flash_attention_backward"]


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

    The book builds it in the chapter "Softmax in attention"
    (``chapters/attention.ipynb``).

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
    c = check(q, k, v, mask, scale, block_q, block_k, "flash_attention")
    out, lse = forward(c)
    result = out.astype(c.out_dtype, copy=False)
    if not return_lse:
        return result
    return result, lse[..., 0].astype(c.lse_dtype, copy=False)
