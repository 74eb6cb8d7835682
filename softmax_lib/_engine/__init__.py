"""The precision and speed machinery behind softmax_lib's public functions (private).

The public modules read like the chapters: validate, shift, exponentiate, sum, normalise.
What makes them exact and fast lives here, in building blocks that are tested one by one
(``tests/lib/engine``). A roadmap, from the bottom up:

:mod:`.compensated`
    Error-free transformations: ``two_sum`` (Knuth's TwoSum, TAOCP vol. 2, section 4.2.2)
    gives the exact rounding error of a sum, ``two_prod`` (Dekker 1971, with Veltkamp's
    split; numpy has no fused multiply-add) that of a product.
:mod:`.reductions`
    Row maxima and row sums along any axis, with an error growing like ``log n`` also along
    a strided axis, and the cutting of many short rows into cache-sized blocks.
:mod:`.nonfinite`
    Rows with a non-finite maximum, in one place: the shift (the maximum, or 0), the limits
    softmax takes there (one-hot or NaN), and ``quiet()``, the one errstate of the kernels.
:mod:`.logsum`
    The log-sum kernel of logsumexp, log_softmax and cross_entropy: shift by the maximum, so
    nothing overflows (Blanchard, D. J. Higham & N. J. Higham 2021), and in rows where one
    entry dominates, ``log1p`` of the sum without it, corrected to first order for the
    rounding of each argument, so the result keeps all its digits.
:mod:`.running`
    The running maximum and sum of an online (one-pass) logsumexp over chunks, rescaled
    when a chunk raises the maximum (Milakov & Gimelshein 2018).
:mod:`.tuning`
    :func:`fast_paths`, the one switch for every fast path (``with fast_paths(False):``
    computes everything the plain way, within the same accuracy targets), and every
    threshold tuned by measurement, each with the reason for it.

References
----------
P. Blanchard, D. J. Higham, N. J. Higham, "Accurately computing the log-sum-exp and softmax
functions", IMA Journal of Numerical Analysis 41(4), 2021.

D. E. Knuth, The Art of Computer Programming, vol. 2: Seminumerical Algorithms, 3rd ed.,
Addison-Wesley, 1998, section 4.2.2 (TwoSum).

T. J. Dekker, "A floating-point technique for extending the available precision",
Numerische Mathematik 18, 1971.
"""

from softmax_lib._engine.compensated import split, sum_error, two_prod, two_sum
from softmax_lib._engine.logsum import LogSum, Scratch, argument_rounding_error, shifted_log_sum
from softmax_lib._engine.nonfinite import RowLimits, finite_shift, quiet, row_limits
from softmax_lib._engine.reductions import along, pairwise_sum, row_blocks, row_max, row_sum
from softmax_lib._engine.running import RunningLogSum
from softmax_lib._engine.tuning import fast_paths, fast_paths_enabled

__all__ = [
    "LogSum",
    "RowLimits",
    "RunningLogSum",
    "Scratch",
    "along",
    "argument_rounding_error",
    "fast_paths",
    "fast_paths_enabled",
    "finite_shift",
    "pairwise_sum",
    "quiet",
    "row_blocks",
    "row_limits",
    "row_max",
    "row_sum",
    "shifted_log_sum",
    "split",
    "sum_error",
    "two_prod",
    "two_sum",
]
