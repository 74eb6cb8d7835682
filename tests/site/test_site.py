"""The built site in a real browser: offline, clean console, math typeset, explorers alive.

Every page is opened from a local server with all off-site requests blocked and counted; a
full-page screenshot of each is saved under _build/screenshots/.
"""

import json
import math
import re
import warnings

import numpy as np
import pytest

import softmax_lib as sl
from sitekit import SCREENSHOTS, SITE, PageVisit, site_pages, unavailable

PAGES = site_pages() or ["<no build>"]
EXPLORER_PAGES = [p for p in site_pages() if "smx-explorer" in (SITE / p).read_text()] or ["<no build>"]

# Text nodes outside code, scripts and typeset math must not show TeX source.
RAW_TEX_JS = r"""() => {
  const skip = new Set(["PRE", "CODE", "SCRIPT", "STYLE", "TEXTAREA", "MJX-CONTAINER", "MJX-ASSISTIVE-MML"]);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const hits = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    let el = n.parentElement, skipped = false;
    for (; el; el = el.parentElement) { if (skip.has(el.tagName)) { skipped = true; break; } }
    if (skipped) continue;
    const t = n.textContent;
    if (/\\\(|\\\)|\\\[|\\\]|\$\$|\\frac|\\sum|\\operatorname|\$[^$\n]+\$/.test(t)) hits.push(t.trim().slice(0, 80));
  }
  return hits;
}"""

UNTYPESET_MATH_JS = """() => [...document.querySelectorAll('.math')]
  .filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60))"""


def _require_build(path):
    if path == "<no build>":
        unavailable(f"no built site at {SITE} (run `make book`)")


@pytest.mark.parametrize("path", PAGES)
def test_page_is_offline_clean_and_typeset(visit, path):
    _require_build(path)
    v = visit(path)
    v.wait_for_math()
    v.page.wait_for_load_state("networkidle")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    v.page.screenshot(path=str(SCREENSHOTS / (path.replace("/", "__") + ".png")), full_page=True)

    assert v.external_requests == [], f"{path} asked other hosts: {v.external_requests}"
    assert v.console_errors == [], f"{path} console errors: {v.console_errors}"
    assert v.page.evaluate(UNTYPESET_MATH_JS) == [], f"{path}: math left untypeset"
    assert v.page.evaluate(RAW_TEX_JS) == [], f"{path}: raw TeX visible"


def test_every_math_page_loads_the_vendored_mathjax(visit):
    _require_build(PAGES[0])
    math_pages = [p for p in site_pages() if 'class="math' in (SITE / p).read_text()]
    assert math_pages, "no page has math: the book should"
    v = visit(math_pages[0])
    v.wait_for_math()
    src = v.page.evaluate("() => [...document.scripts].map(s => s.src).filter(s => /mathjax/i.test(s))")
    assert src and all("/_static/vendor/mathjax/" in s for s in src), src
    assert v.page.locator("mjx-container").count() > 0


def test_index_opened_from_disk_works(browser):
    """A reader who double-clicks _build/html/index.html gets a working page, math and all."""
    _require_build(PAGES[0])
    target = next((p for p in site_pages() if "smx-explorer" in (SITE / p).read_text()), "index.html")
    v = PageVisit(browser, (SITE / target).as_uri())
    try:
        v.wait_for_math()
        assert v.external_requests == []
        assert v.console_errors == []
        assert v.page.evaluate(UNTYPESET_MATH_JS) == []
        if v.page.locator(".smx-explorer").count():
            before = v.page.locator(".smx-explorer").first.get_attribute("data-smx-state")
            _move(v.page.locator(".smx-explorer input[data-smx]").first, 0.9)
            assert v.page.locator(".smx-explorer").first.get_attribute("data-smx-state") != before
    finally:
        v.close()


# -- explorers ------------------------------------------------------------------------------

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
    assert ((0 <= p) & (p <= 1)).all(), p
    assert abs(p.sum() - 1) < 1e-12, p.sum()
    want_p, want_naive, want_loss = _expected(state, config)
    np.testing.assert_allclose(p, want_p, rtol=1e-12, atol=1e-300)
    naive = np.array([np.nan if v is None else v for v in state["naive"]], dtype=float)
    np.testing.assert_allclose(naive, want_naive, rtol=1e-12, atol=1e-300, equal_nan=True)
    if want_loss is not None:
        assert math.isclose(state["loss"], want_loss, rel_tol=1e-12, abs_tol=1e-15)
        shown = float(root.locator(".smx-loss-value").inner_text())
        assert abs(shown - want_loss) <= 0.5e-4 + 1e-12
    # What the reader sees: one bar per class and the table, rounded to three places.
    assert root.locator("svg rect.smx-bar").count() == n
    shown_p = [float(t) for t in root.locator("td.smx-p").all_inner_texts()]
    np.testing.assert_allclose(shown_p, want_p, atol=0.5e-3 + 1e-12)


@pytest.mark.parametrize("path", EXPLORER_PAGES)
def test_explorers_recompute_like_softmax_lib(visit, path):
    _require_build(path)
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
    _require_build(path)
    v = visit(path, javascript=False)
    roots = v.page.locator(".smx-explorer")
    assert roots.count() > 0
    for k in range(roots.count()):
        root = roots.nth(k)
        n = len(json.loads(root.get_attribute("data-smx-config"))["labels"])
        assert root.locator("svg rect.smx-bar").count() == n
        heights = [float(h) for h in root.locator("svg rect.smx-bar").evaluate_all(
            "els => els.map(e => e.getAttribute('height'))")]
        assert sum(heights) > 0
    assert re.search(r"smx-explorer", v.page.content())


def test_search_works_offline(visit):
    """Sphinx search runs on the page's own index: no server, no network."""
    _require_build(PAGES[0])
    v = visit("search.html?q=temperature")
    v.page.wait_for_selector("#search-results ul.search li", timeout=15000)
    hits = v.page.locator("#search-results ul.search li").all_inner_texts()
    assert hits, "search found nothing"
    assert v.external_requests == []
    assert v.console_errors == []
