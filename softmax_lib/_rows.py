"""Reductions along one axis of an array, the way softmax needs them: row maxima, row sums
whose rounding error grows like ``log n`` along any axis (numpy's own sum is sequential along
a strided axis), and the split of many short rows into blocks that fit in cache."""

from __future__ import annotations

import numpy as np


# numpy reduces a non-last axis one slice at a time (error growing like n, ~1000 ulps at
# n = 10^5); row_sum adds _BLOCK slices at a time and then the block sums, recursively.
_BLOCK = 32
# elements per chunk when the dominant-row correction works through a batch of rows (1 MiB of
# float64: few enough chunks that the per-chunk calls do not count, and a bounded scratch)
CHUNK = 1 << 17
# Many rows (64 n or more) of n <= _SHORT entries along a contiguous axis are reduced slice by
# slice, each slice one elementwise operation over all rows at once: numpy's own reduction
# pays a fixed cost per row, about 4x the work itself for 10 entries (fewer rows: the n calls
# cost more than that). Sums keep numpy's order, so the result is to the bit what ``a.sum``
# gives, for any number of rows. (Maxima are exact in any order.)
_SHORT = 16
# Functions that treat rows independently (softmax, log_softmax) take many short rows (up to
# _BLOCK_ROWS_UP_TO entries along the last axis) in runs of about CHUNK elements (row_blocks):
# per-row arrays are 1/n of the data each, too much memory at full size when n is small, and
# the dominant-row correction then takes a block in one chunk. (Longer rows gain nothing from
# blocks on the benchmark machine: the passes are no faster in cache, and each block costs
# calls. Transposed blocks, where every operation would run along all rows at once, lose as
# much to the two transposing copies as they gain.)
_BLOCK_ROWS_UP_TO = 64


def _entries(a: np.ndarray, axis: int):
    """The ``keepdims`` slices ``a[..., k:k+1, ...]`` along ``axis``."""
    lead = (slice(None),) * axis
    return [a[lead + (slice(k, k + 1),)] for k in range(a.shape[axis])]


def row_max(a: np.ndarray, axis: int) -> np.ndarray:
    """``a.max(axis, keepdims=True)``; many short contiguous rows as ``n - 1`` elementwise
    maxima over all rows at once (NaN propagates the same; the order does not matter)."""
    axis %= a.ndim
    n = a.shape[axis]
    if not (n <= _SHORT and a.strides[axis] == a.itemsize and a.size >= 64 * n * n):
        return a.max(axis=axis, keepdims=True)
    first, *rest = _entries(a, axis)
    m = first.copy()
    for entry in rest:
        np.maximum(m, entry, out=m)
    return m


def row_sum(a: np.ndarray, axis: int, dtype=None) -> np.ndarray:
    """``a.sum(axis, keepdims=True)`` with an error that grows like ``log n`` along any axis.

    An axis that is contiguous in memory already gets numpy's pairwise summation. Along any
    other axis (also a last axis of a transposed view) numpy adds one slice at a time, so the
    slices are added in blocks of ``_BLOCK`` (error ``_BLOCK`` eps at most) and the
    ``n / _BLOCK`` block sums are summed the same way; the scratch is ``1 / _BLOCK`` of ``a``.
    Many short contiguous rows are summed slice by slice in numpy's order (the same result,
    without numpy's cost per row). float32 along a strided axis is accumulated in float64.
    ``dtype``: the accumulator (default ``a.dtype``).
    """
    axis %= a.ndim
    n = a.shape[axis]
    contiguous = a.strides[axis] == a.itemsize
    if contiguous and 1 < n <= _SHORT and a.size >= 64 * n * n:
        return _numpy_sum(_entries(a, axis), dtype)
    if contiguous:
        return a.sum(axis=axis, keepdims=True, dtype=dtype)
    if dtype is None and a.dtype == np.float32:
        # along a strided axis numpy adds slice after slice: n float32 roundings (6 ulps of
        # softmax at n = 15 with one dominant entry); a float64 accumulator makes the sum
        # exact to far below float32's precision, and one rounding brings it back
        return row_sum(a, axis, np.float64).astype(np.float32)
    if n <= 2 * _BLOCK:
        return a.sum(axis=axis, keepdims=True, dtype=dtype)
    q = n // _BLOCK
    lead = (slice(None),) * axis
    head = a[lead + (slice(0, q * _BLOCK),)]
    shape = a.shape[:axis] + (q, _BLOCK) + a.shape[axis + 1 :]
    total = row_sum(head.reshape(shape).sum(axis=axis + 1, dtype=dtype), axis)
    if q * _BLOCK < n:
        total += a[lead + (slice(q * _BLOCK, n),)].sum(axis=axis, keepdims=True, dtype=dtype)
    return total


