"""The one switch for the fast paths, and every threshold that was tuned by measurement.

A fast path gives the same result as the plain path it replaces, up to the last bits of a
sum whose terms it adds in another order (both stay within the library's accuracy targets);
it only changes how the work is cut into numpy calls. ``with fast_paths(False):`` takes the
plain path everywhere, which is what the accuracy tests use to check that claim.

The thresholds were measured on a 2-core x86-64 machine (AVX2 kernels, numpy 2.4); another
machine may prefer other values, never other results.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# Many short rows along a contiguous axis are reduced slice by slice, one elementwise
# operation over all rows per entry: numpy's own reduction pays a fixed cost per row, about
# 4x the work itself for 10 entries. Only for rows of at most SHORT_ROW entries...
SHORT_ROW = 16
# ...and at least ROWS_PER_ENTRY * n rows of n entries (fewer rows: the n calls cost more).
ROWS_PER_ENTRY = 64
# softmax takes many short rows (up to BLOCK_ROWS_UP_TO entries along the last axis) in runs of
# about CHUNK elements: per-row arrays are 1/n of the data, too much memory at full size when
# n is small; longer rows gain nothing. (log_softmax takes rows of any length in blocks.)
BLOCK_ROWS_UP_TO = 64
# Elements per chunk of the dominant-row correction and of those runs: 1 MiB of float64, few
# enough chunks that the per-chunk calls do not count, and a bounded scratch.
CHUNK = 1 << 17
# The dominant-row correction takes all rows as views when at least this share of them
# needs it (fewer: only those rows, gathered; gathering costs about a pass over them).
DENSE_SHARE = 0.75

# Along a strided axis row_sum adds SUM_BLOCK slices at a time, then the block sums: an error
# growing like log n as numpy's pairwise sum has along a contiguous axis, for one pass more
# over 1/SUM_BLOCK of the data. (Not a fast path: numpy alone would add all n in sequence.)
SUM_BLOCK = 32

# The fast paths are on unless a ``with fast_paths(...)`` block says otherwise; setting this to
# False turns them off for the whole process (every thread and context) at once.
DEFAULT = True

_enabled: ContextVar[bool | None] = ContextVar("softmax_lib_fast_paths", default=None)


@contextmanager
def fast_paths(enabled: bool) -> Iterator[None]:
    """Turn every fast path on or off inside a ``with`` block (the default is ``DEFAULT``,
    on). Local to the thread or asyncio context; blocks nest.

    >>> import numpy as np, softmax_lib as sl
    >>> from softmax_lib._engine import fast_paths, fast_paths_enabled
    >>> with fast_paths(False):
    ...     p = sl.softmax(np.zeros((1000, 4)))
    ...     fast_paths_enabled()
    False
    >>> fast_paths_enabled()
    True
    """
    token = _enabled.set(bool(enabled))
    try:
        yield
    finally:
        _enabled.reset(token)


def fast_paths_enabled() -> bool:
    """Whether the fast paths are on here: the innermost ``fast_paths`` block, else
    ``DEFAULT``."""
    enabled = _enabled.get()
    return DEFAULT if enabled is None else enabled
