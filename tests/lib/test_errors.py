"""Every row of the bad-input table in ``softmax_lib.__init__``: the error type, and a message
that names the function and the argument. No numpy warning anywhere (filterwarnings=error)."""

import math

import numpy as np
import pytest
from numpy.exceptions import AxisError

import softmax_lib as sl

X_FUNCS = {  # name -> call with x (1-D or 2-D float) and optional kwargs
    "softmax": sl.softmax,
    "log_softmax": sl.log_softmax,
    "logsumexp": sl.logsumexp,
    "naive_softmax": sl.naive_softmax,
    "sigmoid": sl.sigmoid,
    "softmax_jacobian": sl.softmax_jacobian,
    "cross_entropy": lambda x, **kw: sl.cross_entropy(x, 0, **kw),
    "cross_entropy_grad": lambda x, **kw: sl.cross_entropy_grad(x, 0, **kw),
}
AXIS_FUNCS = ["softmax", "log_softmax", "logsumexp", "naive_softmax", "cross_entropy", "cross_entropy_grad"]
TEMP_FUNCS = ["softmax", "log_softmax", "softmax_jacobian"]
CE_FUNCS = ["cross_entropy", "cross_entropy_grad"]


def arg_of(name):
    return "logits" if name.startswith("cross_entropy") else "x"


# ---------------------------------------------------------------- x / logits


@pytest.mark.parametrize("name", X_FUNCS)
@pytest.mark.parametrize(
    "bad, what",
    [
        (["a", "b"], "dtype <U1"),
        ("abc", "dtype <U3"),
        (np.array([1.0, 2.0], dtype=object), "dtype object"),
        (None, "None"),
        ([[1.0, 2.0], [3.0]], ""),  # ragged
        (np.array(["2020-01-01"], dtype="datetime64[D]"), "dtype datetime64"),
    ],
)
def test_non_real_x_is_type_error(name, bad, what):
    with pytest.raises(TypeError, match=rf"^{name}: {arg_of(name)} must be an array of real numbers.*{what}"):
        X_FUNCS[name](bad)


@pytest.mark.parametrize("name", X_FUNCS)
@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_complex_x_is_type_error(name, dtype):
    with pytest.raises(TypeError, match=rf"^{name}: {arg_of(name)} is complex.*not supported"):
        X_FUNCS[name](np.array([1.0, 2.0], dtype=dtype))


# ---------------------------------------------------------------- axis


@pytest.mark.parametrize("name", AXIS_FUNCS)
@pytest.mark.parametrize("axis", [2, -3, 10])
def test_axis_out_of_range(name, axis):
    with pytest.raises(AxisError, match=rf"^{name}: axis {axis} is out of bounds for array of dimension 2"):
        X_FUNCS[name](np.zeros((2, 3)), axis=axis)


@pytest.mark.parametrize("name", AXIS_FUNCS)
def test_zero_d_input_has_no_axis(name):
    with pytest.raises(AxisError, match=rf"^{name}: axis -1 is out of bounds for array of dimension 0"):
        X_FUNCS[name](3.0)


@pytest.mark.parametrize("name", AXIS_FUNCS)
@pytest.mark.parametrize("axis", [1.0, None, True, "0", [0]])
def test_axis_not_int(name, axis):
    with pytest.raises(TypeError, match=rf"^{name}: axis must be an int"):
        X_FUNCS[name](np.zeros((2, 3)), axis=axis)


def test_logsumexp_keepdims_and_axis_checked_before_empty_shortcut():
    with pytest.raises(AxisError, match="logsumexp: axis 1"):
        sl.logsumexp(np.zeros(0), axis=1)


# ---------------------------------------------------------------- temperature


@pytest.mark.parametrize("name", TEMP_FUNCS)
@pytest.mark.parametrize("t", [0.0, -1.0, -0.0, math.nan, math.inf, -math.inf, np.float32(0)])
def test_bad_temperature_value(name, t):
    with pytest.raises(ValueError, match=rf"^{name}: temperature must be finite and > 0, got"):
        X_FUNCS[name](np.zeros(3), temperature=t)


