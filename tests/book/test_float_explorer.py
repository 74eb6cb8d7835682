"""The floating-point explorer's Python side: numpy in the chosen dtype, the thresholds where
the textbook formula breaks, and markup that serves every reader.

The page script's side is checked in chromium by tests/site/test_float_explorer.py.
"""

import html
import json
import re
from pathlib import Path

import numpy as np
import pytest

from softmax_book.figures import OKABE_ITO
from softmax_book.float_explorer import (
    FORMATS,
    FloatExplorer,
    float_state,
    render_float_state,
    summary,
)
from softmax_book.lab_style import kernel_panel

ROOT = Path(__file__).resolve().parents[2]
LABELS = ["dog", "cat", "horse"]
LOGITS = [2.0, 1.0, 0.1]


def _attr(markup, name):
    match = re.search(rf"{name}='([^']*)'", markup)
    assert match, f"{name} missing"
    return json.loads(html.unescape(match.group(1)))


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_state_is_numpy_in_the_dtype(fmt):
    dt = np.dtype(fmt).type
    state = float_state(LOGITS, 1.5, fmt)
    z = np.array(LOGITS, dtype=dt)
    x = z + dt(1.5)
    e = np.exp(x)
    np.testing.assert_array_equal(state["z"], z)
    np.testing.assert_array_equal(state["x"], x)
    np.testing.assert_array_equal(state["exp"], e)
    np.testing.assert_array_equal(state["textbook"], e / e.sum())
    d = np.exp(x - x.max())
    np.testing.assert_array_equal(state["shifted"], d / d.sum())
    assert state["outcome"] == "ok"
    # every value is exactly a number of the format
    for key in ("x", "exp", "textbook", "shifted"):
        assert all(float(dt(v)) == v for v in state[key])


def test_float16_rounds_the_logits():
    state = float_state([0.1], 0.0, "float16")
    assert state["z"] == [float(np.float16(0.1))] != [0.1]


@pytest.mark.parametrize(
    ("fmt", "shift", "outcome"),
    [
        ("float16", 0.0, "ok"),
        ("float16", 9.0, "zeros"),  # e^11 fits in float16, e^11 + e^10 + e^9.1 does not
        ("float16", 10.0, "nan"),
        ("float16", -20.0, "underflow"),
        ("float32", 86.5, "zeros"),
        ("float32", 90.0, "nan"),
        ("float32", -107.0, "underflow"),
        ("float64", 707.5, "zeros"),
        ("float64", 708.0, "nan"),
        ("float64", -748.0, "underflow"),
    ],
)
def test_the_three_failures(fmt, shift, outcome):
    state = float_state(LOGITS, shift, fmt)
    assert state["outcome"] == outcome
    p = np.array(state["textbook"])
    if outcome == "zeros":
        assert np.isfinite(state["exp"]).all() and state["sum"] == np.inf and (p == 0).all()
    elif outcome == "nan":
        assert np.isinf(state["exp"]).any() and np.isnan(p).any()
    elif outcome == "underflow":
        assert state["sum"] == 0 and np.isnan(p).all()
    # the shifted formula is right whatever the outcome
    want = np.exp(np.array(LOGITS) - max(LOGITS))
    np.testing.assert_allclose(state["shifted"], want / want.sum(), rtol=1e-2)  # x rounded


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_thresholds_are_where_the_outcome_changes(fmt):
    """c_break = log M - LSE(z), log M - max z and log(tiny / 2) - max z, up to rounding."""
    rng = np.random.default_rng(3)
    margin = {"float16": 0.05, "float32": 0.02, "float64": 0.01}[fmt]
    for _ in range(20):
        logits = np.round(rng.uniform(-5, 5, rng.integers(2, 5)), 1).tolist()
        st = float_state(logits, 0.0, fmt)
        assert st["c_under"] < st["c_break"] <= st["c_nan"]

        def outcome(c, logits=logits):
            return float_state(logits, c, fmt)["outcome"]

        assert outcome(st["c_break"] - margin) == "ok"
        if st["c_nan"] - st["c_break"] > 2 * margin:
            assert outcome(st["c_break"] + margin) == "zeros"
        assert outcome(st["c_nan"] + margin) == "nan"
        assert outcome(st["c_under"] - margin) == "underflow"
        assert outcome(st["c_under"] + margin) == "ok"


