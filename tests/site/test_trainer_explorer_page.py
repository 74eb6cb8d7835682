"""The kernel-free trainer explorer in chromium: the page script is the twin of
softmax_book/trainer.py (weights to 1e-9 after k steps, markup byte for byte, the same summary
sentence), and it serves every reader (named buttons and sliders, keyboard, live region, play and
pause, reset, light and dark theme, phone width, no JavaScript).

Two kinds of page, as in test_calibration_explorer_page.py: the page script alone in a blank page
(no build needed), and the built site's page that holds the explorer (``SITE_DIR``).
"""

import json
import random
import re

import numpy as np
import pytest
from explorerkit import (
    assert_fits,
    asset,
    contrast,
    pages_with,
    phone_page,
    require_build,
    script_page,
    theme_colours,
)

from softmax_book.trainer import TrainerExplorer, _fmt, example_blobs, render_trainer, summary

TR_PAGES = pages_with("tr-explorer")
SCRIPT = asset("trainer-explorer.js")
STYLE = asset("trainer-explorer.css")
TOL = 1e-9  # largest |W_js - W_py|, |b_js - b_py| after k steps from the same start
# The losses follow the weights; where the steps oscillate (the largest effective rate) a
# difference of 1e-12 in W moves a loss by up to ~1e-8 of itself.
LOSS_REL = 1e-6


def _blobs(n=100, seed=0):
    return example_blobs(n, seed)


def _explorer_of(config):
    return TrainerExplorer(
        config["X_train"],
        config["t_train"],
        config["X_test"],
        config["t_test"],
        learning_rate=config["learning_rate"],
        weight_decay=config["weight_decay"],
        temperature=config["temperature"],
        steps=config["steps"],
        max_steps=config["max_steps"],
    )


def _normalised(page, markup):
    """The markup as the browser serialises it (an SVG <path/> comes back as <path></path>)."""
    return page.evaluate(
        "html => { const d = document.createElement('div'); d.innerHTML = html;"
        " return d.innerHTML; }",
        markup,
    )


def _gap(a, b):
    gw = np.abs(np.array(a["W"]) - np.array(b["W"])).max()
    return float(max(gw, np.abs(np.array(a["b"]) - np.array(b["b"])).max()))


# -- the page script alone -------------------------------------------------------------------


@pytest.fixture(scope="module")
def blank_page(browser):
    with script_page(browser, SCRIPT, STYLE, viewport={"width": 900, "height": 1000}) as page:
        yield page


def _settings():
    ex = TrainerExplorer(*_blobs(5))
    (e_lo, e_hi), l_hi = ex.learning_rate_range, ex.weight_decay_max
    t_lo, t_hi = ex.temperature_range
    cases = [(ex.learning_rate, ex.weight_decay, ex.temperature)]  # the defaults
    cases += [(e, lam, T) for e in (e_lo, e_hi) for lam in (0.0, l_hi) for T in (t_lo, t_hi)]
    rng = random.Random(15)
    for _ in range(3):
        cases.append(
            (
                10 ** rng.uniform(np.log10(e_lo), np.log10(e_hi)),
                rng.uniform(0, l_hi),
                10 ** rng.uniform(np.log10(t_lo), np.log10(t_hi)),
            )
        )
    return cases


def test_twin_trains_like_python_and_draws_the_same_bytes(blank_page):
    """Defaults, every corner of the sliders' box and three random settings; 1, 10, 200 steps."""
    ex = TrainerExplorer(*_blobs())
    config = ex.config()
    worst, compared = 0.0, 0
    for eta, lam, T in _settings():
        for k in (1, 10, 200):
            want = ex.run(k, eta, lam, T)
            got = blank_page.evaluate(
                """([c, k, e, l, T, want]) => {
                     const s = trainerExplorer.run(c, k, e, l, T);
                     return {state: s, own: trainerExplorer.render(c, s),
                             markup: trainerExplorer.render(c, want),
                             summary: trainerExplorer.summary(want)};
                   }""",
                [config, k, eta, lam, T, want],
            )
            gap = _gap(got["state"], want)
            worst = max(worst, gap)
            assert gap <= TOL, (eta, lam, T, k, gap)
            assert got["state"]["step"] == k
            for key in ("train_losses", "test_losses"):
                np.testing.assert_allclose(got["state"][key], want[key], rtol=LOSS_REL)
            assert got["state"]["train_acc"] == want["train_acc"]
            assert got["state"]["test_acc"] == want["test_acc"]
            python_markup = render_trainer(want, ex.data())
            assert got["markup"] == python_markup  # the same state: the same bytes
            assert got["own"] == python_markup  # and the twin's own state draws the same
            assert got["summary"] == summary(want)
            compared += 1
    print(f"twin: {compared} runs, worst |W, b| difference {worst:.1e} (bound {TOL:g})")


