"""Row maxima and sums along any axis, their fast paths, and the cutting into row blocks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from softmax_lib._engine import fast_paths, pairwise_sum, row_blocks, row_max, row_sum
from softmax_lib._engine.reductions import along, entries
from softmax_lib._engine.tuning import BLOCK_ROWS_UP_TO, CHUNK, ROWS_PER_ENTRY, SHORT_ROW, SUM_BLOCK

EPS = np.finfo(np.float64).eps


def fsum_along(a: np.ndarray, axis: int) -> np.ndarray:
    """The correctly rounded sum along ``axis`` (math.fsum), keepdims."""
    moved = np.moveaxis(a.astype(np.float64), axis, -1)
    sums = np.array([math.fsum(r) for r in moved.reshape(-1, moved.shape[-1])])
    return np.expand_dims(sums.reshape(moved.shape[:-1]), axis)


# shapes and axes that take each path: short rows (fast), contiguous, strided, 3-D
CASES = [
    ((ROWS_PER_ENTRY * SHORT_ROW * 4, 10), -1),  # many short rows: slice by slice
    ((ROWS_PER_ENTRY * SHORT_ROW, SHORT_ROW), 1),
    ((300, 1000), -1),  # long contiguous rows: numpy's pairwise sum
    ((1000, 300), 0),  # a strided axis: blocks of SUM_BLOCK slices
    ((3 * SUM_BLOCK + 5, 7), 0),  # blocks plus a remainder
    ((20, 2 * SUM_BLOCK, 6), 1),
    ((5, 4, 2000), 0),
]


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "plain"])
@pytest.mark.parametrize(("shape", "axis"), CASES)
def test_row_max_is_numpys_max(shape, axis, fast):
    a = np.random.default_rng(0).normal(0, 5, shape)
    a.flat[::97] = np.nan  # NaN propagates in every path
    with fast_paths(fast):
        np.testing.assert_array_equal(row_max(a, axis), a.max(axis=axis, keepdims=True))


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "plain"])
@pytest.mark.parametrize(("shape", "axis"), CASES)
def test_row_sum_error_grows_like_log_n(shape, axis, fast):
    """Positive terms (the exponentials of softmax): relative error within about
    (SUM_BLOCK + log2 n) eps along any axis, where numpy alone adds a strided axis slice
    after slice."""
    a = np.exp(np.random.default_rng(1).normal(0, 3, shape))
    with fast_paths(fast):
        s = row_sum(a, axis)
    assert s.shape == a.sum(axis=axis, keepdims=True).shape
    n = shape[axis]
    bound = (2 * SUM_BLOCK + math.log2(n)) * EPS
    rel = np.abs(s - fsum_along(a, axis)) / fsum_along(a, axis)
    assert rel.max() <= bound


def test_row_sum_strided_beats_numpys_sequential_sum():
    """Along a long strided axis numpy's error grows like n; row_sum's does not."""
    a = np.full((100_000, 2), 0.1)
    exact = fsum_along(a, 0)
    ours = np.abs(row_sum(a, 0) - exact) / exact
    numpys = np.abs(a.sum(axis=0, keepdims=True) - exact) / exact
    assert ours.max() < 20 * EPS < numpys.max()


def test_row_sum_float32_strided_accumulates_in_float64():
    a = np.full((4000, 3), 0.1, dtype=np.float32)
    s = row_sum(a, 0)
    assert s.dtype == np.float32
    assert s[0, 0] == np.float32(4000 * np.float64(np.float32(0.1)))


def test_row_sum_dtype_is_the_accumulator():
    a = np.random.default_rng(2).random((ROWS_PER_ENTRY * 100, 8)).astype(np.float32)
    for fast in (True, False):
        with fast_paths(fast):
            s = row_sum(a, 1, dtype=np.float64)
        assert s.dtype == np.float64
        np.testing.assert_allclose(s, fsum_along(a, 1), rtol=4 * EPS)


@pytest.mark.parametrize("n", [2, 3, 7, 8, 9, 16])
def test_pairwise_sum_is_a_balanced_tree(n):
    """Every term ends up in the sum exactly once, with at most ceil(log2 n) roundings each."""
    parts = [np.array([float(2**k)]) for k in range(n)]  # exact: distinct powers of two
    assert pairwise_sum(parts)[0] == 2**n - 1
    terms = np.exp(np.random.default_rng(n).normal(0, 3, (n, 500)))
    total = pairwise_sum(list(terms))
    exact = np.array([math.fsum(c) for c in terms.T])
    assert (np.abs(total - exact) / exact).max() <= math.ceil(math.log2(n)) * EPS
    assert pairwise_sum([terms[0]], np.float32).dtype == np.float32


def test_fast_path_sums_agree_with_numpy_to_a_few_ulps():
    """The short-row path adds the same terms in another order than numpy's ``a.sum``: the
    results agree to within the error bounds of both (not bit for bit)."""
    a = np.exp(np.random.default_rng(3).normal(0, 3, (ROWS_PER_ENTRY * SHORT_ROW * 8, SHORT_ROW)))
    with fast_paths(True):
        fast = row_sum(a, 1)
    np.testing.assert_allclose(fast, a.sum(axis=1, keepdims=True), rtol=8 * EPS, atol=0)


def test_entries_and_along():
    a = np.arange(24.0).reshape(2, 3, 4)
    parts = entries(a, 1)
    assert len(parts) == 3 and all(p.shape == (2, 1, 4) for p in parts)
    assert all(np.shares_memory(p, a) for p in parts)
    np.testing.assert_array_equal(a[along(3, 2, slice(1, 3))], a[:, :, 1:3])
    np.testing.assert_array_equal(a[along(3, 0, np.array([1]))], a[[1]])


def covered(blocks, arr) -> np.ndarray:
    """How many times each element of ``arr`` is in a block (through the blocks' views)."""
    hits = np.zeros(arr.shape, dtype=int)
    flat = hits.reshape(-1)
    base = arr.__array_interface__["data"][0]
    for xb, _, _ in blocks:
        start = (xb.__array_interface__["data"][0] - base) // arr.itemsize
        flat[start : start + xb.size] += 1
    return hits


def test_row_blocks_cut_many_short_rows_into_whole_rows():
    n = 10
    arr = np.zeros((3 * CHUNK // n + 7, n))
    res = np.empty_like(arr)
    blocks = list(row_blocks(arr, res, 1))
    assert len(blocks) > 1
    assert all(xb.shape[1] == n and ax == 1 for xb, _, ax in blocks)
    assert all(xb.size <= CHUNK for xb, _, _ in blocks)
    assert (covered(blocks, arr) == 1).all()  # every row exactly once
    assert all(np.shares_memory(rb, res) for _, rb, _ in blocks)
    with fast_paths(False):
        assert len(list(row_blocks(arr, res, 1))) == 1


@pytest.mark.parametrize(
    "make",
    [
        lambda: (np.zeros((3 * CHUNK // 10, 10)), 0),  # not the last axis
        lambda: (np.zeros((4 * CHUNK // 128, 128)), 1),  # rows too long to gain
        lambda: (np.zeros((100, 10)), 1),  # too few elements
        lambda: (np.zeros((10, 3 * CHUNK // 10)).T, 1),  # not C-contiguous
    ],
)
def test_row_blocks_leave_other_arrays_whole(make):
    arr, axis = make()
    assert BLOCK_ROWS_UP_TO < 128
    (block,) = list(row_blocks(arr, np.empty_like(arr), axis))
    assert block[0] is arr and block[2] == axis
