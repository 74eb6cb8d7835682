"""The derivative of sparsemax: a projection onto the support, and its O(n) backward pass.

Where the support of ``p = sparsemax(x)`` does not change, ``p_i = x_i - tau`` on the support
and 0 off it, with ``tau`` the mean of the support's scores minus ``1/|S|``; so a change
``dx`` moves ``p`` by ``dx`` minus its mean, on the support only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from softmax_lib._engine import quiet
from softmax_lib._validate import as_real_array, check_axis, to_dtype
from softmax_lib.sparsemax import sparsemax


def sparsemax_jacobian(x: ArrayLike) -> NDArray[Any]:
    r"""Jacobian matrix of sparsemax at a 1-D point: :math:`\partial p_i / \partial x_j`.

    The book builds it in the chapter "Where softmax falls short"
    (``chapters/limits.ipynb``).

    Parameters
    ----------
    x : array_like, shape (n,)
        One vector of real scores; dtype policy as in :func:`softmax_lib.sparsemax`.

    Returns
    -------
    ndarray, shape (n, n)
        :math:`J = \operatorname{diag}(s) - s s^\top / |S|`, with :math:`s` the indicator
        of the support :math:`S = \{i : p_i > 0\}` of ``p = sparsemax(x)``.

    Raises
    ------
    TypeError
        If `x` is not real (strings, objects, None, complex).
    ValueError
        If `x` is not one-dimensional or is empty.

    Notes
    -----
    .. math:: \frac{\partial p_i}{\partial x_j} = s_i \left(\delta_{ij} - \frac{s_j}{|S|}
              \right), \qquad s_i = [p_i > 0].

    On the support :math:`p = x - \tau` with :math:`\tau = (\sum_{j \in S} x_j - 1)/|S|`, so
    :math:`\partial p_i / \partial x_j = \delta_{ij} - 1/|S|` there; off the support
    :math:`p_i = 0` in a neighbourhood. This holds wherever the support does not change
    under small perturbations (no :math:`x_i` exactly at the threshold :math:`\tau`; there
    sparsemax has a kink and this is the derivative from the side where :math:`p_i = 0`).
    Compare the softmax Jacobian :math:`\operatorname{diag}(p) - p p^\top`: both are
    symmetric, positive semi-definite, with rows summing to 0; sparsemax's is the
    orthogonal projection onto the vectors supported on :math:`S` with zero sum, so it is
    idempotent, :math:`J^2 = J`, and does not depend on the values of `x`, only on the
    support.

    A row containing NaN gives a NaN matrix; a row that :func:`softmax_lib.sparsemax` maps to
    NaN (two or more :math:`+\infty`, only :math:`-\infty`) too. A single :math:`+\infty`
    gives the support of size 1 and the zero matrix.

    References
    ----------
    .. [1] A. F. T. Martins and R. F. Astudillo, "From softmax to sparsemax: a sparse model of
       attention and multi-label classification", ICML 2016 (section 2.5).

    See Also
    --------
    sparsemax_vjp : the product :math:`J^\top g` in :math:`O(n)`, without forming `J`.
    softmax_lib.softmax_jacobian : the softmax counterpart.

    Examples
    --------
    >>> from softmax_lib.sparsemax_grad import sparsemax_jacobian
    >>> sparsemax_jacobian([1.0, 0.8, 0.1, -1.0])       # support {0, 1}
    array([[ 0.5, -0.5,  0. ,  0. ],
           [-0.5,  0.5,  0. ,  0. ],
           [ 0. ,  0. ,  0. ,  0. ],
           [ 0. ,  0. ,  0. ,  0. ]])
    """
    arr, out_dtype = as_real_array(x, "sparsemax_jacobian")
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(
            f"sparsemax_jacobian: x must be one-dimensional and non-empty, got shape {arr.shape}"
        )
    p = sparsemax(arr)
    s = (p > 0).astype(p.dtype)
    with quiet():
        jac = np.diag(s) - np.outer(s, s) / s.sum()
    if np.isnan(p).any():
        jac[...] = np.nan
    return to_dtype(jac, out_dtype)


def sparsemax_vjp(x: ArrayLike, g: ArrayLike, axis: int = -1) -> NDArray[Any]:
    r"""Vector-Jacobian product of sparsemax, :math:`J^\top g`, in :math:`O(n)` per row.

    The backward pass of sparsemax: given the gradient `g` of a loss with respect to
    ``p = sparsemax(x)``, the gradient with respect to `x`, without forming the
    :math:`n \times n` Jacobian.

    The book builds it in the chapter "Where softmax falls short"
    (``chapters/limits.ipynb``).

    Parameters
    ----------
    x : array_like
        Real scores, the input of the forward pass.
    g : array_like
        Upstream gradient :math:`\partial L / \partial p`, the shape of `x`.
    axis : int, optional
        The axis sparsemax normalises. Default -1.

    Returns
    -------
    ndarray
        Same shape as `x`: :math:`s \odot (g - \hat g)`, with :math:`s` the support
        indicator of ``sparsemax(x, axis)`` and :math:`\hat g` the mean of `g` over the
        support, per row. Dtype: the common type of `x` and `g` under the library's policy.

    Raises
    ------
    TypeError
        If `x` or `g` is not real (strings, objects, None, complex), or `axis` is not an
        int.
    ValueError
        If `g` does not have the shape of `x`.
    numpy.exceptions.AxisError
        If `axis` is out of range (a 0-d `x` has no axis).

    Notes
    -----
    .. math:: (J^\top g)_i = s_i \left(g_i - \frac{1}{|S|} \sum_{j \in S} g_j\right)

    (:math:`J` is symmetric, so this is also the Jacobian-vector product). After the forward
    pass the support is known and the backward costs one masked sum and one subtraction,
    :math:`O(n)`, against :math:`O(n^2)` for ``sparsemax_jacobian(x).T @ g``. This function
    recomputes the forward pass (a sort, :math:`O(n \log n)`) to find the support. Entries
    off the support get exactly 0: no gradient flows to a score whose probability is 0.

    NaN in a row of `x` or of `g` gives a NaN row; other rows are untouched.

    References
    ----------
    .. [1] A. F. T. Martins and R. F. Astudillo, "From softmax to sparsemax: a sparse model of
       attention and multi-label classification", ICML 2016 (section 2.5).

    See Also
    --------
    sparsemax_jacobian : the dense matrix, for one vector.

    Examples
    --------
    >>> from softmax_lib.sparsemax_grad import sparsemax_vjp
    >>> sparsemax_vjp([1.0, 0.8, 0.1, -1.0], [1.0, 0.0, 5.0, 5.0])  # support {0, 1}
    array([ 0.5, -0.5,  0. ,  0. ])
    """
    func = "sparsemax_vjp"
    arr, x_dtype = as_real_array(x, func, "x")
    ga, g_dtype = as_real_array(g, func, "g")
    ax = check_axis(axis, arr.ndim, func)
    if ga.shape != arr.shape:
        raise ValueError(f"{func}: g must have the shape of x {arr.shape}, got {ga.shape}")
    out_dtype = np.result_type(x_dtype, g_dtype)
    dtype = np.result_type(arr.dtype, ga.dtype)
    if arr.shape[ax] == 0:
        return np.empty(arr.shape, dtype=out_dtype)
    p = sparsemax(arr.astype(dtype, copy=False), axis=ax)
    s = p > 0
    ga = ga.astype(dtype, copy=False)
    with quiet():
        g_s = np.where(s, ga, 0)
        mean = g_s.sum(axis=ax, keepdims=True) / s.sum(axis=ax, keepdims=True)
        out = np.where(s, ga - mean, 0).astype(dtype, copy=False)
        nan_rows = np.isnan(p).any(axis=ax, keepdims=True) | np.isnan(ga).any(
            axis=ax, keepdims=True
        )
    if nan_rows.any():
        np.copyto(out, np.nan, where=np.broadcast_to(nan_rows, out.shape))
    return to_dtype(out, out_dtype)
