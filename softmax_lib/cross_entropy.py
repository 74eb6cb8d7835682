"""Cross-entropy of softmax from logits, and its gradient ``p - y``."""

from __future__ import annotations

import numpy as np

from softmax_lib._validate import (
    QUIET,
    as_real_array,
    check_axis,
    format_index,
    scalar,
    to_dtype,
)
from softmax_lib.logsumexp import shifted_log_sum
from softmax_lib.softmax import log_softmax, softmax

REDUCTIONS = ("mean", "sum", "none")


# How far a probability row may sum from 1, by the dtype of the target (about 8 eps of that
# dtype, but never tighter than 1e-9): float16 4e-3, float32 1e-6, float64 and longer 1e-9.
_SUM_TOLERANCE = {np.dtype(np.float16): 4e-3, np.dtype(np.float32): 1e-6}


def _sum_tolerance(dtype: np.dtype) -> float:
    return _SUM_TOLERANCE.get(np.dtype(dtype), 1e-9)


def _targets(logits, target, axis, func):
    """Validate and return ``(z, out_dtype, ax, labels, probs)`` with the class axis of ``z``
    (and ``probs``) moved last.

    Exactly one of ``labels`` (intp array, batch shape) and ``probs`` (rows like ``z``) is set.
    """
    z, out_dtype = as_real_array(logits, func, "logits")
    ax = check_axis(axis, z.ndim, func)  # a 0-d logits has no class axis: AxisError
    logits_shape = z.shape
    z = np.moveaxis(z, ax, -1)
    n_classes, batch_shape = z.shape[-1], z.shape[:-1]
    if target is None:
        raise TypeError(f"{func}: target must be an array of real numbers, got None")
    try:
        y = np.asarray(target)
    except (ValueError, TypeError) as exc:
        raise TypeError(f"{func}: target must be an array of real numbers ({exc})") from None
    if y.dtype.kind == "c":
        raise TypeError(
            f"{func}: target is complex ({y.dtype}); complex input is not supported, "
            "target must be real"
        )
    if y.dtype.kind not in "biuf":
        raise TypeError(f"{func}: target must be an array of real numbers, got dtype {y.dtype}")
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
        if y.dtype.kind == "b":
            raise TypeError(f"{func}: target labels must be integers, got bools")
        if y.dtype.kind == "f":
            bad = ~np.isfinite(y) | (y != np.floor(y))
            if bad.any():
                i = np.argwhere(bad)[0]
                raise ValueError(
                    f"{func}: target label of example {format_index(i)} is "
                    f"{scalar(y[tuple(i)])!r}, not an integer"
                )
        if y.size:
            bad = (y < 0) | (y >= n_classes)
            if bad.any():
                i = np.argwhere(bad)[0]
                raise ValueError(
                    f"{func}: target label of example {format_index(i)} is "
                    f"{scalar(y[tuple(i)])!r}, out of range for {n_classes} classes "
                    f"(labels run from 0 to {n_classes - 1})"
                )
        return z, out_dtype, ax, y.astype(np.intp), None
    raise ValueError(
        f"{func}: target has shape {y.shape}; expected class indices of shape {batch_shape} "
        f"(logits' shape without axis {axis}) or probability rows of the logits' shape "
        f"{logits_shape}"
    )


def _check_probability_rows(probs, func, dtype):
    if probs.size == 0:
        return
    rows = probs.reshape(-1, probs.shape[-1])
    low = rows.min(axis=1)
    bad = ~(low >= 0)  # catches NaN too
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"{func}: target row {_row_index(i, probs)} has a negative or NaN probability "
            f"(min {scalar(low[i])!r}); probability rows must be >= 0 and sum to 1"
        )
    sums = rows.sum(axis=1)
    tol = _sum_tolerance(dtype)
    bad = ~(np.abs(sums - 1.0) <= tol)  # catches inf too
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"{func}: target row {_row_index(i, probs)} sums to {scalar(sums[i])!r}, not 1 "
            f"(tolerance {tol:g} for {np.dtype(dtype)})"
        )


def _row_index(flat, probs):
    return format_index(np.unravel_index(flat, probs.shape[:-1])) if probs.ndim > 1 else 0


