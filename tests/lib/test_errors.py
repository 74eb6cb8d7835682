"""Bad input across the public functions: every row of the bad-input table in
``softmax_lib.__init__``, the error type, and a message that names the function and the
argument. No numpy warning anywhere (filterwarnings=error). The errors particular to one
function's own arguments (attention's q, k, v and mask, online's chunks, ``out=``) are tested
with that function."""

import math
import re

import numpy as np
import pytest
from numpy.exceptions import AxisError

import softmax_lib as sl

X_FUNCS = {  # name -> call with x (1-D or 2-D float) and optional kwargs
    "softmax": sl.softmax,
    "log_softmax": sl.log_softmax,
    "logsumexp": sl.logsumexp,
    "naive_softmax": sl.naive_softmax,
    "sparsemax": sl.sparsemax,
    "sigmoid": sl.sigmoid,
    "softmax_jacobian": sl.softmax_jacobian,
    "cross_entropy": lambda x, **kw: sl.cross_entropy(x, 0, **kw),
    "cross_entropy_grad": lambda x, **kw: sl.cross_entropy_grad(x, 0, **kw),
}
AXIS_FUNCS = [
    "softmax",
    "log_softmax",
    "logsumexp",
    "naive_softmax",
    "sparsemax",
    "cross_entropy",
    "cross_entropy_grad",
]
TEMP_FUNCS = ["softmax", "log_softmax", "softmax_jacobian"]
CE_FUNCS = ["cross_entropy", "cross_entropy_grad"]


def arg_of(name):
    return "logits" if name.startswith("cross_entropy") else "x"


# ---------------------------------------------------------------- x / logits


@pytest.mark.parametrize("name", X_FUNCS)
@pytest.mark.parametrize(
    "bad, what",
    [
        (["a", "b"], ", got dtype <U1"),
        ("abc", ", got dtype <U3"),
        ([b"ab"], r", got dtype \|S2"),
        (np.array([1.0, 2.0], dtype=object), ", got dtype object"),
        ([object(), 1.0], ", got dtype object"),
        ([1.0, None], ", got dtype object"),
        (None, ", got None"),
        ([[1.0, 2.0], [3.0]], r" \(.*inhomogeneous"),  # ragged: numpy's reason in parentheses
        (np.array(["2020-01-01"], dtype="datetime64[D]"), ", got dtype datetime64"),
    ],
)
def test_non_real_x_is_type_error(name, bad, what):
    message = rf"^{name}: {arg_of(name)} must be an array of real numbers{what}"
    with pytest.raises(TypeError, match=message):
        X_FUNCS[name](bad)


@pytest.mark.parametrize("name", X_FUNCS)
@pytest.mark.parametrize(
    "bad", [[1j, 2.0], np.array([1.0, 2.0], dtype=np.complex64), np.array([1.0], np.complex128)]
)
def test_complex_x_is_type_error(name, bad):
    message = rf"^{name}: {arg_of(name)} is complex \(complex\d+\); complex input is not supported"
    with pytest.raises(TypeError, match=message):
        X_FUNCS[name](bad)


# ---------------------------------------------------------------- axis


@pytest.mark.parametrize("name", AXIS_FUNCS)
@pytest.mark.parametrize("axis", [2, -3, 10])
def test_axis_out_of_range(name, axis):
    message = rf"^{name}: axis {axis} is out of bounds for array of dimension 2"
    with pytest.raises(AxisError, match=message):
        X_FUNCS[name](np.zeros((2, 3)), axis=axis)


@pytest.mark.parametrize("name", AXIS_FUNCS)
def test_zero_d_input_has_no_axis(name):
    message = rf"^{name}: axis -1 is out of bounds for array of dimension 0"
    with pytest.raises(AxisError, match=message):
        X_FUNCS[name](3.0)


@pytest.mark.parametrize("name", AXIS_FUNCS)
@pytest.mark.parametrize(
    "axis, what",
    [(1.0, "float 1.0"), (None, "NoneType None"), (True, "bool True"), ("0", "str '0'"),
     ([0], r"list \[0\]")],
)  # fmt: skip
def test_axis_not_int(name, axis, what):
    with pytest.raises(TypeError, match=rf"^{name}: axis must be an int, got {what}$"):
        X_FUNCS[name](np.zeros((2, 3)), axis=axis)


