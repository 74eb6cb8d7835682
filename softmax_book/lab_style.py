"""The explorers' Jupyter face, styled as on the site.

On the site, ``site_assets/explorers.css`` and each explorer's own stylesheet are loaded with the
page. JupyterLab has neither: an explorer's widget view (an ``ipywidgets.HTML`` holding the same
markup as the site) would fill its SVG shapes black and draw its text in black on a dark theme.
So each explorer's ``widget()`` puts :func:`stylesheet_widget` first in its box -- a hidden HTML
widget holding both stylesheets in one ``<style>``, sent once, not with every redraw -- and
wraps its view in :func:`kernel_panel`, whose :data:`KERNEL_CLASS` makes explorers.css map the
site theme's colours (``--pst-color-*``) to JupyterLab's (``--jp-*``), which follow the light
and dark themes. Each explorer's stylesheet switches its own palette to the dark one under
``body[data-jp-theme-light="false"]`` as under the site's ``html[data-theme="dark"]``.
"""

from __future__ import annotations

from pathlib import Path

ASSETS = Path(__file__).resolve().parents[1] / "site_assets"
SHARED = "explorers.css"
# On the wrapper of every explorer's Jupyter view; explorers.css maps the theme colours under it.
KERNEL_CLASS = "sb-kernel"
EXPLORERS = {
    "smx": "softmax-explorer.css",
    "cal": "calibration-explorer.css",
    "fpx": "float-explorer.css",
    "tr": "trainer-explorer.css",
}


def _explorer(prefix: str) -> str:
    if prefix not in EXPLORERS:
        raise ValueError(f"prefix must be one of {sorted(EXPLORERS)}, got {prefix!r}")
    return EXPLORERS[prefix]


def stylesheet(prefix: str) -> str:
    """``<style>`` with explorers.css, then the explorer's own sheet (the site's order). A sheet
    that is not there (softmax_book installed without the repository's site_assets/) is left
    out: the explorer still works, unstyled."""
    sheets = [ASSETS / name for name in (SHARED, _explorer(prefix))]
    return "<style>" + "\n".join(s.read_text() for s in sheets if s.is_file()) + "</style>"


def stylesheet_widget(prefix: str):
    """A hidden ``ipywidgets.HTML`` carrying :func:`stylesheet` (a ``<style>`` applies wherever
    it sits in the document, so the widget takes no room in the box)."""
    import ipywidgets as w

    return w.HTML(stylesheet(prefix), layout=w.Layout(display="none"))


def kernel_panel(prefix: str, inner: str) -> str:
    """The Jupyter view's markup: the explorer's panel, with JupyterLab's theme colours."""
    _explorer(prefix)
    return f'<div class="{prefix}-explorer {KERNEL_CLASS}">{inner}</div>'
