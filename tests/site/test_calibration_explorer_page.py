"""The kernel-free calibration explorer in chromium: the page script is the twin of
softmax_book/calibration.py (numbers to 1e-12, markup byte for byte), and it serves every reader
(named slider, keyboard, live region, light and dark theme, phone width, no JavaScript).

Two kinds of page, as in test_explorers.py: the page script alone in a blank page (no build
needed), and every page of the built site (``SITE_DIR``) that holds a calibration explorer.
"""

import json
import math
import random
import re

import numpy as np
import pytest
from explorerkit import (
    assert_fits,
    asset,
    pages_with,
    phone_page,
    require_build,
    script_page,
    theme_colours,
)

import softmax_lib as sl
from softmax_book.calibration import (
    CalibrationExplorer,
    calibration_state,
    render_calibration,
    summary,
)

CAL_PAGES = pages_with("cal-explorer")
SCRIPT = asset("calibration-explorer.js")
STYLE = asset("calibration-explorer.css")
REL = 1e-12
KEYS = ("accuracy", "confidence", "ece", "nll")


def _close(got, want):
    for key in KEYS:
        assert math.isclose(got[key], want[key], rel_tol=REL, abs_tol=1e-15), (key, got, want)
    assert [b["count"] for b in got["bins"]] == [b["count"] for b in want["bins"]]
    for g, w in zip(got["bins"], want["bins"], strict=True):
        for key in ("accuracy", "confidence"):
            if w[key] is None:
                assert g[key] is None
            else:
                assert math.isclose(g[key], w[key], rel_tol=REL, abs_tol=1e-15)


def _python_state(config, T):
    return calibration_state(config["logits"], config["labels"], T, config["bins"])


def _check_root(root, config):
    """The state the page shows is softmax_lib's at its temperature, and so is the table."""
    state = json.loads(root.get_attribute("data-cal-state"))
    want = _python_state(config, state["T"])
    _close(state, want)
    assert root.locator("td.cal-ece").inner_text() == f"{want['ece']:.4f}"
    assert root.locator("td.cal-nll").inner_text() == f"{want['nll']:.4f}"
    filled = sum(1 for b in want["bins"] if b["count"])
    assert root.locator("svg rect.cal-bar").count() == filled
    return state


# -- the page script alone -------------------------------------------------------------------


@pytest.fixture(scope="module")
def blank_page(browser):
    with script_page(browser, SCRIPT, STYLE) as page:
        yield page


def _random_cases(count, seed=14):
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    cases = [
        # a confidence of exactly 1 (last bin) and an exact tie (first class predicted)
        (np.array([[800.0, 0.0, -3.0], [0.0, 0.0, 0.0]]), np.array([0, 2]), 1.0, 10),
        (np.array([[30.0, -30.0]] * 3), np.array([0, 1, 0]), 0.25, 15),
    ]
    while len(cases) < count:
        n, k = rng.randint(1, 400), rng.randint(2, 12)
        z = np.round(nrng.normal(size=(n, k)) * rng.uniform(0.3, 12), 3)
        t = nrng.integers(0, k, n)
        cases.append((z, t, 10 ** rng.uniform(-0.6, 0.9), rng.choice([5, 10, 15, 20])))
    return cases


def test_twin_matches_python_in_numbers_and_markup(blank_page):
    """60 data sets at random temperatures: the script's state and markup against Python's."""
    cases = _random_cases(60)
    inputs = []
    for z, t, T, bins in cases:
        ex = CalibrationExplorer(z, t, temperature=min(max(T, 0.25), 8.0), bins=bins)
        inputs.append({"config": ex.config(), "T": T})
    results = blank_page.evaluate(
        """cases => cases.map(c => {
             const s = calibrationExplorer.computeState(c.config, c.T);
             return {state: s, markup: calibrationExplorer.render(c.config, s),
                     summary: calibrationExplorer.summary(s)};
           })""",
        inputs,
    )
    worst = 0.0
    for (z, t, T, bins), got in zip(cases, results, strict=True):
        want = calibration_state(z, t, T, bins)
        _close(got["state"], want)
        for key in KEYS:
            worst = max(worst, abs(got["state"][key] - want[key]) / max(abs(want[key]), 1e-300))
        assert got["markup"] == render_calibration(want, bins, len(t))
        assert got["summary"] == summary(want)
    assert results[0]["state"]["bins"][9]["count"] == 1  # confidence 1.0 in the last bin
    print(f"twin: max relative error {worst:.1e} (bound {REL:g})")


def test_twin_formats_like_python(blank_page):
    rng = random.Random(3)
    cases = [(0.125, 2), (0.0625, 3), (2.5, 0), (0.03125, 4), (-0.0, 2)]
    for _ in range(1000):
        cases += [(rng.randint(0, 10**5) / 2 ** rng.randint(0, 8), rng.randint(0, 4))]
        cases += [(rng.uniform(0, 10), rng.randint(0, 4))]
    got = blank_page.evaluate("cs => cs.map(([x, d]) => calibrationExplorer.fmt(x, d))", cases)
    assert got == [f"{x:.{d}f}" for x, d in cases]


def test_update_keeps_the_default_picture(blank_page):
    z, t, _, _ = _random_cases(3)[2]
    ex = CalibrationExplorer(z, t, temperature=1.7, title="blank")
    blank_page.evaluate(
        "html => { document.body.innerHTML = html; calibrationExplorer.init(); }", ex.to_html()
    )
    root = blank_page.locator(".cal-explorer")
    static_view = root.locator(".cal-view").inner_html()
    blank_page.evaluate("r => calibrationExplorer.update(r)", root.element_handle())
    assert root.locator(".cal-view").inner_html() == static_view
    _close(json.loads(root.get_attribute("data-cal-state")), ex.state())


