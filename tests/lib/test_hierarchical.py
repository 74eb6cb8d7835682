"""Tests for the two-level hierarchical softmax (balanced_clusters, hierarchical_log_prob):
a proper distribution over all classes, the targets' path equal to the full table, a
from-scratch reference p(c | h) p(k | c, h) in plain Python, the limiting cases (one cluster:
the full softmax; one class per cluster: the cluster softmax), that one target reads only
its own cluster's weights (the O(sqrt(n) d) cost), conventions and bad input."""

import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import softmax_lib as sl
from softmax_lib.hierarchical import balanced_clusters, hierarchical_log_prob

from .oracles import softmax_row

EPS64 = float(np.finfo(np.float64).eps)
F = "hierarchical_log_prob"


def model(n=10, d=3, n_ex=4, n_clusters=None, seed=0, scale=1.0, shuffle=False):
    rng = np.random.default_rng(seed)
    clusters = balanced_clusters(n, n_clusters)
    if shuffle:
        clusters = rng.permutation(clusters)
    c = int(clusters.max()) + 1
    h = rng.normal(0, scale, (n_ex, d))
    params = (rng.normal(size=(d, c)), rng.normal(size=c), rng.normal(size=(d, n)),
              rng.normal(size=n))  # fmt: skip
    return h, params, clusters


def reference_log_prob(h, Wc, bc, W, b, clusters):
    """log p(k | h) = log p(c(k) | h) + log p(k | c(k), h), class by class in Python."""
    out = np.empty((h.shape[0], W.shape[1]))
    for i, hi in enumerate(h.tolist()):
        pc = softmax_row([math.fsum(a * w for a, w in zip(hi, col, strict=True)) + bb
                          for col, bb in zip(Wc.T.tolist(), bc.tolist(), strict=True)])  # fmt: skip
        for c in range(Wc.shape[1]):
            members = [k for k in range(W.shape[1]) if clusters[k] == c]
            z = [math.fsum(a * w for a, w in zip(hi, W[:, k], strict=True)) + b[k]
                 for k in members]  # fmt: skip
            for k, p in zip(members, softmax_row(z), strict=True):
                out[i, k] = math.log(pc[c]) + math.log(p)
    return out


# ---------------------------------------------------------------- balanced_clusters


@pytest.mark.parametrize("n", [1, 2, 3, 10, 99, 100, 101, 1000])
def test_balanced_clusters(n):
    cl = balanced_clusters(n)
    sizes = np.bincount(cl)
    assert cl.shape == (n,) and cl.dtype == np.intp
    assert sizes.size == math.ceil(math.sqrt(n)) and sizes.max() - sizes.min() <= 1
    assert (np.diff(cl) >= 0).all()  # contiguous runs


def test_balanced_clusters_given_count():
    assert balanced_clusters(5, 2).tolist() == [0, 0, 0, 1, 1]
    assert balanced_clusters(4, 4).tolist() == [0, 1, 2, 3]
    assert balanced_clusters(4, 1).tolist() == [0] * 4


@pytest.mark.parametrize(
    "args, exc, message",
    [
        ((0,), ValueError, "n_classes must be at least 1, got 0"),
        ((5, 0), ValueError, "n_clusters must be between 1 and n_classes = 5, got 0"),
        ((5, 6), ValueError, "n_clusters must be between 1 and n_classes = 5, got 6"),
        ((5.0,), TypeError, "n_classes must be an int, got 5.0"),
        ((True,), TypeError, "n_classes must be an int, got True"),
        ((5, 2.5), TypeError, "n_clusters must be an int, got 2.5"),
        ((None,), TypeError, "n_classes must be an int, got None"),
    ],
)
def test_balanced_clusters_bad_input(args, exc, message):
    with pytest.raises(exc, match=rf"^balanced_clusters: {re.escape(message)}"):
        balanced_clusters(*args)


