r"""softmax_lib: exact, stable and fast softmax and its relatives, in pure numpy.

>>> import softmax_lib as sl
>>> sl.softmax([1000.0, 0.0])
array([1., 0.])

Functions
---------
softmax, log_softmax, logsumexp
    Stable along any axis, with an optional temperature.
naive_softmax
    The textbook ``exp(x) / sum(exp(x))``, kept so the course can show it fail.
sigmoid
    The two-class special case, stable for large ``|x|`` in both directions.
cross_entropy, cross_entropy_grad
    Loss from logits (never through ``log(softmax)``) and its gradient ``p - y``.
softmax_jacobian
    ``diag(p) - p p^T`` for one vector.
online_logsumexp, online_softmax
    One pass over chunks with a running maximum, as in fused attention.
attention_weights, scaled_dot_product_attention
    Row-wise ``softmax(q k^T / sqrt(d))`` with an optional boolean mask, and those weights
    times ``v``.
sparsemax
    The Euclidean projection onto the probability simplex: sums to 1, with exact zeros.
sparsemax_jacobian, sparsemax_vjp
    ``diag(s) - s s^T / |S|`` for one vector, and its O(n) product along any axis.
entmax15
    1.5-entmax: between softmax and sparsemax, exact zeros and a continuous Jacobian.
flash_attention, flash_attention_backward
    Attention over query and key/value tiles with the online rescaling (O(N d) memory),
    and its gradients from the stored per-row log-sum-exp.
hierarchical_log_prob, balanced_clusters
    A two-level softmax over about sqrt(n) clusters: O(sqrt(n) d) work per example.

Conventions shared by every function
------------------------------------
Each function's docstring is the reference for its own behaviour (NaN, infinities, empty
axes, errors); what they have in common:

- float64 and float32 are computed and returned in their own dtype, float16 is computed in
  float32 and rounded once at the end, integers and bools give float64; any shape, ``axis``
  as in numpy.
- No numpy warning is emitted for any input, except by :func:`naive_softmax`, which behaves
  exactly like the numpy one-liner on purpose.
- A NaN in a row makes that row NaN and leaves the others untouched; an infinite input gives
  the mathematical limit where one exists, and NaN where it depends on the path.

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
``sparsemax_jacobian`` of a non-1-D or empty ``x``     ``ValueError`` (gives the shape)
``block_q``/``block_k`` 0 or negative                  ``ValueError`` (gives the value)
``block_q``/``block_k`` not an int (float, bool, str)  ``TypeError``
=====================================================  ==================================
"""

from softmax_lib.attention import attention_weights, scaled_dot_product_attention
from softmax_lib.cross_entropy import cross_entropy, cross_entropy_grad
from softmax_lib.entmax import entmax15
from softmax_lib.flash import flash_attention, flash_attention_backward
from softmax_lib.hierarchical import balanced_clusters, hierarchical_log_prob
from softmax_lib.jacobian import softmax_jacobian
from softmax_lib.logsumexp import logsumexp
from softmax_lib.naive import naive_softmax
from softmax_lib.online import online_logsumexp, online_softmax
from softmax_lib.sigmoid import sigmoid
from softmax_lib.softmax import log_softmax, softmax
from softmax_lib.sparsemax import sparsemax
from softmax_lib.sparsemax_grad import sparsemax_jacobian, sparsemax_vjp

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
    "sparsemax_jacobian",
    "sparsemax_vjp",
    "entmax15",
    "flash_attention",
    "flash_attention_backward",
    "hierarchical_log_prob",
    "balanced_clusters",
]
__version__ = "0.1.0"