@pytest.mark.parametrize("name", TEMP_FUNCS)
@pytest.mark.parametrize("t", ["2", b"2", None, True, np.bool_(True), [1.0], np.array([1.0, 2.0]), 1 + 1j, np.complex128(2)])
def test_bad_temperature_type(name, t):
    with pytest.raises(TypeError, match=rf"^{name}: temperature must be a real scalar, got"):
        X_FUNCS[name](np.zeros(3), temperature=t)


@pytest.mark.parametrize("t", [2, np.float32(2.0), np.array(2.0), np.int64(2)])
def test_good_temperature_types(t):
    np.testing.assert_allclose(sl.softmax([1.0, 0.0], temperature=t), sl.softmax([0.5, 0.0]), rtol=1e-15)


# ---------------------------------------------------------------- cross-entropy targets


@pytest.mark.parametrize("name", CE_FUNCS)
@pytest.mark.parametrize("label", [-1, 3, 10])
def test_label_out_of_range(name, label):
    func = getattr(sl, name)
    with pytest.raises(ValueError, match=rf"^{name}: target label of example 1 is {label}, out of range for 3 classes"):
        func(np.zeros((2, 3)), [0, label])


@pytest.mark.parametrize("name", CE_FUNCS)
def test_label_index_in_a_2d_batch(name):
    with pytest.raises(ValueError, match=rf"^{name}: target label of example \(1, 0\) is 5"):
        getattr(sl, name)(np.zeros((2, 2, 3)), [[0, 1], [5, 0]])


@pytest.mark.parametrize("name", CE_FUNCS)
@pytest.mark.parametrize("label", [0.5, math.nan, math.inf])
def test_fractional_or_nonfinite_label(name, label):
    with pytest.raises(ValueError, match=rf"^{name}: target label of example 1 is {label}, not an integer"):
        getattr(sl, name)(np.zeros((2, 3)), [1.0, label])


@pytest.mark.parametrize("name", CE_FUNCS)
def test_bool_labels(name):
    with pytest.raises(TypeError, match=rf"^{name}: target labels must be integers, got bools"):
        getattr(sl, name)(np.zeros((2, 3)), [True, False])


@pytest.mark.parametrize("name", CE_FUNCS)
@pytest.mark.parametrize("target", [None, ["a", "b"], np.array([0, 1], dtype=object)])
def test_non_real_target(name, target):
    with pytest.raises(TypeError, match=rf"^{name}: target must be an array of real numbers"):
        getattr(sl, name)(np.zeros((2, 3)), target)


@pytest.mark.parametrize("name", CE_FUNCS)
def test_complex_target(name):
    with pytest.raises(TypeError, match=rf"^{name}: target is complex"):
        getattr(sl, name)(np.zeros((2, 3)), np.array([0, 1], dtype=complex))


@pytest.mark.parametrize("name", CE_FUNCS)
@pytest.mark.parametrize("shape", [(3,), (2, 2), (3, 2), (2, 3, 1), ()])
def test_target_shape(name, shape):
    with pytest.raises(ValueError, match=rf"^{name}: target has shape .*expected class indices of shape \(2,\).*logits' shape \(2, 3\)"):
        getattr(sl, name)(np.zeros((2, 3)), np.zeros(shape, dtype=int))


@pytest.mark.parametrize("name", CE_FUNCS)
@pytest.mark.parametrize(
    "row, what",
    [([0.5, -0.1, 0.6], "negative or NaN"), ([0.5, math.nan, 0.5], "negative or NaN"), ([0.5, 0.4, 0.0], "sums to 0.9")],
)
def test_bad_probability_rows(name, row, what):
    y = np.array([[1.0, 0.0, 0.0], row])
    with pytest.raises(ValueError, match=rf"^{name}: target row 1 .*{what}"):
        getattr(sl, name)(np.zeros((2, 3)), y)