def test_logsumexp_axis_checked_before_empty_shortcut():
    with pytest.raises(AxisError, match="logsumexp: axis 1"):
        sl.logsumexp(np.zeros(0), axis=1)


# ---------------------------------------------------------------- temperature


@pytest.mark.parametrize("name", TEMP_FUNCS)
@pytest.mark.parametrize(
    "t, text",
    [(0, "0.0"), (0.0, "0.0"), (-0.0, "-0.0"), (-1.5, "-1.5"), (math.nan, "nan"),
     (math.inf, "inf"), (-math.inf, "-inf"), (np.float32(0), "0.0"), (np.float32(-2), "-2.0")],
)  # fmt: skip
def test_bad_temperature_value(name, t, text):
    message = rf"^{name}: temperature must be finite and > 0, got {text}$"
    with pytest.raises(ValueError, match=message):
        X_FUNCS[name]([1.0, 2.0], temperature=t)


@pytest.mark.parametrize("name", TEMP_FUNCS)
@pytest.mark.parametrize(
    "t",
    ["2", b"2", None, True, np.bool_(True), [1.0], [1.0, 2.0], np.array([2.0]),
     np.array([1.0, 2.0]), 1 + 2j, np.complex128(2)],
)  # fmt: skip
def test_bad_temperature_type(name, t):
    message = rf"^{name}: temperature must be a real scalar, got {re.escape(repr(t))}$"
    with pytest.raises(TypeError, match=message):
        X_FUNCS[name]([1.0, 2.0], temperature=t)


def test_temperature_checked_even_for_empty_input():
    with pytest.raises(ValueError, match="^softmax: temperature"):
        sl.softmax(np.zeros((2, 0)), temperature=0.0)


# ---------------------------------------------------------------- cross-entropy targets

Z = np.zeros((3, 4))
NOT_REAL = "target must be an array of real numbers, got"


@pytest.mark.parametrize("name", CE_FUNCS)
@pytest.mark.parametrize(
    "target, message",
    [
        (None, f"{NOT_REAL} None"),
        ("a", f"{NOT_REAL} dtype <U1"),
        (["a", "b", "c"], f"{NOT_REAL} dtype <U1"),
        (np.array([0, 1, 2], dtype=object), f"{NOT_REAL} dtype object"),
        ([object()] * 3, f"{NOT_REAL} dtype object"),
        (1j, r"target is complex .*not supported"),
        (np.array([0, 1, 2], dtype=complex), r"target is complex .*not supported"),
        ([True, False, True], "target labels must be integers, got bools"),
    ],
)  # fmt: skip
def test_non_real_target(name, target, message):
    with pytest.raises(TypeError, match=rf"^{name}: {message}"):
        getattr(sl, name)(Z, target)


@pytest.mark.parametrize("name", CE_FUNCS)
@pytest.mark.parametrize(
    "labels, where, value, why",
    [
        ([0, 4, 1], 1, "4", "out of range for 4 classes"),
        ([0, 10, 1], 1, "10", "out of range for 4 classes"),
        ([0, 1, -1], 2, "-1", "out of range for 4 classes"),
        ([7, 9, 1], 0, "7", "out of range"),
        ([0.0, 1.5, 2.0], 1, "1.5", "not an integer"),
        ([np.nan, 1.0, 2.0], 0, "nan", "not an integer"),
        ([0.0, 1.0, np.inf], 2, "inf", "not an integer"),
    ],
)
def test_bad_labels(name, labels, where, value, why):
    message = rf"^{name}: target label of example {where} is {value}, {why}"
    with pytest.raises(ValueError, match=message):
        getattr(sl, name)(Z, labels)


@pytest.mark.parametrize("name", CE_FUNCS)
def test_bad_label_in_a_2d_batch_names_the_index(name):
    message = (
        rf"^{name}: target label of example \(1, 0\) is 5, out of range for 4 classes "
        r"\(from 0 to 3\)"
    )
    with pytest.raises(ValueError, match=message):
        getattr(sl, name)(np.zeros((2, 2, 4)), [[0, 1], [5, 0]])