def test_twin_draws_long_runs_like_python(blank_page):
    """1000 steps (the curves thinned to each run's lowest and highest point) at the defaults
    and at the fastest corner, where the loss ends alternating from step to step."""
    ex = TrainerExplorer(*_blobs())
    (_, e_hi), (t_lo, _) = ex.learning_rate_range, ex.temperature_range
    for eta, lam, T in [(ex.learning_rate, 0.0, 1.0), (e_hi, 0.0, t_lo)]:
        want = ex.run(ex.max_steps, eta, lam, T)
        got = blank_page.evaluate(
            "([c, k, e, l, T]) => { const s = trainerExplorer.run(c, k, e, l, T);"
            " return {state: s, own: trainerExplorer.render(c, s)}; }",
            [ex.config(), ex.max_steps, eta, lam, T],
        )
        assert _gap(got["state"], want) <= TOL
        assert got["own"] == render_trainer(want, ex.data())
    last = want["train_losses"][-4:]  # the fast corner: a two-step cycle, drawn as a band
    assert abs(last[0] - last[2]) < 1e-9 and abs(last[0] - last[1]) > 0.01


def test_twin_retempers_like_python(blank_page):
    ex = TrainerExplorer(*_blobs())
    state = ex.run(30, 1.2, 0.01, 0.7)
    for T in (0.5, 1.0, 3.7):
        want = ex.retemper(state, T)
        got = blank_page.evaluate(
            "([c, s, T]) => trainerExplorer.retemper(c, s, T)", [ex.config(), state, T]
        )
        assert got["W"] == state["W"] and got["step"] == 30
        np.testing.assert_allclose(got["train_losses"], want["train_losses"], rtol=1e-12)
        np.testing.assert_allclose(got["test_losses"], want["test_losses"], rtol=1e-12)


def test_twin_formats_like_python(blank_page):
    rng = random.Random(3)
    cases = [(0.125, 2), (0.0625, 3), (2.5, 0), (0.03125, 4), (-0.0, 2), (264.0, 0)]
    for _ in range(1000):
        cases += [(rng.randint(0, 10**5) / 2 ** rng.randint(0, 8), rng.randint(0, 4))]
        cases += [(rng.uniform(-10, 300), rng.randint(0, 4))]
    cases += [(-0.04, 1), (-0.0004, 3), (-0.05, 1), (-0.051, 1), (-1e-300, 0)]
    got = blank_page.evaluate("cs => cs.map(([x, d]) => trainerExplorer.fmt(x, d))", cases)
    assert got == [_fmt(x, d) for x, d in cases]
    # Python's format, but a value that rounds to zero has no sign
    assert [_fmt(x, d) for x, d in cases[-5:]] == ["0.0", "0.000", "-0.1", "-0.1", "0"]
    assert all(_fmt(x, d) == f"{x:.{d}f}" for x, d in cases if round(x, d) != 0)


def test_buttons_step_play_and_reset_in_a_blank_page(blank_page):
    ex = TrainerExplorer(*_blobs(40), steps=20, title="blank")
    blank_page.evaluate(
        "html => { document.body.innerHTML = html; trainerExplorer.init(); }", ex.to_html()
    )
    root = blank_page.locator(".tr-explorer")
    static_view = render_trainer(ex.default_state(), ex.data())
    # the script replays the default steps: the picture it draws is the static one
    assert root.locator(".tr-view").inner_html() == _normalised(blank_page, static_view)
    assert _gap(json.loads(root.get_attribute("data-tr-state")), ex.default_state()) <= TOL
    root.locator("[data-tr-action=step]").click()
    state = json.loads(root.get_attribute("data-tr-state"))
    assert state["step"] == 21
    assert _gap(state, ex.step(ex.default_state(), 0.5, 0.0, 1.0)) <= TOL
    root.locator("[data-tr-action=reset]").click()
    state = json.loads(root.get_attribute("data-tr-state"))
    assert state["step"] == 0 and state["W"] == [[0, 0, 0], [0, 0, 0]]
    assert root.locator("td.tr-step").inner_text() == "0"
    # a slider moved away and back is the exact default again, not the grid point next to it
    # (T = 1 is not on the grid of log10 T from log10 0.5 in steps of 0.01)
    slider = root.locator("input[data-tr=log10-temperature]")
    slider.focus()
    blank_page.keyboard.press("ArrowRight")
    assert slider.get_attribute("aria-valuetext") == "1.02"
    blank_page.keyboard.press("ArrowLeft")
    assert float(slider.input_value()) != 0.0 and slider.get_attribute("aria-valuetext") == "1.00"
    root.locator("[data-tr-action=step]").click()
    state = json.loads(root.get_attribute("data-tr-state"))
    assert _gap(state, ex.step(ex.initial_state(), 0.5, 0.0, 1.0)) <= TOL
    # the top of the learning rate's range is eta = 2 exactly, as the page says
    rate = root.locator("input[data-tr=log10-learning-rate]")
    rate.focus()
    blank_page.keyboard.press("End")
    assert 10 ** float(rate.input_value()) != 2.0 and rate.get_attribute("aria-valuetext") == "2.00"
    root.locator("[data-tr-action=step]").click()
    assert (
        _gap(json.loads(root.get_attribute("data-tr-state")), ex.step(state, 2.0, 0.0, 1.0)) <= TOL
    )


