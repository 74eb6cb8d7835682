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
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

# float16 has too little range and precision for exp and sums: compute in float32, return float16.
_COMPUTE = {np.dtype(np.float16): np.dtype(np.float32)}


def real_array(x: ArrayLike, func: str, name: str = "x") -> NDArray[Any]:
    """``x`` as an array of reals (bools, integers or floats, dtype kept), or a TypeError
    naming ``func`` and ``name`` (None, strings, objects, complex, ragged lists)."""
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
    if kind not in "biuf":
        raise TypeError(f"{func}: {name} must be an array of real numbers, got dtype {arr.dtype}")
    return arr


def as_real_array(x: ArrayLike, func: str, name: str = "x") -> tuple[NDArray[Any], np.dtype[Any]]:
    """Return ``(array to compute with, dtype to return)`` for a real-valued argument.

    float32 and float64 (and longdouble) are kept; float16 is computed in float32 and returned
    as float16; integers and bools become float64. Anything else is a TypeError naming
    ``func`` and ``name`` (:func:`real_array`).
    """
    arr = real_array(x, func, name)
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    out_dtype = arr.dtype
    compute = _COMPUTE.get(arr.dtype)
    if compute is not None:
        arr = arr.astype(compute)
    return arr, out_dtype


def check_axis(axis: Any, ndim: int, func: str) -> int:
    """A valid axis as a non-negative int; TypeError if not an int, numpy's AxisError if out
    of range (a 0-d array has no axis at all)."""
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{func}: axis must be an int, got {type(axis).__name__} {axis!r}")
    ax = operator.index(axis)
    if not -ndim <= ax < ndim:
        # numpy's own error type, prefixed with the function: "softmax: axis 2 is out of bounds ..."
        raise np.exceptions.AxisError(ax, ndim, func)
    return ax % ndim


def check_positive_scalar(value: Any, func: str, name: str, kind: str = "a real scalar") -> float:
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


def format_index(index: Any) -> int | tuple[int, ...]:
    """An index as plain ints: ``3`` for a 1-D batch, ``(1, 2)`` otherwise."""
    ints = tuple(int(k) for k in index)
    return ints[0] if len(ints) == 1 else ints


def python_number(value: Any) -> Any:
    """A numpy scalar as a Python number, so messages read ``1.5``, not ``np.float64(1.5)``."""
    return value.item() if hasattr(value, "item") else value


def integer_labels(
    y: NDArray[Any], n: int, func: str, name: str, *, of: str = "example", what: str = "classes"
) -> NDArray[np.intp]:
    """Labels in ``[0, n)`` as intp: bools refused, floats accepted only if whole numbers.

    ``name`` is singular and ``of`` names what each label belongs to, so errors read
    "cross_entropy: target label of example 3 is 1.5, not an integer".
    """
    if y.dtype.kind == "b":
        raise TypeError(f"{func}: {name}s must be integers, got bools")
    if y.dtype.kind == "f":
        bad = ~np.isfinite(y) | (y != np.floor(y))
        if bad.any():
            i = np.argwhere(bad)[0]
            raise ValueError(
                f"{func}: {name} of {of} {format_index(i)} is "
                f"{python_number(y[tuple(i)])!r}, not an integer"
            )
    if y.size:
        bad = (y < 0) | (y >= n)
        if bad.any():
            i = np.argwhere(bad)[0]
            raise ValueError(
                f"{func}: {name} of {of} {format_index(i)} is "
                f"{python_number(y[tuple(i)])!r}, out of range for {n} {what} "
                f"(from 0 to {n - 1})"
            )
    return y.astype(np.intp)


def to_dtype(out: NDArray[Any], dtype: np.dtype[Any]) -> NDArray[Any]:
    """Round the result to the returned dtype. A float16 result beyond its range (e.g. a
    log-probability below -65504) becomes +-inf, the correctly rounded value, silently."""
    if out.dtype == dtype:
        return out
    # rounding to a narrower dtype may overflow to inf or underflow to 0: both correct here
    with np.errstate(over="ignore", under="ignore"):
        return out.astype(dtype)


def check_out(out: Any, shape: tuple[int, ...], dtype: np.dtype[Any], func: str) -> None:
    """``out=``: a writeable ndarray of the result's shape and dtype, or a clear error."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{func}: out must be a numpy array, got {type(out).__name__}")
    if out.shape != shape:
        raise ValueError(f"{func}: out has shape {out.shape}, expected {shape} (the shape of x)")
    if out.dtype != dtype:
        raise TypeError(
            f"{func}: out must have dtype {dtype} (the result's dtype), got {out.dtype}"
        )
    if not out.flags.writeable:
        raise ValueError(f"{func}: out is read-only")


def checked_softmax_arguments(
    x: ArrayLike, axis: Any, temperature: Any, out: Any, func: str
) -> tuple[NDArray[Any], np.dtype[Any], int, float]:
    """``(array to compute with, returned dtype, axis, temperature)``, every argument of
    softmax or log_softmax checked."""
    arr, out_dtype = as_real_array(x, func)
    ax = check_axis(axis, arr.ndim, func)
    t = check_positive_scalar(temperature, func, "temperature")
    if out is not None:
        check_out(out, arr.shape, out_dtype, func)
    return arr, out_dtype, ax, t


def result_array(arr: NDArray[Any], out: NDArray[Any] | None) -> NDArray[Any]:
    """Where a result of ``arr``'s shape is computed: straight into ``out`` when it has the
    compute dtype (x itself is fine when the work is elementwise per row), else the one
    full-size allocation."""
    return out if out is not None and out.dtype == arr.dtype else np.empty_like(arr)


def finish(res: NDArray[Any], out: NDArray[Any] | None, out_dtype: np.dtype[Any]) -> NDArray[Any]:
    """The result in the returned dtype, written into ``out`` if one was given."""
    if out is None:
        return to_dtype(res, out_dtype)
    if res is not out:
        with np.errstate(over="ignore", under="ignore"):
            np.copyto(out, res, casting="unsafe")
    return out
