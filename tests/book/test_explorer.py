"""The explorer's Python side: both faces agree with softmax_lib, and the markup serves every
reader (named sliders, a live region, the default picture without JavaScript).

The page script's side is checked in chromium by tests/site/test_explorers.py.
"""

import html
import json
import math
import re
from pathlib import Path

import mpmath
import numpy as np
import pytest

import softmax_lib as sl
from softmax_book import SoftmaxExplorer, explorer_state, render_state
from softmax_book import explorer as explorer_module
from softmax_book.figures import OKABE_ITO
from softmax_book.lab_style import kernel_panel

ROOT = Path(__file__).resolve().parents[2]
LABELS = ["dog", "cat", "horse", "cheetah"]
LOGITS = [3.2, 1.3, 0.2, 0.8]


def _attr(markup, name):
    match = re.search(rf"{name}='([^']*)'", markup)
    assert match, f"{name} missing"
    return json.loads(html.unescape(match.group(1)))


def _sliders(markup):
    """Each range input's attributes, in page order."""
    return [
        dict(re.findall(r'([\w-]+)="([^"]*)"', tag)) for tag in re.findall(r"<input [^>]*>", markup)
    ]


def test_state_is_softmax_lib():
    state = explorer_state(LOGITS, temperature=2.0, shift=1.5, target=0)
    z = np.array(LOGITS) + 1.5
    np.testing.assert_array_equal(state["z"], z)
    np.testing.assert_array_equal(state["p"], sl.softmax(z, temperature=2.0))
    assert state["loss"] == pytest.approx(float(sl.cross_entropy(z / 2.0, 0)), rel=1e-15)


def test_extreme_state_keeps_its_tiny_loss():
    """A near-certain right answer: log(1 + 3e-23) rounds to 0, log1p does not."""
    state = explorer_state([4.8, -5.0], temperature=0.189, target=0)
    s = [mpmath.mpf(v) / mpmath.mpf(0.189) for v in (4.8, -5.0)]  # the doubles the kernel saw
    with mpmath.workdps(50):
        exact = mpmath.log(mpmath.exp(s[0]) + mpmath.exp(s[1])) - s[0]
    assert 1e-23 < state["loss"] < 1e-22
    assert state["loss"] == pytest.approx(float(exact), rel=1e-12)


def test_naive_column_overflows_to_nan_without_warning():
    state = explorer_state([800.0, 0.0])  # pytest turns any warning into an error
    assert np.isnan(state["naive"][0])
    np.testing.assert_array_equal(state["p"], [1.0, 0.0])


def test_static_html_carries_default_state_and_picture():
    ex = SoftmaxExplorer(LOGITS, LABELS, target=0, show_naive=True, temperature_range=(0.1, 10))
    markup = ex.to_html()
    config, state = _attr(markup, "data-smx-config"), _attr(markup, "data-smx-state")
    assert config["labels"] == LABELS and config["target"] == 0
    np.testing.assert_array_equal(state["p"], sl.softmax(np.array(LOGITS)))
    # One bar per class, heights proportional to the probabilities.
    bars = re.findall(r'<rect class="smx-bar[^"]*" [^>]*height="([^"]*)"', markup)
    heights = np.array([float(h) for h in bars])
    assert len(heights) == 4
    np.testing.assert_allclose(heights / heights.max(), state["p"] / np.max(state["p"]), atol=0.01)
    # The table shows each probability to three places.
    shown = [float(v) for v in re.findall(r'<td class="smx-p">([^<]*)</td>', markup)]
    np.testing.assert_allclose(shown, state["p"], atol=5e-4)
    # A slider per logit plus the temperature slider, each starting at its default.
    sliders = _sliders(markup)
    names = ["logit-0", "logit-1", "logit-2", "logit-3", "log10-temperature"]
    assert [s["data-smx"] for s in sliders] == names
    assert [float(s["value"]) for s in sliders[:4]] == LOGITS


def test_every_slider_says_what_it_moves():
    ex = SoftmaxExplorer(LOGITS, LABELS, temperature_range=(0.1, 10), shift_range=(0, 1000))
    sliders = _sliders(ex.to_html())
    assert [s["aria-label"] for s in sliders] == [
        "logit of dog",
        "logit of cat",
        "logit of horse",
        "logit of cheetah",
        "temperature T",
        "shift c (added to all)",
    ]
    # A screen reader hears the value the reader sees (T itself, not log10 T).
    assert [s["aria-valuetext"] for s in sliders] == ["3.20", "1.30", "0.20", "0.80", "1.00", "0"]
    # The visible label is the accessible name (speech input users say what they see).
    visible = re.findall(r'<span class="smx-name">([^<]*)</span>', ex.to_html())
    assert visible == [html.escape(s["aria-label"]) for s in sliders]