# -- the built site --------------------------------------------------------------------------


@pytest.mark.parametrize("path", CAL_PAGES)
def test_explorer_recomputes_like_softmax_lib(visit, path):
    require_build(path)
    v = visit(path)
    roots = v.page.locator(".cal-explorer")
    assert roots.count() > 0
    for k in range(roots.count()):
        root = roots.nth(k)
        config = json.loads(root.get_attribute("data-cal-config"))
        assert 100 <= len(config["labels"]) <= 1000 and len(config["logits"][0]) >= 2
        state = _check_root(root, config)  # the static default, computed by the kernel
        assert state["T"] == config["temperature"]

        static_view = root.locator(".cal-view").inner_html()
        v.page.evaluate("r => window.calibrationExplorer.update(r)", root.element_handle())
        assert root.locator(".cal-view").inner_html() == static_view
        _close(json.loads(root.get_attribute("data-cal-state")), state)

        slider = root.locator("input[data-cal]")
        lo, hi, step = (float(slider.get_attribute(a)) for a in ("min", "max", "step"))
        seen = {state["ece"]}
        for fraction in (0.85, 0.2, 0.55):
            value = lo + round(fraction * (hi - lo) / step) * step
            slider.fill(repr(round(value, 10)))
            new = _check_root(root, config)
            assert new["T"] == pytest.approx(10**value, rel=1e-12)
            assert new["accuracy"] == state["accuracy"]  # T moves no prediction
            assert root.locator(".cal-out").inner_text() == f"{new['T']:.2f}"
            assert slider.get_attribute("aria-valuetext") == f"{new['T']:.2f}"
            seen.add(new["ece"])
        assert len(seen) == 4, "moving the slider must change the ECE"
    assert v.console_errors == []


@pytest.mark.parametrize("path", CAL_PAGES)
def test_picture_stands_without_javascript(visit, path):
    require_build(path)
    v = visit(path, javascript=False)
    root = v.page.locator(".cal-explorer").first
    config = json.loads(root.get_attribute("data-cal-config"))
    state = _check_root(root, config)
    assert root.locator("svg").is_visible()
    assert root.locator("td.cal-T").inner_text() == f"{state['T']:.2f}"


@pytest.mark.parametrize("path", CAL_PAGES)
def test_named_keyboard_and_live_region(visit, path):
    require_build(path)
    v = visit(path)
    root = v.page.locator(".cal-explorer").first
    config = json.loads(root.get_attribute("data-cal-config"))
    status = root.locator(".cal-status")
    assert status.get_attribute("aria-live") == "polite" and status.inner_text() == ""
    tree = root.aria_snapshot()
    assert re.findall(r'- slider "([^"]+)"', tree) == ["temperature T"], tree
    assert 'img "reliability diagram: accuracy against confidence' in tree, tree
    slider = root.locator("input[data-cal]")
    slider.focus()
    before = float(slider.input_value())
    v.page.keyboard.press("ArrowRight")
    assert abs(float(slider.input_value()) - before - float(slider.get_attribute("step"))) < 1e-9
    state = _check_root(root, config)
    assert state["T"] > config["temperature"]
    status.filter(has_text=summary(state)).wait_for(timeout=3000)
    outline = slider.evaluate(
        "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert outline[0] == "solid" and float(outline[1].removesuffix("px")) >= 2, outline
    assert v.console_errors == []


COLOURS_JS = """root => {
  const css = (sel, prop) => getComputedStyle(root.querySelector(sel))[prop];
  return {
    background: getComputedStyle(root).backgroundColor, text: getComputedStyle(root).color,
    table: css('td.cal-ece', 'color'), note: css('.cal-note', 'color'),
    tick: css('.cal-tick', 'fill'), axis: css('.cal-axis', 'fill'),
    bar: css('rect.cal-bar', 'fill'), gap: css('rect.cal-gap', 'stroke'),
    slider: css('input[data-cal]', 'accentColor'),
  };
}"""


@pytest.mark.parametrize("path", CAL_PAGES)
def test_colours_follow_the_theme_with_enough_contrast(visit, path):
    require_build(path)
    v = visit(path)
    root = v.page.locator(".cal-explorer").first
    theme_colours(
        v,
        root,
        COLOURS_JS,
        text=("text", "table", "note", "tick", "axis"),
        marks=("bar", "gap", "slider"),
        themed=("background", "text", "bar", "gap"),
    )


@pytest.mark.parametrize("path", CAL_PAGES)
def test_fits_a_phone_and_works_by_touch(browser, site_url, path):
    require_build(path)
    with phone_page(browser, site_url, path) as page:
        root = page.locator(".cal-explorer").first
        assert_fits(root)
        slider = root.locator("input[data-cal]")
        b = slider.bounding_box()
        assert b["height"] >= 24
        before = root.get_attribute("data-cal-state")
        page.touchscreen.tap(b["x"] + 0.9 * b["width"], b["y"] + b["height"] / 2)
        assert root.get_attribute("data-cal-state") != before
        state = json.loads(root.get_attribute("data-cal-state"))
        config = json.loads(root.get_attribute("data-cal-config"))
        _close(state, _python_state(config, state["T"]))
        assert float(np.log10(state["T"])) > 0.5 * float(slider.get_attribute("max"))


def test_nll_is_softmax_lib_cross_entropy():
    """The Python side the page is compared with is softmax_lib's own loss."""
    z, t, T, bins = _random_cases(4)[3]
    assert calibration_state(z, t, T, bins)["nll"] == pytest.approx(
        float(sl.cross_entropy(z / T, t)), rel=1e-15
    )
