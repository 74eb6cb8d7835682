"""Scaled dot-product attention: a row-wise softmax over query-key scores, then a weighted
average of the values.

A masked key gets the score :math:`-\\infty` before the softmax, so its weight is exactly 0 and
the other weights still sum to 1. A query that may attend to no key at all has no softmax
(0/0): that is an error here, not a silent NaN or a silently uniform row.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from softmax_lib._attention_args import batch_shape, checked_attention_arguments, real_matrix
from softmax_lib._engine import quiet
from softmax_lib._validate import to_dtype
from softmax_lib.softmax import softmax


def _weights(
    q: ArrayLike, k: ArrayLike, mask: ArrayLike | None, scale: float | None, func: str
) -> tuple[NDArray[Any], np.dtype[Any]]:
    """The attention weights in the compute dtype, and the dtype to return them in."""
    qa, ka, s, keep, out_dtype = checked_attention_arguments(q, k, mask, scale, func)
    dtype = np.result_type(qa.dtype, ka.dtype)
    with quiet():  # 0 * inf and overflowing scores: NaN or inf, which softmax handles
        scores = np.matmul(
            qa.astype(dtype, copy=False), np.swapaxes(ka, -1, -2).astype(dtype, copy=False)
        )
        scores *= dtype.type(s)
    if keep is not None:
        # -inf, not a large negative number: exp(-inf) is exactly 0 in every dtype.
        scores = np.where(keep, scores, dtype.type(-np.inf))
    return softmax(scores, axis=-1), out_dtype


def attention_weights(
    q: ArrayLike, k: ArrayLike, *, mask: ArrayLike | None = None, scale: float | None = None
) -> NDArray[Any]:
    r"""Attention weights: softmax over keys of the scaled query-key dot products.

    The book builds it in the chapter "Softmax in attention"
    (``chapters/attention.ipynb``).

    Parameters
    ----------
    q : array_like, shape (..., n_q, d)
        Queries, one per row. Real; dtype policy as in :func:`softmax_lib.softmax` (float16 is
        computed in float32 and returned as float16; integers and bools give float64; mixed
        dtypes give numpy's common type).
    k : array_like, shape (..., n_k, d)
        Keys, one per row, with the same `d` as `q`. The leading (batch) axes of `q` and `k`
        broadcast against each other.
    mask : array_like of bool, optional
        Broadcastable to ``(..., n_q, n_k)``; ``True`` means the query may attend to the key.
        A masked score is set to :math:`-\infty` before the softmax, so its weight is exactly
        0. Default None: every key is visible.
    scale : float, optional
        Positive, finite factor multiplying every score. Default :math:`1/\sqrt{d}`.

    Returns
    -------
    ndarray, shape (..., n_q, n_k)
        Row ``i`` holds the weights query ``i`` gives the keys: entries in [0, 1] summing
        to 1, exactly 0 where masked.

    Raises
    ------
    TypeError
        If `q` or `k` is not real (strings, objects, None, complex), or `scale` is not a real
        scalar (or None).
    ValueError
        If `q` or `k` has fewer than two axes; their `d` differ; their batch axes do not
        broadcast; `mask` is not boolean or does not broadcast to ``(..., n_q, n_k)``; `scale`
        is zero, negative, NaN or infinite; there are no keys (``n_k = 0``) for a non-empty
        set of queries; or `mask` hides every key from some query (the message names the
        first such row). Such a row has no softmax (:math:`0/0`); returning NaN or a uniform
        row would hide the bug that produced the mask.

    See Also
    --------
    softmax : The row-wise normalisation used here.
    scaled_dot_product_attention : These weights applied to the values.

    Notes
    -----
    .. math:: A = \operatorname{softmax}\!\left(s\, Q K^\top + M\right), \qquad
              s = \frac{1}{\sqrt{d}}, \qquad
              M_{ij} = \begin{cases} 0 & \text{key } j \text{ visible to query } i \\
                                     -\infty & \text{masked} \end{cases}

    with the softmax taken along each row (over keys). Scaling by :math:`1/\sqrt{d}` keeps
    the scores' variance near 1 when the entries of `q` and `k` are independent with unit
    variance; it is a softmax temperature :math:`T = \sqrt{d}`. Masked entries are replaced
    before the softmax, so a NaN or infinite score at a masked position has no effect.
    Visible non-finite scores follow :func:`softmax_lib.softmax` (NaN rows stay NaN, a single
    :math:`+\infty` gives a one-hot row). No numpy warning is emitted.

    References
    ----------
    .. [1] A. Vaswani, N. Shazeer, N. Parmar, J. Uszkoreit, L. Jones, A. N. Gomez,
       L. Kaiser and I. Polosukhin, "Attention is all you need", NeurIPS 2017.

    Examples
    --------
    >>> import numpy as np, softmax_lib as sl
    >>> q = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> k = np.array([[2.0, 0.0], [0.0, 2.0]])
    >>> sl.attention_weights(q, k, scale=1.0)
    array([[0.88079708, 0.11920292],
           [0.11920292, 0.88079708]])
    >>> causal = np.tril(np.ones((2, 2), dtype=bool))      # query i sees keys 0..i
    >>> sl.attention_weights(q, k, mask=causal, scale=1.0)
    array([[1.        , 0.        ],
           [0.11920292, 0.88079708]])
    >>> blind = np.array([[False, False], [True, True]])   # query 0 may see nothing
    >>> sl.attention_weights(q, k, mask=blind)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: attention_weights: query row 0 has every key masked (1 such row(s) in all); ...
    """
    w, out_dtype = _weights(q, k, mask, scale, "attention_weights")
    return to_dtype(w, out_dtype)


def scaled_dot_product_attention(
    q: ArrayLike,
    k: ArrayLike,
    v: ArrayLike,
    *,
    mask: ArrayLike | None = None,
    scale: float | None = None,
) -> NDArray[Any]:
    r"""Scaled dot-product attention: the attention-weighted average of the values.

    The book builds it in the chapter "Softmax in attention"
    (``chapters/attention.ipynb``).

    Parameters
    ----------
    q : array_like, shape (..., n_q, d)
        Queries.
    k : array_like, shape (..., n_k, d)
        Keys, with the same `d` as `q`.
    v : array_like, shape (..., n_k, d_v)
        Values, one per key. The batch axes of `q`, `k` and `v` broadcast together.
    mask : array_like of bool, optional
        As in :func:`attention_weights`: ``True`` = may attend.
    scale : float, optional
        As in :func:`attention_weights`; default :math:`1/\sqrt{d}`.

    Returns
    -------
    ndarray, shape (..., n_q, d_v)
        ``attention_weights(q, k, mask=mask, scale=scale) @ v``; dtype the common type of
        `q`, `k` and `v` under the library's policy (float16 computed in float32).

    Raises
    ------
    TypeError
        As in :func:`attention_weights`, and if `v` is not real.
    ValueError
        As in :func:`attention_weights`, and if `v` has fewer than two axes, a different
        number of rows than `k` has keys, or batch axes that do not broadcast.

    See Also
    --------
    attention_weights : The weights alone.

    Notes
    -----
    .. math:: \operatorname{Attention}(Q, K, V)
              = \operatorname{softmax}\!\left(\frac{Q K^\top}{\sqrt{d}} + M\right) V .

    Each output row is a convex combination of the rows of `v`. The weights are kept in the
    compute dtype for the product (float16 input is rounded once, at the end). A value row
    with an infinite entry makes the output NaN even where its weight is 0 (``0 * inf``), as
    in any matrix product.

    References
    ----------
    .. [1] A. Vaswani et al., "Attention is all you need", NeurIPS 2017.

    Examples
    --------
    >>> import numpy as np, softmax_lib as sl
    >>> q = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> k = np.array([[2.0, 0.0], [0.0, 2.0]])
    >>> v = np.array([[10.0], [20.0]])
    >>> sl.scaled_dot_product_attention(q, k, v, scale=1.0)
    array([[11.19202922],
           [18.80797078]])
    >>> sl.scaled_dot_product_attention(q, k, v, mask=np.tril(np.ones((2, 2), dtype=bool)),
    ...                                 scale=1.0)
    array([[10.        ],
           [18.80797078]])
    """
    func = "scaled_dot_product_attention"
    w, wk_dtype = _weights(q, k, mask, scale, func)
    va, v_dtype = real_matrix(v, func, "v", "(..., n_k, d_v)")
    k_shape = np.shape(k)
    if va.shape[-2] != k_shape[-2]:
        raise ValueError(
            f"{func}: v must have one row per key: k has n_k = {k_shape[-2]} keys {k_shape}, "
            f"v has {va.shape[-2]} rows {va.shape}"
        )
    batch_shape(func, weights=w.shape, v=va.shape)
    dtype = np.result_type(w.dtype, va.dtype)
    with quiet():  # 0 * inf in the product: NaN, as in any matrix product
        out: NDArray[Any] = np.matmul(w.astype(dtype, copy=False), va.astype(dtype, copy=False))
    return out.astype(np.result_type(wk_dtype, v_dtype), copy=False)
