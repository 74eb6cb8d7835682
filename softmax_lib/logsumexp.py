"""The log of a sum of exponentials, without overflow: the smooth maximum behind softmax."""

from __future__ import annotations

import numpy as np

from softmax_lib._validate import as_real_array, check_axis

# Silences only what the code below deals with itself: exp underflow to 0 is the right answer,
# x - max overflows to -inf only for entries whose weight is 0 anyway, and non-finite row maxima
# (inf - inf) are patched row by row.
_QUIET = dict(over="ignore", under="ignore", invalid="ignore", divide="ignore")


def shifted_log_sum(shifted: np.ndarray, axis: int, exps: np.ndarray) -> np.ndarray:
    """``log(sum(exp(shifted)))`` along ``axis`` where every row of ``shifted`` has max 0.

    ``exps`` holds ``exp(shifted)`` and may be overwritten. The row's sum is ``s = 1 + t`` with
    ``t`` the sum over the non-maximal entries; when one entry dominates, ``t`` is far below
    machine epsilon and ``log(s)`` would return 0. Those rows (``s < 2``) are recomputed as
    ``log1p(t)`` with the maximal entry left out of the sum, which keeps ``t`` exact.
    """
    s = exps.sum(axis=axis, keepdims=True)
    out = np.log(s)
    near_one = s < 2.0
    if near_one.any():
        idx = np.argmax(shifted, axis=axis, keepdims=True)
        np.put_along_axis(exps, idx, 0.0, axis=axis)
        t = exps.sum(axis=axis, keepdims=True)
        np.copyto(out, np.log1p(t), where=near_one)
    return out


def max_and_log_sum(arr: np.ndarray, axis: int):
    """``(m, shifted, log_sum)`` with ``m`` the row max, ``shifted = arr - m`` (a new array),
    and ``log_sum = log(sum(exp(shifted)))``, so that ``logsumexp = m + log_sum``.

    Rows whose max is not finite get ``m = 0`` for the shift and are left for the caller to
    patch: a row with NaN yields NaN, +inf rows and all -inf rows are handled by the callers.
    """
    m = arr.max(axis=axis, keepdims=True)
    finite = np.isfinite(m)
    shift = m if finite.all() else np.where(finite, m, 0.0).astype(arr.dtype)
    with np.errstate(**_QUIET):
        shifted = np.subtract(arr, shift)
        exps = np.exp(shifted)
        log_sum = shifted_log_sum(shifted, axis, exps)
    return m, shifted, log_sum


def logsumexp(x, axis=-1, *, keepdims=False):
    r"""Logarithm of the sum of exponentials, computed without overflow.

    Parameters
    ----------
    x : array_like
        Real input. Integers and bools are computed in float64; float16 in float32.
    axis : int, optional
        Axis to reduce over. Default -1 (the last axis).
    keepdims : bool, optional
        Keep the reduced axis with length 1, so the result broadcasts against `x`.

    Returns
    -------
    ndarray
        :math:`\log \sum_i e^{x_i}` along `axis`, in the dtype of `x` (float64 for integers).

    Raises
    ------
    TypeError
        If `x` is not real (strings, objects, None, complex) or `axis` is not an int.
    numpy.exceptions.AxisError
        If `axis` is out of range (a 0-d `x` has no axis to reduce).

    Notes
    -----
    With :math:`m = \max_i x_i`,

    .. math:: \operatorname{LSE}(x) = m + \log \sum_i e^{x_i - m},

    where every exponent is :math:`\le 0` (no overflow) and the sum is :math:`\ge 1` (no
    :math:`\log 0`). When one entry dominates, the sum is :math:`1 + t` with tiny :math:`t`;
    the logarithm is then taken as :math:`\operatorname{log1p}(t)` so that :math:`t` is not
    lost to rounding.

    Conventions: an empty axis gives :math:`-\infty` (the log of an empty sum); a row with NaN
    gives NaN; a row containing :math:`+\infty` gives :math:`+\infty`; a row of only
    :math:`-\infty` gives :math:`-\infty`. No numpy warning is emitted for any input.

    The bounds :math:`\max_i x_i \le \operatorname{LSE}(x) \le \max_i x_i + \log n` make it a
    smooth maximum.

    References
    ----------
    .. [1] P. Blanchard, D. J. Higham, N. J. Higham, "Accurately computing the log-sum-exp and
       softmax functions", IMA Journal of Numerical Analysis 41(4), 2021.

    Examples
    --------
    >>> import softmax_lib as sl
    >>> float(sl.logsumexp([1000.0, 1000.0]))   # 1000 + log 2, where exp(1000) overflows
    1000.6931471805599
    >>> sl.logsumexp([[0.0, 0.0], [1.0, -float("inf")]])
    array([0.69314718, 1.        ])
    """
    arr, out_dtype = as_real_array(x, "logsumexp")
    ax = check_axis(axis, arr.ndim, "logsumexp")
    if arr.shape[ax] == 0:
        shape = list(arr.shape)
        shape[ax] = 1
        out = np.full(shape, -np.inf, dtype=out_dtype)
        return out if keepdims else np.squeeze(out, axis=ax)
    m, _, log_sum = max_and_log_sum(arr, ax)
    with np.errstate(invalid="ignore"):
        out = m + log_sum  # +inf + finite = +inf, -inf + log(n) = -inf, NaN stays NaN
    if not keepdims:
        out = np.squeeze(out, axis=ax)
    return out.astype(out_dtype, copy=False)
