"""The adversarial case set and its exact (mpmath) references, shared by
``benchmarks.accuracy``, ``tests/lib/test_accuracy.py`` and the appendix (one copy, imported by
all three; the targets the errors are held to are in ``benchmarks.targets``).

A case is ``Case(name, x, axis, temperature)`` with ``x`` already in the dtype under test.
References are computed once from the exact values of the stored floats at ``mp.dps = 60``
and kept as float64 ``(hi, lo)`` pairs (``hi + lo`` is the exact value to ~106 bits), so the
error in ulps is ``|(computed - hi) - lo| / spacing(hi rounded to the output dtype)``.

Long rows (10^4 .. 10^5 entries) draw from 256 distinct values, so their exact sums need only
256 mpmath exponentials while the floating-point sums still see every term.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import numpy as np

mpmath.mp.dps = 60

DTYPES = (np.float64, np.float32, np.float16)


@dataclass(frozen=True)
class Case:
    name: str
    x: np.ndarray
    axis: int = -1
    temperature: float = 1.0

    @property
    def label(self) -> str:
        t = "" if self.temperature == 1.0 else f" T={self.temperature:g}"
        return f"{self.name} {self.x.dtype} {self.x.shape} axis={self.axis}{t}"


def softmax_cases(dtype) -> list[Case]:
    """Adversarial inputs for softmax / log_softmax / logsumexp in ``dtype``."""
    dt = np.dtype(dtype)
    rng = np.random.default_rng(20240611 + dt.itemsize)
    big = float(np.finfo(dt).max) / 4  # ±1e300-ish in float64, scaled to the dtype's range
    # exp(-sub) lands in the subnormal range of the output dtype
    sub = {
        8: [0.0, -709.0, -720.0, -735.0, -744.0],
        4: [0.0, -88.0, -95.0, -100.0, -103.0],
        2: [0.0, -10.0, -13.0, -15.5, -16.5],
    }[dt.itemsize]
    dom = {
        8: [0.0, -40.0, -42.5, -45.0, -60.0],
        4: [0.0, -17.0, -18.0, -20.0, -30.0],
        2: [0.0, -8.5, -9.0, -10.0, -12.0],
    }[dt.itemsize]
    # spread scaled so some entries are O(1) and many underflow in this dtype
    spread = {8: 800.0, 4: 110.0, 2: 20.0}[dt.itemsize]
    n_long = 100_000 if dt.itemsize > 2 else 20_000
    pool = np.sort(rng.normal(0.0, 3.0, 256)).astype(dt)

    def a(v):
        return np.asarray(v, dtype=np.float64).astype(dt)

    top = dt.type(big)  # and the floats just below it, whose differences are a few ulps
    tiny = float(np.finfo(dt).smallest_normal)
    cases = [
        Case("mixed-huge", a([big, -big, big * (1 - 2.0**-9), -big / 3, 0.0, big / 2])),
        Case("huge-close", np.array([top, np.nextafter(top, 0), top - 2 * np.spacing(top)])),
        Case("huge-spread", a(np.r_[0.0, -rng.uniform(0, spread, 300)])),
        Case("dominant", a(dom)),
        Case("dominant-shifted", a(np.asarray(dom) + (1e4 if dt.itemsize > 2 else 100))),
        Case("subnormal-out", a(sub)),
        Case("subnormal-out-T", a(np.asarray(sub) / 10), temperature=0.1),
        Case(
            "tiny-inputs", a([4 * tiny, -4 * tiny, 0.0, 3 * float(np.finfo(dt).smallest_subnormal)])
        ),
        Case("ties", a(np.full(7, 3.0))),
        Case("normal-rows", a(rng.normal(0, 4, (16, 40)))),
        Case("normal-cols", a(rng.normal(0, 4, (40, 16))), axis=0),
        Case("3d-mid", a(rng.normal(0, 2, (4, 30, 5))), axis=1),
        Case("3d-first", a(rng.normal(0, 2, (30, 4, 5))), axis=-3),
        Case("ties-near-max", a(np.r_[0.0, 0.0, -np.abs(rng.normal(0, 1e-3, 50))])),
        Case("temp-0.1", a(rng.normal(0, 0.5, (8, 30))), temperature=0.1),
        Case("temp-10", a(rng.normal(0, 50, (8, 30))), temperature=10.0),
        Case("long-last", rng.choice(pool, (2, n_long)), axis=-1),
        Case("long-axis0", rng.choice(pool, (n_long, 3)), axis=0),
    ]
    return cases


def sigmoid_cases(dtype) -> list[np.ndarray]:
    """Inputs for sigmoid in ``dtype``: a grid from where the result underflows to where it
    rounds to 1, normal values, the subnormal tail, and uniform values over +-|lo|."""
    dt = np.dtype(dtype)
    rng = np.random.default_rng(7 + dt.itemsize)
    lo, hi = {8: (-745.0, 40.0), 4: (-104.0, 18.0), 2: (-17.5, 9.0)}[dt.itemsize]
    x = np.r_[
        np.linspace(lo, hi, 1500),
        rng.normal(0, 5, 300),
        lo * rng.uniform(0.9, 1, 100),
        rng.uniform(lo, -lo, 200),
    ]
    return [x.astype(dt)]


# ---------------------------------------------------------------- exact references


def _split(values) -> tuple[np.ndarray, np.ndarray]:
    hi = np.array([float(v) for v in values])
    lo = np.array([float(v - mpmath.mpf(h)) for v, h in zip(values, hi, strict=True)])
    return hi, lo


def _row_exact(row: np.ndarray, t: float):
    """Exact ``(log_softmax of each entry, logsumexp)`` of one 1-D row as mpf values."""
    uniq, inv, counts = np.unique(row, return_inverse=True, return_counts=True)
    tm = mpmath.mpf(float(t))
    xs = [mpmath.mpf(float(v)) / tm for v in uniq]
    m = max(xs)
    # the sum is n_max + rest; log1p keeps a rest far below 10^-dps (e.g. e^-709)
    rest = mpmath.fsum(
        int(c) * mpmath.exp(v - m) for v, c in zip(xs, counts, strict=True) if v != m
    )
    ls = mpmath.log1p((int(counts[-1]) - 1) + rest)
    logp = [v - m - ls for v in xs]
    return logp, inv, m + ls


def exact(case: Case) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Exact softmax, log_softmax, logsumexp of ``case`` as (hi, lo) float64 pairs, plus
    ``absd``: |x_i - max| / T per entry (float64, for the shift allowance) and ``pd``: the
    row's sum of p_j |x_j - max| / T broadcast back."""
    x = np.moveaxis(case.x, case.axis, -1)
    rows = x.reshape(-1, x.shape[-1])
    sm_hi, sm_lo, ls_hi, ls_lo = (np.empty(rows.shape) for _ in range(4))
    lse_hi, lse_lo = np.empty(rows.shape[0]), np.empty(rows.shape[0])
    absd, pd = np.empty(rows.shape), np.empty(rows.shape)
    for r, row in enumerate(rows):
        logp, inv, lse = _row_exact(row.astype(np.float64), case.temperature)
        p = [mpmath.exp(v) for v in logp]
        hi, lo = _split(p)
        sm_hi[r], sm_lo[r] = hi[inv], lo[inv]
        hi, lo = _split(logp)
        ls_hi[r], ls_lo[r] = hi[inv], lo[inv]
        (lse_hi[r],), (lse_lo[r],) = _split([lse])
        d = np.abs(row.astype(np.float64) - row.astype(np.float64).max()) / case.temperature
        absd[r] = d
        pd[r] = math.fsum(d * sm_hi[r])

    def back(a):
        return np.moveaxis(a.reshape(x.shape), -1, case.axis)

    lse_shape = x.shape[:-1]
    return {
        "softmax": (back(sm_hi), back(sm_lo)),
        "log_softmax": (back(ls_hi), back(ls_lo)),
        "logsumexp": (lse_hi.reshape(lse_shape), lse_lo.reshape(lse_shape)),
        "absd": back(absd),
        "pd": back(pd),
    }


