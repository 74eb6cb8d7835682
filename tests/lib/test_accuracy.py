"""Accuracy against mpmath (mp.dps = 60) on the adversarial case set of
``benchmarks/softmax_cases.py`` (the same cases ``benchmarks/accuracy.py`` prints).

Error in ulps of the output dtype: |computed - exact| / spacing(exact rounded to the dtype);
an exact zero is measured in units of the smallest subnormal. For softmax the error is also
taken net of the shift allowance (``softmax_cases.shift_allowance``): rounding x_i - max (and
the division by T) costs about u (|d_i| + sum_j p_j |d_j|) relative, the problem's own
conditioning, which is subtracted per element.

Measured maxima (this machine, numpy 2.4.6), max over all cases:
    ulps               float64  float32  float16   (worst case, float64)
    softmax raw          24.83    23.82     0.50   temp-10 (the shift allowance, doubled by T)
    softmax net           2.79     2.14     0.50   normal-cols
    log_softmax           3.06     1.56     0.97   normal-cols
    logsumexp             0.87     0.70     0.50   3d-first
    sigmoid               1.95     0.50     0.50   x = -4.14474
    cross_entropy         3.06     1.56     0.50   normal-cols
    (``benchmarks/accuracy.py`` prints this table with scipy.special and the naive formulas
    side by side and the worst case of every cell.)
The asserted limits are the targets (TARGETS in benchmarks/accuracy.py), all above what was
measured.
"""

import functools

import numpy as np
import pytest

import softmax_lib as sl
from accuracy import TARGETS  # the one table of targets, printed by the benchmark too
from softmax_cases import (
    DTYPES,
    exact,
    exact_sigmoid,
    shift_allowance,
    sigmoid_cases,
    softmax_cases,
    ulp_error,
)

NAMES = [np.dtype(d).name for d in DTYPES]


@pytest.fixture(scope="module")
def refs():
    """Exact references, computed once per module: {dtype name: [(case, exact dict), ...]}."""
    return {np.dtype(d).name: [(c, exact(c)) for c in softmax_cases(d)] for d in DTYPES}


def worst(errors):
    """(max error, label of the case where it occurs) over [(label, error array)]."""
    label, err = max(errors, key=lambda e: np.max(e[1]) if e[1].size else 0.0)
    return float(np.max(err)), label


@pytest.mark.parametrize("name", NAMES)
def test_softmax_net_of_shift_allowance(refs, name):
    errs = []
    for case, ref in refs[name]:
        p = sl.softmax(case.x, axis=case.axis, temperature=case.temperature)
        assert p.dtype == case.x.dtype
        err = ulp_error(p, ref["softmax"], case.x.dtype) - shift_allowance(ref, case.x.dtype, case.temperature)
        errs.append((case.label, err))
    e, where = worst(errs)
    assert e <= TARGETS["softmax net"][name], f"{e:.2f} ulps in {where}"


@pytest.mark.parametrize("name", NAMES)
def test_log_softmax(refs, name):
    errs = []
    for case, ref in refs[name]:
        out = sl.log_softmax(case.x, axis=case.axis, temperature=case.temperature)
        errs.append((case.label, ulp_error(out, ref["log_softmax"], case.x.dtype)))
    e, where = worst(errs)
    assert e <= TARGETS["log_softmax"][name], f"{e:.2f} ulps in {where}"


@pytest.mark.parametrize("name", NAMES)
def test_logsumexp(refs, name):
    errs = []
    for case, ref in refs[name]:
        if case.temperature != 1.0:
            continue  # logsumexp has no temperature; x / T would round first
        for keepdims in (False, True):
            out = sl.logsumexp(case.x, axis=case.axis, keepdims=keepdims)
            hi, lo = ref["logsumexp"]
            if keepdims:
                hi, lo = np.expand_dims(hi, case.axis), np.expand_dims(lo, case.axis)
            errs.append((case.label, ulp_error(out, (hi, lo), case.x.dtype)))
    e, where = worst(errs)
    assert e <= TARGETS["logsumexp"][name], f"{e:.2f} ulps in {where}"


