"""Scaled dot-product attention: a row-wise softmax over query-key scores, then a weighted
average of the values.

A masked key gets the score :math:`-\\infty` before the softmax, so its weight is exactly 0 and
the other weights still sum to 1. A query that may attend to no key at all has no softmax
(0/0): that is an error here, not a silent NaN or a silently uniform row.
"""

from __future__ import annotations

import math

import numpy as np

from softmax_lib._validate import as_real_array, check_positive_scalar
from softmax_lib.softmax import softmax

# Only for what is dealt with explicitly: 0 * inf in a product and overflowing scores become
# NaN or inf, which softmax turns into its documented limits.
_QUIET = dict(over="ignore", under="ignore", invalid="ignore", divide="ignore")


def _real_matrix(x, func: str, name: str, axes: str):
    """A real array with at least two axes, ``(compute array, dtype to return)``."""
    arr, out_dtype = as_real_array(x, func, name)
    if arr.ndim < 2:
        raise ValueError(
            f"{func}: {name} must have shape {axes} (at least 2-D), got shape {arr.shape}"
        )
    return arr, out_dtype


def _check_scale(scale, d: int, func: str) -> float:
    """The score scale as a Python float: ``1/sqrt(d)`` by default, else finite and > 0."""
    if scale is None:
        return 1.0 / math.sqrt(d) if d > 0 else 1.0  # d = 0: every score is 0 anyway
    return check_positive_scalar(scale, func, "scale", "a real scalar or None")


def _batch_shape(func: str, **shapes) -> tuple[int, ...]:
    """Broadcast the leading (batch) axes of the named arrays, or a ValueError naming them."""
    try:
        return np.broadcast_shapes(*(s[:-2] for s in shapes.values()))
    except ValueError:
        listed = ", ".join(f"{name} {shape}" for name, shape in shapes.items())
        raise ValueError(
            f"{func}: the batch axes (all but the last two) do not broadcast: {listed}"
        ) from None


def _weights(q, k, mask, scale, func: str):
    """The attention weights in the compute dtype, and the dtype to return them in."""
    qa, q_dtype = _real_matrix(q, func, "q", "(..., n_q, d)")
    ka, k_dtype = _real_matrix(k, func, "k", "(..., n_k, d)")
    if qa.shape[-1] != ka.shape[-1]:
        raise ValueError(
            f"{func}: q and k must have the same last axis d, got q {qa.shape} (d = "
            f"{qa.shape[-1]}) and k {ka.shape} (d = {ka.shape[-1]})"
        )
    batch = _batch_shape(func, q=qa.shape, k=ka.shape)
    s = _check_scale(scale, qa.shape[-1], func)
    n_q, n_k = qa.shape[-2], ka.shape[-2]
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
            where = tuple(int(i) for i in np.argwhere(blind)[0])
            row = where[0] if len(where) == 1 else where
            raise ValueError(
                f"{func}: query row {row} has every key masked ({int(blind.sum())} such "
                f"row(s) in all); a softmax over no keys is 0/0, so each query must be allowed "
                f"at least one key"
            )

    dtype = np.result_type(qa.dtype, ka.dtype)
    with np.errstate(**_QUIET):
        scores = np.matmul(qa.astype(dtype, copy=False),
                           np.swapaxes(ka, -1, -2).astype(dtype, copy=False))
        scores *= dtype.type(s)
    if keep is not None:
        # -inf, not a large negative number: exp(-inf) is exactly 0 in every dtype.
        scores = np.where(keep, scores, dtype.type(-np.inf))
    return softmax(scores, axis=-1), np.result_type(q_dtype, k_dtype)


def attention_weights(q, k, *, mask=None, scale=None):
    r"""Attention weights: softmax over keys of the scaled query-key dot products.

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
    return w.astype(out_dtype, copy=False)


def scaled_dot_product_attention(q, k, v, *, mask=None, scale=None):
    r"""Scaled dot-product attention: the attention-weighted average of the values.

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
    va, v_dtype = _real_matrix(v, func, "v", "(..., n_k, d_v)")
    k_shape = np.shape(k)
    if va.shape[-2] != k_shape[-2]:
        raise ValueError(
            f"{func}: v must have one row per key: k has n_k = {k_shape[-2]} keys {k_shape}, "
            f"v has {va.shape[-2]} rows {va.shape}"
        )
    _batch_shape(func, weights=w.shape, v=va.shape)
    dtype = np.result_type(w.dtype, va.dtype)
    with np.errstate(**_QUIET):
        out = np.matmul(w.astype(dtype, copy=False), va.astype(dtype, copy=False))
    return out.astype(np.result_type(wk_dtype, v_dtype), copy=False)