def test_live_region_and_group_name():
    markup = SoftmaxExplorer(LOGITS, LABELS, title="Four classes").to_html()
    assert re.search(r'<div class="smx-explorer" role="group" aria-label="Four classes"', markup)
    # Empty on load (nothing to announce until the reader moves something).
    assert '<p class="smx-status" role="status" aria-live="polite"></p>' in markup
    assert 'aria-label="softmax explorer"' in SoftmaxExplorer(LOGITS).to_html()


def test_geometry_has_one_source(monkeypatch):
    """The config carries the geometry the figure is drawn with; the page script reads it."""
    ex = SoftmaxExplorer(LOGITS, LABELS)
    assert ex.config()["geometry"] == explorer_module.GEOMETRY
    wide = {**explorer_module.GEOMETRY, "width": 600}
    monkeypatch.setattr(explorer_module, "GEOMETRY", wide)
    assert 'viewBox="0 0 600 200"' in render_state(LABELS, ex.state())
    assert ex.config()["geometry"]["width"] == 600
    js = (ROOT / "site_assets" / "softmax-explorer.js").read_text()
    assert "config.geometry" in js
    for key in explorer_module.GEOMETRY:
        assert f"g.{key}" in js, f"the page script does not read geometry.{key}"


def test_bar_colours_are_okabe_ito():
    css = (ROOT / "site_assets" / "softmax-explorer.css").read_text().lower()
    bars = re.findall(r"--smx-bar(?:-target)?:\s*(#[0-9a-f]{6})", css)
    assert len(bars) == 4  # two per theme
    assert set(bars) <= {c.lower() for c in OKABE_ITO.values()}


def test_html_is_deterministic_and_json_has_no_nan():
    ex = SoftmaxExplorer([800.0, 0.0], show_naive=True)
    assert ex.to_html() == SoftmaxExplorer([800.0, 0.0], show_naive=True).to_html()
    assert _attr(ex.to_html(), "data-smx-state")["naive"][0] is None
    assert "NaN" not in ex.to_html()


def test_fixed_logits_get_no_slider():
    markup = SoftmaxExplorer([1.5, 0.0], editable=[True, False]).to_html()
    assert [s["data-smx"] for s in _sliders(markup)] == ["logit-0"]


def test_live_widget_recomputes_with_softmax_lib():
    ex = SoftmaxExplorer(LOGITS, LABELS, target=0)
    box = ex.widget()
    slider, view = box.children[1], box.children[-1]
    assert slider.description == "logit of dog"
    before = view.value
    slider.value = -2.0
    assert view.value != before
    p = sl.softmax(np.array([-2.0, *LOGITS[1:]]))
    shown = [float(v) for v in re.findall(r'<td class="smx-p">([^<]*)</td>', view.value)]
    np.testing.assert_allclose(shown, p, atol=5e-4)
    loss = float(re.search(r'smx-loss-value">([^<]*)<', view.value).group(1))
    assert loss == pytest.approx(-np.log(p[0]), abs=1e-4)


def test_live_widget_temperature_and_shift():
    ex = SoftmaxExplorer(LOGITS, LABELS, temperature_range=(0.1, 10), shift_range=(0, 1000))
    box = ex.widget()
    *_, temperature, shift, view = box.children
    assert (temperature.description, shift.description) == (
        "temperature T",
        "shift c (added to all)",
    )
    temperature.value = 0.5
    shift.value = 700.0
    state = explorer_state(LOGITS, temperature=0.5, shift=700.0)
    assert view.value == kernel_panel("smx", render_state(LABELS, state, show_scaled=True))
    assert math.isclose(sum(state["p"]), 1.0, rel_tol=1e-15)


def test_one_bundle_with_widget_and_html_twin():
    bundle = SoftmaxExplorer(LOGITS, LABELS)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/html"].startswith('<div class="smx-explorer"')
    assert bundle["text/plain"] == "SoftmaxExplorer(dog, cat, horse, cheetah)"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"logits": [1.0, 2.0], "labels": ["a"]}, "one entry per logit"),
        ({"logits": [1.0, 2.0], "target": 2}, "target must be a class index"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SoftmaxExplorer(**kwargs)