@pytest.mark.parametrize("name", CE_FUNCS)
def test_bad_probability_row_index_in_3d_batch(name):
    y = np.full((2, 2, 2), 0.5)
    y[1, 0] = [0.7, 0.7]
    with pytest.raises(ValueError, match=rf"^{name}: target row \(1, 0\) sums to 1.4"):
        getattr(sl, name)(np.zeros((2, 2, 2)), y)


@pytest.mark.parametrize(
    "dtype, off, ok", [(np.float64, 5e-10, True), (np.float64, 5e-9, False), (np.float32, 5e-7, True), (np.float32, 5e-6, False)]
)
def test_probability_sum_tolerance_by_dtype(dtype, off, ok):
    y = np.array([0.5 + off, 0.5], dtype=dtype)
    if ok:
        sl.cross_entropy([0.0, 0.0], y)
    else:
        with pytest.raises(ValueError, match="cross_entropy: target row 0 sums to"):
            sl.cross_entropy([0.0, 0.0], y)


@pytest.mark.parametrize("name", CE_FUNCS)
def test_zero_classes_with_examples(name):
    with pytest.raises(ValueError, match=rf"^{name}: logits have 0 classes"):
        getattr(sl, name)(np.zeros((2, 0)), [0, 0])


@pytest.mark.parametrize("name", CE_FUNCS)
@pytest.mark.parametrize("reduction", ["avg", "Mean", None, 1])
def test_unknown_reduction(name, reduction):
    with pytest.raises(ValueError, match=rf"^{name}: reduction must be one of 'mean', 'sum', 'none', got"):
        getattr(sl, name)(np.zeros((2, 3)), [0, 1], reduction=reduction)


# ---------------------------------------------------------------- softmax_jacobian


@pytest.mark.parametrize("shape", [(), (2, 2), (1, 3), (2, 1, 1)])
def test_jacobian_needs_1d(shape):
    with pytest.raises(ValueError, match=rf"^softmax_jacobian: x must be one-dimensional, got shape \({', '.join(map(str, shape))},?\)"):
        sl.softmax_jacobian(np.zeros(shape))


# --- further cases ---
AXIS_FUNC_OF = {
    "softmax": sl.softmax,
    "log_softmax": sl.log_softmax,
    "logsumexp": sl.logsumexp,
    "naive_softmax": sl.naive_softmax,
}


X_FUNC_OF = {**AXIS_FUNC_OF, "sigmoid": sl.sigmoid, "softmax_jacobian": sl.softmax_jacobian}


TEMP_FUNC_OF = {"softmax": sl.softmax, "log_softmax": sl.log_softmax, "softmax_jacobian": sl.softmax_jacobian}


CE_FUNC_OF = {"cross_entropy": sl.cross_entropy, "cross_entropy_grad": sl.cross_entropy_grad}


Z = np.zeros((3, 4))


@pytest.mark.parametrize("name", X_FUNC_OF)
@pytest.mark.parametrize(
    "bad, dtype_text",
    [(["a", "bc", "def"], "<U3"), ("abc", "<U3"), ([object(), 1.0], "object"), ([1.0, None], "object"),
     (np.array(["2020-01-01"], dtype="datetime64[D]"), "datetime64"), ([b"ab"], "|S2")],
)
def test_x_not_real(name, bad, dtype_text):
    with pytest.raises(TypeError, match=rf"^{name}: x must be an array of real numbers, got dtype {dtype_text}"):
        X_FUNC_OF[name](bad)


@pytest.mark.parametrize("name", X_FUNC_OF)
def test_x_none(name):
    with pytest.raises(TypeError, match=rf"^{name}: x must be an array of real numbers, got None"):
        X_FUNC_OF[name](None)


@pytest.mark.parametrize("name", X_FUNC_OF)
def test_x_ragged(name):
    with pytest.raises(TypeError, match=rf"^{name}: x must be an array of real numbers \("):
        X_FUNC_OF[name]([[1.0, 2.0], [3.0]])


