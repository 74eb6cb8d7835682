"""One look for every figure in the book: sharp on high-density screens, colour-blind safe, light.

A chapter calls :func:`use_book_style` once, in its first code cell. Figures are then PNGs
rendered at twice their displayed size ("retina") and reduced to a 256-colour palette, which
halves their weight at no visible cost for line art (pages must stay under 2.5 MB), drawn
with the Okabe–Ito palette, which stays distinguishable under the common colour-vision
deficiencies. The site frames them as a light card in dark mode (``site_assets/book.css``),
so the colours here are chosen for a light background only. Alt text is cell metadata
(``mystnb: image: alt:``), written per figure.
"""

from __future__ import annotations

import io

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
SCALE = 2  # pixels per displayed pixel


def retina_png(fig) -> tuple[bytes, dict[str, int]]:
    """``fig`` as a palette PNG at ``SCALE`` times its size, and the size to display it at."""
    from PIL import Image

    raw = io.BytesIO()
    fig.savefig(raw, format="png", dpi=SCALE * fig.dpi, bbox_inches="tight", facecolor="white")
    image = Image.open(io.BytesIO(raw.getvalue())).convert("RGB")
    width, height = image.size
    # no dithering: it would sprinkle noise over flat areas (and cost bytes)
    palette = image.quantize(256, dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, format="png", optimize=True)
    return out.getvalue(), {"width": width // SCALE, "height": height // SCALE}


def use_book_style() -> None:
    """Light retina PNG output and the book's palette and sizes for every later figure."""
    import matplotlib as mpl
    import matplotlib.pyplot as plt
    from IPython import get_ipython
    from matplotlib.figure import Figure

    # matplotlib loads its backend at the first figure, and the inline backend then registers
    # its own PNG formatter: load it now (a figure made and dropped), so that ours comes last
    plt.close(plt.figure())
    shell = get_ipython()
    if shell is not None:
        formatters = shell.display_formatter.formatters
        formatters["image/png"].for_type(Figure, retina_png)
        # one representation per figure: the PNG (and the text repr every output has)
        for mime in ("image/svg+xml", "application/pdf", "image/jpeg"):
            formatters[mime].pop(Figure, None)
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
