"""The calibration explorer's Python side: its numbers are softmax_lib's and a from-scratch
reliability computation's, its markup serves every reader, and the live widget redraws.

The page script's side is checked in chromium by tests/site/test_calibration_explorer.py.
"""

import html
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

import softmax_lib as sl
from softmax_book import calibration as cal
from softmax_book.calibration import (
    KEY,
    CalibrationExplorer,
    calibration_state,
    render_calibration,
)
from softmax_book.figures import OKABE_ITO
from softmax_book.lab_style import kernel_panel

ROOT = Path(__file__).resolve().parents[2]


def _data(n=300, k=10, scale=4.0, seed=0):
    rng = np.random.default_rng(seed)
    z = np.round(rng.normal(size=(n, k)) * scale, 3)
    # labels drawn from softmax(z / 2): the model is over-confident by a factor of 2
    cum = np.cumsum(sl.softmax(z / 2), axis=1)
    t = np.minimum((rng.random((n, 1)) > cum).sum(axis=1), k - 1)
    return z, t


def _attr(markup, name):
    match = re.search(rf"{name}='([^']*)'", markup)
    assert match, f"{name} missing"
    return json.loads(html.unescape(match.group(1)))


def _reference(z, t, T, bins):
    """ECE and friends straight from the definitions, one example at a time."""
    p = sl.softmax(z / T)
    groups = [[] for _ in range(bins)]
    for row, label in zip(p, t, strict=True):
        c = row.max()
        groups[min(int(c * bins), bins - 1)].append((c, int(np.argmax(row) == label)))
    ece = sum(
        len(g) / len(t) * abs(np.mean([r for _, r in g]) - np.mean([c for c, _ in g]))
        for g in groups
        if g
    )
    nll = np.mean([-math.log(row[label]) for row, label in zip(p, t, strict=True)])
    return ece, nll, [len(g) for g in groups]


@pytest.mark.parametrize("T", [0.3, 1.0, 2.0, 5.0])
def test_state_matches_definitions(T):
    z, t = _data()
    state = calibration_state(z, t, T, 15)
    ece, nll, counts = _reference(z, t, T, 15)
    assert state["ece"] == pytest.approx(ece, rel=1e-12)
    assert state["nll"] == pytest.approx(nll, rel=1e-12)
    assert [b["count"] for b in state["bins"]] == counts
    assert state["nll"] == pytest.approx(float(sl.cross_entropy(z / T, t)), rel=1e-15)
    assert state["accuracy"] == float(np.mean(np.argmax(z, axis=1) == t))


def test_temperature_moves_confidence_not_accuracy():
    z, t = _data()
    states = [calibration_state(z, t, T) for T in (0.5, 1.0, 2.0, 4.0)]
    assert len({s["accuracy"] for s in states}) == 1
    conf = [s["confidence"] for s in states]
    assert conf == sorted(conf, reverse=True)  # hotter is less confident
    # the data are over-confident by a factor 2: the NLL is smallest near T = 2
    nll = {T: calibration_state(z, t, T)["nll"] for T in (1.0, 2.0, 4.0)}
    assert nll[2.0] < nll[1.0] and nll[2.0] < nll[4.0]


def test_confidence_one_goes_in_the_last_bin():
    z = np.array([[800.0, 0.0], [0.0, 0.0]])  # top probabilities 1.0 and 0.5
    state = calibration_state(z, [0, 1], 1.0, 10)
    assert state["bins"][9]["count"] == 1 and state["bins"][5]["count"] == 1
    assert state["bins"][5]["accuracy"] == 0.0  # a tie predicts the first class
    assert state["ece"] == pytest.approx(0.5 * 0.0 + 0.5 * 0.5)


