"""Online (one-pass, streaming) logsumexp and softmax over chunks: the running-maximum trick
behind fused attention kernels.

The state kept between chunks is a running maximum ``m`` and a running sum ``1 + t`` of
``exp(x_i - m)``, stored as ``t`` so that the dominant entry's 1 stays exact (the log1p trick
of :func:`softmax_lib.logsumexp`). When a chunk raises the maximum, the old sum is rescaled by
``exp(m_old - m_new)``; nothing else about the past is needed.
"""

from __future__ import annotations

import numpy as np

from softmax_lib._validate import as_real_array, check_axis

# Silences only what the code handles itself: exp underflow to 0 is the right answer, and the
# non-finite cases (inf - inf, log 0) are the limits the conventions ask for or are patched.
_QUIET = dict(over="ignore", under="ignore", invalid="ignore", divide="ignore")


def _iterate(chunks, func: str):
    """An iterator over the chunks, or a TypeError for a single array, a string or None."""
    if chunks is None or isinstance(chunks, (np.ndarray, str, bytes)) or np.isscalar(chunks):
        raise TypeError(
            f"{func}: chunks must be an iterable of arrays (e.g. a list, or np.array_split(x, k, "
            f"axis)), got {type(chunks).__name__}"
        )
    try:
        return iter(chunks)
    except TypeError:
        raise TypeError(
            f"{func}: chunks must be an iterable of arrays, got {type(chunks).__name__}"
        ) from None


