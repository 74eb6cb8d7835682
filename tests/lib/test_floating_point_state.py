"""The library keeps its promise of no floating-point warnings even where the caller has asked
numpy to raise on every event: ``np.errstate(all="raise")`` turns an underflow that numpy would
otherwise ignore (a tiny probability rounded to 0 in float16, say) into an exception. Every
public function runs here on inputs whose exact results overflow, underflow or round to zero
in each dtype; none may raise."""

import numpy as np
import pytest

import softmax_lib as sl

DTYPES = [np.float16, np.float32, np.float64]
# gaps large enough that some probabilities underflow in every dtype (float64 at 800)
ROWS = [[0.0, -20.0, 3.0], [0.0, -110.0, 5.0], [0.0, -800.0, 1.0], [700.0, -700.0, 0.0]]


def _rows(dtype):
    return np.array(ROWS, dtype=np.float64).clip(-6e4, 6e4).astype(dtype)


CALLS = {
    "softmax": lambda z: sl.softmax(z),
    "softmax with T": lambda z: sl.softmax(z, temperature=0.5),
    "log_softmax": lambda z: sl.log_softmax(z),
    "logsumexp": lambda z: sl.logsumexp(z),
    "sigmoid": lambda z: sl.sigmoid(z),
    "cross_entropy": lambda z: sl.cross_entropy(z, [0, 1, 2, 1]),
    "cross_entropy_grad": lambda z: sl.cross_entropy_grad(z, [0, 1, 2, 1]),
    "softmax_jacobian": lambda z: [sl.softmax_jacobian(row) for row in z],
    "online_logsumexp": lambda z: sl.online_logsumexp([z[:, :2], z[:, 2:]]),
    "online_softmax": lambda z: sl.online_softmax([z[:, :2], z[:, 2:]]),
    "sparsemax": lambda z: sl.sparsemax(z),
    "entmax15": lambda z: sl.entmax15(z),
    "sparsemax_jacobian": lambda z: [sl.sparsemax_jacobian(row) for row in z],
    "attention_weights": lambda z: sl.attention_weights(z, z),
    "scaled_dot_product_attention": lambda z: sl.scaled_dot_product_attention(z, z, z),
    "flash_attention": lambda z: sl.flash_attention(z, z, z, block_q=2, block_k=2),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", list(CALLS))
def test_no_floating_point_exception_under_raise(name, dtype):
    z = _rows(dtype)
    with np.errstate(all="raise"):
        CALLS[name](z)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_the_casts_that_used_to_raise(dtype):
    """The cases a reader found: each rounded a tiny result to the returned dtype."""
    tiny = np.array([0, -20], dtype=dtype) if dtype == np.float16 else np.array([0, -110], dtype)
    with np.errstate(all="raise"):
        assert sl.softmax(tiny)[1] == 0 or dtype == np.float64
        sl.sigmoid(tiny)
        sl.cross_entropy(tiny[None], [0])
        sl.cross_entropy_grad(tiny[None], [0])
        sl.softmax_jacobian(tiny)
        sl.softmax_jacobian(np.array([0, -740.0], dtype=np.float64))
