"""Accuracy against mpmath (60 digits) on the adversarial case set of ``benchmarks.cases``,
held to the targets of ``benchmarks.targets``: the same cases and the same table that
``python -m benchmarks.accuracy`` prints and the appendix "How exact and how fast" draws.

Error in ulps of the output dtype: |computed - exact| / spacing(exact rounded to the dtype);
an exact zero is measured in units of the smallest subnormal. Softmax is held to two targets:
the raw error, and the error net of the shift allowance (``benchmarks.cases.shift_allowance``):
rounding ``x_i - max`` (and the division by T) costs about ``u (|d_i| + sum_j p_j |d_j|)``
relative, the problem's own conditioning, which is subtracted per element.

Every function is measured twice: with the library's fast paths (the default) and with all of
them switched off (``softmax_lib._engine.fast_paths(False)``); both must meet the same
targets. The measured errors, with scipy.special and the naive formulas beside them, are what
``python -m benchmarks.accuracy`` prints.
"""

import numpy as np
import pytest

import softmax_lib as sl
from benchmarks.cases import (
    DTYPES,
    exact,
    exact_sigmoid,
    shift_allowance,
    sigmoid_cases,
    softmax_cases,
    ulp_error,
)
from benchmarks.targets import target
from softmax_lib._engine import fast_paths, fast_paths_enabled

NAMES = [np.dtype(d).name for d in DTYPES]


@pytest.fixture(scope="module")
def refs():
    """Exact references, computed once per module: {dtype name: [(case, exact dict), ...]}."""
    return {np.dtype(d).name: [(c, exact(c)) for c in softmax_cases(d)] for d in DTYPES}


@pytest.fixture(params=[True, False], ids=["fast-paths", "no-fast-paths"])
def paths(request):
    """Run the test with the library's fast paths on (the default) or all switched off."""
    with fast_paths(request.param):
        assert fast_paths_enabled() is request.param
        yield


class Worst:
    """The largest error seen so far, and the case where it occurred."""

    def __init__(self):
        self.error, self.where = -np.inf, ""

    def add(self, err, where):
        if err.size and np.max(err) > self.error:
            self.error, self.where = float(np.max(err)), where

    def check(self, function, name):
        limit = target(function, name)
        assert self.error <= limit, (
            f"{function} {name}: {self.error:.2f} ulps > {limit} in {self.where}"
        )


@pytest.mark.usefixtures("paths")
@pytest.mark.parametrize("name", NAMES)
def test_softmax(refs, name):
    raw, net = Worst(), Worst()
    for case, ref in refs[name]:
        p = sl.softmax(case.x, axis=case.axis, temperature=case.temperature)
        assert p.dtype == case.x.dtype
        err = ulp_error(p, ref["softmax"], case.x.dtype)
        raw.add(err, case.label)
        net.add(err - shift_allowance(ref, case.x.dtype, case.temperature), case.label)
    raw.check("softmax raw", name)
    net.check("softmax net", name)


@pytest.mark.usefixtures("paths")
@pytest.mark.parametrize("name", NAMES)
def test_log_softmax(refs, name):
    worst = Worst()
    for case, ref in refs[name]:
        out = sl.log_softmax(case.x, axis=case.axis, temperature=case.temperature)
        assert out.dtype == case.x.dtype
        worst.add(ulp_error(out, ref["log_softmax"], case.x.dtype), case.label)
    worst.check("log_softmax", name)


@pytest.mark.usefixtures("paths")
@pytest.mark.parametrize("name", NAMES)
def test_logsumexp(refs, name):
    worst = Worst()
    for case, ref in refs[name]:
        if case.temperature != 1.0:
            continue  # logsumexp has no temperature; x / T would round first
        hi, lo = ref["logsumexp"]
        for keepdims in (False, True):
            out = sl.logsumexp(case.x, axis=case.axis, keepdims=keepdims)
            assert out.dtype == case.x.dtype
            if keepdims:
                hi, lo = np.expand_dims(hi, case.axis), np.expand_dims(lo, case.axis)
            worst.add(ulp_error(out, (hi, lo), case.x.dtype), f"{case.label} keepdims={keepdims}")
    worst.check("logsumexp", name)


@pytest.mark.usefixtures("paths")
@pytest.mark.parametrize("name", NAMES)
def test_cross_entropy_per_example(refs, name):
    """The loss at two label sets: the argmax (the dominant entry) and random labels."""
    worst = Worst()
    rng = np.random.default_rng(0)
    for case, ref in refs[name]:
        if case.temperature != 1.0:
            continue
        ls_hi, ls_lo = ref["log_softmax"]
        rows = np.moveaxis(case.x, case.axis, -1)
        for labels in (rows.argmax(axis=-1), rng.integers(0, rows.shape[-1], rows.shape[:-1])):
            out = sl.cross_entropy(case.x, labels, axis=case.axis, reduction="none")
            assert out.dtype == case.x.dtype
            idx = np.expand_dims(labels, case.axis)
            hi = -np.take_along_axis(ls_hi, idx, case.axis).squeeze(case.axis)
            lo = -np.take_along_axis(ls_lo, idx, case.axis).squeeze(case.axis)
            worst.add(ulp_error(out, (hi, lo), case.x.dtype), case.label)
    worst.check("cross_entropy", name)


@pytest.mark.usefixtures("paths")
@pytest.mark.parametrize("dtype", DTYPES, ids=NAMES)
def test_sigmoid(dtype):
    worst = Worst()
    for x in sigmoid_cases(dtype):
        out = sl.sigmoid(x)
        assert out.dtype == dtype
        err = ulp_error(out, exact_sigmoid(x), dtype)
        worst.add(err, f"x={float(x[np.argmax(err)]):.6g}")
    worst.check("sigmoid", np.dtype(dtype).name)
