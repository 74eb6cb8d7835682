"""1.5-entmax: between softmax and sparsemax, sparse like sparsemax, smooth like softmax.

The exact sort-based algorithm of Peters, Niculae & Martins (2019): sort, then for each
candidate support size solve the quadratic that the threshold satisfies; the largest size
whose threshold lies below its smallest entry is the support.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from softmax_lib._engine import finite_shift, quiet, row_limits
from softmax_lib._validate import as_real_array, check_axis, to_dtype


def _threshold(u: NDArray[Any]) -> NDArray[Any]:
    """The threshold tau of each row of ``u = (x - max x) / 2`` (last axis, maximum 0).

    With the row sorted in decreasing order, ``u_(1) >= ... >= u_(n)``, a support of size
    ``k`` gives ``sum_{j <= k} (u_(j) - tau)^2 = 1``, whose smaller root is
    ``tau_k = mean_k - sqrt((1 - ss_k) / k)`` (``mean_k``, ``ss_k``: the mean and the sum of
    squared deviations of the ``k`` largest). The support size is the largest ``k`` with
    ``tau_k <= u_(k)``. Entries below -1 are never in the support (``tau >= -1`` since the
    maximum's weight ``tau^2`` is at most 1), so they are clipped to -2 and their squares stay
    finite.
    Returns tau with keepdims shape; rows that are not finite give garbage (patched later).
    """
    n = u.shape[-1]
    srt = np.flip(np.sort(np.maximum(u, -2.0), axis=-1), axis=-1)
    ks = np.arange(1, n + 1, dtype=u.dtype)
    mean = np.cumsum(srt, axis=-1) / ks
    mean_sq = np.cumsum(srt * srt, axis=-1) / ks
    ss = np.maximum(ks * (mean_sq - mean * mean), 0)
    tau = mean - np.sqrt(np.maximum((1 - ss) / ks, 0))
    in_support = tau <= srt
    k = n - np.argmax(np.flip(in_support, axis=-1), axis=-1)[..., None]
    out: NDArray[Any] = np.take_along_axis(tau, k - 1, axis=-1)
    return out


def entmax15(x: ArrayLike, axis: int = -1) -> NDArray[Any]:
    r"""1.5-entmax along an axis: probabilities between softmax's and sparsemax's.

    Like sparsemax it returns exact zeros for scores far enough below the largest; like
    softmax it is continuously differentiable; and its support always contains sparsemax's.

    The book builds it in the chapter "Where softmax falls short"
    (``chapters/limits.ipynb``).

    Parameters
    ----------
    x : array_like
        Real scores (logits). Integers and bools are computed in float64; float16 is computed
        in float32 and returned as float16; float32 and float64 are kept.
    axis : int, optional
        The axis that is normalised. Default -1 (each row of a matrix).

    Returns
    -------
    ndarray
        Same shape as `x`, entries in [0, 1] that sum to 1 along `axis` (within a few ulps);
        entries whose half-score is at or below the threshold :math:`\tau` are exactly 0.

    Raises
    ------
    TypeError
        If `x` is not real (strings, objects, None, complex), or `axis` is not an int.
    numpy.exceptions.AxisError
        If `axis` is out of range (a 0-d `x` has no axis).

    Notes
    -----
    :math:`\alpha`-entmax maximises :math:`\langle p, x \rangle + H_\alpha(p)` over the
    probability simplex, with the Tsallis entropy
    :math:`H_\alpha(p) = \frac{1}{\alpha(\alpha - 1)} \sum_i (p_i - p_i^\alpha)`:
    :math:`\alpha \to 1` gives softmax (Shannon entropy), :math:`\alpha = 2` sparsemax. For
    :math:`\alpha = 1.5`

    .. math:: \operatorname{entmax}_{1.5}(x)_i = \left(\frac{x_i}{2} - \tau\right)_+^2,
              \qquad \sum_i \left(\frac{x_i}{2} - \tau\right)_+^2 = 1 .

    With :math:`u = x / 2` sorted, :math:`u_{(1)} \ge \dots \ge u_{(n)}`, a support of the
    :math:`k` largest gives a quadratic in :math:`\tau`; its relevant root is

    .. math:: \tau_k = \bar u_k - \sqrt{\frac{1 - k\,\sigma_k^2}{k}}, \qquad
              \bar u_k = \frac1k \sum_{j \le k} u_{(j)}, \quad
              \sigma_k^2 = \frac1k \sum_{j \le k} u_{(j)}^2 - \bar u_k^2,

    and the support size is the largest :math:`k` with :math:`\tau_k \le u_{(k)}`
    (Peters et al. 2019, Algorithm 2): exact, not iterative, :math:`O(n \log n)` per row for
    the sort. The maximum is subtracted first (the result does not change), so no overflow
    reaches the result: the shift can overflow only to :math:`-\infty`, for entries far below
    the maximum, which lie outside the support. Then :math:`\tau` gets one Newton step on
    :math:`\sum_i p_i = 1`, which brings the rows' sums to within a few ulps of 1 for any
    support size. The support always
    contains that of :func:`softmax_lib.sparsemax` for the same `x`. No numpy warning is
    emitted.

    The Jacobian is :math:`\operatorname{diag}(s) - s s^\top / \sum_i s_i` with
    :math:`s_i = \sqrt{p_i}`: like sparsemax's, it vanishes off the support, but it is
    continuous, because :math:`s_i \to 0` as an entry leaves the support (sparsemax's
    :math:`s_i` jumps from 1 to 0).

    Conventions, as in :func:`softmax_lib.sparsemax`: an empty axis gives an empty result; a
    row containing NaN is NaN (other rows are untouched); a row with exactly one
    :math:`+\infty` is one-hot there; a row with two or more :math:`+\infty`, or with only
    :math:`-\infty` entries, is NaN; :math:`-\infty` beside a finite maximum gets exactly 0.

    References
    ----------
    .. [1] B. Peters, V. Niculae and A. F. T. Martins, "Sparse sequence-to-sequence models",
       ACL 2019 (Algorithm 2, the exact sort-based 1.5-entmax).
    .. [2] A. F. T. Martins and R. F. Astudillo, "From softmax to sparsemax", ICML 2016.

    See Also
    --------
    softmax_lib.softmax : the dense end (:math:`\alpha \to 1`).
    softmax_lib.sparsemax : the sparsest end (:math:`\alpha = 2`).

    Examples
    --------
    >>> import softmax_lib.entmax as em, softmax_lib as sl
    >>> em.entmax15([1.0, 0.8, 0.1, -1.0])
    array([0.52924789, 0.39374904, 0.07700306, 0.        ])
    >>> sl.sparsemax([1.0, 0.8, 0.1, -1.0])           # sparser: a subset of the support
    array([0.6, 0.4, 0. , 0. ])
    >>> em.entmax15([1.0, 0.0])         # two classes: 1 - b^2 and b^2, b = (sqrt(7) - 1)/4
    array([0.83071891, 0.16928109])
    >>> em.entmax15([2.0, 0.0])                        # a lead of 2 or more: one-hot
    array([1., 0.])
    >>> em.entmax15([[0.0, float("inf"), 5.0], [1.0, float("nan"), 0.0]])
    array([[ 0.,  1.,  0.],
           [nan, nan, nan]])
    """
    arr, out_dtype = as_real_array(x, "entmax15")
    ax = check_axis(axis, arr.ndim, "entmax15")
    if arr.shape[ax] == 0:
        return np.empty(arr.shape, dtype=out_dtype)
    a = np.moveaxis(arr, ax, -1)
    m = a.max(axis=-1, keepdims=True)  # NaN for rows with NaN
    with quiet():
        u = (a - finite_shift(m)) / 2
        tau = _threshold(u)
        r = np.maximum(u - tau, 0)
        # one Newton step on f(tau) = sum((u - tau)_+^2) - 1, f'(tau) = -2 sum((u - tau)_+)
        tau += (np.sum(r * r, axis=-1, keepdims=True) - 1) / (2 * r.sum(axis=-1, keepdims=True))
        np.maximum(u - tau, 0, out=r)
        out = r * r
    limits = row_limits(a, m, -1)
    if limits is not None:
        limits.patch(out, at_inf=1.0, elsewhere=0.0)
    return to_dtype(np.moveaxis(out, -1, ax), out_dtype)
