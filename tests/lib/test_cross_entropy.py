"""Unit tests for cross_entropy and cross_entropy_grad: values against the row reference,
reductions, label and probability targets, class axis, dtypes, gradients and the conventions
for empty and non-finite input. (Bad targets are in test_errors.py.)"""

import math

import numpy as np
import pytest

import softmax_lib as sl

from .oracles import cross_entropy_row, logsumexp_row

INF, NAN = math.inf, math.nan
EPS64 = np.finfo(np.float64).eps
Z = np.array([[2.0, 0.0, -1.0], [0.5, 0.5, 3.0], [-2.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
LABELS = np.array([0, 2, 2, 1])


def test_label_values():
    z = [3.2, 1.3, 0.2, 0.8]
    assert float(sl.cross_entropy(z, 0)) == pytest.approx(cross_entropy_row(z, 0), rel=2 * EPS64)
    assert float(sl.cross_entropy(z, 2)) == pytest.approx(cross_entropy_row(z, 2), rel=2 * EPS64)
    # log n within one rounding: numpy's own log need not be correctly rounded (numpy 1.x's
    # AVX-512 log is one ulp off at 3)
    assert float(sl.cross_entropy([0.0, 0.0], 1)) == pytest.approx(math.log(2.0), rel=EPS64)
    assert float(sl.cross_entropy(Z[3], 1)) == pytest.approx(math.log(3.0), rel=EPS64)


def test_reductions():
    per = np.array([cross_entropy_row(r, k) for r, k in zip(Z.tolist(), LABELS, strict=True)])
    none = sl.cross_entropy(Z, LABELS, reduction="none")
    assert none.shape == (4,) and none.dtype == np.float64
    np.testing.assert_allclose(none, per, rtol=2 * EPS64)
    total = sl.cross_entropy(Z, LABELS, reduction="sum")
    assert float(total) == pytest.approx(math.fsum(per), rel=4 * EPS64)
    mean = sl.cross_entropy(Z, LABELS)
    assert mean.shape == () and float(mean) == pytest.approx(math.fsum(per) / 4, rel=4 * EPS64)


def test_large_and_small_logits_do_not_overflow_or_underflow():
    assert float(sl.cross_entropy([0.0, 800.0], 0)) == 800.0
    assert float(sl.cross_entropy([0.0, 800.0], 1)) == 0.0
    assert float(sl.cross_entropy([0.0, 800.0], [0.5, 0.5])) == 400.0
    assert float(sl.cross_entropy([0.0, -800.0], 0)) == 0.0
    assert float(sl.cross_entropy([1e300, -1e300], 1)) == 2e300


def test_dominant_label_keeps_the_tail():
    # log(1 + e^-40) rounds to 0; the loss is e^-40 to within rounding
    loss = float(sl.cross_entropy([0.0, -40.0], 0))
    assert loss == pytest.approx(math.exp(-40.0), rel=2 * EPS64)


def test_probability_targets_match_labels_when_one_hot():
    z = np.random.default_rng(0).normal(0, 3, (5, 4))
    y = np.array([0, 3, 1, 1, 2])
    onehot = np.eye(4)[y]
    by_label = sl.cross_entropy(z, y, reduction="none")
    np.testing.assert_allclose(
        sl.cross_entropy(z, onehot, reduction="none"), by_label, rtol=2 * EPS64
    )
    # an int or bool one-hot array of the logits' shape is a probability target too
    for target in (onehot.astype(int), onehot.astype(bool)):
        np.testing.assert_allclose(sl.cross_entropy(z, target), by_label.mean(), rtol=2 * EPS64)


def test_soft_target_values():
    z = np.array([1.0, 2.0, 3.0])
    y = np.array([0.25, 0.25, 0.5])
    expected = logsumexp_row(z.tolist()) - math.fsum(y * z)
    assert float(sl.cross_entropy(z, y)) == pytest.approx(expected, rel=4 * EPS64)
    soft = np.array([[0.25, 0.25, 0.5]] * 4)
    want = -(soft * sl.log_softmax(Z)).sum(axis=-1)
    np.testing.assert_allclose(sl.cross_entropy(Z, soft, reduction="none"), want, rtol=4 * EPS64)


def test_zero_probability_times_minus_inf_logit_is_zero():
    z = np.array([-INF, 0.0, 1.0])
    expected = logsumexp_row([0.0, 1.0]) - 0.5
    assert float(sl.cross_entropy(z, [0.0, 0.5, 0.5])) == pytest.approx(expected, rel=4 * EPS64)
    expected = cross_entropy_row([0.0, 1.0], 1)
    assert float(sl.cross_entropy(z, 2)) == pytest.approx(expected, rel=4 * EPS64)
    assert float(sl.cross_entropy(z, 0)) == INF
    assert float(sl.cross_entropy([-INF, 0.0], [0.0, 1.0])) == 0.0


def test_float_whole_number_labels_are_labels():
    np.testing.assert_array_equal(
        sl.cross_entropy(Z, LABELS.astype(float), reduction="none"),
        sl.cross_entropy(Z, LABELS, reduction="none"),
    )


@pytest.mark.parametrize("axis", [0, -2])
def test_class_axis(axis):
    z = np.random.default_rng(1).normal(0, 2, (4, 6))  # 4 classes along axis 0, 6 examples
    y = np.array([0, 1, 2, 3, 0, 1])
    np.testing.assert_array_equal(
        sl.cross_entropy(z, y, axis=axis, reduction="none"),
        sl.cross_entropy(z.T, y, reduction="none"),
    )
    np.testing.assert_array_equal(
        sl.cross_entropy_grad(z, y, axis=axis), sl.cross_entropy_grad(z.T, y).T
    )
    soft = np.full((4, 6), 0.25)
    np.testing.assert_allclose(
        sl.cross_entropy(z, soft, axis=axis), sl.cross_entropy(z.T, soft.T), rtol=4 * EPS64
    )


def test_3d_batch():
    z = np.random.default_rng(2).normal(0, 2, (2, 3, 5))
    y = np.random.default_rng(3).integers(0, 5, (2, 3))
    none = sl.cross_entropy(z, y, reduction="none")
    assert none.shape == (2, 3)
    for i, j in np.ndindex(y.shape):
        assert none[i, j] == pytest.approx(
            cross_entropy_row(z[i, j].tolist(), y[i, j]), rel=2 * EPS64
        )
    grad = sl.cross_entropy_grad(z, y)
    np.testing.assert_allclose(grad, (sl.softmax(z) - np.eye(5)[y]) / 6, rtol=1e-14, atol=1e-17)
    z1 = np.moveaxis(z, -1, 1)  # classes along axis 1
    np.testing.assert_allclose(
        sl.cross_entropy(z1, y, axis=1, reduction="none"), none, rtol=2 * EPS64
    )
    g1 = sl.cross_entropy_grad(z1, y, axis=-2)
    np.testing.assert_allclose(g1, np.moveaxis(grad, -1, 1), rtol=1e-14, atol=1e-17)


@pytest.mark.parametrize(
    "dtype, expected",
    [(np.float64, np.float64), (np.float32, np.float32), (np.float16, np.float16),
     (np.int32, np.float64), (np.bool_, np.float64)],
)  # fmt: skip
@pytest.mark.parametrize("func", [sl.cross_entropy, sl.cross_entropy_grad])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_dtype_policy(dtype, expected, func, reduction):
    z = np.array([[1, 0, 1], [0, 1, 0]], dtype=dtype)
    out = func(z, [0, 1], reduction=reduction)
    assert out.dtype == expected
    out_soft = func(z, np.full((2, 3), 1 / 3, dtype=np.float32), reduction=reduction)
    assert out_soft.dtype == expected


def test_grad_values():
    assert sl.cross_entropy_grad([0.0, 0.0], 1).tolist() == [0.5, -0.5]
    z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    p = sl.softmax(z)
    diff = p - np.eye(3)[[2, 0]]
    tol = {"rtol": 1e-15, "atol": 1e-17}
    np.testing.assert_allclose(sl.cross_entropy_grad(z, [2, 0], reduction="sum"), diff, **tol)
    np.testing.assert_allclose(sl.cross_entropy_grad(z, [2, 0], reduction="none"), diff, **tol)
    np.testing.assert_allclose(sl.cross_entropy_grad(z, [2, 0]), diff / 2, **tol)
    y = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
    np.testing.assert_allclose(sl.cross_entropy_grad(z, y, reduction="sum"), p - y, **tol)


def test_grad_rows_sum_to_zero():
    z = np.random.default_rng(4).normal(0, 5, (10, 7))
    y = np.random.default_rng(5).integers(0, 7, 10)
    np.testing.assert_allclose(sl.cross_entropy_grad(z, y).sum(axis=-1), 0.0, atol=1e-16)


def test_inputs_not_modified():
    z = np.array([[1.0, 2.0], [3.0, 4.0]])
    y = np.array([[0.5, 0.5], [1.0, 0.0]])
    labels = np.array([0, 1])
    for func in (sl.cross_entropy, sl.cross_entropy_grad):
        func(z, y)
        func(z, labels)
    assert z.tolist() == [[1.0, 2.0], [3.0, 4.0]] and y.tolist() == [[0.5, 0.5], [1.0, 0.0]]
    assert labels.tolist() == [0, 1]


def test_training_step_reduces_loss():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((64, 5))
    y = np.argmax(x @ rng.standard_normal((5, 3)), axis=1)
    w = np.zeros((5, 3))
    losses = []
    for _ in range(50):
        z = x @ w
        losses.append(float(sl.cross_entropy(z, y)))
        w -= 1.0 * x.T @ sl.cross_entropy_grad(z, y)
    assert losses[0] == pytest.approx(math.log(3), rel=1e-15)
    assert losses[-1] < 0.5 * losses[0]
    assert all(b <= a + 1e-12 for a, b in zip(losses, losses[1:], strict=False))


# ---------------------------------------------------------------- conventions


@pytest.mark.parametrize("target", [np.zeros(0, dtype=int), np.zeros((0, 3))])
def test_empty_batch(target):
    z = np.zeros((0, 3))
    assert float(sl.cross_entropy(z, target, reduction="sum")) == 0.0
    assert np.isnan(sl.cross_entropy(z, target))
    assert sl.cross_entropy(z, target, reduction="none").shape == (0,)
    assert sl.cross_entropy_grad(z, target).shape == (0, 3)
    assert sl.cross_entropy(np.zeros((0, 3), dtype=np.float32), target).dtype == np.float32


def test_empty_batch_zero_classes():
    z = np.zeros((0, 0))
    assert float(sl.cross_entropy(z, np.zeros(0, dtype=int), reduction="sum")) == 0.0
    assert sl.cross_entropy_grad(z, np.zeros(0, dtype=int)).shape == (0, 0)


def test_nan_logit_poisons_only_its_example():
    z = Z.copy()
    z[1, 0] = NAN
    clean = sl.cross_entropy(Z, LABELS, reduction="none")
    for target in (LABELS, np.eye(3)[LABELS]):
        per = sl.cross_entropy(z, target, reduction="none")
        assert np.isnan(per[1])
        np.testing.assert_array_equal(per[[0, 2, 3]], clean[[0, 2, 3]])
        assert np.isnan(sl.cross_entropy(z, target))
        g = sl.cross_entropy_grad(z, target)
        assert np.isnan(g[1]).all() and np.isfinite(g[[0, 2, 3]]).all()


def test_infinite_logits():
    assert float(sl.cross_entropy([INF, 0.0], 0)) == 0.0
    assert float(sl.cross_entropy([INF, 0.0], 1)) == INF
    assert sl.cross_entropy_grad([INF, 0.0], 0).tolist() == [0.0, 0.0]
    assert np.isnan(sl.cross_entropy([INF, INF], 0))
