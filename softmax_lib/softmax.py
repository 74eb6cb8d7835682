"""Softmax and log-softmax, stable for every finite input, plus the textbook formula."""

from __future__ import annotations

import numpy as np

from softmax_lib._validate import QUIET, as_real_array, check_axis, check_temperature, to_dtype
from softmax_lib._rows import row_blocks, row_max, row_sum
from softmax_lib.logsumexp import shift_of, shifted_log_sum


def _limit_rows(arr: np.ndarray, m: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Masks for rows whose max is +inf with exactly one +inf (a one-hot limit) and for rows
    where the limit does not exist (two or more +inf, or only -inf): those become NaN."""
    pos = np.isposinf(arr)
    n_pos = pos.sum(axis=axis, keepdims=True)
    one_hot = np.isposinf(m) & (n_pos == 1)
    undefined = (np.isposinf(m) & (n_pos > 1)) | np.isneginf(m)
    return one_hot, undefined


def _limits(arr, m, axis):
    """``None`` when every row max is finite (one pass over the maxima), else the masks of
    :func:`_limit_rows` plus the +inf entries, taken before ``out`` may overwrite ``arr``."""
    if np.isfinite(m).all():
        return None
    one_hot, undefined = _limit_rows(arr, m, axis)
    hot = np.isposinf(arr) & one_hot if one_hot.any() else None
    return one_hot, undefined, hot


def _patch_limits(out, limits, one_hot_value):
    """Rows with non-finite max: the limit where it exists, NaN where it depends on the path.

    ``one_hot_value`` is ``(value at the +inf entry, value elsewhere)``. Rows whose max is NaN
    are NaN already.
    """
    if limits is None:
        return out
    one_hot, undefined, hot = limits
    if hot is not None:
        np.copyto(out, one_hot_value[1], where=np.broadcast_to(one_hot, out.shape))
        np.copyto(out, one_hot_value[0], where=hot)
    np.copyto(out, np.nan, where=np.broadcast_to(undefined, out.shape))
    return out


def _check_out(out, shape, dtype, func):
    """``out=``: a writeable ndarray of the result's shape and dtype, or a clear error."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{func}: out must be a numpy array, got {type(out).__name__}")
    if out.shape != shape:
        raise ValueError(f"{func}: out has shape {out.shape}, expected {shape} (the shape of x)")
    if out.dtype != dtype:
        raise TypeError(f"{func}: out must have dtype {dtype} (the result's dtype), got {out.dtype}")
    if not out.flags.writeable:
        raise ValueError(f"{func}: out is read-only")


def _checked_arguments(x, axis, temperature, out, func):
    """``(array to compute with, returned dtype, axis, temperature)``, every argument checked."""
    arr, out_dtype = as_real_array(x, func)
    ax = check_axis(axis, arr.ndim, func)
    t = check_temperature(temperature, func)
    if out is not None:
        _check_out(out, arr.shape, out_dtype, func)
    return arr, out_dtype, ax, t


def _result_array(arr, out):
    """Where the result is computed: straight into ``out`` when it has the compute dtype (x
    itself is fine: the work is elementwise per row), else the one full-size allocation."""
    return out if out is not None and out.dtype == arr.dtype else np.empty_like(arr)


def _finish(res, out, out_dtype):
    """The result in the returned dtype, written into ``out`` if one was given."""
    if out is None:
        return to_dtype(res, out_dtype)
    if res is not out:
        with np.errstate(over="ignore"):
            np.copyto(out, res, casting="unsafe")
    return out


def softmax(x, axis=-1, *, temperature=1.0, out=None):
    r"""Softmax along an axis: exponentiate, then normalise to sum to one.

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
    arr, out_dtype, ax, t = _checked_arguments(x, axis, temperature, out, "softmax")
    if arr.shape[ax] == 0:
        return np.empty(arr.shape, dtype=out_dtype) if out is None else out
    res = _result_array(arr, out)
    for xb, rb, axb in row_blocks(arr, res, ax):
        _softmax_rows(xb, rb, axb, t)
    return _finish(res, out, out_dtype)


def _softmax_rows(arr, res, axis, t):
    """``res = softmax(arr / t)`` along ``axis``; ``res`` may be ``arr`` itself."""
    m = row_max(arr, axis)
    limits = _limits(arr, m, axis)
    with np.errstate(**QUIET):
        np.subtract(arr, shift_of(m), out=res)
        if t != 1.0:
            res /= t
        np.exp(res, out=res)
        # a division, not a multiply by 1/s: that would save little and add a rounding
        res /= row_sum(res, axis)
    _patch_limits(res, limits, (1.0, 0.0))


def log_softmax(x, axis=-1, *, temperature=1.0, out=None):
    r"""Logarithm of softmax, computed directly (never as ``log(softmax(x))``).

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
    arr, out_dtype, ax, t = _checked_arguments(x, axis, temperature, out, "log_softmax")
    if arr.shape[ax] == 0:
        return np.empty(arr.shape, dtype=out_dtype) if out is None else out
    res = _result_array(arr, out)
    scratch = None
    for xb, rb, axb in row_blocks(arr, res, ax):
        if xb.size < arr.size:  # blocks: one block-sized scratch for the exponentials
            if scratch is None:
                scratch = np.empty_like(xb)
            buf = scratch[tuple(slice(0, k) for k in xb.shape)]
        else:
            buf = None
        _log_softmax_rows(xb, rb, axb, t, buf)
    return _finish(res, out, out_dtype)


def _log_softmax_rows(arr, res, axis, t, scratch):
    """``res = log_softmax(arr / t)`` along ``axis``; ``res`` may be ``arr`` itself.

    With ``scratch`` (``arr``'s shape, apart from both) the exponentials go there and ``res``
    keeps the shifted arguments: one pass fewer. Without, ``res`` serves for the exponentials
    (a fresh array if ``res`` is ``arr``) and the arguments are formed again afterwards.
    """
    in_place = np.shares_memory(res, arr)  # then arr is still needed after the exponentials
    if scratch is not None and not in_place:
        m, shift, _, log_sum = shifted_log_sum(arr, axis, t, buf=scratch, args=res)
        limits = _limits(arr, m, axis)
    else:
        buf = scratch if in_place else res
        m, shift, _, log_sum = shifted_log_sum(arr, axis, t, buf=buf)
        limits = _limits(arr, m, axis)
        with np.errstate(**QUIET):
            np.subtract(arr, shift, out=res)
            if t != 1.0:
                res /= t
    with np.errstate(**QUIET):
        res -= log_sum  # (x - shift) - log_sum: the dominant entry gets -t, not 0
    _patch_limits(res, limits, (0.0, -np.inf))


def naive_softmax(x, axis=-1):
    r"""The textbook formula ``exp(x) / sum(exp(x))``, kept to show how it fails.

    Parameters
    ----------
    x : array_like
        Real scores. Computed in the input's own floating dtype (float16 stays float16, which
        overflows above about 11.09); integers and bools in float64.
    axis : int, optional
        The axis that is normalised. Default -1.

    Returns
    -------
    ndarray
        The naive result: ``nan`` where ``exp`` overflows (``inf / inf``) or every term
        underflows (``0 / 0``).

    Raises
    ------
    TypeError
        If `x` is not real, or `axis` is not an int.
    numpy.exceptions.AxisError
        If `axis` is out of range.

    Warns
    -----
    RuntimeWarning
        Exactly as the numpy one-liner does: "overflow encountered in exp", "invalid value
        encountered in divide". Use :func:`softmax` instead.

    Notes
    -----
    .. math:: \operatorname{softmax}(x)_i = \frac{e^{x_i}}{\sum_j e^{x_j}}

    Correct in exact arithmetic, and in floating point for small scores only.

    Examples
    --------
    >>> import numpy as np, softmax_lib as sl
    >>> sl.naive_softmax([2.0, 1.0, 0.1])
    array([0.65900114, 0.24243297, 0.09856589])
    >>> with np.errstate(over="ignore", invalid="ignore"):
    ...     sl.naive_softmax([1000.0, 0.0])
    array([nan,  0.])
    """
    try:
        arr = np.asarray(x) if x is not None else None
    except (ValueError, TypeError):  # ragged lists and the like: as_real_array says why
        arr = None
    if arr is not None and arr.dtype.kind == "f":
        out_dtype = arr.dtype
    else:
        arr, out_dtype = as_real_array(x, "naive_softmax")
    ax = check_axis(axis, arr.ndim, "naive_softmax")
    e = np.exp(arr.astype(out_dtype, copy=False))
    return e / e.sum(axis=ax, keepdims=True)