# ---------------------------------------------------------------- a distribution


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("n, n_clusters", [(10, None), (17, 3), (30, None), (7, 7), (6, 1)])
def test_sums_to_one_and_matches_reference(n, n_clusters, shuffle):
    h, params, clusters = model(n, n_clusters=n_clusters, shuffle=shuffle)
    table = hierarchical_log_prob(h, *params, None, clusters)
    assert table.shape == (h.shape[0], n) and (table <= 0).all()
    np.testing.assert_allclose(np.exp(table).sum(axis=1), 1.0, rtol=0, atol=8 * EPS64)
    np.testing.assert_allclose(
        table, reference_log_prob(h, *params, clusters), rtol=1e-13, atol=1e-13
    )


@given(st.integers(1, 40), st.integers(0, 2**32 - 1), st.booleans())
def test_targets_path_equals_the_table(n, seed, shuffle):
    h, params, clusters = model(n, n_ex=6, seed=seed, shuffle=shuffle)
    rng = np.random.default_rng(seed)
    targets = rng.integers(0, n, 6)
    lp = hierarchical_log_prob(h, *params, targets, clusters)
    table = hierarchical_log_prob(h, *params, None, clusters)
    np.testing.assert_allclose(lp, table[np.arange(6), targets], rtol=1e-14, atol=1e-15)


def test_one_cluster_is_the_full_softmax():
    h, (_, _, W, b), _ = model(12, n_ex=5)
    ones = np.zeros(12, dtype=int)
    lp = hierarchical_log_prob(h, np.ones((3, 1)), np.zeros(1), W, b, None, ones)
    np.testing.assert_allclose(lp, sl.log_softmax(h @ W + b), rtol=1e-14, atol=1e-15)


def test_one_class_per_cluster_is_the_cluster_softmax():
    h, (Wc, bc, _, _), _ = model(6, n_ex=5, n_clusters=6)
    W = np.random.default_rng(1).normal(size=(3, 6))  # irrelevant: one class per softmax
    lp = hierarchical_log_prob(h, Wc, bc, W, np.zeros(6), None, np.arange(6))
    np.testing.assert_allclose(lp, sl.log_softmax(h @ Wc + bc), rtol=1e-14, atol=1e-15)


def test_one_target_reads_only_its_own_cluster():
    # NaN weights for every class outside cluster 1: the target path never touches them,
    # so the cost per example is the C cluster scores plus |cluster| class scores
    h, (Wc, bc, W, b), clusters = model(100, d=4, n_ex=3)
    W = np.where(clusters == 1, W, np.nan)
    targets = np.flatnonzero(clusters == 1)[[0, 3, 9]]
    lp = hierarchical_log_prob(h, Wc, bc, W, b, targets, clusters)
    assert np.isfinite(lp).all()
    assert np.isnan(hierarchical_log_prob(h, Wc, bc, W, b, None, clusters)).any()


def test_large_logits_stay_finite():
    h, params, clusters = model(20, scale=1e3)
    table = hierarchical_log_prob(h, *params, None, clusters)
    assert np.isfinite(table).all()
    np.testing.assert_allclose(np.exp(table).sum(axis=1), 1.0, atol=8 * EPS64)


def test_single_example_and_dtypes():
    h, params, clusters = model(10, n_ex=1)
    lp1 = hierarchical_log_prob(h[0], *params, 3, clusters)
    assert lp1.shape == () and lp1 == hierarchical_log_prob(h, *params, [3], clusters)[0]
    assert hierarchical_log_prob(h[0], *params, None, clusters).shape == (10,)
    p32 = [np.asarray(a, np.float32) for a in params]
    lp32 = hierarchical_log_prob(h.astype(np.float32), *p32, [3], clusters)
    assert lp32.dtype == np.float32
    np.testing.assert_allclose(lp32, hierarchical_log_prob(h, *params, [3], clusters), rtol=1e-5)
    assert hierarchical_log_prob(h.astype(np.float32), *params, [3], clusters).dtype == np.float64
    assert hierarchical_log_prob(h, *params, np.array([3.0]), clusters).shape == (1,)


def test_nan_example_gives_nan_only_there():
    h, params, clusters = model(10, n_ex=3)
    h[1, 0] = np.nan
    lp = hierarchical_log_prob(h, *params, [0, 5, 9], clusters)
    assert np.isnan(lp[1]) and np.isfinite(lp[[0, 2]]).all()


