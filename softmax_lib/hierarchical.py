"""Two-level hierarchical softmax: a softmax over clusters of classes, then a softmax over the
classes of one cluster.

With ``n`` classes in about ``sqrt(n)`` clusters of about ``sqrt(n)`` classes, the
log-probability of one class costs two small softmaxes, ``O(sqrt(n) d)`` multiply-adds for a
hidden vector of width ``d``, instead of ``O(n d)`` for the full softmax; the probabilities of
all classes still sum to 1.
"""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from softmax_lib._validate import as_real_array, integer_labels, real_array, to_dtype
from softmax_lib.softmax import log_softmax

_FUNC = "hierarchical_log_prob"


def balanced_clusters(n_classes: int, n_clusters: int | None = None) -> NDArray[np.intp]:
    r"""Assign classes ``0 .. n_classes - 1`` to clusters of nearly equal size, in order.

    The book builds it in the chapter "Many classes"
    (``chapters/many_classes.ipynb``).

    Parameters
    ----------
    n_classes : int
        Number of classes, at least 1.
    n_clusters : int, optional
        Number of clusters, from 1 to `n_classes`. Default :math:`\lceil \sqrt{n} \rceil`,
        which minimises the cost of :func:`hierarchical_log_prob` (about
        :math:`2\sqrt{n}` scores per example).

    Returns
    -------
    ndarray of intp, shape (n_classes,)
        The cluster of each class: contiguous runs ``0, 0, ..., 1, 1, ...`` whose lengths
        differ by at most one.

    Raises
    ------
    TypeError
        If `n_classes` or `n_clusters` is not an int (bools and floats included).
    ValueError
        If `n_classes` < 1, or `n_clusters` is not between 1 and `n_classes`.

    Notes
    -----
    Classes in one cluster compete in the second softmax, so in practice clusters group
    classes by frequency (frequent words together, as in adaptive softmax) or by meaning;
    consecutive runs are the simplest choice, and a good one when class indices are sorted
    by frequency. Any assignment gives a proper distribution.

    See Also
    --------
    hierarchical_log_prob : uses the assignment.

    Examples
    --------
    >>> from softmax_lib.hierarchical import balanced_clusters
    >>> balanced_clusters(10)                  # 4 clusters of 3, 3, 2, 2 classes
    array([0, 0, 0, 1, 1, 1, 2, 2, 3, 3])
    >>> balanced_clusters(5, 2)
    array([0, 0, 0, 1, 1])
    """
    func = "balanced_clusters"
    n = _count(n_classes, func, "n_classes")
    if n < 1:
        raise ValueError(f"{func}: n_classes must be at least 1, got {n}")
    c = math.isqrt(n - 1) + 1 if n_clusters is None else _count(n_clusters, func, "n_clusters")
    if not 1 <= c <= n:
        raise ValueError(f"{func}: n_clusters must be between 1 and n_classes = {n}, got {c}")
    q, r = divmod(n, c)  # the first r clusters get one class more
    sizes = np.full(c, q, dtype=np.intp)
    sizes[:r] += 1
    return np.repeat(np.arange(c, dtype=np.intp), sizes)