@pytest.mark.parametrize("name", CE_FUNCS)
@pytest.mark.parametrize("target_shape", [(4,), (3, 1), (4, 3), (3, 4, 1), ()])
def test_target_wrong_shape(name, target_shape):
    with pytest.raises(ValueError) as info:
        getattr(sl, name)(Z, np.zeros(target_shape, dtype=int))
    text = str(info.value)
    assert text.startswith(
        f"{name}: target has shape {target_shape}; expected class indices of shape (3,)"
    )
    assert "probability rows of the logits' shape (3, 4)" in text


@pytest.mark.parametrize("name", CE_FUNCS)
def test_probability_rows_negative_or_nan(name):
    y = np.full((3, 4), 0.25)
    y[1] = [0.5, 0.75, -0.25, 0.0]
    message = rf"^{name}: target row 1 has a negative or NaN probability \(min -0.25\)"
    with pytest.raises(ValueError, match=message):
        getattr(sl, name)(Z, y)
    y[1] = [0.5, np.nan, 0.25, 0.25]
    with pytest.raises(
        ValueError, match=r"target row 1 has a negative or NaN probability \(min nan\)"
    ):
        getattr(sl, name)(Z, y)


@pytest.mark.parametrize("name", CE_FUNCS)
def test_probability_rows_not_summing_to_one(name):
    y = np.full((3, 4), 0.25)
    y[2, 0] = 0.5
    message = rf"^{name}: target row 2 sums to 1.25, not 1 \(tolerance 1e-09 for float64\)"
    with pytest.raises(ValueError, match=message):
        getattr(sl, name)(Z, y)
    y = np.full((2, 3, 4), 0.25)
    y[1, 2] = 0.0
    with pytest.raises(ValueError, match=rf"^{name}: target row \(1, 2\) sums to 0.0, not 1"):
        getattr(sl, name)(np.zeros((2, 3, 4)), y)


@pytest.mark.parametrize(
    "dtype, off, tolerance",
    [(np.float64, 5e-10, None), (np.float64, 2e-9, "1e-09"), (np.float64, 5e-9, "1e-09"),
     (np.float32, 5e-7, None), (np.float32, 2e-6, "1e-06"), (np.float32, 5e-6, "1e-06"),
     (np.float16, 2e-6, None)],
)  # fmt: skip
def test_probability_sum_tolerance_scales_with_dtype(dtype, off, tolerance):
    y = np.array([[0.5, 0.5 + off]], dtype=dtype)
    if tolerance is None:
        assert np.isfinite(sl.cross_entropy(np.zeros((1, 2)), y))
    else:
        message = rf"^cross_entropy: target row 0 sums to .*tolerance {tolerance} for {y.dtype}"
        with pytest.raises(ValueError, match=message):
            sl.cross_entropy(np.zeros((1, 2)), y)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_rounded_thirds_are_a_probability_row(dtype):
    # float16 thirds sum to 0.99951...: within its tolerance
    y = np.full((1, 3), 1 / 3).astype(dtype)
    assert float(sl.cross_entropy(np.zeros((1, 3)), y)) == pytest.approx(math.log(3), rel=1e-3)


@pytest.mark.parametrize("name", CE_FUNCS)
def test_zero_classes_with_examples(name):
    message = rf"^{name}: logits have 0 classes along axis -1 \(shape \(2, 0\)\); need at least one"
    with pytest.raises(ValueError, match=message):
        getattr(sl, name)(np.zeros((2, 0)), [0, 0])
    with pytest.raises(ValueError, match=rf"^{name}: logits have 0 classes .*\(shape \(0,\)\)"):
        getattr(sl, name)(np.zeros(0), 0)


@pytest.mark.parametrize("name", CE_FUNCS)
@pytest.mark.parametrize("reduction", ["avg", "Mean", None, 1])
def test_unknown_reduction(name, reduction):
    message = rf"^{name}: reduction must be one of 'mean', 'sum', 'none', got"
    with pytest.raises(ValueError, match=message):
        getattr(sl, name)(Z, [0, 1, 2], reduction=reduction)


# ---------------------------------------------------------------- softmax_jacobian


@pytest.mark.parametrize("shape", [(), (2, 2), (1, 2), (1, 3), (2, 1, 1)])
def test_jacobian_needs_1d(shape):
    shape_text = re.escape(str(shape))
    message = rf"^softmax_jacobian: x must be one-dimensional, got shape {shape_text}"
    with pytest.raises(ValueError, match=message):
        sl.softmax_jacobian(np.zeros(shape))
