"""The log of a sum of exponentials, without overflow: the smooth maximum behind softmax."""

from __future__ import annotations

import numpy as np

from softmax_lib._rows import CHUNK, row_max, row_sum, tree_sum
from softmax_lib._validate import QUIET, as_real_array, check_axis, to_dtype


def shift_of(m: np.ndarray) -> np.ndarray:
    """The per-row shift: the row maximum where it is finite, 0 where it is not (those rows are
    patched by the callers; checking costs one pass over the row maxima, not over the data)."""
    finite = np.isfinite(m)
    return m if finite.all() else np.where(finite, m, 0).astype(m.dtype)


def _split_factor(dtype: np.dtype) -> float:
    """Veltkamp's constant 2**ceil(p/2) + 1 for a p-bit significand (Dekker's exact product)."""
    return 2.0 ** -(-(np.finfo(dtype).nmant + 1) // 2) + 1.0


def argument_error(arr: np.ndarray, shift: np.ndarray, temperature: float, out=None, tmp=None,
                   d=None):
    """``(arr - shift) / temperature`` exactly, minus the rounded argument that exp was given,
    ``fl(fl(arr - shift) / fl(temperature))``, to first order.

    float16/float32 arrays: the exact argument is formed in float64, where it is exact to far
    below their precision (this also charges the rounding of ``temperature`` to the compute
    dtype). float64 and longer: Knuth's TwoSum gives the rounding error of ``arr - shift``
    exactly, and Dekker's product (numpy has no fma) that of the division.

    The result is in float64 for float16/float32, else in ``arr``'s dtype; ``out`` and ``tmp``
    (optional, that dtype and the broadcast shape) are scratch to write it to, so that a
    caller working chunk by chunk allocates nothing per chunk. ``d``: ``fl(arr - shift)`` if
    the caller has it (float64 and longer, ``temperature`` 1), one operation less.
    """
    dtype = arr.dtype
    if dtype.itemsize < 8:
        work = np.float64
        # the rounded argument, in the compute dtype, then widened exactly
        rounded = np.subtract(arr, shift, out=tmp, dtype=dtype)
        t = dtype.type(temperature)
        if temperature != 1.0:
            np.divide(rounded, t, out=rounded, dtype=dtype)
        exact = np.subtract(arr, shift, out=out, dtype=work)
        if temperature != 1.0:
            exact /= temperature
        exact -= rounded
        return exact
    # TwoSum, in place: err = (arr - (d - bb)) - (shift + bb) = (arr - shift) - d exactly
    if d is None or temperature != 1.0:
        d = np.subtract(arr, shift, out=out)
        bb = np.subtract(d, arr, out=tmp)
        err = d if temperature == 1.0 else d.copy()
        err -= bb
    else:
        bb = np.subtract(d, arr, out=tmp)
        err = np.subtract(d, bb, out=out)
    np.subtract(arr, err, out=err)
    bb += shift
    err -= bb
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


def _tail_sum(x, shift, e, axis, temperature, work, d=None):
    """Rows along ``axis`` of 2-D chunks: ``t = sum_j e_j (1 + delta_j)`` over the entries other
    than the maximal one, with ``delta_j`` the argument's rounding error
    (:func:`argument_error`), in float64 for float16/float32 (one value per row). ``e`` is
    scratch: its maximal entries are set to 0 here (exactly ``exp(0) = 1``, and the only 1 in
    a row whose sum is < 2). ``work``: :class:`_Scratch` for the arrays of ``x``'s shape;
    ``d``: the rounded arguments, if at hand (see :func:`argument_error`)."""
    mask = np.equal(e, 1.0, out=work.get("mask", e.shape, bool))
    np.subtract(e, mask, out=e)  # 1 - 1 = 0 exactly; a masked copy is slower
    acc = work.acc
    # float32: the rounded argument is a float32 (tmp), the exact one a float64 (out)
    small = x.dtype.itemsize < 8
    out, tmp = work.get("out", e.shape), work.get("tmp", e.shape, x.dtype if small else acc)
    delta = argument_error(x, shift, temperature, out, tmp, d)
    if e.strides[axis] == e.itemsize:
        t = row_sum(e, axis, dtype=acc).reshape(-1)
    else:  # t needs all its digits: a tree, not row_sum's blocks of sequential sums
        t = tree_sum(e, axis, acc).reshape(-1)
    # e * (1 + delta) summed as sum(e) + sum(e * delta): no product array; the correction
    # needs a few digits only, so einsum's plain loop sums it well enough
    spec = "ij,ij->i" if axis == 1 else "ij,ij->j"
    corr = np.einsum(spec, e, delta, dtype=acc)
    if np.isnan(corr).any():  # rows with -inf entries (exp = 0): their argument error is NaN
        np.copyto(delta, 0.0, where=np.equal(e, 0.0, out=mask))
        corr = np.einsum(spec, e, delta, dtype=acc)
    t += corr
    return t


class _Scratch:
    """Named scratch arrays for a loop over chunks, allocated once at the largest chunk's shape
    and handed out as views: repeated allocations of this size can cost page faults each."""

    def __init__(self, acc):
        self.acc = acc
        self._arrays = {}

    def get(self, name, shape, dtype=None):
        a = self._arrays.get(name)
        if a is None or a.ndim != len(shape) or any(k > s for k, s in zip(shape, a.shape)):
            a = self._arrays[name] = np.empty(shape, dtype=dtype or self.acc)
        return a[tuple(slice(0, k) for k in shape)]


def _dominant_rows_log1p(arr, shift, exps, near_one, axis, temperature, log_sum, args=None):
    """For rows with ``s < 2``: ``log_sum = log1p(t)``, ``t`` the sum without the maximal entry
    (exactly 1) and corrected to first order for the rounding of each argument
    (:func:`_tail_sum`), so ``t`` keeps all its digits. ``exps`` is scratch afterwards;
    ``args``: the rounded arguments ``fl(arr - shift)``, if kept (temperature 1).

    Rows are taken about ``CHUNK`` elements at a time (whole rows, or column blocks of a long
    row), which bounds the scratch memory (allocated once, :class:`_Scratch`): all rows, as
    views, when most rows qualify, else only those rows, gathered. 2-D arrays are chunked in
    their own layout (for axis 0, rows are columns: gathered along axis 1, reduced along
    axis 0); others are seen with the rows last.
    """
    axis %= arr.ndim
    if arr.ndim != 2 or arr.dtype.itemsize < 8:
        args = None  # only used as views of 2-D float64 (and longer) arrays
    if arr.ndim == 1:  # one row: give it a batch axis of length 1
        arr, exps, shift, axis = arr[None], exps[None], shift[None], 1
    elif arr.ndim > 2:  # rows last; chunks are gathered by fancy indexing over the batch
        arr, exps, shift = (np.moveaxis(a, axis, -1) for a in (arr, exps, shift))
        axis = arr.ndim - 1
    n = arr.shape[axis]
    work = _Scratch(np.float64 if exps.dtype.itemsize < 8 else exps.dtype)
    flags = near_one.reshape(-1)  # keepdims shape: C order is the batch's C order
    # gathering the rows costs about a pass over them: worth it unless most rows qualify
    dense = arr.ndim == 2 and 4 * np.count_nonzero(flags) >= 3 * flags.size
    rows = np.arange(flags.size) if dense else np.flatnonzero(flags)
    # rows along a strided axis: chunks of up to 1/8 of the array, as gathering them walks
    # all of its pages once per chunk (TLB misses): few chunks are cheaper than many
    strided = arr.strides[axis] != arr.itemsize
    chunk = max(CHUNK, arr.size // 8) if strided else CHUNK
    per, cols = max(1, chunk // n), min(n, chunk)
    t = np.zeros(rows.size, dtype=work.acc)
    for r0 in range(0, rows.size, per):
        idx = rows[r0 : r0 + per]
        for c0 in range(0, n, cols):
            cs = _along(arr.ndim, axis, slice(c0, c0 + cols))
            if dense:  # views of a run of rows
                rs = _along(2, 1 - axis, slice(idx[0], idx[-1] + 1))
                x_blk, e_blk, sh_blk, ax = arr[cs][rs], exps[cs][rs], shift[rs], axis
                d_blk = None if args is None else args[cs][rs]
            else:
                x_blk, e_blk, sh_blk, ax = _gather(arr[cs], exps[cs], shift, axis, idx, work)
                d_blk = None
            t[r0 : r0 + per] += _tail_sum(x_blk, sh_blk, e_blk, ax, temperature, work, d_blk)
    if dense:
        rows = np.flatnonzero(flags)
        t = t[rows]
    np.put(log_sum, rows, np.log1p(t))


def _along(ndim: int, axis: int, sl: slice) -> tuple:
    """The index that applies ``sl`` along ``axis`` of an ``ndim``-D array."""
    return tuple(sl if i == axis else slice(None) for i in range(ndim))


def _gather(x, e, shift, axis, idx, work):
    """Copies of the rows ``idx`` (batch order) of ``x``, ``e`` and ``shift``, 2-D:
    ``(x, e, shift, axis)``."""
    if x.ndim > 2:  # axis is the last: index the batch
        sel = np.unravel_index(idx, x.shape[:-1])
        return x[sel], e[sel], shift[sel], 1
    b = 1 - axis  # the batch axis
    if x.flags.c_contiguous and e.flags.c_contiguous:  # (np.take copies others whole)
        shape = (idx.size, x.shape[1]) if b == 0 else (x.shape[0], idx.size)
        # into scratch; mode="clip" (the indices are valid): "raise" copies `out` first
        x_blk = np.take(x, idx, axis=b, out=work.get("x", shape, x.dtype), mode="clip")
        e_blk = np.take(e, idx, axis=b, out=work.get("e", shape, e.dtype), mode="clip")
    else:
        rs = _along(2, b, idx)
        x_blk, e_blk = x[rs], e[rs]
    return x_blk, e_blk, np.take(shift, idx, axis=b), axis


def shifted_log_sum(arr: np.ndarray, axis: int, temperature: float = 1.0, buf=None, args=None):
    """The shared kernel of logsumexp, log_softmax and cross_entropy.

    Returns ``(m, shift, buf, log_sum)``, all but ``buf`` with ``keepdims`` shape:
    ``m`` is the row maximum, ``shift`` the same with non-finite maxima replaced by 0,
    ``log_sum = log(sum(exp((arr - shift) / temperature)))`` and ``buf`` scratch of ``arr``'s
    shape that held ``exp((arr - shift) / temperature)``: freshly allocated, or ``buf`` if
    given (``arr``'s shape and dtype, not overlapping ``arr``). With ``args`` (the same, apart
    from ``buf`` too) the shifted arguments ``(arr - shift) / temperature`` are also kept, in
    ``args``; without, they are formed in ``buf`` and exponentiated in place.

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
    m = row_max(arr, axis)
    shift = shift_of(m)
    with np.errstate(**QUIET):
        d = np.subtract(arr, shift, out=buf if args is None else args)
        if temperature != 1.0:
            d /= temperature
        buf = np.exp(d, out=d if args is None else buf)
        s = row_sum(buf, axis)
        near_one = s < 2.0
        if near_one.any():
            log_sum = np.log(s, out=s, where=~near_one)  # the others: below
            kept = args if temperature == 1.0 else None
            _dominant_rows_log1p(arr, shift, buf, near_one, axis, temperature, log_sum, kept)
        else:
            log_sum = np.log(s, out=s)
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