# -- the built site --------------------------------------------------------------------------


def _state(root):
    return json.loads(root.get_attribute("data-tr-state"))


@pytest.mark.parametrize("path", TR_PAGES)
def test_page_trains_like_softmax_lib(visit, path):
    require_build(path)
    v = visit(path)
    root = v.page.locator(".tr-explorer")
    assert root.count() == 1
    config = json.loads(root.get_attribute("data-tr-config"))
    assert 200 <= len(config["t_train"]) <= 400 and len(config["X_train"][0]) == 2
    ex = _explorer_of(config)
    want = ex.default_state()
    assert _state(root)["step"] == config["steps"] > 0
    assert _gap(_state(root), want) <= TOL
    markup = _normalised(v.page, render_trainer(want, ex.data()))
    assert root.locator(".tr-view").inner_html() == markup
    for _ in range(3):
        root.locator("[data-tr-action=step]").click()
        want = ex.step(want, config["learning_rate"], config["weight_decay"], config["temperature"])
    assert _state(root)["step"] == want["step"] and _gap(_state(root), want) <= TOL
    assert v.console_errors == [] and v.external_requests == []


@pytest.mark.parametrize("path", TR_PAGES)
def test_picture_stands_without_javascript(visit, path):
    require_build(path)
    v = visit(path, javascript=False)
    root = v.page.locator(".tr-explorer")
    config = json.loads(root.get_attribute("data-tr-config"))
    assert root.locator("svg.tr-plane").is_visible() and root.locator("svg.tr-loss").is_visible()
    assert root.locator("td.tr-step").inner_text() == str(config["steps"])
    assert root.locator("svg.tr-plane path.tr-region").count() == 3
    assert root.locator("svg.tr-plane line.tr-bound").count() == 3
    assert root.locator("svg.tr-plane circle.tr-triple").count() == 1
    points = root.locator("svg.tr-loss polyline.tr-train-curve").get_attribute("points")
    # the loss curve so far: at least a point for each run of 5 steps, up to the current step
    g, pts, steps = config["geometry"], points.split(), config["steps"]
    x_top = min(level for level in config["step_levels"] if level >= steps)
    assert len(pts) > steps // max(1, x_top // g["curve_buckets"])
    assert pts[-1].split(",")[0] == f"{g['pad_left'] + g['plot_w'] * steps / x_top:.1f}"