def test_static_html_carries_config_state_and_picture():
    z, t = _data(50)
    ex = CalibrationExplorer(z, t, fitted=1.9, title="A test")
    markup = ex.to_html()
    config, state = _attr(markup, "data-cal-config"), _attr(markup, "data-cal-state")
    assert config["logits"] == z.tolist() and config["labels"] == t.tolist()
    assert config["bins"] == 15 and config["geometry"] == cal.GEOMETRY
    assert state == json.loads(json.dumps(ex.state()))
    filled = [b for b in state["bins"] if b["count"]]
    assert markup.count('<rect class="cal-bar"') == len(filled)
    assert markup.count('<rect class="cal-count"') == len(filled)
    heights = [float(h) for h in re.findall(r'class="cal-bar" [^>]*height="([^"]*)"', markup)]
    g = cal.GEOMETRY
    np.testing.assert_allclose(
        heights, [g["plot_h"] * b["accuracy"] for b in filled], atol=0.05 + 1e-12
    )
    shown = re.search(r'<td class="cal-ece">([^<]*)</td>', markup).group(1)
    assert shown == f"{state['ece']:.4f}"
    assert "T̂ = 1.90" in markup
    assert "NaN" not in markup and "Infinity" not in markup


def test_markup_serves_every_reader():
    z, t = _data(20)
    markup = CalibrationExplorer(z, t, title="Calibration").to_html()
    assert re.search(r'<div class="cal-explorer" role="group" aria-label="Calibration"', markup)
    sliders = re.findall(r"<input [^>]*>", markup)
    assert len(sliders) == 1
    attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', sliders[0]))
    assert attrs["aria-label"] == "temperature T" and attrs["aria-valuetext"] == "1.00"
    assert float(attrs["value"]) == 0.0  # log10 of the default T
    assert '<span class="cal-name">temperature T</span>' in markup  # visible label = name
    assert '<p class="cal-status" role="status" aria-live="polite"></p>' in markup
    assert 'role="img" aria-label="reliability diagram' in markup
    assert 'aria-label="calibration explorer"' in CalibrationExplorer(z, t).to_html()


def test_render_is_deterministic_and_geometry_has_one_source():
    z, t = _data(40)
    state = calibration_state(z, t, 1.3)
    assert render_calibration(state) == render_calibration(json.loads(json.dumps(state)))
    js = (ROOT / "site_assets" / "calibration-explorer.js").read_text()
    for key in cal.GEOMETRY:
        assert f"g.{key}" in js, f"the page script does not read geometry.{key}"


def test_colours_are_okabe_ito():
    css = (ROOT / "site_assets" / "calibration-explorer.css").read_text().lower()
    colours = re.findall(r"--cal-(?:bar|gap):\s*(#[0-9a-f]{6})", css)
    assert len(colours) == 4  # two per theme
    assert set(colours) <= {c.lower() for c in OKABE_ITO.values()}


def test_live_widget_recomputes_with_softmax_lib():
    z, t = _data(80)
    ex = CalibrationExplorer(z, t)
    box = ex.widget()
    _, slider, view = box.children
    assert slider.description == "temperature T"
    before = view.value
    slider.value = 2.0
    assert view.value != before
    picture = render_calibration(calibration_state(z, t, 2.0), 15, 80)
    assert view.value == kernel_panel("cal", picture + KEY)  # the key, as on the page
    nll = float(re.search(r'<td class="cal-nll">([^<]*)<', view.value).group(1))
    assert nll == pytest.approx(float(sl.cross_entropy(z / 2.0, t)), abs=0.5e-4)


def test_one_bundle_with_widget_and_html_twin():
    z, t = _data(10)
    bundle = CalibrationExplorer(z, t)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/html"].startswith('<div class="cal-explorer"')
    assert bundle["text/plain"] == "CalibrationExplorer(10 examples, T = 1.00)"
    assert KEY in bundle["text/html"]


def test_widget_mentions_the_fitted_temperature():
    z, t = _data(10)
    view = CalibrationExplorer(z, t, fitted=1.5).widget().children[-1]
    assert "T̂ = 1.50" in view.value


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"logits": [1.0, 2.0], "labels": [0]}, "2-D array"),
        ({"logits": [[1.0, 2.0]], "labels": [0, 1]}, "one entry per row"),
        ({"logits": [[1.0, 2.0]], "labels": [2]}, "class indices"),
        ({"logits": [[1.0, 2.0]], "labels": [0.5]}, "class indices"),
        ({"logits": [[1.0, np.nan]], "labels": [0]}, "finite"),
        ({"logits": [[1.0, 2.0]], "labels": [0], "bins": 0}, "bins"),
        ({"logits": [[1.0, 2.0]], "labels": [0], "temperature": -1.0}, "temperature"),
        ({"logits": [[1.0, 2.0]], "labels": [0], "temperature": 20.0}, "temperature_range"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        CalibrationExplorer(**kwargs)
