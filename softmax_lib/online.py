"""Online (one-pass, streaming) logsumexp and softmax over chunks: the running-maximum trick
behind fused attention kernels.

Validate each chunk, fold it into the running maximum and sum
(:class:`softmax_lib._engine.RunningLogSum`), and, for softmax, exponentiate and normalise
the chunks in a second pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from softmax_lib._engine import RowLimits, RunningLogSum, finite_shift, quiet
from softmax_lib._validate import as_real_array, check_axis, to_dtype


def _iterate(chunks: Any, func: str) -> Iterator[ArrayLike]:
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


_END: Any = object()  # the end of the chunks (a chunk may be None: an error to report)


def _fold(
    func: str, axis: Any, chunks: Iterator[ArrayLike], keep: bool
) -> tuple[RunningLogSum, list[NDArray[Any]], np.dtype[Any]]:
    """Validate the chunks and fold them into a :class:`RunningLogSum`: ``(state, the chunks
    as compute arrays if keep, the dtype to return)``."""
    first = next(chunks, _END)
    if first is _END:
        raise ValueError(f"{func}: chunks is empty; need at least one chunk")
    arr, out_dtype = as_real_array(first, func, "chunks[0]")
    ax = check_axis(axis, arr.ndim, func)
    shape = arr.shape
    state = RunningLogSum(shape[:ax] + (1,) + shape[ax + 1 :], ax, arr.dtype)
    kept, count = [], 0
    while True:
        others = [k for k in range(len(shape)) if k != ax]
        if arr.ndim != len(shape) or any(arr.shape[k] != shape[k] for k in others):
            raise ValueError(
                f"{func}: chunks[{count}] has shape {arr.shape}; every chunk must have the shape "
                f"of chunks[0] {shape} except along axis {axis}"
            )
        arr = state.add(arr)
        if keep:
            kept.append(arr)
        count += 1
        chunk = next(chunks, _END)
        if chunk is _END:
            return state, kept, out_dtype
        arr, dtype = as_real_array(chunk, func, f"chunks[{count}]")
        out_dtype = np.result_type(out_dtype, dtype)


def online_logsumexp(
    chunks: Iterable[ArrayLike], axis: int = -1, *, keepdims: bool = False
) -> NDArray[Any]:
    r"""Logsumexp of chunks concatenated along an axis, in one pass with a running maximum.

    The book builds it in the chapter "Many classes"
    (``chapters/many_classes.ipynb``).

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

    See Also
    --------
    logsumexp : The same on one array held in memory.
    online_softmax : The probabilities, in a second pass.

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
    1.09861228866811
    >>> chunks = (np.full((2, 3), v) for v in (0.0, 1.0))   # a generator, read once
    >>> sl.online_logsumexp(chunks, axis=1)
    array([2.41187398, 2.41187398])
    """
    func = "online_logsumexp"
    state, _, out_dtype = _fold(func, axis, _iterate(chunks, func), keep=False)
    out = state.logsumexp()
    return to_dtype(out if keepdims else np.squeeze(out, axis=state.axis), out_dtype)


def online_softmax(chunks: Iterable[ArrayLike], axis: int = -1) -> NDArray[Any]:
    r"""Softmax of chunks concatenated along an axis: an online pass for the normaliser, then a
    second pass for the probabilities.

    The book builds it in the chapter "Many classes"
    (``chapters/many_classes.ipynb``).

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

    See Also
    --------
    softmax : The same on one array held in memory.
    online_logsumexp : The normaliser alone, in one pass.

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
    state, arrays, out_dtype = _fold(func, axis, _iterate(chunks, func), keep=True)  # pass 1
    m, s, ax = state.m, 1.0 + state.t, state.axis
    shift = finite_shift(m)
    limits = None if np.isfinite(m).all() else RowLimits.from_counts(m, state.n_pos)
    parts = []
    with quiet():
        for arr in arrays:  # pass 2: the probabilities
            p = np.exp(arr.astype(m.dtype, copy=False) - shift) / s
            if limits is not None:
                limits.patch(p, at_inf=1.0, elsewhere=0.0, hot=np.isposinf(arr))
            parts.append(p)
    return to_dtype(np.concatenate(parts, axis=ax), out_dtype)
