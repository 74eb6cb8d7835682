"""Cross-entropy of softmax from logits, and its gradient ``p - y``.

Validate the logits and the targets (class labels or probability rows, :mod:`._targets`),
then the loss from the shared log-sum kernel, never through ``log(softmax)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from softmax_lib._engine import quiet, shifted_log_sum
from softmax_lib._targets import check_reduction, checked_targets
from softmax_lib._validate import to_dtype
from softmax_lib.softmax import log_softmax, softmax


def _reduce(per_example: NDArray[Any], reduction: str) -> NDArray[Any]:
    if reduction == "none":
        return per_example
    if reduction == "sum":
        return np.asarray(per_example.sum())
    if per_example.size == 0:
        return np.array(np.nan, dtype=per_example.dtype)  # the mean of nothing, without a warning
    return np.asarray(per_example.mean())


def _label_losses(z: NDArray[Any], labels: NDArray[np.intp]) -> NDArray[Any]:
    """``LSE(z) - z_k`` per example (class axis last), from the shared logsumexp kernel:
    ``log_sum - (z_k - m)``, the same rounding as ``-log_softmax(z)[k]`` without building
    the full log_softmax array. Rows with a non-finite maximum take the log_softmax path,
    which knows their limits."""
    m, shift, _, log_sum = shifted_log_sum(z, -1)
    z_k = np.take_along_axis(z, labels[..., None], axis=-1)
    with quiet():
        per_example: NDArray[Any] = (log_sum - (z_k - shift))[..., 0]  # an array, even 0-d
    rows = ~np.isfinite(m[..., 0])
    if rows.any():
        logp = log_softmax(z[rows], axis=-1)
        per_example[rows] = 0.0 - np.take_along_axis(logp, labels[rows][..., None], axis=-1)[..., 0]
    return per_example


def cross_entropy(
    logits: ArrayLike, target: ArrayLike, axis: int = -1, *, reduction: str = "mean"
) -> NDArray[Any]:
    r"""Cross-entropy between targets and ``softmax(logits)``, computed from the logits.

    The book builds it in the chapter "Softmax and cross-entropy"
    (``chapters/cross_entropy.ipynb``).

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

    See Also
    --------
    cross_entropy_grad : Its gradient with respect to the logits.
    log_softmax : The log-probabilities the loss is built from.
    logsumexp : The normaliser, :math:`\operatorname{LSE}(z)`.

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
    check_reduction(reduction, "cross_entropy")
    z, out_dtype, _, labels, probs = checked_targets(logits, target, axis, "cross_entropy")
    if z.shape[-1] == 0:
        per_example = np.zeros(z.shape[:-1], dtype=z.dtype)
    elif labels is not None:
        per_example = _label_losses(z, labels)
    else:
        assert probs is not None  # checked_targets sets exactly one of labels and probs
        logp = log_softmax(z, axis=-1)
        with quiet():
            terms = np.where(probs > 0, probs * logp, 0.0)
        per_example = 0.0 - terms.sum(axis=-1)  # 0.0 - x: a zero loss is +0.0, not -0.0
    return to_dtype(np.asarray(_reduce(per_example, reduction)), out_dtype)


def cross_entropy_grad(
    logits: ArrayLike, target: ArrayLike, axis: int = -1, *, reduction: str = "mean"
) -> NDArray[Any]:
    r"""Gradient of :func:`cross_entropy` with respect to the logits: ``softmax(z) - y``.

    The book builds it in the chapter "Softmax and cross-entropy"
    (``chapters/cross_entropy.ipynb``).

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

    See Also
    --------
    cross_entropy : The loss itself.
    softmax_jacobian : The full Jacobian of softmax, which the gradient never builds.

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
    check_reduction(reduction, "cross_entropy_grad")
    z, out_dtype, ax, labels, probs = checked_targets(logits, target, axis, "cross_entropy_grad")
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
    return to_dtype(np.moveaxis(grad, -1, ax), out_dtype)
