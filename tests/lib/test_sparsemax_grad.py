"""Tests for sparsemax_jacobian and sparsemax_vjp: the formula diag(s) - s s^T / |S| against
central finite differences of sparsemax (at points whose support does not change within the
step), the O(n) product against the dense matrix, the projection's algebra, conventions and
bad input."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.exceptions import AxisError

import softmax_lib as sl
from softmax_lib.sparsemax_grad import sparsemax_jacobian, sparsemax_vjp

EPS64 = float(np.finfo(np.float64).eps)
H = 1e-6


def safe_rows(count=40, seed=0):
    """Random rows whose entries all lie at least 10 H from the threshold tau: the support
    does not change under a finite-difference step."""
    rng = np.random.default_rng(seed)
    found = 0
    while found < count:
        x = rng.normal(0, float(rng.choice([0.3, 1.0, 3.0])), int(rng.integers(1, 15)))
        p = sl.sparsemax(x)
        tau = (x - p)[p > 0][0]
        if np.abs(x - tau).min() > 10 * H:
            found += 1
            yield x


def fd_jacobian(x):
    jac = np.empty((x.size, x.size))
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = H
        jac[:, j] = (sl.sparsemax(x + e) - sl.sparsemax(x - e)) / (2 * H)
    return jac


def test_known_value():
    np.testing.assert_array_equal(
        sparsemax_jacobian([1.0, 0.8, 0.1, -1.0]),
        [[0.5, -0.5, 0, 0], [-0.5, 0.5, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]],
    )
    # every entry in the support: the centring matrix I - 11^T/n
    np.testing.assert_allclose(sparsemax_jacobian(np.zeros(3)), np.eye(3) - 1 / 3, atol=EPS64)
    # one-hot: the zero matrix
    assert (sparsemax_jacobian([5.0, 0.0, 1.0]) == 0).all()


def test_matches_finite_differences():
    for x in safe_rows():
        np.testing.assert_allclose(sparsemax_jacobian(x), fd_jacobian(x), atol=1e-8)


def test_projection_algebra():
    for x in safe_rows(count=20, seed=1):
        jac = sparsemax_jacobian(x)
        np.testing.assert_array_equal(jac, jac.T)  # symmetric
        np.testing.assert_allclose(jac @ jac, jac, atol=4 * EPS64)  # idempotent
        np.testing.assert_allclose(jac.sum(axis=1), 0, atol=4 * EPS64)  # rows sum to 0
        assert np.linalg.eigvalsh(jac).min() > -1e-12  # positive semi-definite
        k = int((sl.sparsemax(x) > 0).sum())
        assert np.linalg.matrix_rank(jac) == k - 1  # a projection of rank |S| - 1


def test_vjp_matches_dense_jacobian_and_finite_differences():
    rng = np.random.default_rng(2)
    for x in safe_rows(seed=3):
        g = rng.normal(size=x.size)
        v = sparsemax_vjp(x, g)
        np.testing.assert_allclose(v, sparsemax_jacobian(x).T @ g, rtol=0, atol=8 * EPS64)
        # d/dx <g, sparsemax(x)> by central differences
        fd = [
            (g @ sl.sparsemax(x + H * e) - g @ sl.sparsemax(x - H * e)) / (2 * H)
            for e in np.eye(x.size)
        ]
        np.testing.assert_allclose(v, fd, atol=1e-8)
        assert (v[sl.sparsemax(x) == 0] == 0).all()  # no gradient off the support


@given(
    hnp.arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 9)),
               elements=st.floats(-20, 20)),
    st.integers(0, 1),
    st.data(),
)  # fmt: skip
def test_vjp_batched_along_any_axis(x, axis, data):
    g = data.draw(hnp.arrays(np.float64, x.shape, elements=st.floats(-5, 5)))
    v = sparsemax_vjp(x, g, axis=axis)
    xm, gm, vm = (np.moveaxis(a, axis, -1) for a in (x, g, v))
    for r in range(xm.shape[0]):
        np.testing.assert_allclose(vm[r], sparsemax_jacobian(xm[r]) @ gm[r], atol=1e-12)
    np.testing.assert_allclose(v.sum(axis=axis), 0, atol=1e-12)  # J 1 = 0, J symmetric


def test_conventions():
    v = sparsemax_vjp([[1.0, math.nan, 0.0], [1.0, 0.8, 0.1]], [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
    assert np.isnan(v[0]).all() and v[1].tolist() == [-0.5, 0.5, 0.0]
    v = sparsemax_vjp([1.0, 0.8, 0.1], [1.0, 2.0, math.nan])  # NaN in g: NaN row
    assert np.isnan(v).all()
    assert sparsemax_vjp([math.inf, 0.0], [3.0, 4.0]).tolist() == [0.0, 0.0]
    assert np.isnan(sparsemax_jacobian([math.inf, math.inf])).all()
    assert sparsemax_vjp(np.zeros((2, 0)), np.zeros((2, 0))).shape == (2, 0)


def test_dtypes():
    x32 = np.array([1.0, 0.8, 0.1], np.float32)
    assert sparsemax_jacobian(x32).dtype == np.float32
    assert sparsemax_vjp(x32, x32).dtype == np.float32
    assert sparsemax_vjp(x32, x32.astype(np.float64)).dtype == np.float64
    assert sparsemax_vjp([1, 0], [1, 0]).dtype == np.float64
    assert sparsemax_jacobian(np.array([1, 0], np.float16)).dtype == np.float16


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("bad", [None, "ab", [1.0, None], np.array([object()])])
def test_non_real(bad):
    with pytest.raises(TypeError, match="^sparsemax_jacobian: x must be an array of real"):
        sparsemax_jacobian(bad)
    with pytest.raises(TypeError, match="^sparsemax_vjp: x must be an array of real"):
        sparsemax_vjp(bad, [1.0, 2.0])
    with pytest.raises(TypeError, match="^sparsemax_vjp: g must be an array of real"):
        sparsemax_vjp([1.0, 2.0], bad)


def test_complex():
    with pytest.raises(TypeError, match=r"^sparsemax_jacobian: x is complex"):
        sparsemax_jacobian([1j, 0.0])
    with pytest.raises(TypeError, match=r"^sparsemax_vjp: g is complex"):
        sparsemax_vjp([1.0, 0.0], [1j, 0.0])


@pytest.mark.parametrize("x", [np.zeros((2, 2)), 3.0, np.zeros(0)])
def test_jacobian_needs_one_non_empty_vector(x):
    with pytest.raises(ValueError, match=r"^sparsemax_jacobian: x must be one-dimensional"):
        sparsemax_jacobian(x)


def test_vjp_shapes_and_axis():
    with pytest.raises(ValueError, match=r"^sparsemax_vjp: g must have the shape of x \(3,\)"):
        sparsemax_vjp([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(AxisError, match="^sparsemax_vjp: axis 1 is out of bounds"):
        sparsemax_vjp([1.0, 2.0], [1.0, 2.0], axis=1)
    with pytest.raises(TypeError, match="^sparsemax_vjp: axis must be an int"):
        sparsemax_vjp([1.0, 2.0], [1.0, 2.0], axis=None)
