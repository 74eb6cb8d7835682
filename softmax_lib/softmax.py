"""Softmax and log-softmax along an axis: validate, shift by the row maximum, exponentiate,
sum, normalise.

The machinery (row reductions, rows with a non-finite maximum, the log-sum kernel and its
correction for dominant rows) is in :mod:`softmax_lib._engine`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from softmax_lib._engine import (
    Scratch,
    finite_shift,
    quiet,
    row_blocks,
    row_limits,
    row_max,
    row_sum,
    shifted_log_sum,
)
from softmax_lib._validate import checked_softmax_arguments, finish, result_array


def softmax(
    x: ArrayLike, axis: int = -1, *, temperature: float = 1.0, out: NDArray[Any] | None = None
) -> NDArray[Any]:
    r"""Softmax along an axis: exponentiate, then normalise to sum to one.

    The book builds it in the chapter "What softmax is"
    (``chapters/what_softmax_is.ipynb``).

    Parameters
    ----------
    x : array_like
        Real scores (logits). Integers and bools are computed in float64; float16 is computed
        in float32 and returned as float16; float32 and float64 are kept.
    axis : int, optional
        The axis that is normalised. Default -1 (each row of a matrix).
    temperature : float, optional
        Positive, finite scale :math:`T`; the result is ``softmax(x / T)``. Default 1.
    out : ndarray, optional
        Where to write the result: same shape as `x` and the result's dtype (float64 for
        integer `x`). May be `x` itself, which is then overwritten in place (no full-size
        allocation except for float16, computed in float32). Keyword-only.

    Returns
    -------
    ndarray
        Same shape as `x`, entries in [0, 1] that sum to 1 along `axis` (`out` if given).

    Raises
    ------
    TypeError
        If `x` is not real (strings, objects, None, complex), `axis` is not an int,
        `temperature` is not a real scalar, or `out` is not an array of the result's dtype.
    numpy.exceptions.AxisError
        If `axis` is out of range (a 0-d `x` has no axis).
    ValueError
        If `temperature` is zero, negative, NaN or infinite, or `out` has the wrong shape or
        is read-only.

    See Also
    --------
    log_softmax : Its logarithm, computed directly (for losses and log-likelihoods).
    logsumexp : The log of the normaliser.
    naive_softmax : The textbook formula, which overflows.
    sigmoid : The two-class case.
    online_softmax : The same over chunks, with a one-pass normaliser.
    sparsemax : A projection onto the simplex with exact zeros.

    Notes
    -----
    .. math:: \operatorname{softmax}(x)_i = \frac{e^{(x_i - m)/T}}{\sum_j e^{(x_j - m)/T}},
              \qquad m = \max_j x_j .

    Subtracting the maximum changes nothing mathematically (the factor :math:`e^{-m/T}`
    cancels) but keeps every exponent :math:`\le 0`, so nothing overflows, and the
    denominator :math:`\ge 1`, so it never divides by zero. No numpy warning is emitted.

    Conventions: an empty axis gives an empty result; a row containing NaN is NaN (other rows
    are untouched); a row with exactly one :math:`+\infty` is one-hot at that entry (the
    limit); a row with two or more :math:`+\infty`, or with only :math:`-\infty` entries, has
    no limit (it depends on how the entries approach infinity) and is NaN. :math:`-\infty`
    entries beside a finite maximum get probability 0.

    References
    ----------
    .. [1] J. S. Bridle, "Probabilistic interpretation of feedforward classification network
       outputs, with relationships to statistical pattern recognition", 1990.

    Examples
    --------
    >>> import softmax_lib as sl
    >>> sl.softmax([2.0, 1.0, 0.1])
    array([0.65900114, 0.24243297, 0.09856589])
    >>> sl.softmax([1000.0, 0.0])            # the textbook formula returns nan here
    array([1., 0.])
    >>> sl.softmax([[1.0, 1.0], [0.0, float("inf")]])
    array([[0.5, 0.5],
           [0. , 1. ]])
    >>> sl.softmax([1.0, 0.0], temperature=0.5)
    array([0.88079708, 0.11920292])
    """
    arr, out_dtype, ax, t = checked_softmax_arguments(x, axis, temperature, out, "softmax")
    if arr.shape[ax] == 0:
        return np.empty(arr.shape, dtype=out_dtype) if out is None else out
    res = result_array(arr, out)
    for xb, rb, axb in row_blocks(arr, res, ax):
        _softmax_rows(xb, rb, axb, t)
    return finish(res, out, out_dtype)


def _softmax_rows(arr: NDArray[Any], res: NDArray[Any], axis: int, t: float) -> None:
    """``res = softmax(arr / t)`` along ``axis``; ``res`` may be ``arr`` itself."""
    m = row_max(arr, axis)
    limits = row_limits(arr, m, axis)  # before res overwrites arr
    with quiet():
        np.subtract(arr, finite_shift(m), out=res)
        if t != 1.0:
            res /= t
        np.exp(res, out=res)
        # a division, not a multiply by 1/s: that would save little and add a rounding
        res /= row_sum(res, axis)
    if limits is not None:
        limits.patch(res, at_inf=1.0, elsewhere=0.0)


def log_softmax(
    x: ArrayLike, axis: int = -1, *, temperature: float = 1.0, out: NDArray[Any] | None = None
) -> NDArray[Any]:
    r"""Logarithm of softmax, computed directly (never as ``log(softmax(x))``).

    The book builds it in the chapter "Numerical stability"
    (``chapters/numerical_stability.ipynb``).

    Parameters
    ----------
    x : array_like
        Real scores (logits); dtype policy as in :func:`softmax`.
    axis : int, optional
        The axis that is normalised. Default -1.
    temperature : float, optional
        Positive, finite scale :math:`T`; the result is ``log_softmax(x / T)``. Default 1.
    out : ndarray, optional
        Where to write the result, as in :func:`softmax` (may be `x` itself). Keyword-only.

    Returns
    -------
    ndarray
        Same shape as `x`, entries :math:`\le 0` whose exponentials sum to 1 along `axis`
        (`out` if given).

    Raises
    ------
    TypeError
        If `x` is not real, `axis` is not an int, `temperature` is not a real scalar, or
        `out` is not an array of the result's dtype.
    numpy.exceptions.AxisError
        If `axis` is out of range.
    ValueError
        If `temperature` is zero, negative, NaN or infinite, or `out` has the wrong shape or
        is read-only.

    See Also
    --------
    softmax : The probabilities themselves.
    logsumexp : The normaliser: ``log_softmax(x) = x - logsumexp(x)``.
    cross_entropy : The loss, from the same kernel.

    Notes
    -----
    .. math:: \log \operatorname{softmax}(x)_i = \frac{x_i - m}{T}
              - \log \sum_j e^{(x_j - m)/T}, \qquad m = \max_j x_j .

    ``log(softmax(x))`` underflows to :math:`-\infty` as soon as a probability drops below
    the smallest float, although the log-probability itself is a modest number (for
    ``[0, -1000]`` it is -1000). When one entry dominates, the sum is :math:`1 + t` with
    tiny :math:`t` and the log is taken as :math:`\operatorname{log1p}(t)`, so the dominant
    entry gets :math:`\approx -t` rather than 0.

    Conventions as in :func:`softmax`: empty axis → empty result; NaN rows → NaN; a row with
    exactly one :math:`+\infty` gives 0 there and :math:`-\infty` elsewhere; two or more
    :math:`+\infty`, or only :math:`-\infty`, give NaN; :math:`-\infty` entries beside a finite
    maximum give :math:`-\infty`.

    Examples
    --------
    >>> import softmax_lib as sl
    >>> sl.log_softmax([0.0, -1000.0])
    array([    0., -1000.])
    >>> float(sl.log_softmax([0.0, -40.0])[0])   # -exp(-40), not 0
    -4.248354255291589e-18
    >>> sl.log_softmax([-float("inf"), 0.0])
    array([-inf,   0.])
    """
    arr, out_dtype, ax, t = checked_softmax_arguments(x, axis, temperature, out, "log_softmax")
    if arr.shape[ax] == 0:
        return np.empty(arr.shape, dtype=out_dtype) if out is None else out
    res = result_array(arr, out)
    work = Scratch()  # allocated once for all blocks
    # rows of any length in blocks: the shifted arguments stay in res and the exponentials
    # in a block-sized buffer (one pass fewer, measured 3-5% faster from 1000 entries on)
    for xb, rb, axb in row_blocks(arr, res, ax, longest=None):
        # blocks: one block-sized buffer for the exponentials
        buf = work.get("exps", xb.shape, xb.dtype) if xb.size < arr.size else None
        _log_softmax_rows(xb, rb, axb, t, buf, work)
    return finish(res, out, out_dtype)


def _log_softmax_rows(
    arr: NDArray[Any],
    res: NDArray[Any],
    axis: int,
    t: float,
    scratch: NDArray[Any] | None,
    work: Scratch,
) -> None:
    """``res = log_softmax(arr / t)`` along ``axis``; ``res`` may be ``arr`` itself.

    With ``scratch`` (``arr``'s shape, apart from both) the exponentials go there and ``res``
    keeps the shifted arguments: one pass fewer. Without, ``res`` serves for the exponentials
    (a fresh array if ``res`` is ``arr``) and the arguments are formed again afterwards.
    """
    in_place = np.shares_memory(res, arr)  # then arr is still needed after the exponentials
    keep_args = scratch is not None and not in_place
    if keep_args:
        m, shift, _, log_sum = shifted_log_sum(arr, axis, t, scratch, res, work)
    else:
        buf = scratch if in_place else res
        m, shift, _, log_sum = shifted_log_sum(arr, axis, t, buf, scratch=work)
    limits = row_limits(arr, m, axis)
    with quiet():
        if not keep_args:
            np.subtract(arr, shift, out=res)
            if t != 1.0:
                res /= t
        res -= log_sum  # (x - shift) - log_sum: the dominant entry gets -t, not 0
    if limits is not None:
        limits.patch(res, at_inf=0.0, elsewhere=-np.inf)