@pytest.mark.parametrize("name", X_FUNC_OF)
@pytest.mark.parametrize("bad", [[1j, 2.0], np.array([1.0, 2.0], dtype=np.complex64)])
def test_x_complex(name, bad):
    with pytest.raises(TypeError, match=rf"^{name}: x is complex \(complex\d+\); complex input is not supported"):
        X_FUNC_OF[name](bad)


@pytest.mark.parametrize("name", CE_FUNC_OF)
def test_logits_not_real(name):
    f = CE_FUNC_OF[name]
    with pytest.raises(TypeError, match=rf"^{name}: logits must be an array of real numbers, got dtype <U3"):
        f(["abc", "def"], 0)
    with pytest.raises(TypeError, match=rf"^{name}: logits must be an array of real numbers, got None"):
        f(None, 0)
    with pytest.raises(TypeError, match=rf"^{name}: logits is complex .*not supported"):
        f([1j, 0.0], 0)


@pytest.mark.parametrize("name", CE_FUNC_OF)
def test_target_not_real(name):
    f = CE_FUNC_OF[name]
    with pytest.raises(TypeError, match=rf"^{name}: target must be an array of real numbers, got dtype <U1"):
        f([1.0, 2.0], "a")
    with pytest.raises(TypeError, match=rf"^{name}: target must be an array of real numbers, got None"):
        f([1.0, 2.0], None)
    with pytest.raises(TypeError, match=rf"^{name}: target must be an array of real numbers, got dtype object"):
        f([[1.0, 2.0]], [object()])
    with pytest.raises(TypeError, match=rf"^{name}: target is complex .*not supported"):
        f([1.0, 2.0], 1j)
    with pytest.raises(TypeError, match=rf"^{name}: target labels must be integers, got bools"):
        f([[1.0, 2.0], [0.0, 1.0]], [True, False])


@pytest.mark.parametrize("name", CE_FUNC_OF)
def test_ce_axis(name):
    f = CE_FUNC_OF[name]
    with pytest.raises(np.exceptions.AxisError, match=rf"^{name}: axis 2 is out of bounds for array of dimension 2"):
        f(np.zeros((2, 3)), [0, 1], axis=2)
    with pytest.raises(np.exceptions.AxisError, match=rf"^{name}: axis -1 is out of bounds for array of dimension 0"):
        f(1.0, 0)
    with pytest.raises(TypeError, match=rf"^{name}: axis must be an int, got float 1.0"):
        f(np.zeros((2, 3)), [0, 1], axis=1.0)


@pytest.mark.parametrize("name", TEMP_FUNC_OF)
@pytest.mark.parametrize("t, text", [(0, "0.0"), (0.0, "0.0"), (-1.5, "-1.5"), (float("nan"), "nan"),
                                     (float("inf"), "inf"), (-float("inf"), "-inf"), (np.float32(-2), "-2.0")])
def test_temperature_bad_value(name, t, text):
    with pytest.raises(ValueError, match=rf"^{name}: temperature must be finite and > 0, got {text}$"):
        TEMP_FUNC_OF[name]([1.0, 2.0], temperature=t)


@pytest.mark.parametrize("name", TEMP_FUNC_OF)
@pytest.mark.parametrize("t, text", [([1.0, 2.0], r"\[1.0, 2.0\]"), (np.array([2.0]), r"array\(\[2.\]\)"),
                                     ("2", "'2'"), (None, "None"), (True, "True"), (1 + 2j, r"\(1\+2j\)")])
def test_temperature_bad_type(name, t, text):
    with pytest.raises(TypeError, match=rf"^{name}: temperature must be a real scalar, got {text}$"):
        TEMP_FUNC_OF[name]([1.0, 2.0], temperature=t)


def test_temperature_checked_even_for_empty_input():
    with pytest.raises(ValueError, match="temperature"):
        sl.softmax(np.zeros((2, 0)), temperature=0.0)


