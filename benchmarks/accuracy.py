"""Accuracy of softmax_lib against scipy.special and the naive formula (``make bench``).

Every output is compared with its exact value (mpmath at 60 digits, via ``benchmarks.cases``,
the case set the library's accuracy tests use too) and the error is given in ulps of the output
dtype; each cell of the table is the maximum over all cases and elements, and the case where it
occurs is listed below the table. The target column is ``benchmarks.targets``, the table the
tests assert.

Rows: ``softmax raw`` (plain error), ``softmax net`` (raw minus the shift allowance: rounding
``x_i - max`` costs about ``|x_i - max|`` ulps, the conditioning of softmax in the shifted
coordinates, see ``benchmarks.cases.shift_allowance``), ``log_softmax`` (the dominant entry, whose
exact value is about -1e-18, included), ``logsumexp``, ``sigmoid`` (subnormal tail included)
and ``cross_entropy`` per example (labels: the argmax and random ones).

Contenders: ``softmax_lib``; ``scipy.special`` (softmax, log_softmax, logsumexp, expit; for
cross-entropy ``-log_softmax`` at the label; a temperature is applied as ``x / T`` first, and
expit's float64 result for float16 input is rounded to float16); the naive formulas
(``exp(x) / sum(exp(x))``, its log, ``log(sum(exp(x)))``, ``1 / (1 + exp(-x))``). A naive
overflow gives NaN or inf in the table; it does not stop the run.

Usage: python -m benchmarks.accuracy [--quick]
  --quick  the long cases (10^5 entries along the axis) cut to their first 10^4 entries.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import scipy.special

import softmax_lib as sl
from benchmarks.cases import (
    DTYPES,
    Case,
    exact,
    exact_sigmoid,
    shift_allowance,
    sigmoid_cases,
    softmax_cases,
    ulp_error,
)
from benchmarks.targets import FUNCTIONS, TARGETS

CONTENDERS = ("lib", "scipy", "naive")
QUICK_LONG = 10_000  # entries kept along the reduced axis of the long cases in --quick


# ---------------------------------------------------------------- the contenders


def _over_t(case: Case) -> np.ndarray:
    """What a caller without a temperature argument passes: ``x / T`` in x's dtype."""
    return case.x if case.temperature == 1.0 else case.x / case.temperature


def _naive_softmax(x, axis):
    with np.errstate(all="ignore"):  # overflow to inf and inf/inf = NaN are the point
        e = np.exp(x)
        return e / e.sum(axis=axis, keepdims=True)


def _naive_log_softmax(x, axis):
    with np.errstate(all="ignore"):
        return np.log(_naive_softmax(x, axis))


def _naive_logsumexp(x, axis):
    with np.errstate(all="ignore"):
        return np.log(np.exp(x).sum(axis=axis))


def _naive_sigmoid(x):
    with np.errstate(all="ignore"):
        return 1 / (1 + np.exp(-x))


SOFTMAX = {
    "lib": lambda c: sl.softmax(c.x, axis=c.axis, temperature=c.temperature),
    "scipy": lambda c: scipy.special.softmax(_over_t(c), axis=c.axis),
    "naive": lambda c: _naive_softmax(_over_t(c), c.axis),
}
LOG_SOFTMAX = {
    "lib": lambda c: sl.log_softmax(c.x, axis=c.axis, temperature=c.temperature),
    "scipy": lambda c: scipy.special.log_softmax(_over_t(c), axis=c.axis),
    "naive": lambda c: _naive_log_softmax(_over_t(c), c.axis),
}
LOGSUMEXP = {
    "lib": lambda c: sl.logsumexp(c.x, axis=c.axis),
    "scipy": lambda c: scipy.special.logsumexp(c.x, axis=c.axis),
    "naive": lambda c: _naive_logsumexp(c.x, c.axis),
}


def _at_label(a, idx, axis):
    return np.take_along_axis(a, idx, axis).squeeze(axis)


