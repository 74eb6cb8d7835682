"""Rows with a non-finite maximum: the shift, the limit masks and their patch, the errstate."""

from __future__ import annotations

import warnings

import numpy as np

from softmax_lib._engine import RowLimits, finite_shift, quiet, row_limits

INF, NAN = np.inf, np.nan

# one row per kind: finite, one +inf, two +inf, only -inf, a NaN, NaN beside +inf, -inf beside
# a finite maximum
ROWS = np.array(
    [
        [1.0, 2.0, 0.0],
        [INF, 2.0, -INF],
        [INF, INF, 0.0],
        [-INF, -INF, -INF],
        [NAN, 1.0, 0.0],
        [NAN, INF, 0.0],
        [-INF, 3.0, 1.0],
    ]
)


def test_finite_shift():
    m = ROWS.max(axis=1, keepdims=True)
    shift = finite_shift(m)
    np.testing.assert_array_equal(shift[:, 0], [2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.0])
    assert shift.dtype == m.dtype
    finite = np.array([[1.0], [2.0]], dtype=np.float32)
    assert finite_shift(finite) is finite  # nothing to replace: no copy


def test_row_limits_masks():
    m = ROWS.max(axis=1, keepdims=True)
    limits = row_limits(ROWS, m, 1)
    assert limits is not None
    np.testing.assert_array_equal(limits.one_hot[:, 0], [0, 1, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(limits.undefined[:, 0], [0, 0, 1, 1, 1, 1, 0])
    assert limits.hot is not None
    np.testing.assert_array_equal(np.argwhere(limits.hot), [[1, 0]])


def test_row_limits_is_none_when_every_maximum_is_finite():
    x = np.array([[1.0, -INF], [0.0, 5.0]])
    assert row_limits(x, x.max(axis=1, keepdims=True), 1) is None


def test_patch_writes_the_limits_along_any_axis():
    x = ROWS.T.copy()  # the rows along axis 0
    m = x.max(axis=0, keepdims=True)
    limits = row_limits(x, m, 0)
    assert limits is not None
    out = np.full(x.shape, 0.25)
    limits.patch(out, at_inf=1.0, elsewhere=0.0)
    np.testing.assert_array_equal(out[:, 1], [1.0, 0.0, 0.0])
    assert np.isnan(out[:, 2:6]).all()
    assert (out[:, [0, 6]] == 0.25).all()  # finite rows untouched


def test_patch_with_the_hot_entries_of_a_chunk():
    """online_softmax knows the +inf count per row from pass 1 and the +inf entries of each
    chunk in pass 2."""
    m = np.array([[INF], [INF], [1.0]])
    limits = RowLimits.from_counts(m, np.array([[1], [2], [0]]))
    assert limits.hot is None
    chunk = np.array([[0.0, INF], [INF, 0.0], [1.0, 0.0]])
    out = np.full(chunk.shape, 0.5)
    limits.patch(out, at_inf=0.0, elsewhere=-INF, hot=np.isposinf(chunk))
    np.testing.assert_array_equal(out[0], [-INF, 0.0])
    assert np.isnan(out[1]).all()
    np.testing.assert_array_equal(out[2], [0.5, 0.5])


def test_quiet_silences_every_floating_point_warning_and_nests():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with quiet(), quiet():  # a fresh errstate each time: nesting is fine
            np.exp(np.array([1000.0, -1000.0]))
            np.array([0.0]) / 0.0
            np.array([INF]) - INF
            np.log(np.array([0.0]))
    assert np.geterr()["over"] != "ignore"  # restored afterwards
