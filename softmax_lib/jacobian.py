"""The derivative of softmax: a small symmetric matrix built from the probabilities."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from softmax_lib._engine import quiet
from softmax_lib._validate import as_real_array, check_positive_scalar, to_dtype
from softmax_lib.softmax import softmax


def softmax_jacobian(x: ArrayLike, *, temperature: float = 1.0) -> NDArray[Any]:
    r"""Jacobian matrix of softmax at a 1-D point: :math:`\partial p_i / \partial x_j`.

    The book builds it in the chapter "The gradient of softmax"
    (``chapters/gradients.ipynb``).

    Parameters
    ----------
    x : array_like, shape (n,)
        One vector of real scores.
    temperature : float, optional
        Positive, finite :math:`T`; the Jacobian of ``softmax(x / T)`` with respect to `x`.

    Returns
    -------
    ndarray, shape (n, n)
        :math:`J = (\operatorname{diag}(p) - p p^\top) / T` with ``p = softmax(x / T)``.

    Raises
    ------
    TypeError
        If `x` is not real, or `temperature` is not a real scalar.
    ValueError
        If `x` is not one-dimensional, or `temperature` is not finite and positive.

    See Also
    --------
    softmax : The function whose derivative this is.
    cross_entropy_grad : The gradient of the loss, ``p - y``, without the matrix.

    Notes
    -----
    .. math:: \frac{\partial p_i}{\partial x_j} = \frac{1}{T} p_i (\delta_{ij} - p_j).

    The matrix is symmetric, its rows sum to 0 (adding a constant to every score changes
    nothing), it is positive semi-definite, and its rank is :math:`n - 1` when every
    :math:`p_i > 0`.

    Examples
    --------
    >>> import softmax_lib as sl
    >>> sl.softmax_jacobian([0.0, 0.0])
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    arr, out_dtype = as_real_array(x, "softmax_jacobian")
    t = check_positive_scalar(temperature, "softmax_jacobian", "temperature")
    if arr.ndim != 1:
        raise ValueError(f"softmax_jacobian: x must be one-dimensional, got shape {arr.shape}")
    # float16 is computed in float32, as everywhere in the library
    p = softmax(arr.astype(np.float32) if arr.dtype == np.float16 else arr, temperature=t)
    with quiet():  # products of tiny probabilities underflow to 0: the right answer
        jac = -np.outer(p, p)
        # The diagonal is p_i (1 - p_i). For the largest p_i, 1 - p_i cancels (to 0 once the
        # others sum below eps); the sum of the other probabilities is the same number, exact.
        rest = 1 - p
        if p.size:
            k = int(np.argmax(p))
            rest[k] = np.delete(p, k).sum()
        np.fill_diagonal(jac, p * rest)
        jac /= t
    return to_dtype(jac, out_dtype)
