"""Fixtures for the browser tests: the built site served on 127.0.0.1, and Debian's chromium."""

import functools
import http.server
import os
import shutil
import threading

import pytest
from sitekit import (
    CHROMIUM,
    CHROMIUM_ARGS,
    REPORT,
    SITE,
    SURVEYS,
    WEIGHT_LIMIT,
    PageVisit,
    QuietHandler,
    survey_page,
    unavailable,
    write_report,
)


@pytest.fixture(scope="session")
def site_url():
    if not (SITE / "index.html").is_file():
        unavailable(f"no built site at {SITE} (run `make book`)")
    handler = functools.partial(QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        unavailable(f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is pinned in requirements.txt
        unavailable("the playwright package is not installed")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def visit(browser, site_url):
    opened = []

    def _visit(path, **kwargs):
        v = PageVisit(browser, f"{site_url}/{path}", **kwargs)
        opened.append(v)
        return v

    yield _visit
    for v in opened:
        v.close()


@pytest.fixture(scope="session")
def survey(browser, site_url):
    """survey(path): the record of one visit to `path` (sitekit.survey_page), made once."""

    failed = {}  # a visit that broke is not retried by the page's other tests

    def _survey(path):
        if path in failed:
            raise failed[path]
        if path not in SURVEYS:
            try:
                SURVEYS[path] = survey_page(browser, site_url, path)
            except Exception as exc:
                failed[path] = exc
                raise
        return SURVEYS[path]

    return _survey


def pytest_terminal_summary(terminalreporter):
    """Every surveyed page's weight and axe findings, also written to _build/site-report.md."""
    if not SURVEYS:
        return
    terminalreporter.write_sep("-", "site: page weight, axe-core, phone width")
    terminalreporter.write(write_report(SURVEYS, WEIGHT_LIMIT))
    terminalreporter.write_line(f"(written to {REPORT})")