def test_static_html_is_named_and_carries_the_default_picture():
    ex = FloatExplorer(LOGITS, LABELS, shift=9.0, title="Feel floating point")
    markup = ex.to_html()
    config, state = _attr(markup, "data-fpx-config"), _attr(markup, "data-fpx-state")
    assert config["fmt"] == "float16" and config["labels"] == LABELS
    assert state["outcome"] == "zeros" and state["sum"] == "inf"  # inf survives JSON
    names = re.findall(r'aria-label="([^"]*)"', markup)
    assert names == [
        "Feel floating point",
        "number format",
        "logit of dog",
        "logit of cat",
        "logit of horse",
        "shift c",
        "shift c, typed",
        "number lines of the shift c, the second magnified near overflow: where the textbook "
        "formula is right, returns zeros, and returns nan",
    ]
    visible = re.findall(r'<span class="fpx-name">([^<]*)</span>', markup)
    assert visible == names[1:7]
    assert '<p class="fpx-status" role="status" aria-live="polite"></p>' in markup
    assert markup.count("<option") == 3 and '<option value="float16" selected>' in markup
    assert "<svg" in markup and markup.count('class="fpx-textbook"') == 3
    assert "all zeros" in markup and "sum overflows" in markup
    assert "NaN" not in markup and "Infinity" not in markup
    assert render_float_state(LABELS, ex.state()) in markup


def test_summary_says_format_outcome_and_probabilities():
    text = summary(LABELS, float_state(LOGITS, 9.0, "float16"))
    assert (
        text == "float16, c = 9: textbook formula all zeros; shifted dog 0.66, cat 0.24, horse 0.10"
    )


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="fmt"):
        float_state(LOGITS, 0.0, "bfloat16")
    with pytest.raises(ValueError, match="logits"):
        FloatExplorer(list(range(8)))
    with pytest.raises(ValueError, match="labels"):
        FloatExplorer(LOGITS, ["a"])
    with pytest.raises(ValueError, match="shift"):
        FloatExplorer(LOGITS, shift=100.0)  # beyond float16's slider


def test_widget_computes_in_the_chosen_dtype():
    ex = FloatExplorer(LOGITS, LABELS, shift=9.0)
    box = ex.widget()
    _, fmt, *logits, shift, view = box.children
    assert [c.description for c in (fmt, *logits, shift)] == [
        "number format",
        "logit of dog",
        "logit of cat",
        "logit of horse",
        "shift c",
    ]
    assert view.value == kernel_panel("fpx", render_float_state(LABELS, ex.state()))
    fmt.value = "float64"  # c = 9 is kept; the slider takes float64's range
    assert (shift.min, shift.max, shift.step) == (-760.0, 716.0, 0.1)
    assert view.value == kernel_panel(
        "fpx", render_float_state(LABELS, float_state(LOGITS, 9.0, "float64"))
    )
    shift.value = 707.5
    assert "all zeros" in view.value


def test_band_colours_are_okabe_ito():
    css = (ROOT / "site_assets" / "float-explorer.css").read_text().lower()
    colours = re.findall(r"--fpx-\w+:\s*(#[0-9a-f]{6})", css)
    assert len(colours) == 4
    assert set(colours) <= {c.lower() for c in OKABE_ITO.values()}


def test_assets_are_small():
    for name in ("float-explorer.js", "float-explorer.css"):
        assert (ROOT / "site_assets" / name).stat().st_size < 18_000, name  # 6 kB gzipped
