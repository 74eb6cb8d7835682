"""Shared pieces of the browser tests: where the site is, how chromium starts, a page visit.

Outside CI, missing pieces (no build, no chromium, no playwright) skip these tests with a
message saying what to do. Under CI=true they fail instead: CI must exercise the real site.
"""

import contextlib
import http.server
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("SITE_DIR", ROOT / "_build" / "html")).resolve()  # or a private build
# Next to the site: _build/screenshots/ and _build/site-report.md for the default build.
SCREENSHOTS = SITE.parent / "screenshots"
REPORT = SITE.parent / "site-report.md"
AXE = ROOT / "tests" / "site" / "vendor" / "axe.min.js"  # tools/vendor_assets.sh (pinned)
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Chromium phones home at start-up unless told not to; on this closed network those calls
# would be refused and counted as console errors that have nothing to do with the site.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def unavailable(reason):
    if IN_CI:
        pytest.fail(f"browser tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


def site_pages():
    """Every HTML page a reader can reach (not the copied sources or static assets)."""
    if not SITE.is_dir():
        return []
    return sorted(
        p.relative_to(SITE).as_posix()
        for p in SITE.rglob("*.html")
        if not p.relative_to(SITE).parts[0].startswith(("_", "."))
    )


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


# WCAG 2.0/2.1 A and AA and WCAG 2.2 AA: the rules of the book's accessibility promise.
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
AXE_BLOCKING = ("serious", "critical")
AXE_RUN_JS = r"""async tags => {
  const options = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']};
  const r = await axe.run(document, options);
  const node = n => n.target.join(' ') + ': '
    + (n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 240);
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                 nodes: v.nodes.map(node)}));
}"""


# Everything a page loads (HTML, scripts, styles, fonts, images), in bytes.
WEIGHT_LIMIT = 2_500_000
DESKTOP = {"width": 1200, "height": 900}
PHONE = {"width": 390, "height": 844}


class PageVisit:
    """A page opened with every off-site request blocked and counted, console errors kept, and
    the bytes of every local response (content-length) added up: what the page weighs."""

    def __init__(self, browser, url, *, javascript=True, viewport=DESKTOP):
        self.context = browser.new_context(java_script_enabled=javascript, viewport=viewport)
        self.page = self.context.new_page()
        self.external_requests = []
        self.console_errors = []
        self.loaded = {}  # url -> bytes, every local response
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self.console_errors.append(f"pageerror: {exc}"))
        self.page.on("response", self._on_response)
        self.page.route("**/*", self._route)
        self.page.goto(url, wait_until="load")

    def _route(self, route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "file://", "data:", "blob:", "about:")):
            route.continue_()
        else:
            self.external_requests.append(url)
            route.abort()

    def _on_response(self, response):
        if response.url.startswith(("http://127.0.0.1", "file://")):
            self.loaded[response.url] = int(response.headers.get("content-length", 0))

    @property
    def weight(self):
        """Bytes of HTML and every local resource the page fetched so far."""
        return sum(self.loaded.values())

    def _on_console(self, msg):
        if msg.type == "error":
            self.console_errors.append(msg.text)

    def wait_for_math(self):
        """Wait until MathJax (if the page loads it) has typeset everything."""
        self.page.wait_for_function(
            "() => !window.MathJax || !MathJax.startup || !MathJax.startup.promise"
            " || MathJax.startup.promise.then(() => true)"
        )
        self.page.evaluate(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise"
            " ? MathJax.startup.promise.then(() => true) : true"
        )

    def settle(self):
        """Wait until transitions and animations have ended and two frames are painted."""
        self.page.evaluate(
            "() => Promise.all(document.getAnimations().map(a => a.finished.catch(() => null)))"
            ".then(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))))"
        )

    def set_theme(self, theme):
        """The theme's light or dark mode, as its own switch sets it."""
        self.page.evaluate(
            "t => { const root = document.documentElement;"
            " root.dataset.mode = t; root.dataset.theme = t; }",
            theme,
        )
        self.settle()

    def set_viewport(self, viewport):
        self.page.set_viewport_size(viewport)
        self.settle()

    def run_axe(self, tags=AXE_TAGS):
        """axe-core's violations for the WCAG tags, as [{id, impact, help, nodes: [...]}]."""
        if not self.page.evaluate("() => !!window.axe"):
            self.page.add_script_tag(content=_axe_source())
        return self.page.evaluate(AXE_RUN_JS, list(tags))

    def close(self):
        self.context.close()


def _axe_source():
    if not AXE.is_file():
        unavailable(f"{AXE.relative_to(ROOT)} is missing (run tools/vendor_assets.sh)")
    return AXE.read_text()


# -- One visit per page, every reader's check -----------------------------------------------