def _reduce(per_example, reduction):
    if reduction == "none":
        return per_example
    if reduction == "sum":
        return per_example.sum()
    if per_example.size == 0:
        return np.array(np.nan, dtype=per_example.dtype)  # the mean of nothing, without a warning
    return per_example.mean()


def _check_reduction(reduction, func):
    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise ValueError(
            f"{func}: reduction must be one of {', '.join(map(repr, REDUCTIONS))}, "
            f"got {reduction!r}"
        )


def _label_losses(z, labels):
    """``LSE(z) - z_k`` per example (class axis last), from the shared logsumexp kernel:
    ``log_sum - (z_k - m)``, the same rounding as ``-log_softmax(z)[k]`` without building
    the full log_softmax array. Rows with a non-finite maximum take the log_softmax path,
    which knows their limits."""
    m, shift, _, log_sum = shifted_log_sum(z, -1)
    z_k = np.take_along_axis(z, labels[..., None], axis=-1)
    with np.errstate(**QUIET):
        per_example = (log_sum - (z_k - shift))[..., 0]  # an array, even 0-d
    rows = ~np.isfinite(m[..., 0])
    if rows.any():
        logp = log_softmax(z[rows], axis=-1)
        per_example[rows] = 0.0 - np.take_along_axis(logp, labels[rows][..., None], axis=-1)[..., 0]
    return per_example


def cross_entropy(logits, target, axis=-1, *, reduction="mean"):
    r"""Cross-entropy between targets and ``softmax(logits)``, computed from the logits.

    Parameters
    ----------
    logits : array_like
        Real scores with a class axis; dtype policy as in :func:`softmax_lib.softmax`.
    target : array_like
        Either integer class indices with the shape of `logits` minus the class axis (a float
        target of that shape is also read as labels and must hold whole numbers; bools are
        rejected), or probability rows with the shape of `logits` (any real dtype;
        non-negative, summing to 1 within a tolerance set by the target's dtype: 1e-9 for
        float64 and integers, 1e-6 for float32, 4e-3 for float16).
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
        If `axis` is out of range (a 0-d `logits` has no class axis).
    ValueError
        If a label is negative, too large, or not a whole number (the message names the
        example's index and the label); if `target` has neither
        accepted shape; if a probability row is negative, NaN, or does not sum to 1 (the
        message names the first offending row); if there are zero classes; or if `reduction`
        is unknown.

    Notes
    -----
    .. math:: H(y, p) = -\sum_i y_i \log p_i
              = \operatorname{LSE}(z) - \sum_i y_i z_i \quad (\textstyle\sum_i y_i = 1),

    evaluated from the logits, never as ``log(softmax(z))``, which
    returns ``inf`` as soon as a probability underflows. For a label :math:`k` it is
    :math:`\operatorname{LSE}(z) - z_k`. Entries with :math:`y_i = 0` contribute 0 even where
    :math:`z_i = -\infty`.

    Labels use the shared logsumexp kernel directly (:math:`\operatorname{LSE}(z) - z_k`, with
    :math:`\operatorname{log1p}` when one logit dominates), so no full log-probability array
    is built; probability rows go through :func:`softmax_lib.log_softmax`.

    Conventions: an empty batch gives 0 for "sum" and NaN (without a warning, like the mean of
    nothing) for "mean"; zero classes with a non-empty batch is a ValueError; a NaN logit
    makes that example's loss NaN (other examples are untouched); infinite logits give the
    limit (a single :math:`+\infty` at the target class costs 0, elsewhere :math:`+\infty`),
    and NaN where :func:`softmax_lib.log_softmax` has no limit. Results are in the dtype of
    `logits` (float64 for integer logits).

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
        if labels is not None:
            per_example = _label_losses(z, labels)
        else:
            logp = log_softmax(z, axis=-1)
            with np.errstate(invalid="ignore"):
                terms = np.where(probs > 0, probs * logp, 0.0)
            per_example = 0.0 - terms.sum(axis=-1)  # 0.0 - x: a zero loss is +0.0, not -0.0
    return to_dtype(np.asarray(_reduce(per_example, reduction)), out_dtype)


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
