"""Peak memory and time of blockwise (flash) attention against full attention.

For N queries and N keys of width d (default N = 1024, 2048, 4096; d = 64; float64):
- peak: the tracemalloc peak of one call, inputs excluded (numpy reports its buffers to
  tracemalloc), in MiB; full attention holds the N x N scores and weights (O(N^2)),
  blockwise attention the N x d output and one block_q x block_k tile (O(N d));
- time: best of a few calls in CPU seconds of the process, with BLAS limited to one thread
  (threadpoolctl, if installed) so that the two are compared on equal terms and other jobs
  on the machine do not count (OpenBLAS's threads make the tile-sized products of blockwise
  attention erratic on a busy machine);
- ulps: max |flash - full| / spacing((|A| |V|)_ij), the difference in units of the last place
  of the sum of magnitudes each output entry is formed from (an entrywise ulp would be
  meaningless where the weighted sum cancels to near 0).

Timing and memory are never asserted in tests. Usage:
    python -m benchmarks.attention_memory [--quick]     (--quick: N up to 2048, no sweep)
"""

from __future__ import annotations

import contextlib
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

import softmax_lib as sl
from softmax_lib.flash import DEFAULT_BLOCK, flash_attention

MIB = 2.0**20


def one_blas_thread() -> contextlib.AbstractContextManager[Any]:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # timings then use every BLAS thread
        return contextlib.nullcontext()
    return threadpool_limits(1)


def peak_bytes(fn: Callable[[], Any]) -> int:
    """tracemalloc peak of one call of ``fn`` (the result included, the inputs not)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def best_time(fn: Callable[[], Any], reps: int = 3) -> float:
    """Best of ``reps`` calls, in CPU seconds of this process (user + system): with one
    BLAS thread this is the compute time, whatever else the machine is running."""
    times = []
    for _ in range(reps):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return min(times)


def measure(n: int, d: int = 64, block: int = DEFAULT_BLOCK, seed: int = 0) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    q, k, v = (rng.normal(size=(n, d)) for _ in range(3))
    causal = np.tril(np.ones((n, n), dtype=bool))

    def full() -> Any:
        return sl.scaled_dot_product_attention(q, k, v)

    def flash() -> Any:
        return flash_attention(q, k, v, block_q=block, block_k=block)

    out_full, out_flash = full(), flash()
    mag = np.abs(sl.attention_weights(q, k)) @ np.abs(v)
    ulps = float(np.max(np.abs(out_flash - out_full) / np.spacing(mag)))
    c_full = sl.scaled_dot_product_attention(q, k, v, mask=causal)
    c_flash = flash_attention(q, k, v, causal, block_q=block, block_k=block)
    c_mag = np.abs(sl.attention_weights(q, k, mask=causal)) @ np.abs(v)
    c_ulps = float(np.max(np.abs(c_flash - c_full) / np.spacing(c_mag)))
    del out_full, out_flash, mag, c_full, c_flash, c_mag
    return {
        "peak_full": peak_bytes(full) / MIB,
        "peak_flash": peak_bytes(flash) / MIB,
        "t_full": best_time(full),
        "t_flash": best_time(flash),
        "ulps": ulps,
        "ulps_causal": c_ulps,
        "scores_mib": n * n * 8 / MIB,
        "out_mib": n * d * 8 / MIB,
    }


def main(quick: bool = False) -> None:
    with one_blas_thread():
        run(quick)


def run(quick: bool) -> None:
    sizes = (1024, 2048) if quick else (1024, 2048, 4096)
    d = 64
    print(f"d = {d}, float64, block_q = block_k = {DEFAULT_BLOCK}")
    header = (
        f"{'N':>6s} {'full MiB':>9s} {'flash MiB':>10s} {'ratio':>7s} {'N^2 MiB':>8s} "
        f"{'N d MiB':>8s} {'full s':>7s} {'flash s':>8s} {'ulps':>5s} {'causal':>7s}"
    )
    print(header)
    print("-" * len(header))
    for n in sizes:
        r = measure(n, d)
        print(
            f"{n:6d} {r['peak_full']:9.1f} {r['peak_flash']:10.2f} "
            f"{r['peak_full'] / r['peak_flash']:7.1f} {r['scores_mib']:8.1f} {r['out_mib']:8.2f} "
            f"{r['t_full']:7.3f} {r['t_flash']:8.3f} {r['ulps']:5.1f} {r['ulps_causal']:7.1f}"
        )
    if not quick:
        n = sizes[-1]
        print(f"\nblock size sweep at N = {n}")
        print(f"{'block':>6s} {'flash MiB':>10s} {'flash s':>8s}")
        rng = np.random.default_rng(1)
        q, k, v = (rng.normal(size=(n, d)) for _ in range(3))
        for b in (32, 128, 512):

            def call(b: int = b) -> Any:
                return flash_attention(q, k, v, block_q=b, block_k=b)

            print(f"{b:6d} {peak_bytes(call) / MIB:10.2f} {best_time(call, 2):8.3f}")
    print(
        "\npeak: tracemalloc peak of one call (MiB); ratio: full / flash; N^2 MiB: one N x N "
        "float64 matrix;\nN d MiB: the output; ulps: max |flash - full| in ulps of (|A| |V|), "
        "no mask and causal."
    )


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