# Text nodes outside code, scripts and typeset math must not show TeX source.
RAW_TEX_JS = r"""() => {
  const skip = new Set(["PRE", "CODE", "SCRIPT", "STYLE", "TEXTAREA", "MJX-CONTAINER",
                        "MJX-ASSISTIVE-MML"]);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const hits = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    let el = n.parentElement, skipped = false;
    for (; el; el = el.parentElement) { if (skip.has(el.tagName)) { skipped = true; break; } }
    if (skipped) continue;
    const t = n.textContent;
    const tex = /\\\(|\\\)|\\\[|\\\]|\$\$|\\frac|\\sum|\\operatorname|\$[^$\n]+\$/;
    if (tex.test(t)) hits.push(t.trim().slice(0, 80));
  }
  return hits;
}"""

UNTYPESET_MATH_JS = """() => [...document.querySelectorAll('.math')]
  .filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60))"""

# TeX that MathJax could not read (an unknown macro, a package it did not load) shows as an
# error box in place of the formula.
MATH_ERRORS_JS = """() => [...document.querySelectorAll('mjx-merror')]
  .map(e => (e.getAttribute('data-mjx-error') || e.textContent).slice(0, 80))"""

IMAGES_JS = """() => [...document.querySelectorAll('img')]
  .map(i => ({src: i.getAttribute('src'), alt: i.getAttribute('alt')}))"""

# Pages shot in light and dark, at desktop and phone width.
SCREENSHOT_PAGES = (
    "chapters/intro.html",
    "chapters/temperature.html",
    "chapters/many_classes.html",
    "chapters/api_reference.html",
    "genindex.html",
)

SURVEYS = {}  # path -> survey_page(...) record, one visit per page per session


def _shot(v, path, variant):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    v.page.screenshot(
        path=str(SCREENSHOTS / f"{path.replace('/', '__')}.{variant}.png"), full_page=True
    )


def _quiet_network(v, timeout_ms=20000):
    """Wait for the network to be idle; on a loaded machine, go on after `timeout_ms`."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):
        v.page.wait_for_load_state("networkidle", timeout=timeout_ms)


def survey_page(browser, base_url, path):
    """Open `path` once and record what every per-page test asserts: offline and clean, maths
    typeset, images' alt text, axe-core in the light and the dark theme, scroll width on a
    390 px phone, and the page's weight. Screenshots go to SCREENSHOTS."""
    v = PageVisit(browser, f"{base_url}/{path}")
    try:
        v.wait_for_math()
        _quiet_network(v)
        v.settle()
        rec = {
            "untypeset": v.page.evaluate(UNTYPESET_MATH_JS),
            "math_errors": v.page.evaluate(MATH_ERRORS_JS),
            "raw_tex": v.page.evaluate(RAW_TEX_JS),
            "images": v.page.evaluate(IMAGES_JS),
        }
        shots = path in SCREENSHOT_PAGES
        if shots:
            _shot(v, path, "light-desktop")
        rec["axe"] = {"light": v.run_axe()}
        v.set_theme("dark")
        rec["axe"]["dark"] = v.run_axe()
        if shots:
            _shot(v, path, "dark-desktop")
        v.set_viewport(PHONE)
        rec["phone_scroll_width"] = v.page.evaluate("() => document.scrollingElement.scrollWidth")
        if shots:
            _shot(v, path, "dark-phone")
            v.set_theme("light")
            _shot(v, path, "light-phone")
        _quiet_network(v)
        rec["external_requests"] = list(v.external_requests)
        rec["console_errors"] = list(v.console_errors)
        rec["weight"] = v.weight
        rec["heaviest"] = sorted(
            ((n, u.split("/", 3)[-1].split("?")[0]) for u, n in v.loaded.items()), reverse=True
        )[:3]
        return rec
    finally:
        v.close()


def blocking(violations):
    return [v for v in violations if v["impact"] in AXE_BLOCKING]


def write_report(surveys, limit):
    """A table of every surveyed page: weight, heaviest files, axe findings, phone width."""
    lines = [
        f"| page | weight (kB, limit {limit // 1000}) | heaviest | axe light | axe dark "
        f"| width at {PHONE['width']} px |",
        "|---|---:|---|---|---|---:|",
    ]

    def axe_cell(violations):
        serious = sum(len(v["nodes"]) for v in blocking(violations))
        other = sum(len(v["nodes"]) for v in violations) - serious
        ids = ", ".join(sorted({v["id"] for v in violations}))
        return f"{serious} serious+, {other} other" + (f" ({ids})" if ids else "")

    for path, rec in sorted(surveys.items()):
        heaviest = ", ".join(f"{name} {n // 1000}" for n, name in rec["heaviest"])
        lines.append(
            f"| {path} | {rec['weight'] / 1000:,.0f} | {heaviest} "
            f"| {axe_cell(rec['axe']['light'])} | {axe_cell(rec['axe']['dark'])} "
            f"| {rec['phone_scroll_width']} |"
        )
    text = "\n".join(lines) + "\n"
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("# Site report (tests/site)\n\n" + text)
    return text