def _numpy_sum(parts: list, dtype=None) -> np.ndarray:
    """The sum of up to 16 arrays ``parts`` in the order of numpy's pairwise summation along a
    contiguous axis (``a.sum`` gives the same bits): from 0, one after the other, for fewer
    than 8 terms; else the tree ``((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))`` of
    ``r_j = a_j`` (``a_j + a_(j+8)`` for 16 terms), then the rest one by one."""
    n = len(parts)
    if n < 8:
        total = np.add(parts[0], 0.0, dtype=dtype)  # numpy starts from 0 (-0.0 becomes 0.0)
        for p in parts[1:]:
            np.add(total, p, out=total)
        return total
    both = n == 16  # numpy's second run of 8 terms, only when complete

    def pair(j):  # r_j + r_(j+1), a new array
        if not both:
            return np.add(parts[j], parts[j + 1], dtype=dtype)
        total = np.add(parts[j], parts[j + 8], dtype=dtype)
        total += np.add(parts[j + 1], parts[j + 9], dtype=dtype)
        return total

    total = pair(0)
    total += pair(2)
    upper = pair(4)
    upper += pair(6)
    total += upper
    for p in parts[16 if both else 8 :]:
        total += p
    return total


def tree_sum(a: np.ndarray, axis: int, dtype) -> np.ndarray:
    """``a.sum(axis, keepdims=True)`` in ``dtype`` along a strided axis with an error of about
    ``log2(n)`` eps: a balanced tree of slices (within blocks of ``_BLOCK`` slices, then over
    the block sums, for long axes)."""
    n = a.shape[axis]
    if n <= 2 * _BLOCK:
        return _pairwise(_entries(a, axis), dtype)
    q = n // _BLOCK
    lead = (slice(None),) * axis
    head = a[lead + (slice(0, q * _BLOCK),)]
    head = head.reshape(a.shape[:axis] + (q, _BLOCK) + a.shape[axis + 1 :])
    blocks = _pairwise(_entries(head, axis + 1), dtype).squeeze(axis + 1)
    total = tree_sum(blocks, axis, dtype)
    if q * _BLOCK < n:
        total += _pairwise(_entries(a[lead + (slice(q * _BLOCK, n),)], axis), dtype)
    return total


def _pairwise(parts: list, dtype) -> np.ndarray:
    """The sum of the arrays ``parts`` as a balanced tree, in a new array of ``dtype``
    (at most about ``log2(len(parts))`` of them alive at a time)."""
    if len(parts) == 1:
        return parts[0].astype(dtype)
    if len(parts) == 2:
        return np.add(parts[0], parts[1], dtype=dtype)
    half = len(parts) // 2
    total = _pairwise(parts[:half], dtype)
    total += _pairwise(parts[half:], dtype)
    return total


def row_blocks(arr: np.ndarray, res: np.ndarray, axis: int):
    """Blocks ``(arr part, res part, axis)``, whole rows along ``axis``, for functions that treat
    each row on its own and write ``res`` (``arr``'s shape; ``arr`` itself, or apart from it):
    runs of about ``CHUNK`` elements when there are many short rows along the last axis
    of C-contiguous arrays, else the whole arrays at once."""
    n = arr.shape[axis]
    if not (
        axis == arr.ndim - 1
        and n <= _BLOCK_ROWS_UP_TO
        and arr.size > 2 * CHUNK
        and arr.flags.c_contiguous
        and res.flags.c_contiguous
        and (res.ctypes.data == arr.ctypes.data or not np.shares_memory(arr, res))
    ):
        yield arr, res, axis
        return
    a2, r2 = arr.reshape(-1, n), res.reshape(-1, n)
    per = max(1, CHUNK // n)
    for i in range(0, a2.shape[0], per):
        yield a2[i : i + per], r2[i : i + per], 1
