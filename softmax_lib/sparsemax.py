"""Sparsemax: the Euclidean projection onto the probability simplex, with exact zeros."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from softmax_lib._engine import finite_shift, quiet, row_limits
from softmax_lib._validate import as_real_array, check_axis, to_dtype


def _threshold(d: NDArray[Any]) -> NDArray[Any]:
    """The threshold tau of each row of ``d`` (last axis, every row with a finite maximum 0).

    Sorts each row in decreasing order, finds the support size
    ``k = max{k : 1 + k d_(k) > d_(1) + ... + d_(k)}`` and returns
    ``tau = (d_(1) + ... + d_(k) - 1) / k`` with keepdims shape. Rows that are not finite give
    garbage here and are patched by the caller.
    """
    n = d.shape[-1]
    srt = np.flip(np.sort(d, axis=-1), axis=-1)
    csum = np.cumsum(srt, axis=-1)
    ks = np.arange(1, n + 1, dtype=d.dtype)  # in d's dtype, so float32 stays float32
    in_support = 1 + ks * srt > csum
    # the support is a prefix {1, ..., k}: k is the last index where the test holds
    k = n - np.argmax(np.flip(in_support, axis=-1), axis=-1)[..., None]
    tau: NDArray[Any] = (np.take_along_axis(csum, k - 1, axis=-1) - 1) / k.astype(d.dtype)
    return tau


def sparsemax(x: ArrayLike, axis: int = -1) -> NDArray[Any]:
    r"""Sparsemax along an axis: the closest point of the probability simplex to `x`.

    Like softmax it maps real scores to non-negative numbers that sum to one and keeps their
    order; unlike softmax it returns exact zeros for scores far enough below the largest.

    The book builds it in the chapter "Where softmax falls short"
    (``chapters/limits.ipynb``).

    Parameters
    ----------
    x : array_like
        Real scores (logits). Integers and bools are computed in float64; float16 is computed
        in float32 and returned as float16; float32 and float64 are kept.
    axis : int, optional
        The axis that is normalised. Default -1 (each row of a matrix).

    Returns
    -------
    ndarray
        Same shape as `x`, entries in [0, 1] that sum to 1 along `axis` (up to rounding);
        entries whose score is at or below the threshold :math:`\tau` are exactly 0.

    Raises
    ------
    TypeError
        If `x` is not real (strings, objects, None, complex), or `axis` is not an int.
    numpy.exceptions.AxisError
        If `axis` is out of range (a 0-d `x` has no axis).

    See Also
    --------
    softmax : The smooth counterpart, never exactly 0.

    Notes
    -----
    Sparsemax solves :math:`\min_p \lVert p - x \rVert^2` over the simplex
    :math:`\{p : p_i \ge 0, \sum_i p_i = 1\}`. With the scores sorted,
    :math:`x_{(1)} \ge \dots \ge x_{(n)}`, the solution is

    .. math:: \operatorname{sparsemax}(x)_i = \max(x_i - \tau, 0), \qquad
              \tau = \frac{\sum_{j \le k} x_{(j)} - 1}{k}, \qquad
              k = \max\Bigl\{k : 1 + k\,x_{(k)} > \sum_{j \le k} x_{(j)}\Bigr\}.

    The :math:`k` largest scores form the support; every other entry is exactly 0. Adding a
    constant to every score changes nothing, so the row maximum is subtracted first: no overflow
    reaches the result (the shift can overflow only to :math:`-\infty`, for entries far below
    the maximum, outside the support), and the support entries lie within 1 of the maximum.
    Rounding in the cumulative sum grows with :math:`k`, so
    :math:`\tau` is corrected once by :math:`(\sum_i p_i - 1)/k`; the rows then sum to 1 within
    a few ulps for any support size. The cost is a sort, :math:`O(n \log n)` per row. No numpy
    warning is emitted.

    Conventions, as in :func:`softmax`: an empty axis gives an empty result; a row containing
    NaN is NaN (other rows are untouched); a row with exactly one :math:`+\infty` is one-hot at
    that entry (the limit, which sparsemax reaches as soon as that score leads the next by 1);
    a row with two or more :math:`+\infty`, or with only :math:`-\infty` entries, is NaN (the
    limit depends on how the entries approach infinity). :math:`-\infty` entries beside a
    finite maximum get exactly 0.

    References
    ----------
    .. [1] A. F. T. Martins and R. F. Astudillo, "From softmax to sparsemax: a sparse model of
       attention and multi-label classification", ICML 2016.

    Examples
    --------
    >>> import softmax_lib as sl
    >>> sl.sparsemax([1.0, 0.8, 0.1, -1.0])
    array([0.6, 0.4, 0. , 0. ])
    >>> sl.sparsemax([0.5, 0.0])                 # ((t + 1) / 2, (1 - t) / 2) for |t| <= 1
    array([0.75, 0.25])
    >>> sl.sparsemax([3.0, 1.0])                 # a lead of 1 or more: exactly one-hot
    array([1., 0.])
    >>> sl.sparsemax([[0.0, 0.0, 0.0], [0.0, float("inf"), 5.0]])
    array([[0.33333333, 0.33333333, 0.33333333],
           [0.        , 1.        , 0.        ]])
    """
    arr, out_dtype = as_real_array(x, "sparsemax")
    ax = check_axis(axis, arr.ndim, "sparsemax")
    if arr.shape[ax] == 0:
        return np.empty(arr.shape, dtype=out_dtype)
    a = np.moveaxis(arr, ax, -1)
    m = a.max(axis=-1, keepdims=True)  # NaN for rows with NaN
    with quiet():
        d = a - finite_shift(m)
        tau = _threshold(d)
        out = np.maximum(d - tau, 0)
        # one correction step: the rounding in the cumulative sum grows with the support
        # size; re-centring tau on the computed sum brings it back to a few ulps
        k = (out > 0).sum(axis=-1, keepdims=True)
        tau += (out.sum(axis=-1, keepdims=True) - 1) / np.maximum(k, 1).astype(d.dtype)
        np.maximum(d - tau, 0, out=out)
    limits = row_limits(a, m, -1)
    if limits is not None:
        limits.patch(out, at_inf=1.0, elsewhere=0.0)
    return to_dtype(np.moveaxis(out, -1, ax), out_dtype)
