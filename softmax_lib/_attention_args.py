"""The arguments of attention checked: shapes, batch axes, the scale and the mask.

Errors name the function, the argument and the shapes involved. Each check is a function of
its own, so that :mod:`softmax_lib.attention` and :mod:`softmax_lib.flash` run the same ones
in the same order.
"""

from __future__ import annotations

import math
import operator
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from softmax_lib._validate import as_real_array, check_positive_scalar, format_index


class Checked(NamedTuple):
    """Queries and keys as compute arrays, the scale, the mask broadcast to the scores'
    shape (or None) and the dtype to return."""

    q: NDArray[Any]
    k: NDArray[Any]
    scale: float
    keep: NDArray[np.bool_] | None
    out_dtype: np.dtype[Any]


def real_matrix(
    x: ArrayLike, func: str, name: str, axes: str
) -> tuple[NDArray[Any], np.dtype[Any]]:
    """A real array with at least two axes, ``(compute array, dtype to return)``."""
    arr, out_dtype = as_real_array(x, func, name)
    if arr.ndim < 2:
        raise ValueError(
            f"{func}: {name} must have shape {axes} (at least 2-D), got shape {arr.shape}"
        )
    return arr, out_dtype


def check_same_d(qa: NDArray[Any], ka: NDArray[Any], func: str) -> None:
    """Queries and keys must share their last axis ``d``."""
    if qa.shape[-1] != ka.shape[-1]:
        raise ValueError(
            f"{func}: q and k must have the same last axis d, got q {qa.shape} (d = "
            f"{qa.shape[-1]}) and k {ka.shape} (d = {ka.shape[-1]})"
        )


def check_scale(scale: Any, d: int, func: str) -> float:
    """The score scale as a Python float: ``1/sqrt(d)`` by default, else finite and > 0."""
    if scale is None:
        return 1.0 / math.sqrt(d) if d > 0 else 1.0  # d = 0: every score is 0 anyway
    return check_positive_scalar(scale, func, "scale", "a real scalar or None")


def check_block(value: Any, func: str, name: str) -> int:
    """A tile size: a positive int (numpy integers accepted; bools and floats refused)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{func}: {name} must be a positive int, got {value!r}")
    b = operator.index(value)
    if b < 1:
        raise ValueError(f"{func}: {name} must be a positive int (a tile size), got {b}")
    return b


def batch_shape(func: str, **shapes: tuple[int, ...]) -> tuple[int, ...]:
    """Broadcast the leading (batch) axes of the named arrays, or a ValueError naming them."""
    try:
        return np.broadcast_shapes(*(s[:-2] for s in shapes.values()))
    except ValueError:
        listed = ", ".join(f"{name} {shape}" for name, shape in shapes.items())
        raise ValueError(
            f"{func}: the batch axes (all but the last two) do not broadcast: {listed}"
        ) from None


def checked_mask(
    mask: ArrayLike | None, shape: tuple[int, ...], func: str
) -> NDArray[np.bool_] | None:
    """The mask broadcast to the scores' ``shape`` (or None), after checking that every
    query has at least one key it may attend to."""
    keep = None
    if mask is not None:
        keep = np.asarray(mask)
        if keep.dtype != np.bool_:
            raise ValueError(
                f"{func}: mask must be a boolean array (True = may attend), got dtype {keep.dtype}"
            )
        try:
            fits = np.broadcast_shapes(keep.shape, shape) == shape
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(
                f"{func}: mask of shape {keep.shape} does not broadcast to the scores' shape "
                f"{shape} (..., n_q, n_k)"
            )
        keep = np.broadcast_to(keep, shape)

    if shape[-1] == 0 and math.prod(shape[:-1]) > 0:
        raise ValueError(f"{func}: k has no keys (n_k = 0); each query needs at least one key")
    if keep is not None and keep.size:
        blind = ~keep.any(axis=-1)
        if blind.any():
            row = format_index(np.argwhere(blind)[0])
            raise ValueError(
                f"{func}: query row {row} has every key masked ({int(blind.sum())} such "
                f"row(s) in all); a softmax over no keys is 0/0, so each query must be allowed "
                f"at least one key"
            )
    return keep


def checked_attention_arguments(
    q: ArrayLike, k: ArrayLike, mask: ArrayLike | None, scale: Any, func: str
) -> Checked:
    """Every argument of the attention weights checked (:class:`Checked`)."""
    qa, q_dtype = real_matrix(q, func, "q", "(..., n_q, d)")
    ka, k_dtype = real_matrix(k, func, "k", "(..., n_k, d)")
    check_same_d(qa, ka, func)
    batch = batch_shape(func, q=qa.shape, k=ka.shape)
    s = check_scale(scale, qa.shape[-1], func)
    keep = checked_mask(mask, (*batch, qa.shape[-2], ka.shape[-2]), func)
    return Checked(qa, ka, s, keep, np.result_type(q_dtype, k_dtype))
