"""The log of a sum of exponentials, without overflow: the smooth maximum behind softmax.

Validate, then the shared log-sum kernel (:func:`softmax_lib._engine.shifted_log_sum`: shift
by the row maximum, exponentiate, sum, take the log, with ``log1p`` where one entry
dominates), then add the maximum back.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from softmax_lib._engine import quiet, shifted_log_sum
from softmax_lib._validate import as_real_array, check_axis, to_dtype


def logsumexp(x: ArrayLike, axis: int = -1, *, keepdims: bool = False) -> NDArray[Any]:
    r"""Logarithm of the sum of exponentials, computed without overflow.

    The book builds it in the chapter "Numerical stability"
    (``chapters/numerical_stability.ipynb``).

    Parameters
    ----------
    x : array_like
        Real input. Integers and bools are computed in float64; float16 is computed in
        float32 and returned as float16; float32, float64 and longdouble are kept.
    axis : int, optional
        Axis to reduce over. Default -1 (the last axis); negative values count from the end.
    keepdims : bool, optional
        Keep the reduced axis with length 1, so the result broadcasts against `x`.

    Returns
    -------
    ndarray
        :math:`\log \sum_i e^{x_i}` along `axis`, in the dtype of `x` (float64 for integers).
        A 0-d array when `x` is 1-D and `keepdims` is False.

    Raises
    ------
    TypeError
        If `x` is not real (strings, objects, None, complex) or `axis` is not an int.
    numpy.exceptions.AxisError
        If `axis` is out of range (a 0-d `x` has no axis to reduce).

    See Also
    --------
    softmax : Its gradient.
    log_softmax : ``x - logsumexp(x)``, computed directly.
    online_logsumexp : The same over chunks, in one pass.

    Notes
    -----
    With :math:`m = \max_i x_i`,

    .. math:: \operatorname{LSE}(x) = m + \log \sum_i e^{x_i - m},

    where every exponent is :math:`\le 0` (no overflow) and the sum is :math:`\ge 1` (no
    :math:`\log 0`). When one entry dominates, the sum is :math:`1 + t` with tiny :math:`t`;
    the logarithm is then taken as :math:`\operatorname{log1p}(t)` so that :math:`t` is not
    lost to rounding.

    Conventions: an empty axis gives :math:`-\infty` (the log of an empty sum); a row with NaN
    gives NaN (other rows are untouched); a row containing :math:`+\infty` (and no NaN) gives
    :math:`+\infty`; a row of only :math:`-\infty` gives :math:`-\infty`. No numpy warning is
    emitted for any input.

    The bounds :math:`\max_i x_i \le \operatorname{LSE}(x) \le \max_i x_i + \log n` make it a
    smooth maximum.

    References
    ----------
    .. [1] P. Blanchard, D. J. Higham, N. J. Higham, "Accurately computing the log-sum-exp and
       softmax functions", IMA Journal of Numerical Analysis 41(4), 2021.

    Examples
    --------
    >>> import softmax_lib as sl
    >>> float(sl.logsumexp([1000.0, 1000.0]))   # 1000 + log 2, where exp(1000) overflows
    1000.6931471805599
    >>> sl.logsumexp([[0.0, 0.0], [1.0, -float("inf")]])
    array([0.69314718, 1.        ])
    >>> sl.logsumexp([[0.0, 0.0], [1.0, -float("inf")]], axis=0, keepdims=True)
    array([[1.31326169, 0.        ]])
    """
    arr, out_dtype = as_real_array(x, "logsumexp")
    ax = check_axis(axis, arr.ndim, "logsumexp")
    if arr.shape[ax] == 0:
        shape = list(arr.shape)
        shape[ax] = 1
        out = np.full(shape, -np.inf, dtype=out_dtype)
        return out if keepdims else np.squeeze(out, axis=ax)
    m, _, _, log_sum = shifted_log_sum(arr, ax)
    with quiet():
        out = m + log_sum  # +inf + finite = +inf, -inf + 0 = -inf, NaN stays NaN
    if not keepdims:
        out = np.squeeze(out, axis=ax)
    return to_dtype(out, out_dtype)
