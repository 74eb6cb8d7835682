"""The built site in a real browser, as every reader meets it (explorers: test_explorers.py).

Every page is opened once (sitekit.survey_page) from a local server, with all off-site
requests blocked and counted: offline, clean console, maths typeset; axe-core (WCAG 2.2 AA
rules) in the light and the dark theme; no sideways scrolling on a 390 px phone; at most
WEIGHT_LIMIT bytes loaded; every image with real alt text. Screenshots go to
_build/screenshots/, and a table of weights and axe findings to _build/site-report.md (and
the end of the test output).
"""

import re

import pytest
from sitekit import (
    PHONE,
    SITE,
    UNTYPESET_MATH_JS,
    WEIGHT_LIMIT,
    PageVisit,
    blocking,
    site_pages,
    unavailable,
)

PAGES = site_pages() or ["<no build>"]

# Alt text that names a file instead of saying what the image shows: a path, a file name,
# or a long hex hash (Sphinx's default alt is the image's path).
FILE_LIKE_ALT = re.compile(r"(^|/)[^\s/]+\.(png|jpe?g|gif|svg|webp)$|[0-9a-f]{16,}|^\S*/\S*$", re.I)


def _require_build(path):
    if path == "<no build>":
        unavailable(f"no built site at {SITE} (run `make book`)")


@pytest.mark.parametrize("path", PAGES)
def test_page_is_offline_clean_and_typeset(survey, path):
    _require_build(path)
    rec = survey(path)
    assert rec["external_requests"] == [], f"{path} asked other hosts: {rec['external_requests']}"
    assert rec["console_errors"] == [], f"{path} console errors: {rec['console_errors']}"
    assert rec["untypeset"] == [], f"{path}: math left untypeset"
    assert rec["math_errors"] == [], f"{path}: TeX that MathJax could not read"
    assert rec["raw_tex"] == [], f"{path}: raw TeX visible"


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_serious_accessibility_violation(survey, path, theme):
    """axe-core, rules tagged WCAG 2.0/2.1 A and AA and 2.2 AA: nothing serious or critical."""
    _require_build(path)
    found = blocking(survey(path)["axe"][theme])
    assert found == [], f"{path} ({theme}): " + "; ".join(
        f"{v['id']} ({v['impact']}, {len(v['nodes'])}): {v['help']}: {v['nodes'][:3]}"
        for v in found
    )


@pytest.mark.parametrize("path", PAGES)
def test_page_fits_a_phone(survey, path):
    """Nothing scrolls the page sideways at 390 x 844 (a wide table or formula scrolls inside
    its own box)."""
    _require_build(path)
    width = survey(path)["phone_scroll_width"]
    assert width <= PHONE["width"], f"{path} is {width} px wide on a {PHONE['width']} px phone"


@pytest.mark.parametrize("path", PAGES)
def test_page_is_light(survey, path):
    """HTML plus every local file the page fetches (scripts, styles, fonts, images)."""
    _require_build(path)
    rec = survey(path)
    assert rec["weight"] <= WEIGHT_LIMIT, (
        f"{path} loads {rec['weight']:,} bytes (limit {WEIGHT_LIMIT:,}); "
        f"heaviest: {rec['heaviest']}"
    )


@pytest.mark.parametrize("path", PAGES)
def test_images_say_what_they_show(survey, path):
    """Every <img> has alt text, and it describes the image rather than naming its file."""
    _require_build(path)
    bad = [
        i
        for i in survey(path)["images"]
        if not (i["alt"] or "").strip() or FILE_LIKE_ALT.search(i["alt"].strip())
    ]
    assert bad == [], f"{path}: {len(bad)} image(s) without real alt text: " + ", ".join(
        f"{i['src']} (alt={i['alt']!r})" for i in bad
    )


def test_the_widget_manager_loads_only_where_a_widget_is_shown():
    """The 1.9 MB Jupyter widget manager is on a page only if the page shows a bare widget."""
    _require_build(PAGES[0])
    for path in site_pages():
        html = (SITE / path).read_text()
        has_view = "application/vnd.jupyter.widget-view+json" in html
        assert ("jupyter-widgets/embed.js" in html) == has_view, path
    for path in site_pages():
        assert "fontawesome.js" not in (SITE / path).read_text(), f"{path} loads fontawesome.js"


def test_every_math_page_loads_the_vendored_mathjax(visit):
    _require_build(PAGES[0])
    math_pages = [p for p in site_pages() if 'class="math' in (SITE / p).read_text()]
    assert math_pages, "no page has math: the book should"
    v = visit(math_pages[0])
    v.wait_for_math()
    src = v.page.evaluate(
        "() => [...document.scripts].map(s => s.src).filter(s => /mathjax/i.test(s))"
    )
    assert src and all("/_static/vendor/mathjax/" in s for s in src), src
    assert v.page.locator("mjx-container").count() > 0


def test_index_opened_from_disk_works(browser):
    """A reader who double-clicks _build/html/index.html gets a working page, math and all."""
    _require_build(PAGES[0])
    target = next(
        (p for p in site_pages() if "smx-explorer" in (SITE / p).read_text()), "index.html"
    )
    v = PageVisit(browser, (SITE / target).as_uri())
    try:
        v.wait_for_math()
        assert v.external_requests == []
        assert v.console_errors == []
        assert v.page.evaluate(UNTYPESET_MATH_JS) == []
        if v.page.locator(".smx-explorer").count():
            before = v.page.locator(".smx-explorer").first.get_attribute("data-smx-state")
            slider = v.page.locator(".smx-explorer input[data-smx]").first
            slider.fill(slider.get_attribute("max"))
            assert v.page.locator(".smx-explorer").first.get_attribute("data-smx-state") != before
    finally:
        v.close()


def test_search_works_offline(visit):
    """Sphinx search runs on the page's own index: no server, no network."""
    _require_build(PAGES[0])
    v = visit("search.html?q=temperature")
    v.page.wait_for_selector("#search-results ul.search li", timeout=15000)
    hits = v.page.locator("#search-results ul.search li").all_inner_texts()
    assert hits, "search found nothing"
    assert v.external_requests == []
    assert v.console_errors == []
