"""The fast-path switch: a context manager, on by default, local to a context (thread), and
every public function gives the same results either way, to within a few roundings, on
inputs that take each fast path."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import softmax_lib as sl
from softmax_lib._engine import fast_paths, fast_paths_enabled, tuning
from softmax_lib._engine.tuning import CHUNK, ROWS_PER_ENTRY, SHORT_ROW


def test_on_by_default_off_inside_the_block_and_restored():
    assert fast_paths_enabled()
    with fast_paths(False):
        assert not fast_paths_enabled()
        with fast_paths(True):
            assert fast_paths_enabled()
        assert not fast_paths_enabled()
    assert fast_paths_enabled()


def test_restored_after_an_exception():
    with pytest.raises(ZeroDivisionError), fast_paths(False):
        1 / 0  # noqa: B018
    assert fast_paths_enabled()


def test_module_default(monkeypatch):
    monkeypatch.setattr(tuning, "DEFAULT", False)
    assert not fast_paths_enabled()
    with fast_paths(True):
        assert fast_paths_enabled()
    seen = []
    t = threading.Thread(target=lambda: seen.append(fast_paths_enabled()))
    t.start()
    t.join()
    assert seen == [False]  # for every thread


def test_local_to_the_thread():
    seen = []
    with fast_paths(False):
        t = threading.Thread(target=lambda: seen.append(fast_paths_enabled()))
        t.start()
        t.join()
    assert seen == [True]


def short_rows(dtype=np.float64, seed=0):
    """Many short rows: the slice-by-slice reductions and the row blocks; a third of them
    dominant, a few with infinities."""
    n = 10
    x = np.random.default_rng(seed).normal(
        0, 8, (max(ROWS_PER_ENTRY * SHORT_ROW, 3 * CHUNK // n), n)
    )
    x[::7, 3] = np.inf
    x[::11] = -np.inf
    x[5::13, 2] = np.nan
    return x.astype(dtype)


def long_rows(seed=1):
    return np.random.default_rng(seed).normal(0, 8, (300, 700))


INPUTS = {
    "short-rows": (short_rows, -1),
    "short-rows-f32": (lambda: short_rows(np.float32), -1),
    "short-cols": (lambda: np.ascontiguousarray(short_rows().T), 0),
    "long-rows": (long_rows, -1),
    "long-cols": (long_rows, 0),
}


@pytest.mark.parametrize("func", [sl.softmax, sl.log_softmax, sl.logsumexp])
@pytest.mark.parametrize("name", INPUTS)
def test_public_functions_agree_with_and_without_fast_paths(func, name):
    make, axis = INPUTS[name]
    x = make()
    with fast_paths(True):
        fast = func(x, axis=axis)
    with fast_paths(False):
        plain = func(x, axis=axis)
    eps = np.finfo(x.dtype).eps
    finite = np.isfinite(plain)
    np.testing.assert_array_equal(fast[~finite], plain[~finite])  # NaN and inf where they were
    # logsumexp = max + log(sum) can cancel: its error is relative to |max| + |log(sum)|
    scale = np.abs(plain)
    if func is sl.logsumexp:
        scale = scale + np.abs(np.where(np.isfinite(x), x, 0)).max(axis=axis)
    assert (np.abs(fast[finite] - plain[finite]) <= 6 * eps * scale[finite]).all()


@pytest.mark.parametrize("func", [sl.softmax, sl.log_softmax])
def test_out_and_in_place_take_the_same_paths(func):
    x = short_rows(seed=2)
    want = func(x)
    for fast in (True, False):
        with fast_paths(fast):
            y = x.copy()
            np.testing.assert_allclose(func(y, out=y), want, rtol=6 * np.finfo(float).eps)