@pytest.mark.parametrize("name", CE_FUNC_OF)
@pytest.mark.parametrize(
    "labels, where, value, why",
    [([0, 4, 1], 1, "4", "out of range for 4 classes"), ([0, 1, -1], 2, "-1", "out of range for 4 classes"),
     ([0.0, 1.5, 2.0], 1, "1.5", "not an integer"), ([np.nan, 1.0, 2.0], 0, "nan", "not an integer"),
     ([0.0, 1.0, np.inf], 2, "inf", "not an integer"), ([7, 9, 1], 0, "7", "out of range")],
)
def test_bad_labels(name, labels, where, value, why):
    with pytest.raises(ValueError, match=rf"^{name}: target label of example {where} is {value}, {why}"):
        CE_FUNC_OF[name](Z, labels)


def test_bad_label_in_2d_batch_names_the_index():
    with pytest.raises(ValueError, match=r"target label of example \(1, 0\) is 5, out of range for 4 classes \(labels run from 0 to 3\)"):
        sl.cross_entropy(np.zeros((2, 2, 4)), [[0, 1], [5, 0]])


@pytest.mark.parametrize("name", CE_FUNC_OF)
@pytest.mark.parametrize("target_shape", [(4,), (3, 1), (4, 3), (3, 4, 1), ()])
def test_target_wrong_shape(name, target_shape):
    with pytest.raises(ValueError) as info:
        CE_FUNC_OF[name](Z, np.zeros(target_shape, dtype=int))
    text = str(info.value)
    assert text.startswith(f"{name}: target has shape {target_shape}; expected class indices of shape (3,)")
    assert "probability rows of the logits' shape (3, 4)" in text


@pytest.mark.parametrize("name", CE_FUNC_OF)
def test_probability_rows_negative_or_nan(name):
    y = np.full((3, 4), 0.25)
    y[1] = [0.5, 0.75, -0.25, 0.0]
    with pytest.raises(ValueError, match=rf"^{name}: target row 1 has a negative or NaN probability \(min -0.25\)"):
        CE_FUNC_OF[name](Z, y)
    y[1] = [0.5, np.nan, 0.25, 0.25]
    with pytest.raises(ValueError, match=r"target row 1 has a negative or NaN probability \(min nan\)"):
        CE_FUNC_OF[name](Z, y)


@pytest.mark.parametrize("name", CE_FUNC_OF)
def test_probability_rows_not_summing_to_one(name):
    y = np.full((3, 4), 0.25)
    y[2, 0] = 0.5
    with pytest.raises(ValueError, match=rf"^{name}: target row 2 sums to 1.25, not 1 \(tolerance 1e-09 for float64\)"):
        CE_FUNC_OF[name](Z, y)
    y = np.full((2, 3, 4), 0.25)
    y[1, 2] = 0.0
    with pytest.raises(ValueError, match=r"target row \(1, 2\) sums to 0.0, not 1"):
        CE_FUNC_OF[name](np.zeros((2, 3, 4)), y)


def test_probability_tolerance_scales_with_dtype():
    y = np.full((1, 3), 1 / 3)
    sl.cross_entropy(np.zeros((1, 3)), y)  # float64 thirds: fine
    sl.cross_entropy(np.zeros((1, 3)), y.astype(np.float32))
    sl.cross_entropy(np.zeros((1, 3)), y.astype(np.float16))  # sums to 0.99951...: within 4e-3
    off = np.array([[0.5, 0.5 + 2e-6]])
    sl.cross_entropy(np.zeros((1, 2)), off.astype(np.float16))
    with pytest.raises(ValueError, match=r"tolerance 1e-06 for float32"):
        sl.cross_entropy(np.zeros((1, 2)), off.astype(np.float32))
    with pytest.raises(ValueError, match=r"tolerance 1e-09 for float64"):
        sl.cross_entropy(np.zeros((1, 2)), np.array([[0.5, 0.5 + 2e-9]]))
    sl.cross_entropy(np.zeros((1, 2)), np.array([[0.5, 0.5 + 5e-10]]))


def test_jacobian_not_1d():
    with pytest.raises(ValueError, match=r"^softmax_jacobian: x must be one-dimensional, got shape \(2, 2\)"):
        sl.softmax_jacobian(np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"got shape \(\)"):
        sl.softmax_jacobian(1.0)
