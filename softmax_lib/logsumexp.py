"""The log of a sum of exponentials, without overflow: the smooth maximum behind softmax."""

from __future__ import annotations

import numpy as np

from softmax_lib._validate import QUIET, as_real_array, check_axis, to_dtype


def shift_of(m: np.ndarray) -> np.ndarray:
    """The per-row shift: the row maximum where it is finite, 0 where it is not (those rows are
    patched by the callers; checking costs one pass over the row maxima, not over the data)."""
    finite = np.isfinite(m)
    return m if finite.all() else np.where(finite, m, 0).astype(m.dtype)


def _split_factor(dtype: np.dtype) -> float:
    """Veltkamp's constant 2**ceil(p/2) + 1 for a p-bit significand (Dekker's exact product)."""
    return 2.0 ** -(-(np.finfo(dtype).nmant + 1) // 2) + 1.0


def argument_error(arr: np.ndarray, shift: np.ndarray, temperature: float) -> np.ndarray:
    """``(arr - shift) / temperature`` exactly, minus the rounded argument that exp was given,
    ``fl(fl(arr - shift) / fl(temperature))``, to first order.

    float16/float32 arrays: the exact argument is formed in float64, where it is exact to far
    below their precision (this also charges the rounding of ``temperature`` to the compute
    dtype). float64 and longer: Knuth's TwoSum gives the rounding error of ``arr - shift``
    exactly, and Dekker's product (numpy has no fma) that of the division.
    """
    dtype = arr.dtype
    if dtype.itemsize < 8:
        work = np.float64
        rounded = np.subtract(arr, shift)
        t = dtype.type(temperature)
        if temperature != 1.0:
            rounded /= t
        exact = np.subtract(arr, shift, dtype=work)
        if temperature != 1.0:
            exact /= temperature
        return exact - rounded
    d = arr - shift
    bb = d - arr
    err = (arr - (d - bb)) - (shift + bb)  # TwoSum: (arr - shift) - d, exactly
    if temperature == 1.0:
        return err
    t = dtype.type(temperature)
    q = d / t
    p = q * t
    c = _split_factor(dtype)
    qh = q * c
    qh -= qh - q
    ql = q - qh
    th = t * c
    th -= th - t
    tl = t - th
    prod_err = ((qh * th - p) + qh * tl + ql * th) + ql * tl  # q*t - p, exactly
    err += (d - p) - prod_err  # d - q*t: the division's residual, times t
    err /= t
    return err


# numpy reduces a non-last axis one slice at a time (error growing like n, ~1000 ulps at
# n = 10^5); row_sum adds _BLOCK slices at a time and then the block sums, recursively.
_BLOCK = 32
# elements per block when the dominant-row correction gathers rows (bounds its scratch memory)
_CHUNK = 1 << 15


def row_sum(a: np.ndarray, axis: int) -> np.ndarray:
    """``a.sum(axis, keepdims=True)`` with an error that grows like ``log n`` along any axis.

    An axis that is contiguous in memory already gets numpy's pairwise summation. Along any
    other axis (also a last axis of a transposed view) numpy adds one slice at a time, so the slices are
    added in blocks of ``_BLOCK`` (error ``_BLOCK`` eps at most) and the ``n / _BLOCK`` block sums
    are summed the same way; the scratch is ``1 / _BLOCK`` of ``a``.
    """
    axis %= a.ndim
    n = a.shape[axis]
    if a.strides[axis] == a.itemsize or n <= 2 * _BLOCK:
        return a.sum(axis=axis, keepdims=True)
    q = n // _BLOCK
    lead = (slice(None),) * axis
    head = a[lead + (slice(0, q * _BLOCK),)]
    partial = head.reshape(a.shape[:axis] + (q, _BLOCK) + a.shape[axis + 1 :]).sum(axis=axis + 1)
    total = row_sum(partial, axis)
    if q * _BLOCK < n:
        total += a[lead + (slice(q * _BLOCK, n),)].sum(axis=axis, keepdims=True)
    return total


def _dominant_rows_log1p(arr, shift, exps, near_one, axis, temperature, log_sum):
    """For rows with ``s < 2``: ``log_sum = log1p(t)``, ``t`` the sum without the maximal entry
    (exactly 1) and corrected to first order for the rounding of each argument
    (:func:`argument_error`), so ``t`` keeps all its digits.

    Only those rows are touched: they are gathered ``_CHUNK`` elements at a time (whole rows, or
    column blocks of a long row), which bounds both the work and the scratch memory.
    """
    rows = np.flatnonzero(near_one)  # C order of the keepdims shape = batch order
    xa = np.moveaxis(arr, axis, -1)
    ea = np.moveaxis(exps, axis, -1)
    if xa.ndim == 1:  # one row: give it a batch axis of length 1
        xa, ea = xa[None], ea[None]
    batch, n = xa.shape[:-1], xa.shape[-1]
    sh = np.ravel(shift)[rows] if shift.size > 1 else np.broadcast_to(np.ravel(shift), rows.shape)
    sh = np.asarray(sh)[:, None]
    idx_max = np.ravel(np.argmax(exps, axis=axis))[rows]  # the entry that is exactly 1
    acc = np.float64 if exps.dtype.itemsize < 8 else exps.dtype
    t = np.zeros(rows.size, dtype=acc)
    per = max(1, _CHUNK // n)
    cols = n if n <= _CHUNK else _CHUNK
    for r0 in range(0, rows.size, per):
        sel = np.unravel_index(rows[r0 : r0 + per], batch)
        parts = []
        for c0 in range(0, n, cols):
            x_blk = xa[..., c0 : c0 + cols][sel]
            e_blk = ea[..., c0 : c0 + cols][sel]
            hit = (idx_max[r0 : r0 + per] >= c0) & (idx_max[r0 : r0 + per] < c0 + cols)
            e_blk[np.flatnonzero(hit), idx_max[r0 : r0 + per][hit] - c0] = 0.0
            delta = argument_error(x_blk, sh[r0 : r0 + per], temperature)
            delta += 1.0
            delta *= e_blk
            np.copyto(delta, 0.0, where=e_blk == 0)  # -inf / far entries: no weight
            parts.append(delta.sum(axis=-1, dtype=acc))
        t[r0 : r0 + per] = parts[0] if len(parts) == 1 else np.sum(parts, axis=0)
    np.put(log_sum, rows, np.log1p(t).astype(log_sum.dtype))


def shifted_log_sum(arr: np.ndarray, axis: int, temperature: float = 1.0, buf=None):
    """The shared kernel of logsumexp, log_softmax and cross_entropy.

    Returns ``(m, shift, buf, log_sum)``, all but ``buf`` with ``keepdims`` shape:
    ``m`` is the row maximum, ``shift`` the same with non-finite maxima replaced by 0,
    ``log_sum = log(sum(exp((arr - shift) / temperature)))`` and ``buf`` a freshly allocated
    array of ``arr``'s shape holding ``exp((arr - shift) / temperature)``, which the caller may
    reuse as its output (the only full-size allocation; pass ``buf`` of ``arr``'s shape and
    dtype, not overlapping ``arr``, to have it written there instead).

    The row sum is ``s = 1 + t`` with ``t`` the sum over the non-maximal entries. When one
    entry dominates, ``t`` is far below machine epsilon and ``log(s)`` would return 0; rows
    with ``s < 2`` are therefore recomputed as ``log1p(t)`` with the maximal entry (exactly
    ``exp(0) = 1``) left out of the sum, so ``t`` keeps all its digits. In those rows ``t``
    would still carry the rounding of the arguments (``|x_j - m| eps`` relative for each
    term, tens of ulps of ``log1p(t)`` when the runner-up is far below the max), so the sum
    is corrected to first order: ``t = sum_j e_j (1 + delta_j)`` with ``delta_j`` the
    argument's rounding error (:func:`argument_error`). Only the rows with ``s < 2`` pay for
    that, block by block (:func:`_dominant_rows_log1p`).
    """
    m = arr.max(axis=axis, keepdims=True)
    shift = shift_of(m)
    with np.errstate(**QUIET):
        buf = np.subtract(arr, shift, out=buf)
        if temperature != 1.0:
            buf /= temperature
        np.exp(buf, out=buf)
        s = row_sum(buf, axis)
        log_sum = np.log(s)
        near_one = s < 2.0
        if near_one.any():
            _dominant_rows_log1p(arr, shift, buf, near_one, axis, temperature, log_sum)
    return m, shift, buf, log_sum


def logsumexp(x, axis=-1, *, keepdims=False):
    r"""Logarithm of the sum of exponentials, computed without overflow.

    Parameters
    ----------
    x : array_like
        Real input. Integers and bools are computed in float64; float16 is computed in
        float32 and returned as float16; float32, float64 and longdouble are kept.
    axis : int, optional
        Axis to reduce over. Default -1 (the last axis); negative values count from the end.
    keepdims : bool, optional
        Keep the reduced axis with length 1, so the result broadcasts against `x`.

    Returns
    -------
    ndarray
        :math:`\log \sum_i e^{x_i}` along `axis`, in the dtype of `x` (float64 for integers).
        A 0-d array when `x` is 1-D and `keepdims` is False.

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
    gives NaN (other rows are untouched); a row containing :math:`+\infty` (and no NaN) gives
    :math:`+\infty`; a row of only :math:`-\infty` gives :math:`-\infty`. No numpy warning is
    emitted for any input.

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
    >>> sl.logsumexp([[0.0, 0.0], [1.0, -float("inf")]], axis=0, keepdims=True)
    array([[1.31326169, 0.        ]])
    """
    arr, out_dtype = as_real_array(x, "logsumexp")
    ax = check_axis(axis, arr.ndim, "logsumexp")
    if arr.shape[ax] == 0:
        shape = list(arr.shape)
        shape[ax] = 1
        out = np.full(shape, -np.inf, dtype=out_dtype)
        return out if keepdims else np.squeeze(out, axis=ax)
    m, _, _, log_sum = shifted_log_sum(arr, ax)
    with np.errstate(**QUIET):
        out = m + log_sum  # +inf + finite = +inf, -inf + 0 = -inf, NaN stays NaN
    if not keepdims:
        out = np.squeeze(out, axis=ax)
    return to_dtype(out, out_dtype)
