"""The kernel-free explorers in chromium: the page script is softmax_lib's twin, and serves
every reader (keyboard, screen reader, touch, phone width, light and dark theme).

Two kinds of page:

* the page script alone (site_assets/softmax-explorer.js in a blank page), driven with
  markup from softmax_book/explorer.py: the twin tests, which need no built site;
* the built site (``SITE_DIR``, default ``_build/html``): every page with an explorer, with
  the theme's CSS around it.
"""

import json
import math
import random
import re
import warnings

import numpy as np
import pytest
from explorerkit import (
    assert_fits,
    asset,
    luminance,
    pages_with,
    phone_page,
    require_build,
    rgb,
    script_page,
    theme_colours,
)
from sitekit import SITE

import softmax_lib as sl
from softmax_book import SoftmaxExplorer, render_state

EXPLORER_PAGES = pages_with("smx-explorer")
SCRIPT = asset("softmax-explorer.js")
STYLE = asset("softmax-explorer.css")
OTHER_NAMES = {"log10-temperature": "temperature T", "shift": "shift c (added to all)"}
REL = 1e-12  # the twin's numbers agree with softmax_lib's to this relative error

# A logit of 4.8 against -5 at T = 0.189: p(right) = 1 - 3.0e-23, and the loss is 3.0e-23,
# which log(1 + tiny) would round to 0.
EXTREME = {"logits": [4.8, -5.0], "temperature": 0.189, "target": 0}


def _move(slider, fraction):
    """Move a range input to `fraction` of its span, snapped to its step, as a reader would."""
    lo, hi, step = (float(slider.get_attribute(a)) for a in ("min", "max", "step"))
    value = lo + round(fraction * (hi - lo) / step) * step
    slider.fill(repr(round(value, 10)))
    return value


def _expected(state, config):
    z = np.array(state["z"], dtype=float)
    T = state["T"]
    p = sl.softmax(z, temperature=T)
    with warnings.catch_warnings(), np.errstate(over="ignore", invalid="ignore"):
        warnings.simplefilter("ignore")
        naive = sl.naive_softmax(z / T)
    loss = None if config["target"] is None else float(sl.cross_entropy(z / T, config["target"]))
    return p, naive, loss


def _check_state(root, state, config):
    n = len(config["labels"])
    p = np.array(state["p"], dtype=float)
    assert p.shape == (n,)
    assert ((p >= 0) & (p <= 1)).all(), p
    assert abs(p.sum() - 1) < 1e-12, p.sum()
    want_p, want_naive, want_loss = _expected(state, config)
    np.testing.assert_allclose(p, want_p, rtol=REL, atol=1e-300)
    naive = np.array([np.nan if v is None else v for v in state["naive"]], dtype=float)
    np.testing.assert_allclose(naive, want_naive, rtol=REL, atol=1e-300, equal_nan=True)
    if want_loss is not None:
        assert math.isclose(state["loss"], want_loss, rel_tol=REL, abs_tol=1e-300)
        shown = float(root.locator(".smx-loss-value").inner_text())
        assert abs(shown - want_loss) <= 0.5e-4 + 1e-12
    # What the reader sees: one bar per class and the table, rounded to three places.
    assert root.locator("svg rect.smx-bar").count() == n
    shown_p = [float(t) for t in root.locator("td.smx-p").all_inner_texts()]
    np.testing.assert_allclose(shown_p, want_p, atol=0.5e-3 + 1e-12)


def _summary(config, state):
    """The sentence the live region should say (Python's rounding; ties are not expected)."""
    text = ", ".join(
        f"{label} {p:.2f}" for label, p in zip(config["labels"], state["p"], strict=True)
    )
    return text if state.get("loss") is None else f"{text}; cross-entropy {state['loss']:.2f}"


# -- the page script alone, against softmax_book.explorer -----------------------------------


@pytest.fixture(scope="module")
def blank_page(browser):
    """A page holding the explorer stylesheet and script, and nothing else."""
    with script_page(browser, SCRIPT, STYLE) as page:
        yield page


