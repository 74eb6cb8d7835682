"""Speed of softmax_lib against scipy.special and the naive formula (``make bench``).

Best-of-many wall time per call, one process, same input array for every contender; the
ratio columns are time / scipy.special time (lower is better), and time / one bare
``np.exp(x, out=buf)`` pass over a preallocated array of the same shape. Peak memory is the
tracemalloc peak of one call divided by the input's size. Timing is never asserted in tests.

Usage: python -m benchmarks.speed [--quick]
"""

from __future__ import annotations

import math
import sys
import time
import tracemalloc
from functools import partial

import numpy as np
import scipy.special

import softmax_lib as sl

# (label, shape, dtype, axis, target softmax/scipy, target log_softmax/scipy)
CONFIGS = [
    ("1-D 10^6", (1_000_000,), np.float64, -1, 0.9, 1.0),
    ("(1000,1000) axis -1", (1000, 1000), np.float64, -1, 0.8, 1.0),
    ("(100000,10) axis -1", (100_000, 10), np.float64, -1, 1.0, 1.0),
    ("(2048,2048) f32 axis -1", (2048, 2048), np.float32, -1, 0.8, 1.0),
    ("(1000,1000) axis 0", (1000, 1000), np.float64, 0, 1.05, 1.15),
]


def naive(x, axis):
    with np.errstate(all="ignore"):
        e = np.exp(x)
        return e / e.sum(axis=axis, keepdims=True)


def best_time(fn, budget=0.6, min_reps=5, max_reps=200):
    fn()  # warm up (page faults, caches)
    times = []
    start = time.perf_counter()
    while len(times) < max_reps and (len(times) < min_reps or time.perf_counter() - start < budget):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def peak_ratio(fn, nbytes):
    fn()
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / nbytes


def main(quick=False):
    budget = 0.15 if quick else 0.6
    rng = np.random.default_rng(0)
    header = (
        f"{'case':26s} {'fn':12s} {'lib ms':>8s} {'scipy ms':>9s} {'naive ms':>9s} "
        f"{'lib/scipy':>9s} {'target':>6s} {'lib/exp':>8s} {'peak/in':>8s}  ok"
    )
    print(header)
    print("-" * len(header))
    for label, shape, dtype, axis, tgt_sm, tgt_ls in CONFIGS:
        x = rng.normal(0, 4, shape).astype(dtype)
        buf = np.empty_like(x)
        t_exp = best_time(partial(np.exp, x, out=buf), budget)
        for fn_name, lib, ref, tgt, exp_tgt, mem_tgt in (
            ("softmax", sl.softmax, scipy.special.softmax, tgt_sm, 4.5, 1.1),
            ("log_softmax", sl.log_softmax, scipy.special.log_softmax, tgt_ls, 6.0, 2.1),
        ):
            call = partial(lib, x, axis=axis)
            t_lib = best_time(call, budget)
            t_ref = best_time(partial(ref, x, axis=axis), budget)
            t_naive = (
                best_time(partial(naive, x, axis), budget) if fn_name == "softmax" else math.nan
            )
            mem = peak_ratio(call, x.nbytes)
            ratio = t_lib / t_ref
            ok = ratio <= tgt and t_lib / t_exp <= exp_tgt and mem <= mem_tgt
            times = f"{t_lib * 1e3:8.2f} {t_ref * 1e3:9.2f} {t_naive * 1e3:9.2f}"
            print(
                f"{label:26s} {fn_name:12s} {times} "
                f"{ratio:9.2f} {tgt:6.2f} {t_lib / t_exp:8.2f} {mem:8.2f}  {'yes' if ok else 'NO'}"
            )
    print(
        "\nlib/scipy: time / scipy.special time; lib/exp: time / one np.exp pass (targets 4.5 for"
        "\nsoftmax, 6 for log_softmax); peak/in: tracemalloc peak / input bytes (targets 1.1, 2.1)."
    )


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
