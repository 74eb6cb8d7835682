"""Cost per example of the two-level hierarchical softmax against the full softmax.

For n classes (default 10^3, 10^4, 10^5), hidden width d = 64, a batch of 512 examples with
random targets, float64:
- full: ``log_softmax(h @ W + b)`` at the targets, n d multiply-adds per example;
- hierarchical: :func:`softmax_lib.hierarchical.hierarchical_log_prob` with
  ``balanced_clusters(n)`` (ceil(sqrt(n)) clusters), (C + |c(y)|) d multiply-adds;
- time per example: best of a few calls / batch size, in CPU seconds of the process with
  BLAS limited to one thread (threadpoolctl, if installed), as in
  :mod:`benchmarks.attention_memory`; the speed-up is full / hierarchical.

Timing is never asserted in tests. Usage: python -m benchmarks.hierarchical [--quick]
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

import softmax_lib as sl
from benchmarks.attention_memory import best_time, one_blas_thread
from softmax_lib.hierarchical import balanced_clusters, hierarchical_log_prob


def measure(n: int, d: int = 64, batch: int = 512, seed: int = 0) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    clusters = balanced_clusters(n)
    c = int(clusters[-1]) + 1
    h = rng.normal(size=(batch, d))
    W_cluster, b_cluster = rng.normal(0, 0.1, (d, c)), np.zeros(c)
    W, b = rng.normal(0, 0.1, (d, n)), np.zeros(n)
    targets = rng.integers(0, n, batch)
    rows = np.arange(batch)

    def full() -> Any:
        return sl.log_softmax(h @ W + b)[rows, targets]

    def hier() -> Any:
        return hierarchical_log_prob(h, W_cluster, b_cluster, W, b, targets, clusters)

    sizes = np.bincount(clusters)
    t_full, t_hier = best_time(full), best_time(hier, 5)
    return {
        "clusters": c,
        "madds_full": n * d,
        "madds_hier": float((c + sizes[clusters[targets]]).mean() * d),
        "us_full": t_full / batch * 1e6,
        "us_hier": t_hier / batch * 1e6,
    }


def main(quick: bool = False) -> None:
    ns = (1_000, 10_000) if quick else (1_000, 3_000, 10_000, 30_000, 100_000)
    print("d = 64, batch of 512 examples, float64, one BLAS thread, CPU time")
    header = (
        f"{'n':>7s} {'C':>4s} {'madds full':>11s} {'madds hier':>11s} {'ratio':>6s} "
        f"{'full us/ex':>10s} {'hier us/ex':>10s} {'speed-up':>8s}"
    )
    print(header)
    print("-" * len(header))
    with one_blas_thread():
        for n in ns:
            r = measure(n)
            print(
                f"{n:7d} {r['clusters']:4.0f} {r['madds_full']:11.0f} {r['madds_hier']:11.0f} "
                f"{r['madds_full'] / r['madds_hier']:6.1f} {r['us_full']:10.2f} "
                f"{r['us_hier']:10.2f} {r['us_full'] / r['us_hier']:8.1f}"
            )
    print(
        "\nmadds: multiply-adds per example for the scores (n d for the full softmax, "
        "(C + |c(y)|) d for\nthe hierarchical one); us/ex: microseconds per example; "
        "speed-up: full / hierarchical time."
    )


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
