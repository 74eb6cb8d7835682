"""The running state of an online (one-pass) logsumexp over chunks along one axis.

A running maximum ``m`` and a running sum ``sum_i exp(x_i - m) = 1 + t``, stored as ``t`` so
that the dominant entry's 1 stays exact (the log1p trick of the log-sum kernel). When a chunk
raises the maximum, the old sum is rescaled by ``exp(m_old - m_new)``; nothing else about the
past is needed (Milakov & Gimelshein 2018).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from softmax_lib._engine.nonfinite import finite_shift, quiet


def _rescale(a: NDArray[Any], m: NDArray[Any]) -> NDArray[Any]:
    """``exp(a - m)`` for ``a <= m``, taken as 1 where ``a == m`` (also when both are ±inf)."""
    return np.where(a == m, 1.0, np.exp(a - m)).astype(m.dtype, copy=False)


class RunningLogSum:
    """Running ``(m, t)`` with ``sum_i exp(x_i - m) = 1 + t`` along ``axis``, ``keepdims``
    shape ``shape``. Starts empty: ``m = -inf, t = -1`` (an empty sum). ``n_pos`` counts the
    ``+inf`` entries per row, which softmax needs to tell a one-hot limit from an undefined
    one."""

    def __init__(self, shape: tuple[int, ...], axis: int, dtype: np.dtype[Any]):
        self.axis = axis
        self.m = np.full(shape, -np.inf, dtype=dtype)
        self.t = np.full(shape, -1.0, dtype=dtype)
        self.n_pos = np.zeros(shape, dtype=np.intp)

    def add(self, arr: NDArray[Any]) -> NDArray[Any]:
        """Fold one chunk into the state; return it in the state's (promoted) dtype."""
        dt = np.result_type(self.m.dtype, arr.dtype)
        self.m, self.t = self.m.astype(dt, copy=False), self.t.astype(dt, copy=False)
        arr = arr.astype(dt, copy=False)
        ax = self.axis
        if arr.shape[ax] == 0:
            return arr
        m_c = arr.max(axis=ax, keepdims=True)  # NaN if the chunk has one
        with quiet():
            e = np.exp(arr - finite_shift(m_c))
            # the chunk's own t: its sum without one maximal entry (whose term is exactly 1)
            np.put_along_axis(e, np.argmax(arr, axis=ax, keepdims=True), 0.0, axis=ax)
            t_c = np.where(np.isneginf(m_c), -1.0, e.sum(axis=ax, keepdims=True)).astype(dt)
            m_new = np.maximum(self.m, m_c)
            # (1 + t) e^(m - m_new) + (1 + t_c) e^(m_c - m_new) = 1 + t_new, keeping the 1 of
            # the side with the larger maximum
            self.t = np.where(
                m_c > self.m,
                t_c + (1.0 + self.t) * _rescale(self.m, m_new),
                self.t + (1.0 + t_c) * _rescale(m_c, m_new),
            )
        self.m = m_new
        self.n_pos += np.isposinf(arr).sum(axis=ax, keepdims=True)
        return arr

    def logsumexp(self) -> NDArray[Any]:
        """``m + log(1 + t)``, as ``log1p(t)`` when one entry dominates (``keepdims``)."""
        with quiet():
            log_s = np.where(self.t < 1.0, np.log1p(self.t), np.log(1.0 + self.t))
            out: NDArray[Any] = self.m + log_s  # -inf + log1p(-1) = -inf; +inf, NaN propagate
        return out