def _random_explorers(count, seed=20261201):
    rng = random.Random(seed)
    cases = [
        SoftmaxExplorer(**EXTREME, temperature_range=(0.1, 10)),
        SoftmaxExplorer([0.0, 0.0, 0.0, 0.0] * 4, target=3, show_naive=True),  # 0.0625 ties
        SoftmaxExplorer([0.125, -0.125, 2.5], temperature=1.0, show_naive=True),  # z ties
        SoftmaxExplorer([800.0, 0.0, -3.0], show_naive=True, target=2),  # naive overflows
        SoftmaxExplorer([1.0], labels=["<b>&'\"only"]),
    ]
    while len(cases) < count:
        n = rng.randint(2, 7)
        cases.append(
            SoftmaxExplorer(
                [round(rng.uniform(-6, 6), 1) for _ in range(n)],
                labels=[rng.choice(["dog", "cat", "a & b", "<x>", "z"]) + str(i) for i in range(n)],
                temperature=10 ** rng.uniform(-1, 1),
                target=rng.choice([None, rng.randrange(n)]),
                show_naive=rng.random() < 0.5,
                temperature_range=(0.1, 10) if rng.random() < 0.5 else None,
            )
        )
    shifts = [0.0] * 5 + [float(rng.choice([0, rng.randint(-900, 900)])) for _ in cases[5:]]
    return [(ex, ex.state(shift=c)) for ex, c in zip(cases, shifts, strict=True)]


def test_twin_matches_python_in_numbers_and_markup(blank_page):
    """300 explorers (extreme, tied and overflowing ones first): JS state and markup vs Python."""
    pairs = _random_explorers(300)
    inputs = [{"config": ex.config(), "z": st["z"], "T": st["T"]} for ex, st in pairs]
    results = blank_page.evaluate(
        """cases => cases.map(c => {
             const s = softmaxExplorer.computeState(c.config, c.z, c.T);
             return {state: s, markup: softmaxExplorer.render(c.config, s)};
           })""",
        inputs,
    )
    worst_p = worst_loss = 0.0
    for (ex, want), got in zip(pairs, results, strict=True):
        js = got["state"]
        p, q = np.array(want["p"]), np.array(js["p"])
        np.testing.assert_allclose(q, p, rtol=REL, atol=1e-300)
        np.testing.assert_allclose(js["naive"], want["naive"], rtol=REL, equal_nan=True)
        worst_p = max(worst_p, float(np.max(np.abs(q - p) / np.maximum(p, 1e-300))))
        if ex.target is not None:
            assert math.isclose(js["loss"], want["loss"], rel_tol=REL, abs_tol=1e-300)
            worst_loss = max(worst_loss, abs(js["loss"] - want["loss"]) / want["loss"])
        expected = render_state(ex.labels, want, ex.target, ex.show_naive, ex.show_scaled)
        assert got["markup"] == expected, f"markup differs for {ex.config()}"
    extreme = results[0]["state"]["loss"]
    assert extreme == pytest.approx(pairs[0][1]["loss"], rel=REL) and 1e-23 < extreme < 1e-22
    print(f"twin: max relative error p {worst_p:.1e}, loss {worst_loss:.1e} (bound {REL:g})")


def test_twin_formats_like_python(blank_page):
    """f"{x:.{d}f}" rounds exact ties to even; the page script must print the same digits."""
    rng = random.Random(7)
    cases = [(0.125, 2), (-0.125, 2), (0.0625, 3), (19.25, 1), (2.5, 0), (-0.0, 2), (-0.001, 2)]
    cases += [(0.12500000000000003, 2), (float("nan"), 3), (float("inf"), 2)]
    for _ in range(2000):
        dyadic = rng.randint(-(10**5), 10**5) / 2 ** rng.randint(0, 8)  # ties are dyadic
        cases += [(dyadic, rng.randint(0, 4)), (rng.uniform(-1000, 1000), rng.randint(0, 4))]
    got = blank_page.evaluate("cs => cs.map(([x, d]) => softmaxExplorer.fmt(x, d))", cases)
    want = ["nan" if math.isnan(x) else f"{x:.{d}f}" for x, d in cases]
    assert got == want