def _rescale(a: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``exp(a - m)`` for ``a <= m``, taken as 1 where ``a == m`` (also when both are ±inf)."""
    return np.where(a == m, 1.0, np.exp(a - m)).astype(m.dtype, copy=False)


class _Normaliser:
    """Running ``(m, t)`` along one axis with the invariant ``sum_i exp(x_i - m) = 1 + t``.

    The empty state is ``m = -inf, t = -1`` (an empty sum). ``n_pos`` counts ``+inf`` entries
    per row, which softmax needs to tell a one-hot limit from an undefined one.
    """

    def __init__(self, func: str, axis):
        self.func, self.axis = func, axis
        self.count = 0
        self.ax = self.shape = self.m = self.t = self.n_pos = self.out_dtype = None

    def add(self, chunk) -> np.ndarray:
        """Fold one chunk into the state; return it as validated compute array."""
        name = f"chunks[{self.count}]"
        arr, out_dtype = as_real_array(chunk, self.func, name)
        if self.count == 0:
            self.ax = check_axis(self.axis, arr.ndim, self.func)
            self.shape = arr.shape
            rest = list(arr.shape)
            rest[self.ax] = 1
            self.m = np.full(rest, -np.inf, dtype=arr.dtype)
            self.t = np.full(rest, -1.0, dtype=arr.dtype)
            self.n_pos = np.zeros(rest, dtype=np.intp)
            self.out_dtype = out_dtype
        elif arr.ndim != len(self.shape) or any(
            a != b for k, (a, b) in enumerate(zip(arr.shape, self.shape)) if k != self.ax
        ):
            raise ValueError(
                f"{self.func}: {name} has shape {arr.shape}; every chunk must have the shape of "
                f"chunks[0] {self.shape} except along axis {self.axis}"
            )
        else:
            self.out_dtype = np.result_type(self.out_dtype, out_dtype)
        self.count += 1
        dt = np.result_type(self.m.dtype, arr.dtype)
        self.m, self.t = self.m.astype(dt, copy=False), self.t.astype(dt, copy=False)
        arr = arr.astype(dt, copy=False)
        if arr.shape[self.ax] == 0:
            return arr
        ax = self.ax
        m_c = arr.max(axis=ax, keepdims=True)  # NaN if the chunk has one
        with np.errstate(**_QUIET):
            e = np.exp(arr - np.where(np.isfinite(m_c), m_c, 0.0).astype(dt))
            # the chunk's own t: its sum without one maximal entry (whose term is exactly 1)
            np.put_along_axis(e, np.argmax(arr, axis=ax, keepdims=True), 0.0, axis=ax)
            t_c = np.where(np.isneginf(m_c), -1.0, e.sum(axis=ax, keepdims=True)).astype(dt)
            grow = m_c > self.m
            m_new = np.maximum(self.m, m_c)
            # (1 + t) e^(m - m_new) + (1 + t_c) e^(m_c - m_new) = 1 + t_new, the larger side's 1 kept
            self.t = np.where(
                grow,
                t_c + (1.0 + self.t) * _rescale(self.m, m_new),
                self.t + (1.0 + t_c) * _rescale(m_c, m_new),
            )
        self.m = m_new
        self.n_pos += np.isposinf(arr).sum(axis=ax, keepdims=True)
        return arr

    def logsumexp(self, keepdims: bool) -> np.ndarray:
        with np.errstate(**_QUIET):
            # log1p keeps a tiny t when one entry dominates; otherwise log(1 + t), as logsumexp
            log_s = np.where(self.t < 1.0, np.log1p(self.t), np.log(1.0 + self.t))
            out = self.m + log_s  # -inf + log1p(-1) = -inf; +inf and NaN propagate
        if not keepdims:
            out = np.squeeze(out, axis=self.ax)
        return out.astype(self.out_dtype, copy=False)


def online_logsumexp(chunks, axis=-1, *, keepdims=False):
    r"""Logsumexp of chunks concatenated along an axis, in one pass with a running maximum.

    Parameters
    ----------
    chunks : iterable of array_like
        Pieces of the input along `axis`, consumed once and in order (a list, a generator, a
        reader of batches from disk). Every chunk has the same shape except along `axis`;
        chunks of length 0 are allowed. A single ndarray is refused: split it first, e.g.
        with ``np.array_split(x, k, axis)``.
    axis : int, optional
        Axis along which the chunks are pieces, and which is reduced. Default -1.
    keepdims : bool, optional
        Keep the reduced axis with length 1.

    Returns
    -------
    ndarray
        ``logsumexp(np.concatenate(chunks, axis), axis)`` up to rounding, computed without
        holding more than one chunk. Dtype: the promotion of the chunks' dtypes under the
        library's policy (integers and bools count as float64; float16 is computed in float32
        and returned as float16).

    Raises
    ------
    TypeError
        If `chunks` is None, a single array, a string or not iterable; if a chunk is not real
        (strings, objects, None, complex); or if `axis` is not an int.
    numpy.exceptions.AxisError
        If `axis` is out of range for the first chunk (a 0-d chunk has no axis).
    ValueError
        If there are no chunks, or a chunk's shape differs from the first chunk's other than
        along `axis`.

    Notes
    -----
    The state after the chunks seen so far is a running maximum :math:`m` and a sum
    :math:`s = \sum_i e^{x_i - m}` over every entry seen. A chunk :math:`c` with maximum
    :math:`m_c` and own sum :math:`s_c = \sum_{j \in c} e^{x_j - m_c}` updates it to

    .. math:: m' = \max(m, m_c), \qquad s' = s\, e^{m - m'} + s_c\, e^{m_c - m'},

    which keeps the invariant :math:`s' = \sum_i e^{x_i - m'}` over the longer prefix; at
    the end :math:`\operatorname{LSE} = m + \log s`. Every exponent is :math:`\le 0`, so
    nothing overflows. The sum is stored as :math:`t = s - 1` with one maximal entry's
    exact 1 left out, and the result is taken as :math:`m + \operatorname{log1p}(t)` when
    :math:`t < 1`, as in :func:`softmax_lib.logsumexp`.

    Conventions as in :func:`softmax_lib.logsumexp`: NaN anywhere in a row gives NaN; a
    :math:`+\infty` gives :math:`+\infty`; a row of only :math:`-\infty` (or of total length
    0) gives :math:`-\infty`. No numpy warning is emitted.

    References
    ----------
    .. [1] M. Milakov, N. Gimelshein, "Online normalizer calculation for softmax",
       arXiv:1805.02867, 2018.

    Examples
    --------
    >>> import numpy as np, softmax_lib as sl
    >>> x = np.array([1.0, 5.0, 2.0, 1000.0, 3.0])
    >>> float(sl.online_logsumexp([x[:2], x[2:3], x[3:]]))
    1000.0
    >>> float(sl.online_logsumexp([[0.0], [0.0, 0.0]]))     # log 3
    1.0986122886681098
    >>> chunks = (np.full((2, 3), v) for v in (0.0, 1.0))   # a generator, read once
    >>> sl.online_logsumexp(chunks, axis=1)
    array([2.41187398, 2.41187398])
    """
    state = _Normaliser("online_logsumexp", axis)
    for chunk in _iterate(chunks, "online_logsumexp"):
        state.add(chunk)
    if state.count == 0:
        raise ValueError("online_logsumexp: chunks is empty; need at least one chunk")
    return state.logsumexp(keepdims)


def online_softmax(chunks, axis=-1):
    r"""Softmax of chunks concatenated along an axis: an online pass for the normaliser, then a
    second pass for the probabilities.

    Parameters
    ----------
    chunks : iterable of array_like
        Pieces of the input along `axis`, all with the same shape except along `axis`. It is
        read twice, so an iterator (a generator) is first turned into a list.
    axis : int, optional
        Axis along which the chunks are pieces, and which is normalised. Default -1.

    Returns
    -------
    ndarray
        ``softmax(np.concatenate(chunks, axis), axis)`` up to rounding. Dtype as in
        :func:`online_logsumexp`.

    Raises
    ------
    TypeError
        If `chunks` is None, a single array, a string or not iterable; if a chunk is not real;
        or if `axis` is not an int.
    numpy.exceptions.AxisError
        If `axis` is out of range for the first chunk.
    ValueError
        If there are no chunks, or the chunks' shapes disagree other than along `axis`.

    Notes
    -----
    Pass 1 computes the running maximum :math:`m` and sum :math:`s = \sum_i e^{x_i - m}` as
    in :func:`online_logsumexp`; pass 2 returns :math:`e^{x_i - m} / s` chunk by chunk.
    Fused attention kernels go one step further and fold the second pass into the first,
    rescaling a running weighted sum of value vectors by :math:`e^{m - m'}` as well.

    Conventions as in :func:`softmax_lib.softmax`: a row with NaN is NaN; a row with exactly
    one :math:`+\infty` is one-hot there; a row with two or more :math:`+\infty`, or only
    :math:`-\infty`, is NaN; a total length of 0 gives an empty result. No numpy warning is
    emitted.

    References
    ----------
    .. [1] M. Milakov, N. Gimelshein, "Online normalizer calculation for softmax",
       arXiv:1805.02867, 2018.

    Examples
    --------
    >>> import softmax_lib as sl
    >>> sl.online_softmax([[2.0], [1.0, 0.1]])
    array([0.65900114, 0.24243297, 0.09856589])
    >>> sl.online_softmax([[1000.0, 0.0], [float("inf")]])
    array([0., 0., 1.])
    """
    func = "online_softmax"
    chunks = list(_iterate(chunks, func))
    if not chunks:
        raise ValueError(f"{func}: chunks is empty; need at least one chunk")
    state = _Normaliser(func, axis)
    arrays = [state.add(c) for c in chunks]  # pass 1: the normaliser
    m, s, ax = state.m, 1.0 + state.t, state.ax
    shift = np.where(np.isfinite(m), m, 0.0).astype(m.dtype)
    one_hot = np.isposinf(m) & (state.n_pos == 1)
    undefined = (np.isposinf(m) & (state.n_pos > 1)) | np.isneginf(m)
    parts = []
    with np.errstate(**_QUIET):
        for arr in arrays:  # pass 2: the probabilities
            p = np.exp(arr.astype(m.dtype, copy=False) - shift) / s
            if one_hot.any() or undefined.any():
                rows = np.broadcast_to(one_hot, p.shape)
                p = np.where(rows, np.isposinf(arr), p)
                p = np.where(np.broadcast_to(undefined, p.shape), np.nan, p)
            parts.append(p)
    return np.concatenate(parts, axis=ax).astype(state.out_dtype, copy=False)