CROSS_ENTROPY = {
    "lib": lambda c, labels, idx: sl.cross_entropy(c.x, labels, axis=c.axis, reduction="none"),
    "scipy": lambda c, labels, idx: (
        -_at_label(scipy.special.log_softmax(c.x, axis=c.axis), idx, c.axis)
    ),
    "naive": lambda c, labels, idx: -_at_label(_naive_log_softmax(c.x, c.axis), idx, c.axis),
}
SIGMOID = {
    "lib": sl.sigmoid,
    "scipy": lambda x: scipy.special.expit(x).astype(x.dtype),  # float64 for float16 input
    "naive": _naive_sigmoid,
}


# ---------------------------------------------------------------- measuring


def _rank(value: float):
    """Order for 'worst': NaN above inf above every finite error."""
    return (1, 0.0) if math.isnan(value) else (0, value)


def _worst(err: np.ndarray) -> tuple[float, int]:
    """(max error, flat index of it); NaN counts as the worst."""
    flat = np.ravel(err)
    nan = np.flatnonzero(np.isnan(flat))
    if nan.size:
        return math.nan, int(nan[0])
    i = int(np.argmax(flat))
    return float(flat[i]), i


@dataclass
class _Cell:
    """One cell of the table while it is filled: the worst error so far, the case where it
    occurred, and the worst finite error."""

    worst: float = -math.inf
    case: str = ""
    finite: float = 0.0

    def record(self, err: np.ndarray, where: Callable[[int], str]) -> None:
        value, i = _worst(err)
        if _rank(value) > _rank(self.worst):
            self.worst, self.case = value, where(i)
        ok = err[np.isfinite(err)]
        if ok.size:
            self.finite = max(self.finite, float(ok.max()))


def _shorten(case: Case) -> Case:
    """A long case cut to QUICK_LONG entries along its axis (same values, fewer of them)."""
    if case.x.shape[case.axis] <= QUICK_LONG:
        return case
    x = np.take(case.x, np.arange(QUICK_LONG), axis=case.axis)
    return replace(case, name=f"{case.name}[:{QUICK_LONG}]", x=x)


def cases_with_refs(dtype, quick=False) -> list[tuple[Case, dict]]:
    """The shared softmax cases for ``dtype`` and their exact references."""
    cases = softmax_cases(dtype)
    if quick:
        cases = [_shorten(c) for c in cases]
    return [(c, exact(c)) for c in cases]


def _errors(case: Case, ref: dict):
    """{function: {contender: ulp-error array}} for one softmax case."""
    dt = case.x.dtype
    out = {"softmax raw": {}, "softmax net": {}, "log_softmax": {}}
    allowance = shift_allowance(ref, dt, case.temperature)
    for who in CONTENDERS:
        raw = ulp_error(SOFTMAX[who](case), ref["softmax"], dt)
        out["softmax raw"][who] = raw
        with np.errstate(invalid="ignore"):  # inf - inf where the naive result is inf
            out["softmax net"][who] = np.maximum(raw - allowance, 0.0)
        out["log_softmax"][who] = ulp_error(LOG_SOFTMAX[who](case), ref["log_softmax"], dt)
    if case.temperature != 1.0:
        return out  # logsumexp has no temperature; cross_entropy is taken at T = 1
    out["logsumexp"] = {
        who: ulp_error(LOGSUMEXP[who](case), ref["logsumexp"], dt) for who in CONTENDERS
    }
    # per-example loss at two label sets: the argmax (the dominant entry) and random labels
    rng = np.random.default_rng(0)
    rows = np.moveaxis(case.x, case.axis, -1)
    ls_hi, ls_lo = ref["log_softmax"]
    ce = {who: [] for who in CONTENDERS}
    for labels in (rows.argmax(axis=-1), rng.integers(0, rows.shape[-1], rows.shape[:-1])):
        idx = np.expand_dims(labels, case.axis)
        loss_ref = (-_at_label(ls_hi, idx, case.axis), -_at_label(ls_lo, idx, case.axis))
        for who in CONTENDERS:
            ce[who].append(ulp_error(CROSS_ENTROPY[who](case, labels, idx), loss_ref, dt))
    out["cross_entropy"] = {
        who: np.concatenate([np.ravel(e) for e in ce[who]]) for who in CONTENDERS
    }
    return out