def test_no_examples():
    h, params, clusters = model(10)
    assert hierarchical_log_prob(np.zeros((0, 3)), *params, [], clusters).shape == (0,)
    assert hierarchical_log_prob(np.zeros((0, 3)), *params, None, clusters).shape == (0, 10)


# ---------------------------------------------------------------- bad input


def call(**changes):
    h, (Wc, bc, W, b), clusters = model(10, n_ex=2)
    args = {"h": h, "W_cluster": Wc, "b_cluster": bc, "W_class": W, "b_class": b,
            "targets": [1, 2], "clusters": clusters}  # fmt: skip
    args.update(changes)
    return hierarchical_log_prob(**args)


@pytest.mark.parametrize("arg", ["h", "W_cluster", "b_cluster", "W_class", "b_class"])
@pytest.mark.parametrize(
    "bad, what",
    [(None, "must be an array of real numbers, got None"),
     ("abc", "must be an array of real numbers, got dtype <U3"),
     (np.array([object()]), "must be an array of real numbers, got dtype object"),
     (np.ones((2, 3)) * 1j, r"is complex \(complex128\)")],
)  # fmt: skip
def test_non_real_arrays(arg, bad, what):
    with pytest.raises(TypeError, match=rf"^{F}: {arg} {what}"):
        call(**{arg: bad})


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"h": np.ones((2, 3, 1))}, r"h must have shape \(N, d\) or \(d,\), got \(2, 3, 1\)"),
        ({"h": np.ones((2, 5))}, r"W_cluster must have shape \(d, C\) with d = 5"),
        ({"W_cluster": np.ones((3, 5))}, r"b_cluster must have shape \(C,\) = \(5,\)"),
        ({"b_cluster": np.ones(3)}, r"b_cluster must have shape \(C,\) = \(4,\) .*, got \(3,\)"),
        ({"W_class": np.ones((2, 10))}, r"W_class must have shape \(d, n\) with d = 3"),
        ({"b_class": np.ones(9)}, r"b_class must have shape \(n,\) = \(10,\) .*, got \(9,\)"),
        ({"clusters": np.zeros(9, int)}, r"clusters must have shape \(n,\) = \(10,\)"),
        ({"targets": [1, 2, 3]}, r"targets must have shape \(2,\), one class per example"),
        ({"targets": [1, 10]}, "target of example 1 is 10, out of range for 10 classes"),
        ({"targets": [-1, 0]}, "target of example 0 is -1, out of range"),
        ({"targets": [1.5, 0]}, "target of example 0 is 1.5, not an integer"),
        ({"targets": [np.nan, 0]}, "target of example 0 is nan, not an integer"),
        ({"clusters": [0, 0, 0, 1, 1, 1, 2, 2, 2, 2]}, "cluster 3 has no class"),
        ({"clusters": [0, 0, 0, 1, 1, 1, 2, 2, 3, 4]}, "cluster of class 9 is 4, out of range"),
        ({"W_class": np.ones((3, 0)), "b_class": np.ones(0), "clusters": np.zeros(0, int)},
         r"cluster 0 has no class"),
    ],
)  # fmt: skip
def test_bad_values_and_shapes(changes, message):
    with pytest.raises(ValueError, match=rf"^{F}: {message}"):
        call(**changes)


@pytest.mark.parametrize("arg", ["targets", "clusters"])
@pytest.mark.parametrize(
    "bad, what",
    [(np.array([True, False] * 5), "must be integers, got bools"),
     ("ab", "must be an array of real numbers, got dtype <U2"),
     (np.array([1j] * 10), "is complex")],
)  # fmt: skip
def test_labels_not_integers(arg, bad, what):
    if arg == "targets" and np.ndim(bad) == 1 and np.size(bad) == 10:
        bad = bad[:2]
    with pytest.raises(TypeError, match=rf"^{F}: {arg} {what}"):
        call(**{arg: bad})


def test_clusters_none():
    with pytest.raises(TypeError, match=rf"^{F}: clusters must be an array of real numbers"):
        call(clusters=None)
