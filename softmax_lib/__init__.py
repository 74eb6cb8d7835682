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
online_logsumexp, online_softmax
    One pass over chunks with a running maximum and a rescaled running sum, as in fused
    attention; equal to the full computation up to rounding.
attention_weights, scaled_dot_product_attention
    Row-wise ``softmax(q k^T / sqrt(d))`` with an optional boolean mask (masked scores are
    ``-inf``, so their weights are exactly 0; a query with every key masked is a ValueError),
    and those weights times ``v``.
sparsemax
    The Euclidean projection onto the probability simplex (Martins & Astudillo 2016): like
    softmax it sums to 1 and keeps the order, but gives exact zeros; costs a sort per row.

Input conventions
-----------------
dtypes
    float64 → float64; float32 → float32; float16 is computed in float32 and returned as
    float16 (sigmoid computes float16 and float32 in float64); longdouble is computed and
    returned in longdouble (as accurate as the platform's ``exp``/``log`` for it); integers
    and bools → float64. Python lists and scalars are accepted. Any shape; ``axis`` as in
    numpy, negative values counting from the end. A 0-d input has no axis, so softmax,
    log_softmax, logsumexp, naive_softmax and cross_entropy raise numpy's ``AxisError`` for
    it (sigmoid is elementwise and accepts it).
Warnings
    No function emits a numpy warning for any input, except :func:`naive_softmax`, which on
    purpose behaves exactly like the numpy one-liner and emits numpy's ``RuntimeWarning``
    ("overflow encountered in exp", "invalid value encountered in divide").
Non-finite values
    NaN in a row makes that row NaN and leaves the others untouched. An infinite logit
    gives the mathematical limit where one exists (``softmax([inf, 0]) == [1, 0]``,
    ``log_softmax([-inf, 0]) == [-inf, 0]``, ``logsumexp([-inf, -inf]) == -inf``,
    ``logsumexp([inf, 0]) == inf``, ``sigmoid([inf, -inf]) == [1, 0]``). Where the limit
    depends on the path (a row of only ``-inf``, i.e. 0/0, or a row with two or more
    ``+inf``) softmax and log_softmax return NaN for that row, without a warning.
Empty axes
    softmax and log_softmax return an empty array of the same shape; logsumexp returns
    ``-inf`` (the log of an empty sum); cross_entropy of an empty batch is 0 for "sum" and
    NaN (without a warning, like the mean of nothing) for "mean"; zero classes with a
    non-empty batch is a ValueError.
Probability targets
    Rows must be ≥ 0 and sum to 1 within a tolerance set by the target's dtype: 1e-9 for
    float64 (and integer targets), 1e-6 for float32, 4e-3 for float16.

Bad input
---------
Every error names the function and the argument, e.g. ``softmax: x must be an array of real
numbers, got dtype <U3``.

=====================================================  ==================================
input                                                  error
=====================================================  ==================================
strings, objects or None as ``x``/``logits``/target    ``TypeError`` (gives the dtype)
complex input                                          ``TypeError`` (complex unsupported)
``axis`` out of range (or a 0-d input)                 ``numpy.exceptions.AxisError``
``axis`` not an int (float, None, bool)                ``TypeError``
``temperature`` ≤ 0, NaN or inf                        ``ValueError`` (gives the value)
``temperature`` not a real scalar (array, str, bool)   ``TypeError`` (gives the value)
label negative, ≥ number of classes, or fractional     ``ValueError`` (example index, value)
bool labels                                            ``TypeError``
``target`` of neither accepted shape                   ``ValueError`` (gives both shapes)
probability row negative/NaN or not summing to 1       ``ValueError`` (row index, min/sum)
zero classes with a non-empty batch                    ``ValueError``
unknown ``reduction``                                  ``ValueError`` (lists the choices)
``softmax_jacobian`` of a non-1-D ``x``                ``ValueError`` (gives the shape)
=====================================================  ==================================
"""

from softmax_lib.attention import attention_weights, scaled_dot_product_attention
from softmax_lib.cross_entropy import cross_entropy, cross_entropy_grad
from softmax_lib.jacobian import softmax_jacobian
from softmax_lib.logsumexp import logsumexp
from softmax_lib.online import online_logsumexp, online_softmax
from softmax_lib.sigmoid import sigmoid
from softmax_lib.softmax import log_softmax, naive_softmax, softmax
from softmax_lib.sparsemax import sparsemax

__all__ = [
    "softmax",
    "log_softmax",
    "logsumexp",
    "naive_softmax",
    "sigmoid",
    "cross_entropy",
    "cross_entropy_grad",
    "softmax_jacobian",
    "online_logsumexp",
    "online_softmax",
    "attention_weights",
    "scaled_dot_product_attention",
    "sparsemax",
]
__version__ = "0.1.0"
