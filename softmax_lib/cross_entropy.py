"""Cross-entropy of softmax from logits, and its gradient ``p - y``."""

from __future__ import annotations

import numpy as np

from softmax_lib._validate import as_real_array, check_axis
from softmax_lib.softmax import log_softmax, softmax

REDUCTIONS = ("mean", "sum", "none")


def _sum_tolerance(dtype: np.dtype) -> float:
    """How far a probability row may sum from 1: loose enough for rounding in that dtype."""
    return 1e-9 if np.finfo(dtype).eps < 1e-10 else 1e-6


def _targets(logits, target, axis, func):
    """Validate and return ``(z, out_dtype, labels, probs)`` with the class axis last.

    Exactly one of ``labels`` (int array, batch shape) and ``probs`` (rows like ``z``) is set.
    """
    z, out_dtype = as_real_array(logits, func, "logits")
    if z.ndim == 0:
        raise ValueError(f"{func}: logits must have a class axis, got a 0-d array")
    ax = check_axis(axis, z.ndim, func)
    logits_shape = z.shape
    z = np.moveaxis(z, ax, -1)
    n_classes, batch_shape = z.shape[-1], z.shape[:-1]
    if target is None:
        raise TypeError(f"{func}: target must be class indices or probability rows, got None")
    y = np.asarray(target)
    if y.dtype.kind == "c":
        raise TypeError(f"{func}: target is complex ({y.dtype}); it must be real")
    if y.dtype.kind not in "biuf":
        raise TypeError(f"{func}: target must be class indices or probability rows, got dtype {y.dtype}")
    if n_classes == 0 and np.prod(batch_shape, dtype=int) > 0:
        raise ValueError(f"{func}: logits have 0 classes along axis {axis}; need at least one")

    if y.shape == logits_shape:
        probs = np.moveaxis(y.astype(z.dtype if z.dtype.kind == "f" else np.float64), ax, -1)
        _check_probability_rows(probs, func, y.dtype if y.dtype.kind == "f" else np.dtype(np.float64))
        return z, out_dtype, ax, None, probs
    if y.shape == batch_shape:
        if y.dtype.kind == "b":
            raise TypeError(f"{func}: target labels must be integers, got bools")
        if y.dtype.kind == "f":
            bad = ~np.isfinite(y) | (y != np.floor(y))
            if bad.any():
                i = tuple(int(k) for k in np.argwhere(bad)[0])
                raise ValueError(f"{func}: target label at index {i} is {y[i]!r}, not an integer")
        if y.size:
            bad = (y < 0) | (y >= n_classes)
            if bad.any():
                i = tuple(int(k) for k in np.argwhere(bad)[0])
                raise ValueError(
                    f"{func}: target label at index {i} is {y[i]!r}, out of range for "
                    f"{n_classes} classes (labels run from 0 to {n_classes - 1})"
                )
        return z, out_dtype, ax, y.astype(np.intp), None
    raise ValueError(
        f"{func}: target has shape {y.shape}; expected class indices of shape {batch_shape} "
        f"or probability rows of the logits' shape {logits_shape}"
    )


def _check_probability_rows(probs, func, dtype):
    if probs.size == 0:
        return
    rows = probs.reshape(-1, probs.shape[-1])
    low = rows.min(axis=1)
    bad = ~(low >= 0)  # catches NaN too
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"{func}: target row {_row_index(i, probs)} has a negative or NaN entry (min {low[i]!r})")
    sums = rows.sum(axis=1)
    bad = ~(np.abs(sums - 1.0) <= _sum_tolerance(dtype))
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"{func}: target row {_row_index(i, probs)} sums to {sums[i]!r}, not 1 "
            f"(tolerance {_sum_tolerance(dtype):g})"
        )


def _row_index(flat, probs):
    index = np.unravel_index(flat, probs.shape[:-1])
    return tuple(int(k) for k in index) if len(index) != 1 else int(index[0])


def _reduce(per_example, reduction, func):
    if reduction == "none":
        return per_example
    if reduction == "sum":
        return per_example.sum()
    if per_example.size == 0:
        return np.array(np.nan, dtype=per_example.dtype)  # the mean of nothing, without a warning
    return per_example.mean()


def _check_reduction(reduction, func):
    if reduction not in REDUCTIONS:
        raise ValueError(f"{func}: reduction must be one of {', '.join(map(repr, REDUCTIONS))}, got {reduction!r}")


