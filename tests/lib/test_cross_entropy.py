"""Unit tests for cross_entropy and cross_entropy_grad."""

import math

import numpy as np
import pytest

import softmax_lib as sl

INF, NAN = math.inf, math.nan
EPS64 = np.finfo(np.float64).eps


def ref_lse(row):
    m = max(row)
    return m + math.log1p(math.fsum([math.exp(v - m) for v in row] + [-1.0]))


def ref_ce(row, k):
    """-log softmax(row)[k] without cancellation: (m - z_k) + log1p(sum of the rest)."""
    m = max(row)
    return (m - row[k]) + math.log1p(math.fsum([math.exp(v - m) for v in row] + [-1.0]))


def test_label_values():
    z = [3.2, 1.3, 0.2, 0.8]
    assert float(sl.cross_entropy(z, 0)) == pytest.approx(ref_ce(z, 0), rel=2 * EPS64)
    assert float(sl.cross_entropy(z, 2)) == pytest.approx(ref_ce(z, 2), rel=2 * EPS64)
    assert float(sl.cross_entropy([0.0, 0.0], 1)) == math.log(2.0)


def test_large_logits_do_not_overflow():
    assert float(sl.cross_entropy([0.0, 800.0], 0)) == 800.0
    assert float(sl.cross_entropy([0.0, 800.0], 1)) == 0.0
    assert float(sl.cross_entropy([1e300, -1e300], 1)) == 2e300


def test_dominant_label_keeps_the_tail():
    assert float(sl.cross_entropy([0.0, -40.0], 0)) == pytest.approx(math.exp(-40.0), rel=2 * EPS64)


