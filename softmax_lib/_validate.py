"""Argument checking and the dtype policy shared by every public function.

Errors name the function and the argument, so a user who passes a string, a complex array or
a zero temperature learns what was wrong without reading a traceback into numpy.

dtype policy: float32 and float64 (and longdouble) are computed and returned in their own
dtype; float16 is computed in float32 and rounded once to float16 at the end; integers and
bools are computed and returned in float64.
"""

from __future__ import annotations

import math
import operator

import numpy as np

# float16 has too little range and precision for exp and sums: compute in float32, return float16.
_COMPUTE = {np.dtype(np.float16): np.dtype(np.float32)}

# Silences only what the callers deal with themselves: exp underflow to 0 is the right answer,
# x - max overflows to -inf only for entries whose weight is 0 anyway, and rows with a
# non-finite maximum (inf - inf, 0 / 0) are patched row by row afterwards.
QUIET = dict(over="ignore", under="ignore", invalid="ignore", divide="ignore")


def as_real_array(x, func: str, name: str = "x") -> tuple[np.ndarray, np.dtype]:
    """Return ``(array to compute with, dtype to return)`` for a real-valued argument.

    float32 and float64 (and longdouble) are kept; float16 is computed in float32 and returned
    as float16; integers and bools become float64. Anything else is a TypeError naming
    ``func`` and ``name``.
    """
    if x is None:
        raise TypeError(f"{func}: {name} must be an array of real numbers, got None")
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:  # ragged nested lists and the like
        raise TypeError(f"{func}: {name} must be an array of real numbers ({exc})") from None
    kind = arr.dtype.kind
    if kind == "c":
        raise TypeError(
            f"{func}: {name} is complex ({arr.dtype}); complex input is not supported, "
            f"{name} must be real"
        )
    if kind in "biu":
        arr = arr.astype(np.float64)
    elif kind != "f":
        raise TypeError(f"{func}: {name} must be an array of real numbers, got dtype {arr.dtype}")
    out_dtype = arr.dtype
    compute = _COMPUTE.get(arr.dtype)
    if compute is not None:
        arr = arr.astype(compute)
    return arr, out_dtype


def check_axis(axis, ndim: int, func: str) -> int:
    """A valid axis as a non-negative int; TypeError if not an int, numpy's AxisError if out
    of range (a 0-d array has no axis at all)."""
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{func}: axis must be an int, got {type(axis).__name__} {axis!r}")
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        # numpy's own error type, prefixed with the function: "softmax: axis 2 is out of bounds ..."
        raise np.exceptions.AxisError(axis, ndim, func)
    return axis % ndim


def check_positive_scalar(value, func: str, name: str, kind: str = "a real scalar") -> float:
    """``value`` as a finite positive Python float, or a clear error naming ``name``: a
    TypeError for anything that is not ``kind`` (arrays, strings, bools, complex), a ValueError
    for zero, negative, NaN or infinite values."""
    bad_type = (
        isinstance(value, (bool, np.bool_, str, bytes))
        or np.ndim(value) != 0
        or np.iscomplexobj(value)
    )
    if not bad_type:
        try:
            v = float(value)
        except (TypeError, ValueError):
            bad_type = True
    if bad_type:
        raise TypeError(f"{func}: {name} must be {kind}, got {value!r}")
    if not (math.isfinite(v) and v > 0):
        raise ValueError(f"{func}: {name} must be finite and > 0, got {v!r}")
    return v


def check_temperature(temperature, func: str) -> float:
    """A finite positive Python float, or a clear error naming ``temperature``."""
    return check_positive_scalar(temperature, func, "temperature")


def format_index(index) -> int | tuple[int, ...]:
    """An index as plain ints: ``3`` for a 1-D batch, ``(1, 2)`` otherwise."""
    index = tuple(int(k) for k in index)
    return index[0] if len(index) == 1 else index


def scalar(value) -> float:
    """A numpy scalar as a Python number, so messages read ``1.5``, not ``np.float64(1.5)``."""
    return value.item() if hasattr(value, "item") else value


def to_dtype(out: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Round the result to the returned dtype. A float16 result beyond its range (e.g. a
    log-probability below -65504) becomes +-inf, the correctly rounded value, silently."""
    if out.dtype == dtype:
        return out
    with np.errstate(over="ignore"):
        return out.astype(dtype)
