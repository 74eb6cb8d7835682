"""The accuracy targets of softmax_lib: the largest error allowed, in ulps of the output dtype,
against the exact value on the case set of ``benchmarks.cases``.

One table, read by ``tests/lib/test_accuracy.py`` (which asserts every cell, with the library's
fast paths on and off), by ``python -m benchmarks.accuracy`` (which prints the library's error
beside each target) and by the appendix "How exact and how fast" (which draws them).

Rows (the error measures are defined in ``benchmarks.cases``):

- ``softmax raw``: the plain error of softmax. It includes the shift allowance, the
  conditioning of softmax under the rounding of ``x - max`` (and of the division by T), so it
  grows with the spread of a row and is a property of the case set as much as of the library.
- ``softmax net``: the error of softmax net of the shift allowance: what is left for the
  algorithm to answer for.
- ``log_softmax``, ``logsumexp``, ``sigmoid``, and ``cross_entropy`` per example (labels: the
  argmax and random ones).

0.5 ulp is the best any method can do (the exact value rounded to the nearest float). A
float16 result is computed in float32 and rounded once, hence the 0.75 bounds.
"""

from __future__ import annotations

TARGETS: dict[str, dict[str, float]] = {
    "softmax raw": {"float64": 200, "float32": 70, "float16": 0.75},
    "softmax net": {"float64": 4, "float32": 4, "float16": 0.75},
    "log_softmax": {"float64": 4, "float32": 2, "float16": 1},
    "logsumexp": {"float64": 1.5, "float32": 1.5, "float16": 0.75},
    "sigmoid": {"float64": 2, "float32": 1, "float16": 0.75},
    "cross_entropy": {"float64": 4, "float32": 2, "float16": 1},
}
FUNCTIONS: tuple[str, ...] = tuple(TARGETS)


def target(function: str, dtype_name: str) -> float:
    """The target of ``function`` (a row of ``TARGETS``) in ``dtype_name`` ("float64", ...)."""
    return TARGETS[function][dtype_name]
