"""The log-sum kernel shared by logsumexp, log_softmax and cross_entropy.

Per row along ``axis``: the maximum ``m``, the shift (``m``, or 0 where ``m`` is not finite),
``e_j = exp((x_j - shift) / T)`` and ``log_sum = log(sum_j e_j)``.

The sum is ``s = 1 + t``, with ``t`` the sum over the entries other than the maximal one. When
one entry dominates, ``t`` is far below machine epsilon and ``log(s)`` would return 0; rows
with ``s < 2`` ("dominant rows") are therefore recomputed as ``log1p(t)`` with the maximal
entry (exactly ``exp(0) = 1``) left out of the sum, so ``t`` keeps all its digits. Then ``t``
still carries the rounding of each argument: exp's condition number is ``|x_j - m| / T``, so
``e_j`` is off by ``|x_j - m| / T`` ulps relative, tens of ulps of ``log1p(t)`` when the
runner-up is far below the maximum. So the sum is corrected to first order:
``t = sum_j e_j (1 + delta_j)``, with ``delta_j`` the argument's exact rounding error
(:func:`argument_rounding_error`, from :mod:`.compensated`). Only dominant rows pay for it.

Fast path (:func:`.tuning.fast_paths`): the dominant rows are taken about ``CHUNK`` elements
at a time with scratch allocated once (:class:`Scratch`, shared by the blocks of one call),
as views of a run of rows when most rows qualify, else gathered; along a strided axis in
slabs of the reduction axis, so that gathering walks the array's pages once, with the slabs'
partial sums added without loss (TwoSum); the rounded arguments are reused when the caller
kept them. Plain path: the rows are gathered once, rows last, and corrected in one go.

What the correction costs, measured (AVX2 kernels, best of many, ``benchmarks.speed``'s
rows): 0.15-0.25x scipy.special.log_softmax's time on rows where a third of the rows
dominate, about 1 ns per element of a dominant row (TwoSum's four passes; exp costs about
4 ns). Without it the error on dominant rows grows to 43 ulps (float64) instead of <= 4.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import DTypeLike, NDArray

from softmax_lib._engine.compensated import sum_error, two_prod
from softmax_lib._engine.nonfinite import finite_shift, quiet
from softmax_lib._engine.reductions import along, row_max, row_sum
from softmax_lib._engine.tuning import CHUNK, DENSE_SHARE, fast_paths_enabled


class LogSum(NamedTuple):
    """The kernel's result, all but ``exps`` in ``keepdims`` shape."""

    max: NDArray[Any]  # the row maxima (NaN for rows with NaN)
    shift: NDArray[Any]  # the maxima, with 0 where they are not finite
    exps: NDArray[Any]  # exp((x - shift) / T) in x's shape; scratch after dominant rows
    log_sum: NDArray[Any]  # log(sum(exps)), log1p of the corrected tail in dominant rows


def shifted_log_sum(
    arr: NDArray[Any],
    axis: int,
    temperature: float = 1.0,
    buf: NDArray[Any] | None = None,
    args: NDArray[Any] | None = None,
    scratch: Scratch | None = None,
) -> LogSum:
    """:class:`LogSum` of ``arr`` along ``axis`` (validated, non-empty along ``axis``).

    ``buf`` (``arr``'s shape and dtype, apart from ``arr``): where the exponentials go, else
    a new array. ``args`` (the same, apart from ``buf`` too): where the shifted arguments
    ``(arr - shift) / T`` are kept; without, they are formed in ``buf`` and exponentiated in
    place. ``scratch``: a :class:`Scratch` to reuse across calls (blocks of one array).
    """
    m = row_max(arr, axis)
    shift = finite_shift(m)
    with quiet():
        d = np.subtract(arr, shift, out=buf if args is None else args)
        if temperature != 1.0:
            d /= temperature
        exps = np.exp(d, out=d if args is None else buf)
        s = row_sum(exps, axis)
        dominant = s < 2.0
        if dominant.any():
            log_sum = np.log(s, out=s, where=~dominant)  # the others: below
            kept = args if temperature == 1.0 and fast_paths_enabled() else None
            t = tail_sums(arr, shift, exps, dominant, axis, temperature, kept, scratch)
            np.put(log_sum, np.flatnonzero(dominant), np.log1p(t))
        else:
            log_sum = np.log(s, out=s)
    return LogSum(m, shift, exps, log_sum)