def test_extreme_state_through_a_page_update(blank_page):
    """The page's own update path (not only the helpers) keeps the 3e-23 loss."""
    ex = SoftmaxExplorer(**EXTREME, labels=["right", "wrong"], temperature_range=(0.1, 10))
    show = "html => { document.body.innerHTML = html; softmaxExplorer.init(); }"
    blank_page.evaluate(show, ex.to_html())
    root = blank_page.locator(".smx-explorer")
    static_view = root.locator(".smx-view").inner_html()
    blank_page.evaluate("r => softmaxExplorer.update(r)", root.element_handle())
    state = json.loads(root.get_attribute("data-smx-state"))
    assert state["loss"] == pytest.approx(ex.state()["loss"], rel=REL)
    assert 1e-23 < state["loss"] < 1e-22
    assert root.locator(".smx-view").inner_html() == static_view


# -- the built site ------------------------------------------------------------------------


@pytest.mark.parametrize("path", EXPLORER_PAGES)
def test_explorers_recompute_like_softmax_lib(visit, path):
    require_build(path)
    v = visit(path)
    roots = v.page.locator(".smx-explorer")
    assert roots.count() > 0
    for k in range(roots.count()):
        root = roots.nth(k)
        config = json.loads(root.get_attribute("data-smx-config"))
        state = json.loads(root.get_attribute("data-smx-state"))
        _check_state(root, state, config)  # the static default, computed by the kernel

        # The browser redraws the default exactly as the kernel drew it.
        static_view = root.locator(".smx-view").inner_html()
        v.page.evaluate("r => window.softmaxExplorer.update(r)", root.element_handle())
        assert root.locator(".smx-view").inner_html() == static_view

        sliders = root.locator("input[data-smx]")
        assert sliders.count() > 0
        for j in range(sliders.count()):
            slider = sliders.nth(j)
            name = slider.get_attribute("data-smx")
            # distinct end points per slider, so the logits never all end up equal (where
            # the temperature would have nothing to act on)
            for fraction in (0.9 - 0.1 * (j % 5), 0.15 + 0.1 * (j % 5)):
                before = float(slider.input_value())
                if abs(_move(slider, fraction) - before) < 1e-9:  # landed where it was
                    _move(slider, fraction / 2)
                new = json.loads(root.get_attribute("data-smx-state"))
                _check_state(root, new, config)
                if name == "shift":  # softmax ignores a common shift: only z moves
                    assert new["z"] != state["z"]
                    np.testing.assert_allclose(new["p"], state["p"], rtol=1e-9)
                else:
                    assert new["p"] != state["p"], f"{path} explorer {k}: {name} changed nothing"
                state = new
    assert v.console_errors == []


@pytest.mark.parametrize("path", EXPLORER_PAGES)
def test_explorer_pictures_stand_without_javascript(visit, path):
    """Printed, or read with JavaScript off, the page still shows each default figure."""
    require_build(path)
    v = visit(path, javascript=False)
    roots = v.page.locator(".smx-explorer")
    assert roots.count() > 0
    for k in range(roots.count()):
        root = roots.nth(k)
        config = json.loads(root.get_attribute("data-smx-config"))
        state = json.loads(root.get_attribute("data-smx-state"))
        n = len(config["labels"])
        assert root.locator("svg rect.smx-bar").count() == n
        assert root.locator("svg").is_visible()
        heights = [
            float(h)
            for h in root.locator("svg rect.smx-bar").evaluate_all(
                "els => els.map(e => e.getAttribute('height'))"
            )
        ]
        assert sum(heights) > 0
        shown = [float(t) for t in root.locator("td.smx-p").all_inner_texts()]
        np.testing.assert_allclose(shown, state["p"], atol=0.5e-3 + 1e-12)
    assert re.search(r"smx-explorer", v.page.content())