def test_reductions():
    z = np.array([[2.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    y = np.array([0, 0, 1])
    per = np.array([ref_ce(r, k) for r, k in zip(z.tolist(), y)])
    none = sl.cross_entropy(z, y, reduction="none")
    assert none.shape == (3,)
    np.testing.assert_allclose(none, per, rtol=2 * EPS64)
    assert float(sl.cross_entropy(z, y, reduction="sum")) == pytest.approx(per.sum(), rel=4 * EPS64)
    assert float(sl.cross_entropy(z, y)) == pytest.approx(per.mean(), rel=4 * EPS64)
    assert sl.cross_entropy(z, y).shape == ()


def test_soft_targets_match_labels_when_one_hot():
    z = np.random.default_rng(0).normal(0, 3, (5, 4))
    y = np.array([0, 3, 1, 1, 2])
    onehot = np.eye(4)[y]
    np.testing.assert_allclose(sl.cross_entropy(z, onehot, reduction="none"), sl.cross_entropy(z, y, reduction="none"), rtol=2 * EPS64)
    np.testing.assert_allclose(sl.cross_entropy(z, onehot.astype(int)), sl.cross_entropy(z, y), rtol=2 * EPS64)
    np.testing.assert_allclose(sl.cross_entropy(z, onehot.astype(bool)), sl.cross_entropy(z, y), rtol=2 * EPS64)


def test_soft_target_value():
    z = np.array([1.0, 2.0, 3.0])
    y = np.array([0.25, 0.25, 0.5])
    expected = ref_lse(z.tolist()) - math.fsum(y * z)
    assert float(sl.cross_entropy(z, y)) == pytest.approx(expected, rel=4 * EPS64)


def test_zero_probability_times_minus_inf_logit_is_zero():
    z = np.array([-INF, 0.0, 1.0])
    assert float(sl.cross_entropy(z, [0.0, 0.5, 0.5])) == pytest.approx(ref_lse([0.0, 1.0]) - 0.5, rel=4 * EPS64)
    assert float(sl.cross_entropy(z, 2)) == pytest.approx(ref_ce([0.0, 1.0], 1), rel=4 * EPS64)
    assert float(sl.cross_entropy(z, 0)) == INF


def test_float_whole_number_labels():
    z = np.array([[1.0, 2.0], [3.0, 0.0]])
    np.testing.assert_array_equal(sl.cross_entropy(z, np.array([1.0, 0.0])), sl.cross_entropy(z, [1, 0]))


@pytest.mark.parametrize("axis", [0, -2])
def test_class_axis(axis):
    z = np.random.default_rng(1).normal(0, 2, (4, 6))  # 4 classes along axis 0, 6 examples
    y = np.array([0, 1, 2, 3, 0, 1])
    np.testing.assert_allclose(
        sl.cross_entropy(z, y, axis=axis, reduction="none"), sl.cross_entropy(z.T, y, reduction="none"), rtol=2 * EPS64
    )
    np.testing.assert_allclose(sl.cross_entropy_grad(z, y, axis=axis), sl.cross_entropy_grad(z.T, y).T, rtol=2 * EPS64)
    soft = np.full((4, 6), 0.25)
    np.testing.assert_allclose(sl.cross_entropy(z, soft, axis=axis), sl.cross_entropy(z.T, soft.T), rtol=4 * EPS64)


def test_3d_batch():
    z = np.random.default_rng(2).normal(0, 2, (2, 3, 5))
    y = np.random.default_rng(3).integers(0, 5, (2, 3))
    none = sl.cross_entropy(z, y, reduction="none")
    assert none.shape == (2, 3)
    np.testing.assert_allclose(none, -np.take_along_axis(sl.log_softmax(z), y[..., None], -1)[..., 0], rtol=2 * EPS64)
    grad = sl.cross_entropy_grad(z, y)
    np.testing.assert_allclose(grad, (sl.softmax(z) - np.eye(5)[y]) / 6, rtol=1e-14, atol=1e-17)
    z1 = np.moveaxis(z, -1, 1)  # classes along axis 1
    np.testing.assert_allclose(sl.cross_entropy(z1, y, axis=1, reduction="none"), none, rtol=2 * EPS64)


@pytest.mark.parametrize(
    "dtype, expected",
    [(np.float64, np.float64), (np.float32, np.float32), (np.float16, np.float16),
     (np.int32, np.float64), (np.bool_, np.float64)],
)
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
    np.testing.assert_allclose(sl.cross_entropy_grad(z, [2, 0], reduction="sum"), p - np.eye(3)[[2, 0]], rtol=1e-15, atol=1e-17)
    np.testing.assert_allclose(sl.cross_entropy_grad(z, [2, 0], reduction="none"), p - np.eye(3)[[2, 0]], rtol=1e-15, atol=1e-17)
    np.testing.assert_allclose(sl.cross_entropy_grad(z, [2, 0]), (p - np.eye(3)[[2, 0]]) / 2, rtol=1e-15, atol=1e-17)
    y = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
    np.testing.assert_allclose(sl.cross_entropy_grad(z, y, reduction="sum"), p - y, rtol=1e-15, atol=1e-17)


def test_grad_rows_sum_to_zero():
    z = np.random.default_rng(4).normal(0, 5, (10, 7))
    y = np.random.default_rng(5).integers(0, 7, 10)
    np.testing.assert_allclose(sl.cross_entropy_grad(z, y).sum(axis=-1), 0.0, atol=1e-16)


def test_grad_does_not_modify_inputs():
    z = np.array([[1.0, 2.0], [3.0, 4.0]])
    y = np.array([[0.5, 0.5], [1.0, 0.0]])
    sl.cross_entropy_grad(z, y)
    sl.cross_entropy_grad(z, [0, 1])
    assert z.tolist() == [[1.0, 2.0], [3.0, 4.0]] and y.tolist() == [[0.5, 0.5], [1.0, 0.0]]


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
    z = np.array([[NAN, 0.0], [1.0, 0.0]])
    out = sl.cross_entropy(z, [1, 0], reduction="none")
    assert np.isnan(out[0]) and out[1] == pytest.approx(ref_ce([1.0, 0.0], 0), rel=2 * EPS64)
    assert np.isnan(sl.cross_entropy(z, [1, 0]))
    g = sl.cross_entropy_grad(z, [1, 0])
    assert np.isnan(g[0]).all() and np.isfinite(g[1]).all()


def test_infinite_logits():
    assert float(sl.cross_entropy([INF, 0.0], 0)) == 0.0
    assert float(sl.cross_entropy([INF, 0.0], 1)) == INF
    assert sl.cross_entropy_grad([INF, 0.0], 0).tolist() == [0.0, 0.0]
    assert np.isnan(sl.cross_entropy([INF, INF], 0))


# --- further cases ---
inf, nan = np.inf, np.nan


Z = np.array([[2.0, 0.0, -1.0], [0.5, 0.5, 3.0], [-2.0, 1.0, 0.0], [0.0, 0.0, 0.0]])


LABELS = np.array([0, 2, 2, 1])


def _ce(row, k):
    """LSE(row) - row[k] without the cancellation of forming LSE first."""
    m = max(row)
    return (m - row[k]) + math.log(math.fsum(math.exp(v - m) for v in row))


def test_label_values_and_reductions():
    want = np.array([_ce(r, k) for r, k in zip(Z, LABELS)])
    per = sl.cross_entropy(Z, LABELS, reduction="none")
    assert per.shape == (4,) and per.dtype == np.float64
    np.testing.assert_allclose(per, want, rtol=1e-15)
    assert float(sl.cross_entropy(Z, LABELS, reduction="sum")) == pytest.approx(want.sum(), rel=1e-15)
    assert float(sl.cross_entropy(Z, LABELS)) == pytest.approx(want.mean(), rel=1e-15)
    assert sl.cross_entropy(Z, LABELS).shape == ()
    assert float(sl.cross_entropy(Z[3], 1)) == math.log(3)


def test_probability_rows_equal_labels_when_one_hot():
    onehot = np.eye(3)[LABELS]
    np.testing.assert_allclose(
        sl.cross_entropy(Z, onehot, reduction="none"), sl.cross_entropy(Z, LABELS, reduction="none"), rtol=1e-15
    )
    # an int one-hot array of the logits' shape is a probability target too
    np.testing.assert_allclose(sl.cross_entropy(Z, onehot.astype(int)), sl.cross_entropy(Z, LABELS), rtol=1e-15)


def test_soft_targets():
    y = np.array([[0.25, 0.25, 0.5]] * 4)
    want = -(y * sl.log_softmax(Z)).sum(axis=-1)
    np.testing.assert_allclose(sl.cross_entropy(Z, y, reduction="none"), want, rtol=1e-15)


def test_float_labels_are_labels():
    np.testing.assert_array_equal(
        sl.cross_entropy(Z, LABELS.astype(float), reduction="none"), sl.cross_entropy(Z, LABELS, reduction="none")
    )


def test_no_underflow_from_logits():
    assert float(sl.cross_entropy([0.0, 800.0], 0)) == 800.0
    assert float(sl.cross_entropy([0.0, -800.0], 0)) == 0.0
    assert float(sl.cross_entropy([0.0, -40.0], 0)) == pytest.approx(math.exp(-40), rel=1e-15)
    assert float(sl.cross_entropy([0.0, 800.0], [0.5, 0.5])) == 400.0


def test_axis_0_and_3d():
    got = sl.cross_entropy(Z.T, LABELS, axis=0, reduction="none")
    np.testing.assert_array_equal(got, sl.cross_entropy(Z, LABELS, reduction="none"))
    z3 = np.random.default_rng(0).standard_normal((2, 5, 3))
    lab = np.array([[0, 1, 2], [4, 4, 0]])
    per = sl.cross_entropy(z3, lab, axis=1, reduction="none")
    assert per.shape == (2, 3)
    for i in range(2):
        for j in range(3):
            assert per[i, j] == pytest.approx(_ce(z3[i, :, j], lab[i, j]), rel=1e-15)
    g = sl.cross_entropy_grad(z3, lab, axis=-2)
    assert g.shape == z3.shape


def test_zero_classes_nonempty_batch():
    with pytest.raises(ValueError, match=r"cross_entropy: logits have 0 classes along axis -1 \(shape \(2, 0\)\)"):
        sl.cross_entropy(np.zeros((2, 0)), [0, 0])
    with pytest.raises(ValueError, match="0 classes"):
        sl.cross_entropy_grad(np.zeros(0), 0)


def test_nan_logit_only_that_example():
    z = Z.copy()
    z[1, 0] = nan
    per = sl.cross_entropy(z, LABELS, reduction="none")
    assert np.isnan(per[1])
    np.testing.assert_array_equal(per[[0, 2, 3]], sl.cross_entropy(Z, LABELS, reduction="none")[[0, 2, 3]])
    per = sl.cross_entropy(z, np.eye(3)[LABELS], reduction="none")
    assert np.isnan(per[1]) and np.isfinite(per[[0, 2, 3]]).all()


def test_zero_probability_at_minus_inf_contributes_nothing():
    assert float(sl.cross_entropy([-inf, 0.0], [0.0, 1.0])) == 0.0


def test_grad_axis_0():
    np.testing.assert_array_equal(sl.cross_entropy_grad(Z.T, LABELS, axis=0), sl.cross_entropy_grad(Z, LABELS).T)


def test_training_step_reduces_loss():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((64, 5))
    w_true = rng.standard_normal((5, 3))
    y = np.argmax(x @ w_true, axis=1)
    w = np.zeros((5, 3))
    losses = []
    for _ in range(50):
        z = x @ w
        losses.append(float(sl.cross_entropy(z, y)))
        w -= 1.0 * x.T @ sl.cross_entropy_grad(z, y)
    assert losses[0] == pytest.approx(math.log(3), rel=1e-15)
    assert losses[-1] < 0.5 * losses[0]
    assert all(b <= a + 1e-12 for a, b in zip(losses, losses[1:]))