def _count(value: Any, func: str, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{func}: {name} must be an int, got {value!r}")
    return operator.index(value)


def _shape_error(name: str, shape: tuple[int, ...], expected: str) -> ValueError:
    return ValueError(f"{_FUNC}: {name} must have shape {expected}, got {shape}")


def hierarchical_log_prob(
    h: ArrayLike,
    W_cluster: ArrayLike,
    b_cluster: ArrayLike,
    W_class: ArrayLike,
    b_class: ArrayLike,
    targets: ArrayLike | None,
    clusters: ArrayLike,
) -> NDArray[Any]:
    r"""Log-probabilities of a two-level hierarchical softmax.

    The book builds it in the chapter "Many classes"
    (``chapters/many_classes.ipynb``).

    Parameters
    ----------
    h : array_like, shape (N, d) or (d,)
        Hidden vectors, one per example (a 1-D `h` is one example).
    W_cluster : array_like, shape (d, C)
        Weights of the cluster softmax, one column per cluster.
    b_cluster : array_like, shape (C,)
        Biases of the cluster softmax.
    W_class : array_like, shape (d, n)
        Weights of the within-cluster softmaxes, one column per class (the layout of a full
        softmax layer ``h @ W + b``).
    b_class : array_like, shape (n,)
        Biases of the classes.
    targets : array_like of int, shape (N,) or (), or None
        The class of each example, in ``[0, n)``. If None, the log-probabilities of every
        class are returned (:math:`O(n d)` per example, for evaluation and checks).
    clusters : array_like of int, shape (n,)
        The cluster of each class, in ``[0, C)``; every cluster must have at least one class
        (:func:`balanced_clusters` gives :math:`\lceil\sqrt n\rceil` equal runs).

    Returns
    -------
    ndarray
        Shape (N,) (or () for a 1-D `h`): :math:`\log p(y_i \mid h_i)`; with
        ``targets=None``, shape (N, n) (or (n,)): :math:`\log p(k \mid h_i)` for every class
        :math:`k`, whose exponentials sum to 1 over :math:`k`. Dtype: the common type of the
        real arguments under the library's policy.

    Raises
    ------
    TypeError
        If `h`, a weight or a bias is not real (strings, objects, None, complex); if
        `targets` or `clusters` is not an array of integers (bools, strings, None).
    ValueError
        If a shape does not fit (each message gives the expected shape); if a target or a
        cluster index is out of range or not a whole number; or if a cluster has no class.

    Notes
    -----
    Class :math:`k` lies in cluster :math:`c(k)`; the model factorises

    .. math:: p(k \mid h) = p\bigl(c(k) \mid h\bigr)\, p\bigl(k \mid c(k), h\bigr), \qquad
              p(c \mid h) = \operatorname{softmax}\bigl(h W^{\mathrm{cl}} + b^{\mathrm{cl}}
              \bigr)_c, \qquad
              p(k \mid c, h) = \frac{e^{h \cdot w_k + b_k}}
                                    {\sum_{j : c(j) = c} e^{h \cdot w_j + b_j}},

    so :math:`\log p(k \mid h)` is the sum of two log-softmax entries, each computed by
    :func:`softmax_lib.log_softmax` (stable for any logits). Summing over the classes of a
    cluster gives :math:`p(c \mid h)`, and over the clusters 1: a proper distribution for
    any weights and any assignment (Morin & Bengio 2005; Goodman 2001 for two levels).

    **Cost.** For one target the scores needed are the :math:`C` cluster scores and the
    :math:`|c(y)|` scores of the target's cluster: :math:`(C + |c(y)|)\,d` multiply-adds,
    about :math:`2\sqrt{n}\,d` for balanced clusters, against :math:`n d` for the full
    softmax (the same saving for the gradient). Examples are grouped by the cluster of their
    target, so each cluster's weights are read once per call.

    References
    ----------
    .. [1] F. Morin and Y. Bengio, "Hierarchical probabilistic neural network language
       model", AISTATS 2005.
    .. [2] J. Goodman, "Classes for fast maximum entropy training", ICASSP 2001.
    .. [3] E. Grave, A. Joulin, M. Cissé, D. Grangier and H. Jégou, "Efficient softmax
       approximation for GPUs" (adaptive softmax), ICML 2017.

    See Also
    --------
    balanced_clusters : an assignment of :math:`\lceil\sqrt n\rceil` equal clusters.
    softmax_lib.log_softmax : the full softmax over all classes.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib.hierarchical import balanced_clusters, hierarchical_log_prob
    >>> rng = np.random.default_rng(0)
    >>> n, d = 10, 3
    >>> clusters = balanced_clusters(n)           # 4 clusters
    >>> h = rng.normal(size=(2, d))
    >>> Wc, bc = rng.normal(size=(d, 4)), np.zeros(4)
    >>> W, b = rng.normal(size=(d, n)), np.zeros(n)
    >>> lp = hierarchical_log_prob(h, Wc, bc, W, b, [7, 0], clusters)
    >>> lp.shape
    (2,)
    >>> table = hierarchical_log_prob(h, Wc, bc, W, b, None, clusters)   # every class
    >>> np.exp(table).sum(axis=1)                  # a distribution over the 10 classes
    array([1., 1.])
    >>> bool(np.allclose(lp, table[[0, 1], [7, 0]]))
    True
    """
    ha, h_dtype = as_real_array(h, _FUNC, "h")
    if ha.ndim not in (1, 2):
        raise _shape_error("h", ha.shape, "(N, d) or (d,)")
    single = ha.ndim == 1
    ha = ha[None, :] if single else ha
    d = ha.shape[1]
    wc, wc_dtype = as_real_array(W_cluster, _FUNC, "W_cluster")
    if wc.ndim != 2 or wc.shape[0] != d:
        raise _shape_error("W_cluster", wc.shape, f"(d, C) with d = {d} (h's last axis)")
    n_clu = wc.shape[1]
    bc, bc_dtype = as_real_array(b_cluster, _FUNC, "b_cluster")
    if bc.shape != (n_clu,):
        raise _shape_error("b_cluster", bc.shape, f"(C,) = ({n_clu},) (W_cluster's columns)")
    w, w_dtype = as_real_array(W_class, _FUNC, "W_class")
    if w.ndim != 2 or w.shape[0] != d:
        raise _shape_error("W_class", w.shape, f"(d, n) with d = {d} (h's last axis)")
    n = w.shape[1]
    b, b_dtype = as_real_array(b_class, _FUNC, "b_class")
    if b.shape != (n,):
        raise _shape_error("b_class", b.shape, f"(n,) = ({n},) (W_class's columns)")
    cl_raw = real_array(clusters, _FUNC, "clusters")
    if cl_raw.shape != (n,):
        raise _shape_error("clusters", cl_raw.shape, f"(n,) = ({n},), one cluster per class")
    cl = integer_labels(cl_raw, n_clu, _FUNC, "cluster", of="class", what="clusters")
    sizes = np.bincount(cl, minlength=n_clu)
    if n_clu and (sizes == 0).any():
        empty = int(np.argmin(sizes))
        raise ValueError(
            f"{_FUNC}: cluster {empty} has no class ({int((sizes == 0).sum())} empty "
            f"cluster(s)); every cluster needs at least one class, or its probability is lost"
        )
    n_ex = ha.shape[0]
    if n == 0 and n_ex:
        raise ValueError(f"{_FUNC}: W_class has no classes (n = 0); need at least one class")
    y = None
    if targets is not None:  # checked before any arithmetic, like every other argument
        t = real_array(targets, _FUNC, "targets")
        expected = () if single else (n_ex,)
        if t.shape != expected:
            raise _shape_error("targets", t.shape, f"{expected}, one class per example")
        y = integer_labels(t, n, _FUNC, "target").reshape(n_ex)
    out_dtype = np.result_type(h_dtype, wc_dtype, bc_dtype, w_dtype, b_dtype)
    dtype = np.result_type(ha.dtype, wc.dtype, bc.dtype, w.dtype, b.dtype)
    ha, wc, bc, w, b = (a.astype(dtype, copy=False) for a in (ha, wc, bc, w, b))

    # the cluster level: C scores per example
    log_p_cluster = log_softmax(ha @ wc + bc, axis=-1)  # (N, C)
    order = np.argsort(cl, kind="stable")  # classes grouped by cluster
    starts = np.concatenate(([0], np.cumsum(sizes)))

    def members(c: int) -> NDArray[Any] | slice:
        idx = order[starts[c] : starts[c + 1]]
        contiguous = idx.size and idx[-1] - idx[0] + 1 == idx.size
        return slice(int(idx[0]), int(idx[-1]) + 1) if contiguous else idx

    if y is None:  # every class: O(n d) per example
        table = np.empty((n_ex, n), dtype=dtype)
        for c in range(n_clu):
            cols = members(c)
            within = log_softmax(ha @ w[:, cols] + b[cols], axis=-1)
            table[:, cols] = log_p_cluster[:, c : c + 1] + within
        return to_dtype(table[0] if single else table, out_dtype)

    cy = cl[y]
    out = np.empty(n_ex, dtype=dtype)
    # examples grouped by the cluster of their target: each cluster's columns read once
    ex_order = np.argsort(cy, kind="stable")
    bounds = np.flatnonzero(np.diff(cy[ex_order])) + 1
    for group in np.split(ex_order, bounds) if n_ex else []:
        c = int(cy[group[0]])
        cols = members(c)
        first = int(order[starts[c]])  # the cluster's classes' positions within cols
        within = log_softmax(ha[group] @ w[:, cols] + b[cols], axis=-1)
        if isinstance(cols, slice):
            pos = y[group] - first
        else:
            pos = np.searchsorted(order[starts[c] : starts[c + 1]], y[group])
        out[group] = log_p_cluster[group, c] + within[np.arange(group.size), pos]
    return to_dtype(out[0] if single else out, out_dtype)
