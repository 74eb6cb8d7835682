"""The explorer's two faces agree with softmax_lib (the browser side is checked in tests/site)."""

import html
import json
import re

import numpy as np
import pytest

import softmax_lib as sl
from softmax_book import SoftmaxExplorer, explorer_state

LABELS = ["dog", "cat", "horse", "cheetah"]
LOGITS = [3.2, 1.3, 0.2, 0.8]


def _attr(markup, name):
    match = re.search(rf"{name}='([^']*)'", markup)
    assert match, f"{name} missing"
    return json.loads(html.unescape(match.group(1)))


def test_state_is_softmax_lib():
    state = explorer_state(LOGITS, temperature=2.0, shift=1.5, target=0)
    z = np.array(LOGITS) + 1.5
    np.testing.assert_array_equal(state["z"], z)
    np.testing.assert_array_equal(state["p"], sl.softmax(z, temperature=2.0))
    assert state["loss"] == pytest.approx(float(sl.cross_entropy(z / 2.0, 0)), rel=1e-15)


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
    heights = [float(h) for h in re.findall(r'<rect class="smx-bar[^"]*" x="[^"]*" y="[^"]*" width="[^"]*" height="([^"]*)"', markup)]
    assert len(heights) == 4
    np.testing.assert_allclose(np.array(heights) / max(heights), state["p"] / np.max(state["p"]), atol=0.01)
    # The table shows each probability to three places.
    shown = [float(v) for v in re.findall(r'<td class="smx-p">([^<]*)</td>', markup)]
    np.testing.assert_allclose(shown, state["p"], atol=5e-4)
    # A slider per logit plus the temperature slider, each starting at its default.
    sliders = re.findall(r'data-smx="([^"]+)"[^>]*value="([^"]+)"', markup)
    assert [name for name, _ in sliders] == ["logit-0", "logit-1", "logit-2", "logit-3", "log10-temperature"]
    assert [float(v) for _, v in sliders[:4]] == LOGITS


def test_html_is_deterministic_and_json_has_no_nan():
    ex = SoftmaxExplorer([800.0, 0.0], show_naive=True)
    assert ex.to_html() == SoftmaxExplorer([800.0, 0.0], show_naive=True).to_html()
    assert _attr(ex.to_html(), "data-smx-state")["naive"][0] is None
    assert "NaN" not in ex.to_html()


def test_fixed_logits_get_no_slider():
    markup = SoftmaxExplorer([1.5, 0.0], editable=[True, False]).to_html()
    assert re.findall(r'data-smx="([^"]+)"', markup) == ["logit-0"]


def test_live_widget_recomputes_with_softmax_lib():
    ex = SoftmaxExplorer(LOGITS, LABELS, target=0)
    box = ex.widget()
    slider, view = box.children[0], box.children[-1]
    before = view.value
    slider.value = -2.0
    assert view.value != before
    p = sl.softmax(np.array([-2.0] + LOGITS[1:]))
    shown = [float(v) for v in re.findall(r'<td class="smx-p">([^<]*)</td>', view.value)]
    np.testing.assert_allclose(shown, p, atol=5e-4)
    loss = float(re.search(r'smx-loss-value">([^<]*)<', view.value).group(1))
    assert loss == pytest.approx(-np.log(p[0]), abs=1e-4)


def test_one_bundle_with_widget_and_html_twin():
    bundle = SoftmaxExplorer(LOGITS, LABELS)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/html"].startswith('<div class="smx-explorer"')
    assert bundle["text/plain"] == "SoftmaxExplorer(dog, cat, horse, cheetah)"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(logits=[1.0, 2.0], labels=["a"]), "one entry per logit"),
        (dict(logits=[1.0, 2.0], target=2), "target must be a class index"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SoftmaxExplorer(**kwargs)
