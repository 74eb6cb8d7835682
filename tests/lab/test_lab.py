"""The chapters in JupyterLab read like the book: rendered MyST, computed numbers, no errors.

One JupyterLab server (this environment's, with jupyterlab-myst) serves ``chapters/``; one
headless chromium opens every ``chapters/*.ipynb`` in turn, runs it with the command
``notebook:run-all-cells`` (Run > Run All Cells), waits until the kernel is idle and every
markdown cell is rendered, then shuts the kernel down and closes the notebook unsaved. Each
chapter is one test, and a failure lists every problem in that chapter:

- **MyST source in the prose.** The rendered prose of a markdown cell is the ``.lm-Widget.myst``
  node in the cell (the hidden editor next to it holds the source and is not read). Its text,
  with typeset maths left out, must not contain role syntax (``{name}`` followed by a
  backtick), ``{glue``, directive fences (```` ```{ ````, ``:::{``), ``(label)=`` targets or
  directive options such as ``:label:``, nor the box jupyterlab-myst draws for an unknown
  directive (which shows the directive's body as source); no maths may fail to typeset
  (``.katex-error``); a markdown cell that was never rendered counts too. jupyterlab-myst
  shows an unknown role such as ``{glue:text}`` as its bare content (``name:.3f``), which
  looks like prose, so a ``{glue`` role in a cell's *source* is reported as well.
- **Every ``{eval}`` shows its value.** For each ``{eval}`` role in a cell's source,
  jupyterlab-myst must have stored a result with status ``ok`` in the cell's
  ``user_expressions`` metadata, and that value (a ``str`` without its quotes) must appear in
  the rendered prose: never blank, never the role.
- **No errors.** No code cell may be left unexecuted (Run All stops at an unexpected error), no
  output may be an error (``.jp-RenderedText[data-mime-type*=error]``, or an ``error`` output in
  the cell's model) or go to stderr (``.jp-OutputArea-output[data-mime-type=
  "application/vnd.jupyter.stderr"]``: the book build fails on any stderr too), and no widget
  may fail to display. A cell tagged ``raises-exception`` is meant to raise: its error is
  expected (JupyterLab, like the book build, runs on past it).

- **Explorers styled as on the site.** Every explorer drawn (its SVG: ``svg.smx-svg``,
  ``.cal-svg``, ``.fpx-svg``, ``.tr-plane``) sits in its panel (``.smx-explorer`` ...: the
  widget brings the site's stylesheets, softmax_book/lab_style.py), whose background is opaque,
  whose text (the panel's colour, every SVG text's fill, the table's cells) has at least 4.5:1
  against it, and whose data marks (bars, class markers; the floating-point bands) are not the
  SVG default black, and have 3:1 (not the bands, which are tints named in text). Without the
  stylesheets the bars fill black and the text is black on a dark theme. The light theme is
  checked in every chapter; the dark one (``apputils:change-theme``, then back) in one chapter
  per explorer (:data:`DARK_CHECK`), a few seconds in all.

Cross-references and citations jupyterlab-myst cannot resolve are **accepted**: a ``{ref}`` or
``{eq}`` to a label in another notebook, a ``{numref}`` to a figure whose name lives in the
cell's ``mystnb`` metadata, and a ``{cite}`` (the bibliography is the book's, not the
notebook's) render as the label or key with a warning icon (``title="Cross Reference Not
Found"`` or ``"Citation Not Found"``). That is the label, not role syntax, so it does not count
as MyST source; the test prints them per chapter (``pytest -rP``) so that they stay visible.

The server runs offline with its own throw-away config, data, runtime, settings, workspace and
checkpoint folders (and autosave off), so a run never writes to ``chapters/``; chromium blocks
every request that does not go to the server. Outside CI a missing chromium, playwright,
JupyterLab or jupyterlab-myst skips these tests with a message; under ``CI=true`` it fails them.

Timing, measured on 2 cores shared with other jobs (load average 10-13): JupyterLab is ready
in about 15 s and a chapter takes 10-35 s (open and start the kernel, Run All, render and
evaluate); the 13 chapters took 4 min 44 s in all, of which the whole process tree used about
70 s of CPU. Each chapter prints its times (``pytest -rP tests/lab``).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = ROOT / "chapters"
NOTEBOOKS = sorted(p.name for p in CHAPTERS.glob("*.ipynb"))

sys.path.insert(0, str(ROOT / "tests" / "site"))
from sitekit import CHROMIUM, CHROMIUM_ARGS, unavailable  # noqa: E402

SERVER_START_TIMEOUT = 120  # s, until the REST API answers
NOTEBOOK_TIMEOUT = 120  # s, for one chapter to run and render

# JupyterLab user settings for the run: nothing is saved behind our back, and every cell is in
# the DOM (no virtual scrolling), so the whole notebook can be read after Run All.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}

# What MyST source looks like when it is shown instead of rendered.
RAW_MYST = [
    ("role syntax", re.compile(r"\{[A-Za-z][\w:.+-]*\}`")),
    ("a glue role", re.compile(r"\{glue")),
    ("a directive fence", re.compile(r"(```|:::)\s*\{")),
    ("a (label)= target", re.compile(r"\([\w.:-]+\)=")),
    (
        "a directive option",
        re.compile(r"(?<!:):(label|class|name|caption|width|align|nonumber|open):(?=\s)"),
    ),
    ("an unknown directive", re.compile(r"Unknown Directive")),
]
EVAL_ROLE = re.compile(r"\{eval\}`([^`]*)`")
GLUE_ROLE = re.compile(r"\{glue[^}]*\}`[^`]*`")

OPEN_AND_RUN = """
async (path) => {
  const app = window.jupyterapp;
  const start = performance.now();
  const panel = await app.commands.execute('docmanager:open',
                                           {path, factory: 'Notebook', kernel: {name: 'python3'}});
  window.__labtest = {panel, ranAll: null};
  await panel.context.ready;
  await panel.sessionContext.ready;
  app.shell.activateById(panel.id);
  const opened = performance.now();
  window.__labtest.ranAll = await app.commands.execute('notebook:run-all-cells');
  return [(opened - start) / 1000, (performance.now() - opened) / 1000];
}
"""

# Settled: the kernel idle, every markdown cell rendered by jupyterlab-myst, and every cell with
# {eval} roles holding a result for each and showing each value (jupyterlab-myst stores the
# results first and re-renders the cell after). If Run All stopped early (an unexpected error),
# markdown cells after the stop are never evaluated: for those the rendering is all there is.
SETTLED = r"""
() => {
  const t = window.__labtest;
  if (!t || t.ranAll === null) return false;
  const kernel = t.panel.sessionContext.session && t.panel.sessionContext.session.kernel;
  if (!kernel || kernel.status !== 'idle') return false;
  const cells = t.panel.content.widgets;
  let stop = cells.findIndex((c) => c.model.type === 'code'
      && !(c.model.getMetadata('tags') || []).includes('raises-exception')
      && c.model.sharedModel.getSource().trim()
      && (c.model.executionCount === null
          || c.model.outputs.toJSON().some((o) => o.output_type === 'error')));
  if (stop < 0) stop = cells.length;
  const shown = (r) => {
    let s = (r.data && r.data['text/plain']) || '';
    if (/^(['"])[\s\S]*\1$/.test(s)) s = s.slice(1, -1);
    return s;
  };
  for (const [index, cell] of cells.entries()) {
    if (cell.model.type !== 'markdown') continue;
    const prose = cell.node.querySelector('.lm-Widget.myst');
    if (!prose) return false;
    if (index > stop) continue;
    const roles = (cell.model.sharedModel.getSource().match(/\{eval\}`[^`]*`/g) || []).length;
    if (!roles) continue;
    const results = cell.model.getMetadata('user_expressions') || [];
    if (results.length < roles) return false;
    const copy = prose.cloneNode(true);
    copy.querySelectorAll('.katex, svg').forEach((n) => n.remove());
    const text = copy.textContent;
    for (const e of results) {
      if (e.result && e.result.status === 'ok' && !text.includes(shown(e.result))) return false;
    }
  }
  return true;
}
"""

REPORT = """
() => {
  const t = window.__labtest;
  const text = (node) => {
    const copy = node.cloneNode(true);
    copy.querySelectorAll('.katex').forEach((n) => n.replaceWith(' '));
    copy.querySelectorAll('svg, script, style').forEach((n) => n.remove());
    return copy.textContent;
  };
  return t.panel.content.widgets.map((cell, index) => {
    const model = cell.model;
    const out = {index, type: model.type, source: model.sharedModel.getSource(),
                 tags: model.getMetadata('tags') || []};
    if (model.type === 'markdown') {
      const prose = cell.node.querySelector('.lm-Widget.myst');
      out.rendered = !!prose;
      out.text = prose ? text(prose) : '';
      out.katexErrors = prose ? prose.querySelectorAll('.katex-error').length : 0;
      out.unresolved = prose ? [...prose.querySelectorAll('[title$=" Not Found"]')]
                                 .map((n) => text(n).trim()) : [];
      out.userExpressions = model.getMetadata('user_expressions') || [];
    } else if (model.type === 'code') {
      out.executionCount = model.executionCount;
      out.outputs = model.outputs.toJSON().map((o) => ({
        output_type: o.output_type, name: o.name || null, ename: o.ename || null,
        evalue: o.evalue || null, text: typeof o.text === 'string' ? o.text
          : Array.isArray(o.text) ? o.text.join('') : null}));
      const q = (sel) => [...cell.node.querySelectorAll(sel)].map((n) => n.textContent.trim());
      out.domErrors = q('.jp-RenderedText[data-mime-type*=error]');
      out.domStderr = q('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]');
      out.widgetErrors = q('.jp-OutputArea-output')
        .filter((s) => s.includes('Error displaying widget'));
    }
    return out;
  });
}
"""

# The explorers drawn in the notebook: for each, its panel's background and colours, the fill of
# every SVG text and the colour of every table cell (one of each kind), and its first data mark.
EXPLORER_COLOURS = r"""
() => {
  const t = window.__labtest;
  const marks = {smx: '.smx-bar', cal: '.cal-bar', fpx: '.fpx-band', tr: '.tr-pts:not(.tr-test)'};
  const cells = t.panel.content.widgets;
  const svgs = t.panel.node.querySelectorAll('svg.smx-svg, svg.cal-svg, svg.fpx-svg, svg.tr-plane');
  return [...svgs].map((svg) => {
    const kind = svg.getAttribute('class').split('-')[0];
    const out = {kind, cell: cells.findIndex((c) => c.node.contains(svg)), panel: false};
    const panel = svg.closest(`.${kind}-explorer`);
    if (!panel) return out;
    const style = getComputedStyle(panel);
    out.panel = true;
    out.background = style.backgroundColor;
    out.text = {panel: style.color};
    for (const node of panel.querySelectorAll('svg text, td, th')) {
      const key = `${node.tagName.toLowerCase()}.${node.getAttribute('class') || ''}`;
      if (!(key in out.text)) {
        const s = getComputedStyle(node);
        out.text[key] = node.tagName.toLowerCase() === 'text' ? s.fill : s.color;
      }
    }
    const mark = panel.querySelector(marks[kind]);
    out.mark = mark ? getComputedStyle(mark).fill : null;
    return out;
  });
}
"""

# The dark theme is checked in one chapter per explorer (a theme switch takes a second or two).
DARK_CHECK = {
    "what_softmax_is.ipynb",
    "numerical_stability.ipynb",
    "real_data.ipynb",
    "softmax_regression.ipynb",
}
SET_THEME = """
async ([theme, light]) => {
  await window.jupyterapp.commands.execute('apputils:change-theme', {theme});
  const body = document.body, deadline = performance.now() + 30000;
  while (body.dataset.jpThemeLight !== light || body.dataset.jpThemeName !== theme) {
    if (performance.now() > deadline) throw new Error(`the theme did not change to ${theme}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
}
"""
EXPLORER_CALL = re.compile(r"\b(Softmax|Calibration|Float|Trainer)Explorer\(")

CLOSE = """
async () => {
  const t = window.__labtest;
  if (!t) return;
  window.__labtest = null;
  try { await t.panel.sessionContext.shutdown(); } finally {
    t.panel.context.model.dirty = false;
    t.panel.dispose();
  }
}
"""


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path, n=40):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return "(no log)"


@pytest.fixture(scope="module")
def sync_playwright():
    """Playwright's entry point, once chromium, playwright and JupyterLab are all there."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        unavailable(f"{CHROMIUM} not found (apt-get install chromium)")
    for module in ("playwright", "jupyterlab", "jupyterlab_myst"):
        if importlib.util.find_spec(module) is None:
            unavailable(f"{module} is not installed in {sys.prefix} (make venv)")
    from playwright.sync_api import sync_playwright

    return sync_playwright


@pytest.fixture(scope="module")
def lab_server(sync_playwright, tmp_path_factory):
    """JupyterLab on 127.0.0.1 with a random token, serving chapters/; yields (url, token)."""
    home = tmp_path_factory.mktemp("lab")
    settings = home / "settings"
    for plugin, values in LAB_SETTINGS.items():
        target = settings / f"{plugin}.jupyterlab-settings"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    port, token = _free_port(), secrets.token_hex(24)
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        IPYTHONDIR=str(home / "ipython"),
    )
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={CHAPTERS}",
        "--ServerApp.terminals_enabled=False",
        "--LabApp.expose_app_in_browser=True",
        f"--FileCheckpoints.root_dir={home / 'checkpoints'}",
        f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={home / 'workspaces'}",
        "--LabApp.news_url=None", "--LabApp.extension_manager=readonly",
        "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
    ]  # fmt: skip
    log = home / "jupyterlab.log"
    with open(log, "wb") as log_file:
        server = subprocess.Popen(
            command,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if server.poll() is not None:
                pytest.fail(f"JupyterLab exited with {server.returncode}:\n{_tail(log)}")
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                    break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"JupyterLab did not answer in {SERVER_START_TIMEOUT} s:\n{_tail(log)}"
                    )
                time.sleep(0.3)
        yield url, token
    finally:
        # SIGTERM: the server shuts its kernels down; the group kill is for what is left.
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


class Lab:
    """One JupyterLab page; runs notebooks one after another and reports on each."""

    def __init__(self, page):
        self.page = page
        self.external_requests = []

    def run(self, name):
        start = time.monotonic()
        try:
            phases = self.page.evaluate(OPEN_AND_RUN, name)
            settled = True
            remaining_ms = max(1000, (NOTEBOOK_TIMEOUT - (time.monotonic() - start)) * 1000)
            try:
                self.page.wait_for_function(SETTLED, timeout=remaining_ms, polling=500)
            except Exception as exc:  # playwright's TimeoutError: report what is missing
                if "Timeout" not in type(exc).__name__:
                    raise
                settled = False
            cells = self.page.evaluate(REPORT)
            checking = time.monotonic()
            explorers = {"light": self.page.evaluate(EXPLORER_COLOURS)}
            if name in DARK_CHECK and explorers["light"]:
                self.page.evaluate(SET_THEME, ["JupyterLab Dark", "false"])
                try:
                    explorers["dark"] = self.page.evaluate(EXPLORER_COLOURS)
                finally:
                    self.page.evaluate(SET_THEME, ["JupyterLab Light", "true"])
            checked = time.monotonic() - checking
        finally:
            self.page.evaluate(CLOSE)
        return settled, cells, explorers, [*phases, checked, time.monotonic() - start]


@pytest.fixture(scope="module")
def lab(sync_playwright, lab_server):
    url, token = lab_server
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        lab = Lab(page)

        def route(r):
            if r.request.url.startswith((url, "data:", "blob:", "about:")):
                r.continue_()
            else:
                lab.external_requests.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.goto(f"{url}/lab?token={token}", wait_until="domcontentloaded")
        page.wait_for_function("() => window.jupyterapp !== undefined", timeout=120_000)
        page.evaluate(
            "async () => { await window.jupyterapp.started; await window.jupyterapp.restored; }"
        )
        yield lab
        context.close()
        browser.close()


def _value_text(result):
    """What jupyterlab-myst shows for an expression's text/plain: a str without its quotes."""
    shown = result.get("data", {}).get("text/plain", "")
    try:
        value = ast.literal_eval(shown)
    except (ValueError, SyntaxError):
        return shown
    return value if isinstance(value, str) else shown


def _rgba(css):
    """'rgb(r, g, b)' or 'rgba(r, g, b, a)' -> (r, g, b, a)."""
    parts = [float(x) for x in re.findall(r"[\d.]+", css)]
    if len(parts) not in (3, 4):
        raise ValueError(f"not an rgb() colour: {css!r}")
    return (*parts[:3], parts[3] if len(parts) == 4 else 1.0)


def _contrast(colour, background):
    """WCAG contrast of ``colour`` (composited over ``background``) against the opaque
    ``background``; JupyterLab's text colours carry an alpha (rgba(0, 0, 0, 0.87))."""
    alpha = colour[3]
    shown = [alpha * c + (1 - alpha) * b for c, b in zip(colour[:3], background[:3], strict=True)]

    def luminance(rgb):
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in
               (v / 255 for v in rgb)]  # fmt: skip
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(shown), luminance(background[:3])), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def explorer_problems(cells, explorers):
    """Every explorer drawn without its panel, or with text or marks that do not show."""
    problems = []
    calls = [c for c in cells if c["type"] == "code" and EXPLORER_CALL.search(c["source"])]
    if calls and not explorers.get("light"):
        problems.append(f"cell {calls[0]['index']}: no explorer drawn")
    for theme, views in explorers.items():
        for view in views:
            where = f"cell {view['cell']}: the {view['kind']} explorer ({theme} theme)"
            problems += [f"{where}: {p}" for p in _view_problems(view)]
    return problems


def _view_problems(view):
    if not view["panel"]:
        return [f"not in its panel (.{view['kind']}-explorer): no stylesheet brought"]
    bg = view["background"]
    background = _rgba(bg)
    if background[3] < 1:
        return [f"the panel's background {bg} is not opaque"]
    problems = []
    for what, colour in view["text"].items():
        ratio = _contrast(_rgba(colour), background)
        if ratio < 4.5:
            problems.append(f"{what} in {colour} on {bg}: {ratio:.2f}:1 < 4.5:1")
    mark = view["mark"]
    if mark is None:
        problems.append("no data mark drawn")
    elif _rgba(mark)[:3] == (0.0, 0.0, 0.0):
        problems.append("the data marks fill black (the SVG default: no stylesheet)")
    elif view["kind"] != "fpx" and (ratio := _contrast(_rgba(mark), background)) < 3:
        problems.append(f"data marks in {mark} on {bg}: {ratio:.2f}:1 < 3:1")
    return problems


def problems_in(cells):
    """Every way in which the run notebook does not read like the book, one line each."""
    problems = []
    stop = next((c["index"] for c in cells if _stopped_at(c)), None)
    after_stop = 0
    for cell in cells:
        where = f"cell {cell['index']}"
        if cell["type"] == "markdown":
            if not cell["rendered"]:
                problems.append(f"{where}: markdown not rendered by jupyterlab-myst")
                continue
            for what, pattern in RAW_MYST:
                for match in pattern.finditer(cell["text"]):
                    context = cell["text"][max(0, match.start() - 30) : match.end() + 30]
                    problems.append(f"{where}: shows {what}: ...{context.strip()!r}...")
            for role in GLUE_ROLE.findall(cell["source"]):
                problems.append(
                    f"{where}: {role} is not rendered by jupyterlab-myst "
                    "(it shows the bare role content); use {eval}"
                )
            if cell["katexErrors"]:
                problems.append(f"{where}: {cell['katexErrors']} formula(s) failed to typeset")
            results = {e.get("expression"): e.get("result", {}) for e in cell["userExpressions"]}
            if stop is not None and cell["index"] > stop:
                after_stop += len(EVAL_ROLE.findall(cell["source"]))
                continue
            for expression in EVAL_ROLE.findall(cell["source"]):
                result = results.get(expression)
                if result is None:
                    problems.append(f"{where}: {{eval}}`{expression}` was not evaluated")
                elif result.get("status") != "ok":
                    problems.append(
                        f"{where}: {{eval}}`{expression}` failed: "
                        f"{result.get('ename')}: {result.get('evalue')}"
                    )
                else:
                    shown = _value_text(result)
                    if not shown.strip() or shown not in cell["text"]:
                        problems.append(
                            f"{where}: {{eval}}`{expression}` = {shown!r} is not shown in the prose"
                        )
        elif cell["type"] == "code":
            if not cell["source"].strip():
                continue
            expected_error = "raises-exception" in cell["tags"]
            if cell["executionCount"] is None:
                problems.append(f"{where}: not executed (Run All stopped before it)")
            for out in cell["outputs"]:
                if out["output_type"] == "error" and not expected_error:
                    problems.append(f"{where}: raised {out['ename']}: {out['evalue']}")
                if out["output_type"] == "stream" and out["name"] == "stderr":
                    problems.append(f"{where}: wrote to stderr: {(out['text'] or '')[:300]!r}")
            if cell["domErrors"] and not expected_error:
                problems.append(f"{where}: shows an error: {cell['domErrors'][0][:300]!r}")
            # JupyterLab shows a traceback with the stderr mime type.
            stderr_stream = any(o["name"] == "stderr" for o in cell["outputs"])
            if cell["domStderr"] and not stderr_stream and not expected_error:
                problems.append(f"{where}: shows stderr: {cell['domStderr'][0][:300]!r}")
            for text in cell["widgetErrors"]:
                problems.append(f"{where}: {text[:300]!r}")
    if after_stop:
        problems.append(
            f"{after_stop} {{eval}} value(s) after cell {stop} not evaluated: Run All stopped there"
        )
    return problems


def _stopped_at(cell):
    """Whether Run All stopped at this code cell (an unexpected error, or never run)."""
    return (
        cell["type"] == "code"
        and cell["source"].strip() != ""
        and "raises-exception" not in cell["tags"]
        and (cell["executionCount"] is None
             or any(o["output_type"] == "error" for o in cell["outputs"]))
    )  # fmt: skip


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_chapter_reads_like_the_book_in_jupyterlab(lab, name):
    before = len(lab.external_requests)
    settled, cells, explorers, (opening, running, checking, seconds) = lab.run(name)
    problems = problems_in(cells) + explorer_problems(cells, explorers)
    if not settled:
        problems.insert(
            0,
            f"not settled after {NOTEBOOK_TIMEOUT} s (kernel busy, or markdown "
            "cells not rendered or evaluated)",
        )
    problems += [
        f"requested {u} (blocked: the lab runs offline)" for u in lab.external_requests[before:]
    ]
    evals = sum(len(EVAL_ROLE.findall(c["source"])) for c in cells if c["type"] == "markdown")
    markdown = [c for c in cells if c["type"] == "markdown"]
    unresolved = list(dict.fromkeys(label for c in markdown for label in c["unresolved"]))
    print(
        f"{name}: {seconds:.1f} s (open {opening:.1f}, Run All {running:.1f}, explorers "
        f"{checking:.1f}), {len(cells)} cells, "
        f"{evals} {{eval}} values; "
        f"explorers checked: {', '.join(f'{len(v)} {t}' for t, v in explorers.items()) or 'none'}; "
        f"references shown as labels (unresolved in Lab): "
        f"{', '.join(unresolved) if unresolved else 'none'}"
    )
    assert not problems, f"{name} in JupyterLab:\n  " + "\n  ".join(problems)


# The checks themselves, on made-up reports: fast, and they run where no browser is available.


def _markdown(source, text, expressions=(), unresolved=(), index=0):
    return {"index": index, "type": "markdown", "source": source, "tags": [], "rendered": True,
            "text": text, "katexErrors": 0, "unresolved": list(unresolved),
            "userExpressions": list(expressions)}  # fmt: skip


def _code(source="x = 1", outputs=(), tags=(), count=1, dom_errors=(), dom_stderr=()):
    blank = dict.fromkeys(("name", "ename", "evalue", "text"))
    return {"index": 1, "type": "code", "source": source, "tags": list(tags),
            "executionCount": count, "outputs": [blank | o for o in outputs],
            "domErrors": list(dom_errors), "domStderr": list(dom_stderr),
            "widgetErrors": []}  # fmt: skip


def _ok(expression, text_plain):
    return {"expression": expression,
            "result": {"status": "ok", "data": {"text/plain": text_plain}}}  # fmt: skip


def test_a_rendered_chapter_has_no_problems():
    cells = [
        _markdown("p is {eval}`p_txt`, see {ref}`other`.", "p is 0.659, see other.",
                  [_ok("p_txt", "'0.659'")], ["other"]),
        _code(outputs=[{"output_type": "stream", "name": "stdout", "text": "ok"}]),
        _code("1/0", [{"output_type": "error", "ename": "ZeroDivisionError"}],
              tags=["raises-exception"], dom_stderr=["Traceback ..."]),
    ]  # fmt: skip
    assert problems_in(cells) == []


@pytest.mark.parametrize(
    "text",
    ["p is {eval}`p_txt`.", "```{exercise}", ":::{note}", "(sec-x)=", "Exercise :label: ex-1",
     "{glue:text}`p:.3f`", "x - Unknown Directive"],
)  # fmt: skip
def test_myst_source_in_the_prose_is_found(text):
    assert problems_in([_markdown("", text)])


def test_an_eval_must_show_its_value_and_glue_is_refused():
    assert problems_in([_markdown("p is {eval}`p_txt`.", "p is p_txt.")])  # not evaluated
    assert problems_in([_markdown("p is {eval}`p_txt`.", "p is .", [_ok("p_txt", "'0.659'")])])
    failed = {"expression": "p_txt", "result": {"status": "error", "ename": "NameError"}}
    assert problems_in([_markdown("p is {eval}`p_txt`.", "p is .", [failed])])
    assert problems_in([_markdown("p is {glue:text}`p:.3f`.", "p is p:.3f.")])


def test_errors_stderr_and_unexecuted_cells_are_found():
    error = {"output_type": "error", "ename": "ValueError", "evalue": "bad"}
    stderr = {"output_type": "stream", "name": "stderr", "text": "warning"}
    assert problems_in([_code(outputs=[error])])
    assert problems_in([_code(outputs=[stderr])])
    assert problems_in([_code(outputs=[stderr], tags=["raises-exception"])])
    assert problems_in([_code(count=None)])
    assert problems_in([_code(dom_errors=["Error: ..."])])


def test_values_after_a_stop_are_summed_up_in_one_line():
    error = {"output_type": "error", "ename": "ValueError", "evalue": "bad"}
    late = _markdown("q is {eval}`q_txt`, r is {eval}`r_txt`.", "q is q_txt.", index=2)
    problems = problems_in([_code(outputs=[error]), late])
    assert problems[-1] == "2 {eval} value(s) after cell 1 not evaluated: Run All stopped there"
    assert len(problems) == 2


def _view(kind="smx", background="rgb(255, 255, 255)", text="rgba(0, 0, 0, 0.87)", **more):
    view = {
        "kind": kind,
        "cell": 3,
        "panel": True,
        "background": background,
        "text": {"panel": text, "text.smx-tick": text},
        "mark": "rgb(0, 114, 178)",
    }
    return view | more  # fmt: skip


def test_explorers_styled_as_on_the_site_pass():
    cells = [_code("SoftmaxExplorer([1, 2])")]
    dark = _view(background="rgb(17, 17, 17)", text="rgba(255, 255, 255, 0.7)")
    fpx = _view("fpx", mark="rgb(86, 180, 233)")  # a tint named in text: no 3:1 asked
    assert explorer_problems(cells, {"light": [_view(), fpx], "dark": [dark]}) == []
    # JupyterLab's muted text on white, composited: 4.6:1
    assert _contrast(_rgba("rgba(0, 0, 0, 0.54)"), _rgba("rgb(255, 255, 255)")) > 4.5


def test_explorers_without_their_stylesheet_are_found():
    cells = [_code("SoftmaxExplorer([1, 2])")]

    def problems(**view):
        return explorer_problems(cells, {"light": [_view(**view)]})

    # the old Jupyter face: the view's markup with no panel around it
    assert "no stylesheet brought" in problems(panel=False)[0]
    assert explorer_problems(cells, {"light": []}) == ["cell 1: no explorer drawn"]
    # black text on JupyterLab's dark background: the panel's and the SVG's
    dark = _view(background="rgb(17, 17, 17)", text="rgb(0, 0, 0)")
    found = explorer_problems(cells, {"light": [_view()], "dark": [dark]})
    assert len(found) == 2 and all("(dark theme)" in p and "< 4.5:1" in p for p in found)
    assert "fill black" in problems(mark="rgb(0, 0, 0)")[0]
    assert "not opaque" in problems(background="rgba(0, 0, 0, 0)")[0]
    assert "1.25:1 < 3:1" in problems(mark="rgb(230, 230, 230)")[0]