@pytest.mark.parametrize("path", EXPLORER_PAGES)
def test_explorers_are_named_and_work_from_the_keyboard(visit, path):
    """Each slider says what it moves; ArrowRight moves it; the result is announced politely."""
    require_build(path)
    v = visit(path)
    roots = v.page.locator(".smx-explorer")
    for k in range(roots.count()):
        root = roots.nth(k)
        config = json.loads(root.get_attribute("data-smx-config"))
        status = root.locator(".smx-status")
        assert status.get_attribute("aria-live") == "polite"
        assert status.inner_text() == ""
        # Accessible names as chromium computes them (the accessibility tree, not attributes).
        tree = root.aria_snapshot()
        names = re.findall(r'- slider "([^"]+)"', tree)
        sliders = root.locator("input[data-smx]")
        assert len(names) == sliders.count(), tree
        for j, name in enumerate(names):
            which = sliders.nth(j).get_attribute("data-smx")
            if which.startswith("logit-"):
                assert name == f"logit of {config['labels'][int(which.removeprefix('logit-'))]}"
            else:
                assert name == OTHER_NAMES[which]

        slider = sliders.first
        slider.focus()
        before_value = float(slider.input_value())
        before_state = root.get_attribute("data-smx-state")
        if before_value >= float(slider.get_attribute("max")):
            v.page.keyboard.press("ArrowLeft")
        else:
            v.page.keyboard.press("ArrowRight")
        assert slider.evaluate("e => document.activeElement === e")
        step = float(slider.get_attribute("step"))
        assert abs(abs(float(slider.input_value()) - before_value) - step) < 1e-9
        assert root.get_attribute("data-smx-state") != before_state
        # A visible focus ring: a solid outline at least 2 px wide.
        outline = slider.evaluate(
            "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth]; }"
        )
        assert outline[0] == "solid" and float(outline[1].removesuffix("px")) >= 2, outline
        state = json.loads(root.get_attribute("data-smx-state"))
        status.filter(has_text=_summary(config, state)).wait_for(timeout=3000)
        shown = root.locator(".smx-out").first.inner_text()
        assert sliders.first.get_attribute("aria-valuetext") == shown
    assert v.console_errors == []


COLOURS_JS = """root => {
  const css = (sel, prop) => getComputedStyle(root.querySelector(sel))[prop];
  const input = root.querySelector('input[data-smx]');
  input.focus();
  return {
    background: getComputedStyle(root).backgroundColor,
    text: getComputedStyle(root).color,
    table: css('td.smx-p', 'color'),
    note: css('.smx-note', 'color'),
    tick: css('.smx-tick', 'fill'),
    value: css('.smx-value', 'fill'),
    label: css('.smx-label', 'fill'),
    bar: css('rect.smx-bar:not(.smx-target)', 'fill'),
    target: css('rect.smx-bar.smx-target', 'fill'),
    focus: getComputedStyle(input).outlineColor,
    slider: getComputedStyle(input).accentColor,
  };
}"""


def test_explorer_colours_follow_the_theme_with_enough_contrast(visit):
    """Light and dark: the panel follows the theme; text >= 4.5:1, bars and focus ring >= 3:1."""
    pages = [
        p for p in EXPLORER_PAGES if p == "<no build>" or "smx-target" in (SITE / p).read_text()
    ]
    require_build(pages[0])
    v = visit(pages[0])
    root = v.page.locator(".smx-explorer:has(rect.smx-target)").first
    v.page.keyboard.press("Tab")  # keyboard modality, so :focus-visible applies to .focus()
    seen = theme_colours(
        v,
        root,
        COLOURS_JS,
        text=("text", "table", "note", "tick", "value", "label"),
        marks=("bar", "target", "focus", "slider"),
        themed=("background", "text", "bar", "target"),
    )
    for colours in seen.values():
        assert colours["bar"] != colours["target"]
    # The theme's own colours, not fixed ones.
    page_bg = v.page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert seen["dark"]["background"] == page_bg
    dark, light = (luminance(rgb(seen[t]["background"])) for t in ("dark", "light"))
    assert dark < light


@pytest.mark.parametrize("path", EXPLORER_PAGES)
def test_explorers_fit_a_phone_and_work_by_touch(browser, site_url, path):
    """At 390 x 844 with a touch screen: nothing wider than the screen, a tap moves a slider."""
    require_build(path)
    with phone_page(browser, site_url, path) as page:
        roots = page.locator(".smx-explorer")
        for k in range(roots.count()):
            root = roots.nth(k)
            assert_fits(root, f"{path} explorer {k}")
            slider = root.locator("input[data-smx]").first
            before = root.get_attribute("data-smx-state")
            b = slider.bounding_box()
            assert b["height"] >= 24, f"touch target {b['height']:.0f} px high"
            lo, hi = (float(slider.get_attribute(a)) for a in ("min", "max"))
            far_side = 0.1 if (float(slider.input_value()) - lo) / (hi - lo) > 0.5 else 0.9
            x = b["x"] + b["width"] * far_side
            page.touchscreen.tap(x, b["y"] + b["height"] / 2)
            assert root.get_attribute("data-smx-state") != before, f"{path}: a tap changed nothing"
