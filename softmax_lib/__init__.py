r"""softmax_lib: exact, stable and fast softmax and its relatives, in pure numpy.

>>> import softmax_lib as sl
>>> sl.softmax([1000.0, 0.0])
array([1., 0.])

Functions
---------
softmax, log_softmax, logsumexp
    Stable along any axis, with an optional temperature; no overflow or numpy warning for
    any finite input.
naive_softmax
    The textbook ``exp(x) / sum(exp(x))``, kept so the course can show it fail.
sigmoid
    The two-class special case, stable for large ``|x|`` in both directions.
cross_entropy, cross_entropy_grad
    Loss from logits (never through ``log(softmax)``) and its gradient ``p - y``.
softmax_jacobian
    ``diag(p) - p p^T`` for one vector.

Input conventions
-----------------
dtypes
    float64 → float64; float32 → float32; float16 is computed in float32 and returned as
    float16; integers and bools → float64. Any shape; ``axis`` as in numpy.
Non-finite values
    NaN in a row makes that row NaN and leaves the others untouched. An infinite logit
    gives the mathematical limit where one exists (``softmax([inf, 0]) == [1, 0]``,
    ``log_softmax([-inf, 0]) == [-inf, 0]``, ``logsumexp([-inf, -inf]) == -inf``,
    ``sigmoid([inf, -inf]) == [1, 0]``). Where the limit depends on the path (a row of only
    ``-inf``, or two or more ``+inf``) softmax and log_softmax return NaN for that row.
Empty axes
    softmax and log_softmax return an empty array of the same shape; logsumexp returns
    ``-inf`` (the log of an empty sum); cross_entropy of an empty batch is 0 for "sum" and
    NaN for "mean"; zero classes with a non-empty batch is a ValueError.

Bad input
---------
Every error names the function and the argument.

====================================================  ===================================
input                                                 error
====================================================  ===================================
strings, objects or None as ``x``/``logits``/target   ``TypeError``
complex input                                         ``TypeError``
``axis`` out of range (or a 0-d input)                ``numpy.exceptions.AxisError``
``axis`` not an int                                   ``TypeError``
``temperature`` ≤ 0, NaN or inf                       ``ValueError``
``temperature`` not a real scalar                     ``TypeError``
label negative, ≥ number of classes, or fractional    ``ValueError`` (names the index)
bool labels                                           ``TypeError``
``target`` of neither accepted shape                  ``ValueError`` (gives both shapes)
probability row negative/NaN or not summing to 1      ``ValueError`` (names the row)
unknown ``reduction``                                 ``ValueError`` (lists the choices)
``softmax_jacobian`` of a non-1-D ``x``               ``ValueError``
====================================================  ===================================
"""

from softmax_lib.cross_entropy import cross_entropy, cross_entropy_grad
from softmax_lib.jacobian import softmax_jacobian
from softmax_lib.logsumexp import logsumexp
from softmax_lib.sigmoid import sigmoid
from softmax_lib.softmax import log_softmax, naive_softmax, softmax

__all__ = [
    "softmax",
    "log_softmax",
    "logsumexp",
    "naive_softmax",
    "sigmoid",
    "cross_entropy",
    "cross_entropy_grad",
    "softmax_jacobian",
]
__version__ = "0.1.0"
