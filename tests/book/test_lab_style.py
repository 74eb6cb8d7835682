"""Every explorer's Jupyter face carries the site's stylesheets once, in JupyterLab's colours.

JupyterLab has none of the site's stylesheets: without them an explorer's SVG fills black and
its text is black on a dark theme. tests/lab/test_lab.py measures the colours in JupyterLab
itself; these checks are on the markup and the stylesheets."""

import re
from pathlib import Path

import numpy as np
import pytest

from softmax_book import lab_style
from softmax_book.calibration import CalibrationExplorer
from softmax_book.explorer import SoftmaxExplorer
from softmax_book.float_explorer import FloatExplorer
from softmax_book.trainer import TrainerExplorer

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "site_assets"


def _explorers():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 2))
    t = np.arange(12) % 3
    return {
        "smx": SoftmaxExplorer([2.0, 1.0, 0.1], ["a", "b", "c"], temperature_range=(0.5, 2)),
        "cal": CalibrationExplorer(rng.normal(size=(30, 3)) * 3, np.arange(30) % 3),
        "fpx": FloatExplorer([2.0, 1.0, 0.1], ["a", "b", "c"]),
        "tr": TrainerExplorer(X, t, X, t, steps=2),
    }


def _sliders(box):
    """The widgets a reader moves, found in the box and its rows."""
    out = []
    for child in box.children:
        out += _sliders(child) if hasattr(child, "children") else [child]
    return [c for c in out if hasattr(c, "value") and type(c).__name__.endswith("Slider")]


@pytest.mark.parametrize("prefix", ["smx", "cal", "fpx", "tr"])
def test_widget_carries_its_stylesheets_once_and_wraps_its_view(prefix):
    box = _explorers()[prefix].widget()
    style, view = box.children[0], box.children[-1]
    sheets = [(ASSETS / n).read_text() for n in ("explorers.css", lab_style.EXPLORERS[prefix])]
    # the site's order: what the explorers share first, then the explorer's own sheet
    assert style.value == "<style>" + "\n".join(sheets) + "</style>"
    assert style.layout.display == "none"  # a <style> applies anyway; the row takes no room
    opening = f'<div class="{prefix}-explorer sb-kernel">'
    assert view.value.startswith(opening) and view.value.endswith("</div>")
    before = view.value
    slider = _sliders(box)[-1]
    slider.value = slider.max  # a redraw: new markup, still wrapped, and no stylesheet again
    assert view.value != before and view.value.startswith(opening)
    assert "<style" not in view.value


def _declarations(css, selector):
    block = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", css)
    assert block, selector
    return dict(re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", block.group(1)))


def test_every_theme_colour_the_sheets_use_is_mapped_to_jupyterlabs():
    shared = (ASSETS / "explorers.css").read_text()
    mapping = _declarations(shared, ".sb-kernel")
    used = set()
    for name in ("explorers.css", *lab_style.EXPLORERS.values()):
        used |= set(re.findall(r"var\((--pst-color-[\w-]+)", (ASSETS / name).read_text()))
    assert used and used <= set(mapping), used - set(mapping)
    for variable in used:
        # JupyterLab's variable, with the site's light value as the fallback
        assert re.fullmatch(r"var\(--jp-[\w-]+, #[0-9a-f]{3,6}\)", mapping[variable]), variable


@pytest.mark.parametrize("name", sorted(set(lab_style.EXPLORERS.values())))
def test_a_dark_palette_also_follows_jupyterlabs_dark_theme(name):
    css = (ASSETS / name).read_text()
    for site_rule in re.findall(r'html\[data-theme="dark"\] (\.[\w-]+)', css):
        assert f'body[data-jp-theme-light="false"] {site_rule}' in css, (name, site_rule)


def test_the_trainer_sheet_leaves_the_shared_rules_to_explorers_css():
    css = (ASSETS / "trainer-explorer.css").read_text()
    # the panel, title, note, live region and phone padding are explorers.css's
    for selector in (".tr-explorer", ".tr-title", ".tr-note", ".tr-status", ".tr-kernel"):
        for block in re.findall(rf"^\s*{re.escape(selector)}\s*\{{([^}}]*)\}}", css, re.M):
            assert re.fullmatch(r"(\s*--tr-c\d:\s*#[0-9a-f]{6};)*\s*", block), (selector, block)
    assert "--jp-" not in css and "padding: 0.5em 0.6em" not in css
    # the loss curves are not classes: no class colour
    for curve in ("tr-train-curve", "tr-test-curve"):
        for line in re.findall(rf"[^\n]*\.{curve}[^\n]*", css):
            assert "--tr-c" not in line, line


def test_without_site_assets_the_widget_still_works(monkeypatch, tmp_path):
    monkeypatch.setattr(lab_style, "ASSETS", tmp_path)
    box = SoftmaxExplorer([1.0, 0.0]).widget()
    assert box.children[0].value == "<style></style>" and "smx-svg" in box.children[-1].value


def test_bad_prefix():
    with pytest.raises(ValueError, match="prefix must be one of"):
        lab_style.stylesheet("xyz")
    with pytest.raises(ValueError, match="prefix must be one of"):
        lab_style.kernel_panel("xyz", "")