def cross_entropy(logits, target, axis=-1, *, reduction="mean"):
    r"""Cross-entropy between targets and ``softmax(logits)``, computed from the logits.

    Parameters
    ----------
    logits : array_like
        Real scores with a class axis; dtype policy as in :func:`softmax_lib.softmax`.
    target : array_like
        Either integer class indices with the shape of `logits` minus the class axis (floats
        are accepted if they are whole numbers), or probability rows with the shape of
        `logits` (non-negative, summing to 1 within 1e-9 for float64 targets, 1e-6 otherwise).
    axis : int, optional
        The class axis of `logits`. Default -1.
    reduction : {"mean", "sum", "none"}, optional
        Average over examples (default), sum, or return one loss per example.

    Returns
    -------
    ndarray
        A 0-d array for "mean" and "sum"; the batch shape for "none".

    Raises
    ------
    TypeError
        If `logits` or `target` is not real (strings, objects, None, complex), labels are
        bools, or `axis` is not an int.
    numpy.exceptions.AxisError
        If `axis` is out of range.
    ValueError
        If a label is negative, too large, or not a whole number; if `target` has neither
        accepted shape; if a probability row is negative, NaN, or does not sum to 1 (the
        message names the first offending row); if there are zero classes; or if `reduction`
        is unknown.

    Notes
    -----
    .. math:: H(y, p) = -\sum_i y_i \log p_i
              = \operatorname{LSE}(z) - \sum_i y_i z_i \quad (\textstyle\sum_i y_i = 1),

    evaluated with :func:`softmax_lib.log_softmax`, never as ``log(softmax(z))``, which
    returns ``inf`` as soon as a probability underflows. For a label :math:`k` it is
    :math:`\operatorname{LSE}(z) - z_k`. Entries with :math:`y_i = 0` contribute 0 even where
    :math:`z_i = -\infty`.

    Conventions: an empty batch gives 0 for "sum" and NaN (without a warning) for "mean";
    a NaN logit makes that example's loss NaN.

    Examples
    --------
    >>> import softmax_lib as sl
    >>> float(sl.cross_entropy([3.2, 1.3, 0.2, 0.8], 0))
    0.25469930269765945
    >>> float(sl.cross_entropy([0.0, 800.0], 0))         # -log(softmax) would give inf
    800.0
    >>> sl.cross_entropy([[2.0, 0.0], [0.0, 2.0]], [0, 0], reduction="none")
    array([0.12692801, 2.12692801])
    """
    _check_reduction(reduction, "cross_entropy")
    z, out_dtype, _, labels, probs = _targets(logits, target, axis, "cross_entropy")
    if z.shape[-1] == 0:
        per_example = np.zeros(z.shape[:-1], dtype=z.dtype)
    else:
        logp = log_softmax(z, axis=-1)
        if labels is not None:
            per_example = -np.take_along_axis(logp, labels[..., None], axis=-1)[..., 0]
        else:
            with np.errstate(invalid="ignore"):
                terms = np.where(probs > 0, probs * logp, 0.0)
            per_example = -terms.sum(axis=-1)
    return np.asarray(_reduce(per_example, reduction, "cross_entropy")).astype(out_dtype, copy=False)


def cross_entropy_grad(logits, target, axis=-1, *, reduction="mean"):
    r"""Gradient of :func:`cross_entropy` with respect to the logits: ``softmax(z) - y``.

    Parameters
    ----------
    logits, target, axis, reduction
        As in :func:`cross_entropy`.

    Returns
    -------
    ndarray
        Same shape as `logits`. For "mean" each example's gradient is divided by the number
        of examples; for "sum" and "none" it is not (with "none", row :math:`b` is the
        gradient of example :math:`b`'s own loss).

    Raises
    ------
    TypeError, numpy.exceptions.AxisError, ValueError
        As in :func:`cross_entropy`.

    Notes
    -----
    .. math:: \frac{\partial H}{\partial z_j} = p_j - y_j, \qquad p = \operatorname{softmax}(z),

    because :math:`\partial \operatorname{LSE}(z) / \partial z_j = p_j` and
    :math:`\sum_i y_i = 1`. Labels are treated as one-hot rows.

    Examples
    --------
    >>> import softmax_lib as sl
    >>> sl.cross_entropy_grad([0.0, 0.0], 1)
    array([ 0.5, -0.5])
    >>> sl.cross_entropy_grad([[0.0, 0.0], [0.0, 0.0]], [0, 1])   # mean over 2 examples
    array([[-0.25,  0.25],
           [ 0.25, -0.25]])
    """
    _check_reduction(reduction, "cross_entropy_grad")
    z, out_dtype, ax, labels, probs = _targets(logits, target, axis, "cross_entropy_grad")
    grad = softmax(z, axis=-1) if z.shape[-1] else np.zeros(z.shape, dtype=z.dtype)
    if labels is not None:
        hot = np.take_along_axis(grad, labels[..., None], axis=-1) - 1.0
        np.put_along_axis(grad, labels[..., None], hot, axis=-1)
    else:
        grad = grad - probs
    if reduction == "mean" and grad.ndim > 1:
        n_examples = int(np.prod(grad.shape[:-1]))
        if n_examples:
            grad = grad / n_examples
    return np.moveaxis(grad, -1, ax).astype(out_dtype, copy=False)