def exact_sigmoid(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _split([1 / (1 + mpmath.exp(-mpmath.mpf(float(v)))) for v in x.ravel()])


# ---------------------------------------------------------------- error measures


def ulp_error(computed, ref, dtype) -> np.ndarray:
    """|computed - exact| in ulps of ``dtype`` at the exact value (rounded to ``dtype``).

    An exact zero uses the spacing at 0 (the smallest subnormal), so a computed 0 scores 0
    and anything else scores its distance in smallest subnormals.
    """
    hi, lo = ref
    c = np.asarray(computed, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        diff = np.abs((c - hi) - lo)
        spacing = np.abs(np.spacing(hi.astype(dtype))).astype(np.float64)
        err = diff / spacing
    both_inf = np.isinf(c) & (c == hi)
    return np.where(both_inf, 0.0, err)


def shift_allowance(ref: dict, dtype, temperature: float) -> np.ndarray:
    """The conditioning of softmax under the rounding of the shift, in output ulps.

    Computing ``d_i = (x_i - max) / T`` rounds with relative error u (2u with a temperature)
    in the working precision; that perturbs ``p_i`` by about
    ``u (|d_i| + sum_j p_j |d_j|) p_i``, which the plain shifted formula incurs (a TwoSum
    correction of the shift avoids it, at a cost: see the appendix). Subtracting it also
    forgives any algorithmic error up to this size, so the raw error is reported beside it.
    """
    work = np.float32 if np.dtype(dtype) == np.float16 else dtype
    u = float(np.finfo(work).eps) / 2 * (1 if temperature == 1.0 else 2)
    hi = ref["softmax"][0]
    spacing = np.abs(np.spacing(hi.astype(dtype))).astype(np.float64)
    return u * (ref["absd"] + ref["pd"]) * hi / spacing