@pytest.mark.parametrize("path", TR_PAGES)
def test_named_keyboard_and_live_region(visit, path):
    require_build(path)
    v = visit(path)
    root = v.page.locator(".tr-explorer")
    status = root.locator(".tr-status")
    assert status.get_attribute("aria-live") == "polite" and status.inner_text() == ""
    tree = root.aria_snapshot()
    assert re.findall(r'- button "([^"]+)"', tree) == ["Play", "Step", "Reset"], tree
    assert re.findall(r'- slider "([^"]+)"', tree) == [
        "learning rate η",
        "weight decay λ",
        "temperature T",
    ], tree
    assert 'img "decision regions at step' in tree and 'img "training loss' in tree, tree
    # Tab walks the controls in order
    order = []
    root.locator("[data-tr-action=play]").focus()
    for _ in range(6):
        order.append(
            v.page.evaluate(
                "() => document.activeElement.getAttribute('data-tr-action')"
                " || document.activeElement.getAttribute('data-tr')"
            )
        )
        v.page.keyboard.press("Tab")
    assert order == [
        "play",
        "step",
        "reset",
        "log10-learning-rate",
        "weight-decay",
        "log10-temperature",
    ]
    step_button = root.locator("[data-tr-action=step]")
    step_button.focus()
    before = _state(root)["step"]
    v.page.keyboard.press("Enter")
    v.page.keyboard.press("Space")
    state = _state(root)
    assert state["step"] == before + 2
    status.filter(has_text=f"Step {before + 2}: training loss").wait_for(timeout=3000)
    outline = step_button.evaluate(
        "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert outline[0] == "solid" and float(outline[1].removesuffix("px")) >= 2, outline
    # an arrow on the temperature slider, while paused: re-measured and announced
    slider = root.locator("input[data-tr=log10-temperature]")
    slider.focus()
    v.page.keyboard.press("ArrowRight")
    T = 10 ** float(slider.input_value())
    assert slider.get_attribute("aria-valuetext") == f"{T:.2f}"
    assert _state(root)["step"] == before + 2 and _state(root)["W"] == state["W"]
    assert _state(root)["train_losses"][-1] != state["train_losses"][-1]
    status.filter(has_text=summary(_state(root))).wait_for(timeout=3000)
    assert v.console_errors == []


@pytest.mark.parametrize("path", TR_PAGES)
def test_play_pause_reset(visit, path):
    require_build(path)
    v = visit(path)
    root = v.page.locator(".tr-explorer")
    play = root.locator("[data-tr-action=play]")
    start = _state(root)["step"]
    play.click()
    assert play.get_attribute("aria-pressed") == "true" and play.inner_text() == "Pause"
    v.page.wait_for_function(
        "([r, s]) => JSON.parse(r.getAttribute('data-tr-state')).step >= s + 10",
        arg=[root.element_handle(), start],
    )
    play.click()
    assert play.get_attribute("aria-pressed") == "false" and play.inner_text() == "Play"
    paused = _state(root)["step"]
    v.page.wait_for_timeout(300)
    assert _state(root)["step"] == paused > start
    root.locator(".tr-status").filter(has_text=f"Paused. Step {paused}:").wait_for(timeout=3000)
    root.locator("[data-tr-action=reset]").click()
    state = _state(root)
    assert state["step"] == 0 and state["train_losses"] == [pytest.approx(np.log(3))]
    assert root.locator("td.tr-step").inner_text() == "0"
    assert root.locator("svg.tr-plane path.tr-region").count() == 1  # W = 0: one region
    root.locator(".tr-status").filter(has_text="Reset. Step 0:").wait_for(timeout=3000)
    assert v.console_errors == []


COLOURS_JS = """root => {
  const css = (sel, prop) => getComputedStyle(root.querySelector(sel))[prop];
  return {
    background: getComputedStyle(root).backgroundColor, text: getComputedStyle(root).color,
    table: css('td.tr-train-loss', 'color'), note: css('.tr-note', 'color'),
    tick: css('.tr-tick', 'fill'), axis: css('.tr-axis', 'fill'),
    button: css('button[data-tr-action]', 'color'),
    buttonBg: css('button[data-tr-action]', 'backgroundColor'),
    c0: css('path.tr-pts.tr-c0', 'fill'), c1: css('path.tr-pts.tr-c1', 'fill'),
    c2: css('path.tr-pts.tr-c2', 'fill'), bound: css('line.tr-bound', 'stroke'),
    train: css('polyline.tr-train-curve', 'stroke'), test: css('polyline.tr-test-curve', 'stroke'),
    slider: css('input[data-tr]', 'accentColor'),
  };
}"""


@pytest.mark.parametrize("path", TR_PAGES)
def test_colours_follow_the_theme_with_enough_contrast(visit, path):
    require_build(path)
    v = visit(path)
    root = v.page.locator(".tr-explorer")
    seen = theme_colours(
        v,
        root,
        COLOURS_JS,
        text=("text", "table", "note", "tick", "axis"),
        marks=("c0", "c1", "c2", "bound", "train", "test", "slider"),
        themed=("background", "text", "c0", "c1"),
    )
    for theme, colours in seen.items():
        assert contrast(colours["button"], colours["buttonBg"]) >= 4.5, (theme, colours)


@pytest.mark.parametrize("path", TR_PAGES)
def test_fits_a_phone_with_the_panels_stacked(browser, site_url, path):
    require_build(path)
    with phone_page(browser, site_url, path) as page:
        root = page.locator(".tr-explorer")
        box = assert_fits(root, "trainer explorer")
        panels = root.evaluate(
            """r => { const p = r.querySelector('svg.tr-plane').getBoundingClientRect();
               const l = r.querySelector('svg.tr-loss').getBoundingClientRect();
               return {plane: [p.right, p.bottom], loss: [l.right, l.top],
                       page: document.scrollingElement.scrollWidth}; }"""
        )
        assert panels["page"] <= 390, panels
        assert panels["loss"][1] >= panels["plane"][1] - 0.5, panels  # stacked: loss below
        assert max(panels["plane"][0], panels["loss"][0]) <= box["right"], (box, panels)
        step = root.locator("[data-tr-action=step]")
        assert step.bounding_box()["height"] >= 24
        before = root.get_attribute("data-tr-state")
        step.tap()
        assert root.get_attribute("data-tr-state") != before
