"""Argument checking and the dtype policy shared by every public function.

Errors name the function and the argument, so a user who passes a string, a complex array or
a zero temperature learns what was wrong without reading a traceback into numpy.
"""

from __future__ import annotations

import math
import operator

import numpy as np

# float16 has too little range and precision for exp and sums: compute in float32, return float16.
_COMPUTE = {np.dtype(np.float16): np.dtype(np.float32)}


def as_real_array(x, func: str, name: str = "x") -> tuple[np.ndarray, np.dtype]:
    """Return ``(array to compute with, dtype to return)`` for a real-valued argument.

    float32 and float64 (and longdouble) are kept; float16 is computed in float32 and returned
    as float16; integers and bools become float64. Anything else is a TypeError.
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
            f"{func}: {name} is complex ({arr.dtype}); softmax is defined for real numbers only"
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
    """A valid axis as a non-negative int, numpy's AxisError when out of range."""
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{func}: axis must be an int, got {type(axis).__name__} {axis!r}")
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        # numpy's own error type, prefixed with the function: "softmax: axis 2 is out of bounds ..."
        raise np.exceptions.AxisError(axis, ndim, func)
    return axis % ndim


def check_temperature(temperature, func: str) -> float:
    """A finite positive Python float, or a clear error."""
    if isinstance(temperature, (bool, np.bool_)) or np.ndim(temperature) != 0:
        raise TypeError(f"{func}: temperature must be a real scalar, got {temperature!r}")
    try:
        t = float(temperature)
    except (TypeError, ValueError):
        raise TypeError(f"{func}: temperature must be a real scalar, got {temperature!r}") from None
    if not (math.isfinite(t) and t > 0):
        raise ValueError(f"{func}: temperature must be finite and > 0, got {t!r}")
    return t