def tail_sums(
    arr: NDArray[Any],
    shift: NDArray[Any],
    exps: NDArray[Any],
    dominant: NDArray[np.bool_],
    axis: int,
    temperature: float,
    args: NDArray[Any] | None = None,
    scratch: Scratch | None = None,
) -> NDArray[Any]:
    """``t`` of each dominant row (C order of the batch): the sum of ``exps`` without the
    maximal entry, corrected for the rounding of the arguments. ``exps`` is scratch
    afterwards. ``args``: the rounded arguments ``arr - shift``, if kept (temperature 1)."""
    axis %= arr.ndim
    rows = np.flatnonzero(dominant)  # keepdims shape: C order is the batch's C order
    if not fast_paths_enabled():
        x, e, sh = (np.moveaxis(a, axis, -1).reshape(-1, a.shape[axis]) for a in (arr, exps, shift))
        return _corrected_tail(x[rows], sh[rows], e[rows], 1, temperature, Scratch(), None)
    if arr.ndim != 2 or arr.dtype.itemsize < 8:
        args = None  # only used as views of 2-D float64 (and longer) arrays
    if arr.ndim == 1:  # one row: a batch of one
        arr, exps, shift, axis = arr[None], exps[None], shift[None], 1
    elif arr.ndim > 2:  # rows last; chunks are gathered by fancy indexing over the batch
        arr, exps, shift = (np.moveaxis(a, axis, -1) for a in (arr, exps, shift))
        axis = arr.ndim - 1
    work = Scratch() if scratch is None else scratch
    return _chunked_tails(arr, shift, exps, dominant.size, rows, axis, temperature, args, work)