@pytest.mark.parametrize("name", NAMES)
def test_cross_entropy_per_example(refs, name):
    errs = []
    rng = np.random.default_rng(0)
    for case, ref in refs[name]:
        if case.temperature != 1.0:
            continue
        ls_hi, ls_lo = ref["log_softmax"]
        n = case.x.shape[case.axis]
        batch = np.moveaxis(case.x, case.axis, -1).shape[:-1]
        argmax = np.moveaxis(case.x, case.axis, -1).argmax(axis=-1)
        for labels in (argmax, rng.integers(0, n, batch)):
            out = sl.cross_entropy(case.x, labels, axis=case.axis, reduction="none")
            idx = np.expand_dims(labels, case.axis)
            hi = -np.take_along_axis(ls_hi, idx, case.axis).squeeze(case.axis)
            lo = -np.take_along_axis(ls_lo, idx, case.axis).squeeze(case.axis)
            errs.append((case.label, ulp_error(out, (hi, lo), case.x.dtype)))
    e, where = worst(errs)
    assert e <= TARGETS["cross_entropy"][name], f"{e:.2f} ulps in {where}"


@pytest.mark.parametrize("dtype", DTYPES, ids=NAMES)
def test_sigmoid(dtype):
    name = np.dtype(dtype).name
    for x in sigmoid_cases(dtype):
        err = ulp_error(sl.sigmoid(x), exact_sigmoid(x), dtype)
        assert err.max() <= TARGETS["sigmoid"][name], f"{err.max():.2f} ulps at x={x[np.argmax(err)]!r}"


def test_long_axis0_beats_sequential_summation(refs):
    """numpy sums a non-last axis sequentially; the library must not inherit that error."""
    case, ref = next((c, r) for c, r in refs["float64"] if c.name == "long-axis0")
    out = sl.log_softmax(case.x, axis=0)
    assert ulp_error(out, ref["log_softmax"], np.float64).max() <= TARGETS["log_softmax"]["float64"]


# --- further cases ---
mpmath = pytest.importorskip("mpmath")


mp = mpmath.mp


COMPUTE = {np.dtype(np.float16): np.float32}


def _rows(dtype):
    """Adversarial rows for one dtype: (name, row, temperature)."""
    dt = np.dtype(dtype)
    rng = np.random.default_rng(20240521 + dt.itemsize)
    rows = []
    scales = {2: (1, 3), 4: (1, 10, 30), 8: (1, 10, 100)}[dt.itemsize]
    for s in scales:
        for k in range(4):
            rows.append((f"normal*{s}#{k}", rng.standard_normal(12) * s, 1.0))
    for t in (0.1, 10.0):
        for k in range(3):
            rows.append((f"T={t}#{k}", rng.standard_normal(12) * (1 if dt.itemsize == 2 else 5), t))
    rows.append(("ties", np.full(7, 3.0), 1.0))
    rows.append(("two-entry", np.array([1.0, 0.0]), 1.0))
    if dt == np.float64:
        rows += [
            ("huge mixed", np.array([1e300, -1e300, 0.0, 5e299, 1e300 - 1e284, -1e300]), 1.0),
            ("huge close", np.array([1e300, np.nextafter(1e300, 0), 1e300 - 2 * np.spacing(1e300)]), 1.0),
            ("spread", np.linspace(-1000.0, 0.0, 41), 1.0),
            ("dominant", np.array([0.0, -40.0, -45.5, -50.25, -60.0]), 1.0),
            ("dominant big", np.array([1e4, 1e4 - 38.0, 1e4 - 44.0]), 1.0),
            ("subnormal", np.array([0.0, -709.5, -720.25, -740.0, -744.0, -0.5]), 1.0),
            ("subnormal T", np.array([0.0, -70.95, -72.025, -74.0]), 0.1),
            ("tiny values", np.array([1e-300, -1e-300, 0.0, 5e-310]), 1.0),
        ]
    elif dt == np.float32:
        rows += [
            ("huge mixed", np.array([3e38, -3e38, 0.0, 1.5e38, -3e38]), 1.0),
            ("spread", np.linspace(-100.0, 0.0, 41), 1.0),
            ("dominant", np.array([0.0, -17.5, -20.0, -25.0]), 1.0),
            ("subnormal", np.array([0.0, -88.0, -95.5, -101.0, -103.0, -0.5]), 1.0),
            ("subnormal T", np.array([0.0, -8.8, -9.55, -10.1]), 0.1),
        ]
    else:
        rows += [
            ("huge mixed", np.array([65504.0, -65504.0, 0.0, 30000.0]), 1.0),
            ("spread", np.linspace(-16.0, 0.0, 33), 1.0),
            ("dominant", np.array([0.0, -8.0, -9.0, -11.0]), 1.0),
            ("subnormal", np.array([0.0, -10.5, -12.0, -14.5, -16.0]), 1.0),
            ("subnormal T", np.array([0.0, -1.05, -1.2, -1.45]), 0.1),
        ]
    long_scale = {2: 2.0, 4: 3.0, 8: 3.0}[dt.itemsize]
    for k in range(2):
        rows.append((f"long 10^4 #{k}", rng.standard_normal(10_000) * long_scale, 1.0))
    return [(name, np.asarray(x).astype(dt), t) for name, x, t in rows]


