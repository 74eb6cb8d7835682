"""Reference implementations the library tests compare with (one module for all of tests/lib).

Row references take one row as a sequence of floats and compute in plain Python with
``math.fsum`` (a correctly rounded sum), so each is exact to about an ulp on small inputs and
shares no code with the library. ``along_axis`` applies a row reference along any axis of an
array. The exact, mpmath-based references of the accuracy tests are in ``benchmarks.cases``,
shared with the accuracy benchmark.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from fractions import Fraction

import numpy as np

Row = Sequence[float]


def softmax_row(row: Row, t: float = 1.0) -> list[float]:
    """softmax(row / t): shift by the maximum, exponentiate, divide by the exact sum."""
    m = max(row)
    e = [math.exp((v - m) / t) for v in row]
    s = math.fsum(e)
    return [v / s for v in e]


def _log1p_rest(row: Row, t: float = 1.0) -> float:
    """log of sum_j exp((x_j - max) / t), as log1p of the rest: the maximum contributes exactly
    1, and log1p keeps a rest far below the spacing of 1."""
    m = max(row)
    return math.log1p(math.fsum([math.exp((v - m) / t) for v in row] + [-1.0]))


def log_softmax_row(row: Row, t: float = 1.0) -> list[float]:
    m = max(row)
    lse = _log1p_rest(row, t)
    return [(v - m) / t - lse for v in row]


def logsumexp_row(row: Row) -> float:
    return max(row) + _log1p_rest(row)


def cross_entropy_row(row: Row, k: int) -> float:
    """-log softmax(row)[k] without cancellation: (max - row[k]) + log1p(rest)."""
    return (max(row) - row[k]) + _log1p_rest(row)


def sigmoid(x: float) -> float:
    """The logistic function, in the form that cannot overflow for either sign of x."""
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


def along_axis(ref: Callable[[list[float]], object], x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Apply a row reference to every 1-D slice of ``x`` along ``axis``.

    A reference returning a list (softmax_row) gives an array of x's shape; one returning a
    number (logsumexp_row) gives x's shape without ``axis``.
    """
    moved = np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)
    flat = [ref(r) for r in moved.reshape(-1, moved.shape[-1]).tolist()]
    out = np.array(flat, dtype=np.float64)
    if out.ndim == 1:
        return out.reshape(moved.shape[:-1])
    return np.moveaxis(out.reshape(moved.shape), -1, axis)


def ulps(a, b) -> np.ndarray:
    """Distance between a and b in units of the last place of the larger one (0 where equal,
    including two NaNs)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    with np.errstate(invalid="ignore"):
        d = np.abs(a - b) / np.spacing(np.maximum(np.abs(a), np.abs(b)))
    return np.where(same, 0.0, d)


def sparsemax_exact(row: Row) -> tuple[list[float], int]:
    """Sparsemax in exact rational arithmetic (the sorted closed form of Martins & Astudillo
    2016): sort, support size k, threshold tau. Returns the rounded result and k."""
    z = [Fraction(v) for v in row]
    csum, k, tau = Fraction(0), 0, Fraction(0)
    for j, v in enumerate(sorted(z, reverse=True), start=1):
        csum += v
        if 1 + j * v > csum:
            k, tau = j, (csum - 1) / j
    return [float(max(v - tau, Fraction(0))) for v in z], k


def sparsemax_bisection(row: Row, iters: int = 200) -> np.ndarray:
    """Sparsemax without sorting: tau is the root of the decreasing
    f(tau) = sum(max(z - tau, 0)) - 1, which lies in [max(z) - 1, max(z)]. Accurate to a few
    ulps of 1, not better."""
    z = np.asarray(row, dtype=np.float64)
    z = z - z.max()  # the answer is shift invariant; this keeps z - tau free of cancellation
    lo, hi = -1.0, 0.0
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if np.maximum(z - mid, 0).sum() > 1:
            lo = mid
        else:
            hi = mid
    return np.maximum(z - 0.5 * (lo + hi), 0)


def attention_weights(q, k, mask=None, scale: float | None = None) -> np.ndarray:
    """Attention weights of one (n_q, d) x (n_k, d) pair, row by row with math.fsum; masked
    positions (mask[i][j] false) get weight 0."""
    q, k = np.asarray(q, dtype=float), np.asarray(k, dtype=float)
    s = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    out = np.zeros((q.shape[0], k.shape[0]))
    for i, qi in enumerate(q):
        visible = [j for j in range(k.shape[0]) if mask is None or mask[i][j]]
        scores = {j: s * math.fsum(qi * k[j]) for j in visible}
        m = max(scores.values())
        e = {j: math.exp(v - m) for j, v in scores.items()}
        total = math.fsum(e.values())
        for j in visible:
            out[i, j] = e[j] / total
    return out