def _chunked_tails(
    arr: NDArray[Any],
    shift: NDArray[Any],
    exps: NDArray[Any],
    n_rows: int,
    rows: NDArray[np.intp],
    axis: int,
    temperature: float,
    args: NDArray[Any] | None,
    work: Scratch,
) -> NDArray[Any]:
    """The fast path of :func:`tail_sums`: ``rows`` about ``CHUNK`` elements at a time, all
    rows as views when most qualify, else only those, gathered. 2-D arrays keep their layout
    (for axis 0, rows are columns); others have the rows last. A block is whole rows, or
    for long rows and along a strided axis a slab of the reduction axis; the blocks' sums
    are added with their rounding errors kept (TwoSum), so slabs cost no accuracy."""
    n = arr.shape[axis]
    dense = arr.ndim == 2 and rows.size >= DENSE_SHARE * n_rows
    todo = np.arange(n_rows) if dense else rows
    if arr.strides[axis] == arr.itemsize:  # whole rows (or column blocks of long rows)
        per, cols = max(1, CHUNK // n), min(n, CHUNK)
    else:  # rows are columns: slabs of the reduction axis across all the rows, so that each
        # gather walks only the slab's pages (whole rows would walk all pages each time)
        per = min(todo.size, CHUNK)
        cols = max(1, CHUNK // per)
    t = np.zeros(todo.size, dtype=_accumulator(arr.dtype))
    lost = np.zeros_like(t) if cols < n else t  # the blocks' rounding errors (TwoSum)
    for r0 in range(0, todo.size, per):
        idx = todo[r0 : r0 + per]
        total, lo = t[r0 : r0 + per], lost[r0 : r0 + per]
        for c0 in range(0, n, cols):
            cs = along(arr.ndim, axis, slice(c0, c0 + cols))
            if dense:  # views of a run of rows
                rs = along(2, 1 - axis, slice(idx[0], idx[-1] + 1))
                x, e, sh = arr[cs][rs], exps[cs][rs], shift[rs]
                d = None if args is None else args[cs][rs]
                ax = axis
            else:
                x, e, sh, ax = _gather(arr[cs], exps[cs], shift, axis, idx, work)
                d = None
            part = _corrected_tail(x, sh, e, ax, temperature, work, d)
            if cols >= n:  # whole rows: one block
                total[...] = part
                continue
            new_total = total + part
            lo += sum_error(total, part, new_total)
            total[...] = new_total
    if cols < n:
        t += lost
    return t[rows] if dense else t


def _corrected_tail(
    x: NDArray[Any],
    shift: NDArray[Any],
    e: NDArray[Any],
    axis: int,
    temperature: float,
    work: Scratch,
    d: NDArray[Any] | None,
) -> NDArray[Any]:
    """Rows along ``axis`` (0 or 1) of 2-D ``x``: ``t = sum_j e_j (1 + delta_j)`` over the
    entries other than the maximal one, in the accumulator dtype (float64 for float16/32).

    ``e`` is scratch: its maximal entries are set to 0 here (exactly ``exp(0) = 1``, and the
    only 1 in a row whose sum is < 2). ``d``: the rounded arguments, if at hand.
    """
    acc = _accumulator(x.dtype)
    mask = np.equal(e, 1.0, out=work.get("mask", e.shape, np.bool_))
    np.subtract(e, mask, out=e)  # 1 - 1 = 0 exactly (a masked copy is slower for short rows)
    small = x.dtype.itemsize < 8  # the rounded argument in x's dtype, the exact one in float64
    out = work.get("out", e.shape, acc)
    tmp = work.get("tmp", e.shape, x.dtype if small else acc)
    delta = argument_rounding_error(x, shift, temperature, d, out, tmp)
    t = row_sum(e, axis, dtype=acc).reshape(-1)
    # sum(e * (1 + delta)) as sum(e) + sum(e * delta), no product array: the correction
    # needs a few digits only, so einsum's plain loop sums it well enough
    spec = "ij,ij->i" if axis == 1 else "ij,ij->j"
    corr = np.einsum(spec, e, delta, dtype=acc)
    if np.isnan(corr).any():  # rows with -inf entries (exp = 0): their argument error is NaN
        np.copyto(delta, 0.0, where=np.equal(e, 0.0, out=mask))
        corr = np.einsum(spec, e, delta, dtype=acc)
    t += corr
    return t


def argument_rounding_error(
    x: NDArray[Any],
    shift: NDArray[Any],
    temperature: float,
    d: NDArray[Any] | None = None,
    out: NDArray[Any] | None = None,
    tmp: NDArray[Any] | None = None,
) -> NDArray[Any]:
    """``(x - shift) / T`` exactly, minus the argument exp was given,
    ``fl(fl(x - shift) / fl(T))``, to first order.

    float16/float32: the exact argument is formed in float64, where it is exact to far below
    their precision (this also charges the rounding of ``T`` to the compute dtype). float64
    and longer: TwoSum gives the rounding error of ``x - shift`` exactly, and Dekker's
    product that of the division. The result is in float64 for float16/float32, else in
    ``x``'s dtype; ``out`` and ``tmp`` (optional, that dtype and ``x``'s shape) are scratch
    to write it to. ``d``: ``fl(x - shift)`` if the caller has it (one pass less).
    """
    if x.dtype.itemsize < 8:
        rounded = np.subtract(x, shift, out=tmp, dtype=x.dtype)
        if temperature != 1.0:
            np.divide(rounded, x.dtype.type(temperature), out=rounded)
        exact: NDArray[Any] = np.subtract(x, shift, out=out, dtype=np.float64)
        if temperature != 1.0:
            exact /= temperature
        exact -= rounded
        return exact
    err_out = out
    if d is None:
        d = np.subtract(x, shift, out=out)
        err_out = d if temperature == 1.0 else None  # d is still needed for the division
    err = sum_error(x, -shift, d, out=err_out, tmp=tmp)
    if temperature == 1.0:
        return err
    # q = fl(d / T): the exact (d + err) / T - q is (err + (d - q T)) / T, and d - q T is
    # (d - p) - (q T - p) with p = fl(q T): d - p is exact (p is within a few ulps of d)
    t = x.dtype.type(temperature)
    q = d / t
    p, p_err = two_prod(q, t)
    err += (d - p) - p_err
    err /= t
    return err


def _accumulator(dtype: np.dtype[Any]) -> np.dtype[Any]:
    """float64 for float16/float32 (the exact arguments are float64), else ``dtype``."""
    return np.dtype(np.float64) if dtype.itemsize < 8 else dtype


class Scratch:
    """Named scratch arrays for a loop over chunks, allocated once at the largest chunk's shape
    and handed out as views: repeated allocations of this size cost page faults each."""

    def __init__(self) -> None:
        self._arrays: dict[str, NDArray[Any]] = {}

    def get(self, name: str, shape: tuple[int, ...], dtype: DTypeLike) -> NDArray[Any]:
        """A view of ``shape`` and ``dtype``: the array named ``name`` if it is big enough."""
        a = self._arrays.get(name)
        fits = (
            a is not None
            and a.dtype == np.dtype(dtype)
            and a.ndim == len(shape)
            and all(k <= s for k, s in zip(shape, a.shape, strict=True))
        )
        if not fits:
            a = self._arrays[name] = np.empty(shape, dtype=dtype)
        assert a is not None
        return a[tuple(slice(0, k) for k in shape)]


def _gather(
    x: NDArray[Any],
    e: NDArray[Any],
    shift: NDArray[Any],
    axis: int,
    idx: NDArray[np.intp],
    work: Scratch,
) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any], int]:
    """Copies of the rows ``idx`` (batch order) of ``x``, ``e`` and ``shift``, 2-D, with
    the axis of the rows: ``(x, e, shift, axis)``."""
    if x.ndim > 2:  # the rows are last: index the batch
        sel = np.unravel_index(idx, x.shape[:-1])
        return x[sel], e[sel], shift[sel], 1
    b = 1 - axis  # the batch axis
    if x.flags.c_contiguous and e.flags.c_contiguous:  # (np.take copies others whole)
        shape = (idx.size, x.shape[1]) if b == 0 else (x.shape[0], idx.size)
        # into scratch; mode="clip" (the indices are valid): "raise" copies `out` first
        xg = np.take(x, idx, axis=b, out=work.get("x", shape, x.dtype), mode="clip")
        eg = np.take(e, idx, axis=b, out=work.get("e", shape, e.dtype), mode="clip")
    else:
        xg, eg = x[along(2, b, idx)], e[along(2, b, idx)]
    return xg, eg, np.take(shift, idx, axis=b), axis