def _spacing(exact, dtype):
    dtype = np.dtype(dtype)
    """ulp of dtype at an exact value; values beyond the dtype's range use the largest ulp."""
    finfo = np.finfo(dtype)
    top = finfo.max - np.nextafter(finfo.max, dtype.type(0))
    v = np.asarray(float(abs(exact))).astype(np.float64)
    return float(top) if v >= finfo.max else float(np.spacing(v.astype(dtype)))


def _ulps(computed, exact, dtype):
    """|computed - exact| in ulps of dtype at exact (elementwise, exact as mpf list). Equal
    infinities (an exact value beyond the dtype's range, rounded to inf) count as 0."""
    out = np.empty(len(exact))
    for i, (c, e) in enumerate(zip(computed, exact)):
        c = float(c)
        if np.isinf(c) and abs(e) > np.finfo(dtype).max and (c > 0) == (e > 0):
            out[i] = 0.0
            continue
        out[i] = float(abs(mp.mpf(c) - e) / _spacing(e, dtype))
    return out


def _exact_softmax(args):
    """(softmax, log_softmax, logsumexp) of a list of mpf."""
    k = max(range(len(args)), key=lambda i: args[i])
    m = args[k]
    ex = [mp.exp(a - m) for a in args]
    t = mp.fsum(ex[:k] + ex[k + 1 :])  # s = 1 + t; log1p keeps t even when t < 10**-50
    s = 1 + t
    log_s = mp.log1p(t)
    # (a - m) - log_s, not a - (m + log_s): the latter keeps only ~50 digits of m + log_s
    return [e / s for e in ex], [(a - m) - log_s for a in args], m + log_s


def _measure_row(x, t):
    dtype = x.dtype
    work = np.dtype(COMPUTE.get(dtype, dtype)).type
    with mp.workdps(50):
        tm = mp.mpf(t)
        xs = [mp.mpf(float(v)) for v in x]
        p, logp, _ = _exact_softmax([v / tm for v in xs])
        # the arguments exp actually sees: fl(fl(x - m) / T) in the compute dtype
        xw = x.astype(work)
        with np.errstate(over="ignore"):  # huge mixed rows: -inf arguments, weight 0
            args = xw - xw.max()
        if t != 1.0:
            args = args / work(t)
        p_rounded_args, _, _ = _exact_softmax([mp.mpf(float(a)) for a in args])
        got = sl.softmax(x, temperature=t)
        raw = _ulps(got, p, dtype)
        net = np.array(
            [float(abs(mp.mpf(float(g)) - q) / _spacing(e, dtype)) for g, q, e in zip(got, p_rounded_args, p)]
        )
        lsm = _ulps(sl.log_softmax(x, temperature=t), logp, dtype)
        _, _, lse = _exact_softmax(xs)
        lse_err = _ulps(np.atleast_1d(sl.logsumexp(x)), [lse], dtype)[0]
    return raw.max(), net.max(), lsm.max(), lse_err


