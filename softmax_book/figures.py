"""One look for every figure in the book: sharp on high-density screens, colour-blind safe.

A chapter calls :func:`use_book_style` once, in its first code cell. Figures are then PNGs
rendered at twice their displayed size ("retina"), drawn with the Okabe–Ito palette, which
stays distinguishable under the common colour-vision deficiencies. The site frames them as a
light card in dark mode (``site_assets/book.css``), so the colours here are chosen for a light
background only. Alt text is cell metadata (``mystnb: image: alt:``), written per figure.
"""

from __future__ import annotations

# Okabe & Ito (2008), "Color Universal Design": eight colours, black first.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
# The order lines are drawn in: the strongest contrasts on white first (yellow last).
CYCLE = [OKABE_ITO[k] for k in ("blue", "vermillion", "green", "orange", "purple", "sky", "black")]


def use_book_style() -> None:
    """Retina PNG output and the book's palette and sizes for every later figure."""
    import matplotlib as mpl
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("retina")
    mpl.rcParams.update(
        {
            "axes.prop_cycle": mpl.cycler(color=CYCLE),
            "figure.figsize": (6.4, 3.6),
            "figure.dpi": 100,
            "font.size": 11,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "legend.frameon": False,
            "image.cmap": "viridis",
        }
    )
