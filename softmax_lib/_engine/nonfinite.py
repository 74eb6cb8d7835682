"""Rows with a non-finite maximum, in one place: the shift, the limits, the quiet errstate.

A row's maximum ``m`` is finite for almost every input, and then nothing here costs more than
one pass over the row maxima. Otherwise:

- the row is shifted by 0 instead of ``m`` (``inf - inf`` would be NaN), see
  :func:`finite_shift`;
- softmax-like functions replace the row by its limit where one exists: a single ``+inf``
  gives a one-hot row; two or more ``+inf``, only ``-inf`` (0/0) or a NaN give NaN
  (:class:`RowLimits`). logsumexp needs no patch: ``m + log(sum)`` is already its limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray


def quiet() -> np.errstate:
    """The one errstate of the library's kernels: every floating-point warning off.

    They deal with each case themselves: ``exp`` underflowing to 0 is the right answer,
    ``x - max`` overflows to ``-inf`` only for entries whose weight is 0 anyway, and rows
    with a non-finite maximum (``inf - inf``, ``0 / 0``) are patched afterwards. A fresh
    object each time: numpy refuses to enter one ``errstate`` twice (nested calls).
    """
    return np.errstate(all="ignore")


def finite_shift(m: NDArray[Any]) -> NDArray[Any]:
    """The per-row shift: the row maximum ``m`` where it is finite, 0 where it is not."""
    finite = np.isfinite(m)
    return m if finite.all() else np.where(finite, m, 0).astype(m.dtype)


@dataclass(frozen=True)
class RowLimits:
    """The rows of a batch that have a non-finite maximum, in ``keepdims`` shape.

    ``one_hot``: exactly one ``+inf`` (the limit is 1 there, 0 elsewhere); ``undefined``:
    every other non-finite maximum (two or more ``+inf``, only ``-inf``, a NaN), whose rows
    become NaN; ``hot``: the ``+inf`` entries of one-hot rows (the input's shape), or None.
    """

    one_hot: NDArray[np.bool_]
    undefined: NDArray[np.bool_]
    hot: NDArray[np.bool_] | None = None

    @classmethod
    def from_counts(
        cls, m: NDArray[Any], n_pos: NDArray[Any], pos: NDArray[np.bool_] | None = None
    ) -> RowLimits:
        """From the row maxima ``m`` and the number of ``+inf`` entries per row ``n_pos``;
        ``pos``, the ``+inf`` entries, gives ``hot``."""
        one_hot = np.isposinf(m) & (n_pos == 1)
        undefined = ~np.isfinite(m) & ~one_hot
        hot = None if pos is None or not one_hot.any() else pos & one_hot
        return cls(one_hot, undefined, hot)

    def patch(
        self,
        out: NDArray[Any],
        at_inf: float,
        elsewhere: float,
        hot: NDArray[np.bool_] | None = None,
    ) -> None:
        """Write the limits into ``out``: ``at_inf`` at the ``+inf`` entry of a one-hot row
        (``hot``, default the stored one), ``elsewhere`` in the rest of it, NaN in undefined
        rows."""
        hot = self.hot if hot is None else hot & self.one_hot
        if hot is not None:
            np.copyto(out, elsewhere, where=np.broadcast_to(self.one_hot, out.shape))
            np.copyto(out, at_inf, where=hot)
        np.copyto(out, np.nan, where=np.broadcast_to(self.undefined, out.shape))


def row_limits(arr: NDArray[Any], m: NDArray[Any], axis: int) -> RowLimits | None:
    """None when every row maximum ``m`` is finite (one pass over the maxima), else the
    :class:`RowLimits` of ``arr``'s rows along ``axis``. Take them before the result
    overwrites ``arr`` (``out=x``)."""
    if np.isfinite(m).all():
        return None
    pos = np.isposinf(arr)
    return RowLimits.from_counts(m, pos.sum(axis=axis, keepdims=True), pos)
