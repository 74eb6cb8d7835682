"""The logistic sigmoid: softmax of two classes with one logit pinned at zero."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from softmax_lib._validate import as_real_array, to_dtype

# float32 and float16 inputs are evaluated in float64 and rounded once at the end: that costs
# little and makes the result correctly rounded in practice, subnormal tail included.
_WORK: dict[np.dtype[Any], type[np.floating[Any]]] = {
    np.dtype(np.float32): np.float64,
    np.dtype(np.float16): np.float64,
}


def sigmoid(x: ArrayLike) -> NDArray[Any]:
    r"""Logistic sigmoid :math:`1 / (1 + e^{-x})`, stable for large :math:`|x|` both ways.

    The book builds it in the chapter "Softmax and the sigmoid"
    (``chapters/softmax_and_sigmoid.ipynb``).

    Parameters
    ----------
    x : array_like
        Real input of any shape (0-d included). Integers and bools are computed in float64;
        float16 and float32 are computed in float64 and rounded once to their own dtype;
        float64 and longdouble are computed in their own dtype.

    Returns
    -------
    ndarray
        Same shape as `x`, values in [0, 1].

    Raises
    ------
    TypeError
        If `x` is not real (strings, objects, None, complex).

    See Also
    --------
    softmax : ``sigmoid(x) == softmax([x, 0])[0]``.

    Notes
    -----
    With :math:`e = e^{-|x|} \in (0, 1]`, which never overflows,

    .. math:: \sigma(x) = \begin{cases} 1 / (1 + e) & x \ge 0 \\ e / (1 + e) & x < 0 \end{cases}

    The second form keeps the tail: :math:`\sigma(-740)` is a subnormal number, not 0, and
    :math:`\sigma(x) = \operatorname{softmax}([x, 0])_0`. Limits: :math:`\sigma(+\infty) = 1`,
    :math:`\sigma(-\infty) = 0`; NaN gives NaN. No numpy warning is emitted.

    Examples
    --------
    >>> import softmax_lib as sl
    >>> sl.sigmoid([0.0, 1000.0, -1000.0])
    array([0.5, 1. , 0. ])
    >>> float(sl.sigmoid(-740.0)) > 0
    True
    """
    arr, out_dtype = as_real_array(x, "sigmoid")
    work = _WORK.get(out_dtype)
    if work is not None:
        arr = arr.astype(work)
    with np.errstate(under="ignore"):  # exp(-|x|) underflowing to 0 is the right answer
        e = np.exp(-np.abs(arr))
        # NaN in, NaN out: exp(NaN) is NaN
        out: NDArray[Any] = np.where(arr >= 0, 1.0, e) / (1.0 + e)
    return to_dtype(out, out_dtype)
