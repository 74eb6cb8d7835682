"""The backward pass of blockwise ("flash") attention: the gradients with respect to the
queries, keys and values, recomputing the probabilities tile by tile from the per-row
log-sum-exp stored by the forward pass (:mod:`softmax_lib.flash`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from softmax_lib._engine import quiet
from softmax_lib._flash_tiles import DEFAULT_BLOCK, check, forward, scores
from softmax_lib._validate import as_real_array


def _unbroadcast(grad: NDArray[Any], shape: tuple[int, ...]) -> NDArray[Any]:
    """Sum a gradient over the batch axes along which its argument was broadcast."""
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + a for a, n in enumerate(shape[:-2]) if n == 1 and grad.shape[lead + a] != 1
    )
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def flash_attention_backward(
    q: ArrayLike,
    k: ArrayLike,
    v: ArrayLike,
    do: ArrayLike,
    mask: ArrayLike | None = None,
    *,
    o: ArrayLike | None = None,
    lse: ArrayLike | None = None,
    block_q: int = DEFAULT_BLOCK,
    block_k: int = DEFAULT_BLOCK,
    scale: float | None = None,
) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any]]:
    r"""Gradients of blockwise attention with respect to `q`, `k` and `v`, tile by tile.

    The book builds it in the chapter "Softmax in attention"
    (``chapters/attention.ipynb``).

    Parameters
    ----------
    q, k, v, mask, block_q, block_k, scale
        As in :func:`flash_attention`.
    do : array_like, shape (..., n_q, d_v)
        The upstream gradient :math:`dO = \partial L / \partial O`, the shape of the output
        (with the batch axes broadcast).
    o, lse : array_like, optional
        The forward pass's output and per-row log-sum-exp
        (``flash_attention(..., return_lse=True)``), both or neither; if omitted they are
        recomputed by one forward pass.

    Returns
    -------
    dq, dk, dv : ndarray
        :math:`\partial L / \partial q`, :math:`\partial L / \partial k`,
        :math:`\partial L / \partial v`, each the shape and dtype (under the library's
        policy) of its argument; gradients of broadcast batch axes are summed.

    Raises
    ------
    TypeError
        As in :func:`flash_attention`, and if `do`, `o` or `lse` is not real.
    ValueError
        As in :func:`flash_attention`; if `do` or `o` does not have the output's shape or
        `lse` the shape ``(..., n_q)``; or if only one of `o` and `lse` is given.

    Notes
    -----
    With :math:`S = s\, Q K^\top` (masked: :math:`-\infty`), :math:`P = \operatorname{softmax}(S)`
    row by row and :math:`O = P V`:

    .. math:: dV = P^\top dO, \quad dP = dO\, V^\top, \quad
              dS = P \odot (dP - D), \quad D = \operatorname{rowsum}(dO \odot O), \quad
              dQ = s\, dS\, K, \quad dK = s\, dS^\top Q .

    :math:`dS` is the softmax vector-Jacobian product
    :math:`dS_{i\cdot} = P_{i\cdot} \odot (dP_{i\cdot} - P_{i\cdot}^\top dP_{i\cdot})`, and
    :math:`P_{i\cdot}^\top dP_{i\cdot} = dO_i^\top V^\top P_{i\cdot} = dO_i^\top O_i = D_i`:
    one dot product per row of :math:`n_q \times d_v` arrays, with no row of :math:`P` in
    full. Each tile of :math:`P` is recomputed from the stored log-sum-exp as
    :math:`e^{S - \operatorname{LSE}}` (no running maximum needed), so the memory is
    :math:`O((n_q + n_k)\, d + b_q b_k)`. Masked entries get :math:`P = 0`, so no gradient
    flows through them. Rows with non-finite scores give NaN gradients. No numpy warning is
    emitted.

    References
    ----------
    .. [1] T. Dao, D. Y. Fu, S. Ermon, A. Rudra and C. Ré, "FlashAttention: fast and
       memory-efficient exact attention with IO-awareness", NeurIPS 2022 (Algorithm 4).

    See Also
    --------
    flash_attention : the forward pass.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_lib.flash import flash_attention, flash_attention_backward
    >>> rng = np.random.default_rng(1)
    >>> q, k, v = rng.normal(size=(3, 2)), rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    >>> g = rng.normal(size=(3, 2))                      # L = sum(g * O), so dO = g
    >>> dq, dk, dv = flash_attention_backward(q, k, v, g, block_q=2, block_k=2)
    >>> h = 1e-6; e = np.zeros_like(q); e[1, 0] = h       # one finite difference
    >>> fd = (np.sum(g * flash_attention(q + e, k, v)) -
    ...       np.sum(g * flash_attention(q - e, k, v))) / (2 * h)
    >>> bool(abs(fd - dq[1, 0]) < 1e-8)
    True
    """
    func = "flash_attention_backward"
    c = check(q, k, v, mask, scale, block_q, block_k, func)
    batch, n_q, n_k = c.q.shape[:-2], c.q.shape[-2], c.k.shape[-2]
    out_shape = (*batch, n_q, c.v.shape[-1])
    dtype = c.q.dtype
    do_a, _ = as_real_array(do, func, "do")
    if do_a.shape != out_shape:
        raise ValueError(
            f"{func}: do must have the output's shape {out_shape} (..., n_q, d_v), got {do_a.shape}"
        )
    if (o is None) != (lse is None):
        raise ValueError(f"{func}: give both o and lse (from the forward pass), or neither")
    if o is None or lse is None:
        o_a, lse_a = forward(c)
    else:
        o_a = as_real_array(o, func, "o")[0].astype(dtype, copy=False)
        lse_a = as_real_array(lse, func, "lse")[0].astype(dtype, copy=False)
        if o_a.shape != out_shape:
            raise ValueError(f"{func}: o must have the output's shape {out_shape}, got {o_a.shape}")
        if lse_a.shape != out_shape[:-1]:
            raise ValueError(
                f"{func}: lse must have shape {out_shape[:-1]} (..., n_q), got {lse_a.shape}"
            )
        lse_a = lse_a[..., None]
    do_a = do_a.astype(dtype, copy=False)
    dq = np.zeros(c.q.shape, dtype=dtype)
    dk = np.zeros(c.k.shape, dtype=dtype)
    dv = np.zeros(c.v.shape, dtype=dtype)
    s = dtype.type(c.scale)
    with quiet():
        big_d = np.sum(do_a * o_a, axis=-1, keepdims=True)  # D = rowsum(dO * O)
        for j0 in range(0, n_k, c.block_k):
            j = slice(j0, j0 + c.block_k)
            kj, vj = c.k[..., j, :], c.v[..., j, :]
            for i0 in range(0, n_q, c.block_q):
                i = slice(i0, i0 + c.block_q)
                qi, doi = c.q[..., i, :], do_a[..., i, :]
                p = np.exp(scores(c, qi, i, j) - lse_a[..., i, :])  # P, recomputed
                dv[..., j, :] += np.matmul(np.swapaxes(p, -1, -2), doi)
                dp = np.matmul(doi, np.swapaxes(vj, -1, -2))
                ds = p * (dp - big_d[..., i, :])
                dq[..., i, :] += s * np.matmul(ds, kj)
                dk[..., j, :] += s * np.matmul(np.swapaxes(ds, -1, -2), qi)
    (qs, ks, vs), (qd, kd, vd) = c.shapes, c.dtypes
    return (
        _unbroadcast(dq, qs).astype(qd, copy=False),
        _unbroadcast(dk, ks).astype(kd, copy=False),
        _unbroadcast(dv, vs).astype(vd, copy=False),
    )
