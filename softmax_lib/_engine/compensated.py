"""Error-free transformations: the exact rounding error of a sum and of a product.

``two_sum(a, b)`` returns ``s = fl(a + b)`` and ``e`` with ``s + e = a + b`` exactly (Knuth's
TwoSum: six operations, no branch, no condition on the magnitudes). ``two_prod(a, b)``
returns ``p = fl(a * b)`` and ``e`` with ``p + e = a * b`` exactly (Dekker's product: each
factor is split into two halves of at most half the significand (Veltkamp), whose products
are then exact; numpy has no fused multiply-add to do it in one step).

Both work elementwise on arrays or scalars of one float dtype, with round-to-nearest.
Exactness needs the result to be finite, and for ``two_prod`` also the error term to be
representable (``|a * b| >= 2**(emin + p)``, e.g. about ``1e-292`` in float64, not
subnormal) and the split not to overflow (``|a|, |b| < 2**(emax - p / 2)``, about ``1e300``
in float64).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

# An array, or a numpy scalar, of a float dtype.
ArrayOrScalar = NDArray[np.floating[Any]] | np.floating[Any]


def two_sum(a: ArrayOrScalar, b: ArrayOrScalar) -> tuple[Any, Any]:
    """``(s, e)`` with ``s = fl(a + b)`` and ``s + e = a + b`` exactly (Knuth's TwoSum)."""
    s = a + b
    return s, sum_error(a, b, s)


def sum_error(
    a: ArrayOrScalar,
    b: ArrayOrScalar,
    s: ArrayOrScalar,
    out: NDArray[Any] | None = None,
    tmp: NDArray[Any] | None = None,
) -> NDArray[Any]:
    """``(a + b) - s`` exactly, for ``s = fl(a + b)``: the second half of TwoSum.

    ``bb = s - a`` is the part of ``s`` that came from ``b``, ``s - bb`` the part from
    ``a``; the errors of both parts are exact and so is their sum. ``out`` (may be ``s``
    itself) and ``tmp`` (apart from ``a``, ``b`` and ``s``) are optional scratch of the
    broadcast shape, so that a caller working chunk by chunk allocates nothing.
    """
    bb = np.subtract(s, a, out=tmp)
    err = np.subtract(s, bb, out=out)
    np.subtract(a, err, out=err)  # the error of a's part
    np.subtract(b, bb, out=bb)  # the error of b's part
    err += bb
    return err


def split(a: ArrayOrScalar) -> tuple[Any, Any]:
    """``(hi, lo)`` with ``hi + lo = a`` exactly, each with at most half of the significand's
    bits (Veltkamp), so that products of halves are exact."""
    c = veltkamp_factor(np.asarray(a).dtype)
    big = a * c
    hi = big - (big - a)
    return hi, a - hi


def two_prod(a: ArrayOrScalar, b: ArrayOrScalar) -> tuple[Any, Any]:
    """``(p, e)`` with ``p = fl(a * b)`` and ``p + e = a * b`` exactly (Dekker's product)."""
    p = a * b
    a_hi, a_lo = split(a)
    b_hi, b_lo = split(b)
    e = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    return p, e


def veltkamp_factor(dtype: np.dtype[Any]) -> float:
    """``2**ceil(p / 2) + 1`` for a ``p``-bit significand: ``2**27 + 1`` for float64."""
    p = np.finfo(dtype).nmant + 1
    return 2.0 ** -(-p // 2) + 1.0