@functools.lru_cache(maxsize=None)
def measure(dtype_name):
    """Max ulps per function for one dtype, over all rows."""
    dtype = np.dtype(dtype_name)
    res = {"softmax raw": 0.0, "softmax net": 0.0, "log_softmax": 0.0, "logsumexp": 0.0}
    for _name, x, t in _rows(dtype):
        raw, net, lsm, lse = _measure_row(x, t)
        res["softmax raw"] = max(res["softmax raw"], raw)
        res["softmax net"] = max(res["softmax net"], net)
        res["log_softmax"] = max(res["log_softmax"], lsm)
        res["logsumexp"] = max(res["logsumexp"], lse)
    res["sigmoid"] = _measure_sigmoid(dtype)
    if dtype == np.float64:
        res["cross_entropy"] = _measure_cross_entropy()
    return res


def _measure_sigmoid(dtype):
    rng = np.random.default_rng(7)
    lim = {2: 17.0, 4: 104.0, 8: 745.0}[dtype.itemsize]
    x = np.concatenate([
        rng.uniform(-lim, lim, 2000), rng.standard_normal(500) * 3, [0.0, -lim, lim, -740.0 if lim > 740 else -lim / 2],
    ]).astype(dtype)
    with mp.workdps(50):
        exact = [1 / (1 + mp.exp(-mp.mpf(float(v)))) for v in x]
        return _ulps(sl.sigmoid(x), exact, dtype).max()


def _measure_cross_entropy():
    worst = 0.0
    for _name, z, _t in _rows(np.float64):
        if z.size > 100:
            z = z[:100]
        with mp.workdps(50):
            zs = [mp.mpf(float(v)) for v in z]
            _, logp, _ = _exact_softmax(zs)
            labels = np.arange(z.size)
            got = sl.cross_entropy(np.broadcast_to(z, (z.size, z.size)), labels, reduction="none")
            exact = [-logp[k] for k in labels]
            finite = [np.isfinite(g) and mp.isfinite(e) for g, e in zip(got, exact)]
            err = _ulps(got[finite], [e for e, f in zip(exact, finite) if f], np.float64)
            worst = max(worst, err.max())
    return worst


BOUNDS = {
    "float64": {"softmax net": 4, "softmax raw": 200, "log_softmax": 2, "logsumexp": 1.5,
                "sigmoid": 2, "cross_entropy": 2.5},
    "float32": {"softmax net": 4, "softmax raw": 70, "log_softmax": 2, "logsumexp": 1.5,
                "sigmoid": 1},
    "float16": {"softmax net": 0.75, "softmax raw": 0.75, "log_softmax": 0.75,
                "logsumexp": 0.75, "sigmoid": 0.75},
}


if __name__ == "__main__":  # print the table for the comment at the top
    for d in ("float64", "float32", "float16"):
        print(d, {k: round(float(v), 3) for k, v in measure(d).items()})


@pytest.mark.parametrize(
    "dtype_name, quantity",
    [(d, q) for d, qs in BOUNDS.items() for q in qs],
)
def test_accuracy_bound(dtype_name, quantity):
    measured = measure(dtype_name)[quantity]
    assert measured <= BOUNDS[dtype_name][quantity], (dtype_name, quantity, measured)


def test_output_dtypes_in_accuracy_cases():
    for dtype in (np.float16, np.float32, np.float64):
        for _name, x, t in _rows(dtype)[:3]:
            assert sl.softmax(x, temperature=t).dtype == dtype
            assert sl.log_softmax(x, temperature=t).dtype == dtype
