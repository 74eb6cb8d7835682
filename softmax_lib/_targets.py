"""The targets of cross_entropy checked: class labels, or probability rows.

Errors name the function, the argument and the first offending example or row.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from softmax_lib._validate import (
    as_real_array,
    check_axis,
    format_index,
    integer_labels,
    python_number,
    real_array,
)

REDUCTIONS = ("mean", "sum", "none")


# How far a probability row may sum from 1, by the dtype of the target (about 8 eps of that
# dtype, but never tighter than 1e-9): float16 4e-3, float32 1e-6, float64 and longer 1e-9.
_SUM_TOLERANCE = {np.dtype(np.float16): 4e-3, np.dtype(np.float32): 1e-6}


def _sum_tolerance(dtype: DTypeLike) -> float:
    return _SUM_TOLERANCE.get(np.dtype(dtype), 1e-9)


Targets = tuple[NDArray[Any], np.dtype[Any], int, NDArray[np.intp] | None, NDArray[Any] | None]


def checked_targets(logits: ArrayLike, target: ArrayLike, axis: Any, func: str) -> Targets:
    """Validate and return ``(z, out_dtype, ax, labels, probs)`` with the class axis of ``z``
    (and ``probs``) moved last.

    Exactly one of ``labels`` (intp array, batch shape) and ``probs`` (rows like ``z``) is set.
    """
    z, out_dtype = as_real_array(logits, func, "logits")
    ax = check_axis(axis, z.ndim, func)  # a 0-d logits has no class axis: AxisError
    logits_shape = z.shape
    z = np.moveaxis(z, ax, -1)
    n_classes, batch_shape = z.shape[-1], z.shape[:-1]
    y = real_array(target, func, "target")
    if n_classes == 0 and np.prod(batch_shape, dtype=int) > 0:
        raise ValueError(
            f"{func}: logits have 0 classes along axis {axis} (shape {logits_shape}); "
            "need at least one class"
        )

    if y.shape == logits_shape:
        tol_dtype = y.dtype if y.dtype.kind == "f" else np.dtype(np.float64)
        work = np.promote_types(z.dtype, y.dtype) if y.dtype.kind == "f" else z.dtype
        probs = np.moveaxis(y.astype(work), ax, -1)
        _check_probability_rows(probs, func, tol_dtype)
        return z, out_dtype, ax, None, probs
    if y.shape == batch_shape:
        labels = integer_labels(y, n_classes, func, "target label")
        return z, out_dtype, ax, labels, None
    raise ValueError(
        f"{func}: target has shape {y.shape}; expected class indices of shape {batch_shape} "
        f"(logits' shape without axis {axis}) or probability rows of the logits' shape "
        f"{logits_shape}"
    )


def _check_probability_rows(probs: NDArray[Any], func: str, dtype: np.dtype[Any]) -> None:
    if probs.size == 0:
        return
    rows = probs.reshape(-1, probs.shape[-1])
    low = rows.min(axis=1)
    bad = ~(low >= 0)  # catches NaN too
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"{func}: target row {_row_index(i, probs)} has a negative or NaN probability "
            f"(min {python_number(low[i])!r}); probability rows must be >= 0 and sum to 1"
        )
    sums = rows.sum(axis=1)
    tol = _sum_tolerance(dtype)
    bad = ~(np.abs(sums - 1.0) <= tol)  # catches inf too
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"{func}: target row {_row_index(i, probs)} sums to {python_number(sums[i])!r}, not 1 "
            f"(tolerance {tol:g} for {np.dtype(dtype)})"
        )


def _row_index(flat: int, probs: NDArray[Any]) -> int | tuple[int, ...]:
    return format_index(np.unravel_index(flat, probs.shape[:-1])) if probs.ndim > 1 else 0


def check_reduction(reduction: Any, func: str) -> None:
    """A known ``reduction``, or a ValueError listing the choices."""
    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise ValueError(
            f"{func}: reduction must be one of {', '.join(map(repr, REDUCTIONS))}, "
            f"got {reduction!r}"
        )
