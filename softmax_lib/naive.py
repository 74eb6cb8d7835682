"""The textbook softmax, kept so that the course can show it fail."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from softmax_lib._validate import check_axis, real_array


def naive_softmax(x: ArrayLike, axis: int = -1) -> NDArray[Any]:
    r"""The textbook formula ``exp(x) / sum(exp(x))``, kept to show how it fails.

    The book builds it in the chapter "Numerical stability"
    (``chapters/numerical_stability.ipynb``).

    Parameters
    ----------
    x : array_like
        Real scores. Computed in the input's own floating dtype (float16 stays float16, which
        overflows above about 11.09); integers and bools in float64.
    axis : int, optional
        The axis that is normalised. Default -1.

    Returns
    -------
    ndarray
        The naive result: ``nan`` where ``exp`` overflows (``inf / inf``) or every term
        underflows (``0 / 0``).

    Raises
    ------
    TypeError
        If `x` is not real, or `axis` is not an int.
    numpy.exceptions.AxisError
        If `axis` is out of range.

    Warns
    -----
    RuntimeWarning
        Exactly as the numpy one-liner does: "overflow encountered in exp", "invalid value
        encountered in divide". Use :func:`softmax` instead.

    See Also
    --------
    softmax : The stable version, for any finite input.

    Notes
    -----
    .. math:: \operatorname{softmax}(x)_i = \frac{e^{x_i}}{\sum_j e^{x_j}}

    Correct in exact arithmetic, and in floating point for small scores only.

    Examples
    --------
    >>> import numpy as np, softmax_lib as sl
    >>> sl.naive_softmax([2.0, 1.0, 0.1])
    array([0.65900114, 0.24243297, 0.09856589])
    >>> with np.errstate(over="ignore", invalid="ignore"):
    ...     sl.naive_softmax([1000.0, 0.0])
    array([nan,  0.])
    """
    arr = real_array(x, "naive_softmax")  # the dtype kept: float16 overflows in float16
    ax = check_axis(axis, arr.ndim, "naive_softmax")
    e = np.exp(arr if arr.dtype.kind == "f" else arr.astype(np.float64))
    p: NDArray[Any] = e / e.sum(axis=ax, keepdims=True)
    return p
