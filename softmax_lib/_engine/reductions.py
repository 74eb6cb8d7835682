"""Reductions along one axis, the way softmax needs them.

- :func:`row_max`, :func:`row_sum`: ``keepdims`` maxima and sums. A sum's rounding error
  grows like ``log n`` along any axis: numpy sums a contiguous axis pairwise, but a strided
  one slice after slice (error growing like ``n``), so there the slices are added in blocks.
- Fast path: many short rows along a contiguous axis are reduced slice by slice, one
  elementwise operation over all rows per entry, instead of numpy's reduction with its cost
  per row (a sum then adds the slices as a balanced tree: as exact as numpy's own order).
- :func:`row_blocks`: many short rows cut into runs that fit in cache (a fast path).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

from softmax_lib._engine.tuning import (
    BLOCK_ROWS_UP_TO,
    CHUNK,
    ROWS_PER_ENTRY,
    SHORT_ROW,
    SUM_BLOCK,
    fast_paths_enabled,
)


def along(ndim: int, axis: int, index: Any) -> tuple[Any, ...]:
    """The index that applies ``index`` (a slice or an index array) along ``axis`` only."""
    return (slice(None),) * axis + (index,) + (slice(None),) * (ndim - axis - 1)


def entries(a: NDArray[Any], axis: int) -> list[NDArray[Any]]:
    """The ``keepdims`` slices ``a[..., k:k+1, ...]`` along ``axis``, as views."""
    return [a[along(a.ndim, axis, slice(k, k + 1))] for k in range(a.shape[axis])]


def _many_short_rows(a: NDArray[Any], axis: int) -> bool:
    """Whether the slice-by-slice fast path pays (see :mod:`.tuning`)."""
    n = a.shape[axis]
    return (
        1 < n <= SHORT_ROW
        and a.strides[axis] == a.itemsize
        and a.size >= ROWS_PER_ENTRY * n * n
        and fast_paths_enabled()
    )


def row_max(a: NDArray[Any], axis: int) -> NDArray[Any]:
    """``a.max(axis, keepdims=True)`` (NaN propagates; the order never matters)."""
    axis %= a.ndim
    if not _many_short_rows(a, axis):
        m: NDArray[Any] = a.max(axis=axis, keepdims=True)
        return m
    first, *rest = entries(a, axis)
    m = first.copy()
    for entry in rest:
        np.maximum(m, entry, out=m)
    return m


def row_sum(a: NDArray[Any], axis: int, dtype: DTypeLike | None = None) -> NDArray[Any]:
    """``a.sum(axis, keepdims=True)`` with an error that grows like ``log n`` along any axis.

    A contiguous axis gets numpy's pairwise sum (or the balanced tree of the fast path). Any
    other axis (also a last axis of a transposed view) is summed in blocks of ``SUM_BLOCK``
    slices, and the block sums likewise; float32 there is accumulated in float64 (``n``
    float32 roundings would cost several ulps of softmax). ``dtype``: the accumulator
    (default ``a.dtype``).
    """
    axis %= a.ndim
    if a.strides[axis] == a.itemsize or a.shape[axis] <= 1:
        if _many_short_rows(a, axis):
            return pairwise_sum(entries(a, axis), dtype)
        total: NDArray[Any] = a.sum(axis=axis, keepdims=True, dtype=dtype)
        return total
    if dtype is None and a.dtype == np.float32:
        return _blocked_sum(a, axis, np.float64).astype(np.float32)
    return _blocked_sum(a, axis, dtype)


def _blocked_sum(a: NDArray[Any], axis: int, dtype: DTypeLike | None) -> NDArray[Any]:
    """The sum along a strided ``axis``: blocks of ``SUM_BLOCK`` slices (numpy adds them one
    after the other), then the block sums the same way; up to ``2 * SUM_BLOCK`` slices in one
    go. Error: about ``SUM_BLOCK + log(n / SUM_BLOCK)`` roundings at most."""
    n = a.shape[axis]
    if n <= 2 * SUM_BLOCK:
        plain: NDArray[Any] = a.sum(axis=axis, keepdims=True, dtype=dtype)
        return plain
    q = n // SUM_BLOCK
    head = a[along(a.ndim, axis, slice(0, q * SUM_BLOCK))]
    blocks = head.reshape(a.shape[:axis] + (q, SUM_BLOCK) + a.shape[axis + 1 :])
    total = _blocked_sum(blocks.sum(axis=axis + 1, dtype=dtype), axis, dtype)
    if q * SUM_BLOCK < n:
        total += a[along(a.ndim, axis, slice(q * SUM_BLOCK, n))].sum(
            axis=axis, keepdims=True, dtype=dtype
        )
    return total


def pairwise_sum(parts: list[NDArray[Any]], dtype: DTypeLike | None = None) -> NDArray[Any]:
    """The sum of the arrays ``parts`` as a balanced tree (error about ``log2(len(parts))``
    roundings), in new arrays: the first level's pair sums, then added in place."""
    level: list[NDArray[Any]] = [
        np.add(parts[i], parts[i + 1], dtype=dtype) for i in range(0, len(parts) - 1, 2)
    ]
    if not level:
        return np.array(parts[0], dtype=dtype)
    if len(parts) % 2:
        level[-1] += parts[-1]
    while len(level) > 1:
        for i in range(0, len(level) - 1, 2):
            level[i] += level[i + 1]
        level = level[::2]
    return level[0]


Block = tuple[NDArray[Any], NDArray[Any], int]


def row_blocks(
    arr: NDArray[Any], res: NDArray[Any], axis: int, longest: int | None = BLOCK_ROWS_UP_TO
) -> Iterator[Block]:
    """``(arr part, res part, axis)`` in whole rows along ``axis``, for functions that treat
    each row on its own and write ``res`` (``arr``'s shape; ``arr`` itself, or apart from
    it).

    Fast path: rows of at most ``longest`` entries (None: any length) along the last axis of
    C-contiguous arrays come in runs of about ``CHUNK`` elements (per-row arrays then stay
    small, and scratch of a block's size stays in cache). Else the whole arrays.
    """
    n = arr.shape[axis]
    if not (
        axis == arr.ndim - 1
        and (longest is None or n <= longest)
        and arr.size > 2 * CHUNK
        and arr.flags.c_contiguous
        and res.flags.c_contiguous
        and (res.ctypes.data == arr.ctypes.data or not np.shares_memory(arr, res))
        and fast_paths_enabled()
    ):
        yield arr, res, axis
        return
    a2, r2 = arr.reshape(-1, n), res.reshape(-1, n)
    per = max(1, CHUNK // n)
    for i in range(0, a2.shape[0], per):
        yield a2[i : i + per], r2[i : i + per], 1
