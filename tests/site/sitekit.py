"""Shared pieces of the browser tests: where the site is, how chromium starts, a page visit.

Outside CI, missing pieces (no build, no chromium, no playwright) skip these tests with a
message saying what to do. Under CI=true they fail instead: CI must exercise the real site.
"""

import http.server
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Chromium phones home at start-up unless told not to; on this closed network those calls
# would be refused and counted as console errors that have nothing to do with the site.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
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
        if not p.relative_to(SITE).parts[0].startswith("_")
    )


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class PageVisit:
    """A page opened with every off-site request blocked and counted, and console errors kept."""

    def __init__(self, browser, url, *, javascript=True):
        self.context = browser.new_context(java_script_enabled=javascript,
                                           viewport={"width": 1200, "height": 900})
        self.page = self.context.new_page()
        self.external_requests = []
        self.console_errors = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self.console_errors.append(f"pageerror: {exc}"))
        self.page.route("**/*", self._route)
        self.page.goto(url, wait_until="load")

    def _route(self, route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "file://", "data:", "blob:", "about:")):
            route.continue_()
        else:
            self.external_requests.append(url)
            route.abort()

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

    def close(self):
        self.context.close()