def accuracy_table(quick: bool = False, dtypes=DTYPES) -> list[dict]:
    """The accuracy table as a list of rows, one per (function, dtype).

    Each row has ``function``, ``dtype``, ``target`` (max ulps, or None), ``met`` (the
    library's error within the target; None without a target) and for each contender
    ``c`` in ("lib", "scipy", "naive") ``c`` (max error in ulps of the output dtype; NaN or
    inf when the contender returned a non-finite value), ``c_case`` (the case and, for
    sigmoid, the input where that maximum occurs) and ``c_finite`` (the maximum over the
    finite errors only, e.g. for drawing the naive formula where it did not overflow).
    """
    rows = []
    for dtype in dtypes:
        name = np.dtype(dtype).name
        cells = {f: {who: _Cell() for who in CONTENDERS} for f in FUNCTIONS}
        for case, ref in cases_with_refs(dtype, quick):
            for func, per in _errors(case, ref).items():
                for who, err in per.items():
                    cells[func][who].record(err, lambda i, c=case: c.name)
        for x in sigmoid_cases(dtype):
            ref = exact_sigmoid(x)
            for who in CONTENDERS:
                err = ulp_error(SIGMOID[who](x), ref, dtype)
                cells["sigmoid"][who].record(err, lambda i, x=x: f"x={float(x.ravel()[i]):.6g}")
        for func in FUNCTIONS:
            target = TARGETS[func].get(name)
            row = {"function": func, "dtype": name, "target": target}
            for who in CONTENDERS:
                cell = cells[func][who]
                row[who], row[f"{who}_case"], row[f"{who}_finite"] = (
                    cell.worst,
                    cell.case,
                    cell.finite,
                )
            row["met"] = None if target is None else bool(_rank(row["lib"]) <= _rank(target))
            rows.append(row)
    return rows


# ---------------------------------------------------------------- printing


def fmt_ulps(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf"
    return f"{value:.2f}" if value < 1e4 else f"{value:.1e}"


def format_table(rows: list[dict]) -> str:
    """The table as text: errors, target and verdict, then where each maximum occurs."""
    head = (
        f"{'function':14s} {'dtype':8s} {'lib':>9s} {'scipy':>9s} {'naive':>9s} {'target':>7s}  met"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        target = "-" if r["target"] is None else f"{r['target']:g}"
        met = "-" if r["met"] is None else ("yes" if r["met"] else "NO")
        errors = " ".join(f"{fmt_ulps(r[who]):>9s}" for who in CONTENDERS)
        lines.append(f"{r['function']:14s} {r['dtype']:8s} {errors} {target:>7s}  {met}")
    lines += ["", "worst case per cell (lib | scipy | naive):"]
    for r in rows:
        where = " | ".join(r[f"{who}_case"] for who in CONTENDERS)
        lines.append(f"{r['function']:14s} {r['dtype']:8s} {where}")
    return "\n".join(lines)


def main(quick: bool = False) -> list[dict]:
    start = time.perf_counter()
    rows = accuracy_table(quick)
    print(
        "max error in ulps of the output dtype against mpmath (60 digits)"
        + (f" [--quick: long cases cut to {QUICK_LONG} entries]" if quick else "")
    )
    print(format_table(rows))
    print(
        "\nsoftmax net: raw error minus the shift allowance u (|d_i| + sum_j p_j |d_j|), in ulps;"
        "\nscipy: a temperature applied as x / T; expit's float64 result for float16 rounded to"
        "\nfloat16. nan/inf: the formula overflowed. "
        f"({time.perf_counter() - start:.1f} s)"
    )
    missed = [r for r in rows if r["met"] is False]
    if missed:
        print(
            "targets not met:",
            ", ".join(f"{r['function']} {r['dtype']} ({r['lib_case']})" for r in missed),
        )
    return rows


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
