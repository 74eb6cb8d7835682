"""The calibration explorer: one temperature slider over a classifier's stored test logits.

Like :mod:`softmax_book.explorer`, one object has two faces. In Jupyter it is an ipywidgets
slider whose view is recomputed with :mod:`softmax_lib` in the kernel; on the site it is a
kernel-free HTML twin (a reliability diagram as inline SVG and a table of accuracy, mean
confidence, ECE and NLL) that ``site_assets/calibration-explorer.js`` recomputes in the browser
from the logits stored in the page. Both faces draw through :func:`render_calibration`, which
the page script mirrors line for line (tests/site/test_calibration_explorer.py checks the
numbers to 1e-12 and the markup byte for byte).

The binning is the one the book uses throughout: ``bins`` equal-width bins of the top
probability on [0, 1] (a confidence of exactly 1 goes in the last bin), and the expected
calibration error is the bins' ``|accuracy - confidence|`` weighted by their share of the
examples. The prediction is the arg max of the logits, so the accuracy does not depend on T.

For every reader: the slider is named ("temperature T") and works from the keyboard, its value
is read out as T itself (not log10 T), a polite live region announces each new result, the
colours are the theme's CSS variables and Okabe-Ito colours (``calibration-explorer.css``; the
widget brings it along, in JupyterLab's theme colours: :mod:`softmax_book.lab_style`), and the
default picture stands without JavaScript.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field

import numpy as np

import softmax_lib as sl
from softmax_book.lab_style import kernel_panel, stylesheet_widget

# SVG user units. plot: the reliability diagram; strip: the share of examples per bin below
# it; ticks and axis titles under the strip. The page script reads these from the config.
GEOMETRY = {
    "width": 440,
    "height": 246,
    "pad_left": 44,
    "pad_right": 16,
    "plot_top": 10,
    "plot_h": 150,
    "strip_top": 170,
    "strip_h": 30,
    "gap": 4,
    "bar_gap": 1,
}


def _num(x: float) -> str:
    """Shortest repr that round-trips, so the page script reads the exact same double."""
    return repr(float(x))


def _fmt(x: float | None, digits: int = 3) -> str:
    if x is None or math.isnan(x):
        return "nan"
    return f"{x:.{digits}f}"


def _check(logits, labels, temperature, bins):
    z = np.asarray(logits, dtype=np.float64)
    t = np.asarray(labels)
    if z.ndim != 2 or z.shape[0] == 0 or z.shape[1] < 2:
        raise ValueError(
            f"logits must be a 2-D array with one row per example and >= 2 classes, "
            f"got shape {z.shape}"
        )
    if not np.all(np.isfinite(z)):
        raise ValueError("logits must be finite")
    if t.shape != (z.shape[0],):
        raise ValueError(
            f"labels must have one entry per row of logits ({z.shape[0]}), got {t.shape}"
        )
    if t.dtype.kind not in "iu" or t.min() < 0 or t.max() >= z.shape[1]:
        raise ValueError(f"labels must be class indices in [0, {z.shape[1]})")
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
        raise ValueError(f"bins must be a positive integer, got {bins!r}")
    if not (
        isinstance(temperature, (int, float)) and math.isfinite(temperature) and temperature > 0
    ):
        raise ValueError(f"temperature must be a positive finite number, got {temperature!r}")
    return z, t


def calibration_state(logits, labels, temperature=1.0, bins=15) -> dict:
    """Accuracy, mean confidence, ECE, NLL and the per-bin reliability at temperature ``T``.

    Returns a dict with ``T``, ``accuracy`` (arg max of the logits against ``labels``, the same
    for every T), ``confidence`` (mean top probability of ``softmax(z / T)``), ``ece`` (over
    ``bins`` equal-width bins of the top probability, weighted by the bins' shares), ``nll`` (the
    mean cross-entropy of ``z / T``, from :func:`softmax_lib.cross_entropy`) and ``bins``: per bin
    ``count``, ``accuracy`` and ``confidence`` (``None`` for an empty bin).
    """
    z, t = _check(logits, labels, temperature, bins)
    p = sl.softmax(z, temperature=temperature)
    conf = p.max(axis=1)
    right = np.argmax(z, axis=1) == t
    which = np.minimum((conf * bins).astype(int), bins - 1)
    n = len(t)
    per_bin, ece = [], 0.0
    for k in range(bins):
        members = which == k
        count = int(members.sum())
        if count == 0:
            per_bin.append({"count": 0, "accuracy": None, "confidence": None})
            continue
        acc_k, conf_k = float(right[members].mean()), float(conf[members].mean())
        per_bin.append({"count": count, "accuracy": acc_k, "confidence": conf_k})
        ece += count / n * abs(acc_k - conf_k)
    return {
        "T": float(temperature),
        "accuracy": float(right.mean()),
        "confidence": float(conf.mean()),
        "ece": float(ece),
        "nll": float(sl.cross_entropy(z / temperature, t)),
        "bins": per_bin,
    }


def render_calibration(state, bins=15, n=None) -> str:
    """Reliability diagram (SVG) and the table of numbers; the page script builds the same."""
    return _svg(state, n) + _table(state, bins)


def _svg(state, n) -> str:
    g = GEOMETRY
    width, height, gap = g["width"], g["height"], g["gap"]
    left, right = g["pad_left"], g["width"] - g["pad_right"]
    plot_w, plot_h, top = right - left, g["plot_h"], g["plot_top"]
    base = top + plot_h
    strip_base = g["strip_top"] + g["strip_h"]
    cells = state["bins"]
    slot = plot_w / len(cells)
    total = n if n is not None else sum(c["count"] for c in cells)
    parts = [
        f'<svg class="cal-svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="reliability diagram: accuracy against confidence in '
        f'{len(cells)} bins, with the share of examples in each bin below">',
    ]
    for tick in (0.0, 0.5, 1.0):
        y = top + plot_h * (1 - tick)
        x = left + plot_w * tick
        parts.append(
            f'<line class="cal-grid" x1="{left}" x2="{right}" y1="{_fmt(y, 1)}" y2="{_fmt(y, 1)}"/>'
            f'<text class="cal-tick cal-ytick" x="{left - gap}" y="{_fmt(y + gap, 1)}">'
            f"{tick:.1f}</text>"
            f'<text class="cal-tick" x="{_fmt(x, 1)}" y="{strip_base + 14}">{tick:.1f}</text>'
        )
    parts.append(
        f'<line class="cal-diag" x1="{left}" y1="{base}" x2="{right}" y2="{top}"/>'
        f'<line class="cal-grid" x1="{left}" x2="{right}" y1="{strip_base}" y2="{strip_base}"/>'
    )
    for k, cell in enumerate(cells):
        if cell["count"] == 0:
            continue
        x = left + slot * k + g["bar_gap"]
        w = slot - 2 * g["bar_gap"]
        acc_y = base - plot_h * cell["accuracy"]
        conf_y = base - plot_h * cell["confidence"]
        share_h = g["strip_h"] * cell["count"] / total
        parts.append(
            f'<rect class="cal-bar" x="{_fmt(x, 1)}" y="{_fmt(acc_y, 1)}" width="{_fmt(w, 1)}" '
            f'height="{_fmt(base - acc_y, 1)}"/>'
            f'<rect class="cal-gap" x="{_fmt(x, 1)}" y="{_fmt(min(acc_y, conf_y), 1)}" '
            f'width="{_fmt(w, 1)}" height="{_fmt(abs(acc_y - conf_y), 1)}"/>'
            f'<rect class="cal-count" x="{_fmt(x, 1)}" y="{_fmt(strip_base - share_h, 1)}" '
            f'width="{_fmt(w, 1)}" height="{_fmt(share_h, 1)}"/>'
        )
    parts.append(
        f'<text class="cal-axis" x="{_fmt(left + plot_w / 2, 1)}" y="{height - 4}">'
        "confidence (top probability)</text>"
        f'<text class="cal-axis" transform="rotate(-90)" x="{_fmt(-(top + plot_h / 2), 1)}" '
        f'y="{gap * 3}">accuracy</text>'
        f'<text class="cal-tick cal-ytick" x="{left - gap}" y="{strip_base}">share</text>'
        "</svg>"
    )
    return "".join(parts)


def _table(state, bins) -> str:
    rows = [
        ("temperature T", "cal-T", _fmt(state["T"], 2)),
        ("accuracy (any T)", "cal-acc", _fmt(state["accuracy"], 3)),
        ("mean confidence", "cal-conf", _fmt(state["confidence"], 3)),
        (f"ECE ({bins} equal-width bins)", "cal-ece", _fmt(state["ece"], 4)),
        ("NLL (nats per example)", "cal-nll", _fmt(state["nll"], 4)),
    ]
    body = "".join(
        f'<tr><th scope="row">{name}</th><td class="{cls}">{value}</td></tr>'
        for name, cls, value in rows
    )
    return f'<table class="cal-table"><tbody>{body}</tbody></table>'


def summary(state) -> str:
    """The sentence the live region says after a change."""
    return (
        f"T {state['T']:.2f}: ECE {state['ece']:.4f}, NLL {state['nll']:.4f}, "
        f"mean confidence {state['confidence']:.3f}, accuracy {state['accuracy']:.3f}"
    )


# What the picture's marks mean: under the diagram on the page and in Jupyter.
KEY = (
    '<p class="cal-key">Bars: accuracy in each bin of confidence. Shaded boxes: the gap '
    "to the bin's mean confidence. Dashed line: perfect calibration. Strip below: the "
    "share of the examples in each bin.</p>"
)


def _json_attr(value) -> str:
    return html.escape(json.dumps(value, allow_nan=False, separators=(",", ":")), quote=True)


@dataclass
class CalibrationExplorer:
    """A temperature slider over stored logits: reliability diagram, ECE and NLL.

    Parameters
    ----------
    logits : array-like, shape (N, n)
        One row of logits per example (kept as given: round them before, to keep pages small).
    labels : array-like of int, shape (N,)
        The true classes.
    temperature : float
        The default temperature.
    temperature_range : (float, float)
        The slider's range (log scale).
    bins : int
        Number of equal-width confidence bins.
    fitted : float, optional
        A fitted temperature to mention under the diagram.
    title : str
        Heading, and the accessible name of the explorer's group of controls.
    """

    logits: list
    labels: list
    temperature: float = 1.0
    temperature_range: tuple = (0.25, 8.0)
    bins: int = 15
    fitted: float | None = None
    title: str = ""
    _widget: object = field(default=None, init=False, repr=False)

    def __post_init__(self):
        z, t = _check(self.logits, self.labels, self.temperature, self.bins)
        lo, hi = self.temperature_range
        if not 0 < lo < hi or not lo <= self.temperature <= hi:
            raise ValueError(
                f"temperature_range must satisfy 0 < low <= temperature <= high, got "
                f"{self.temperature_range} with temperature {self.temperature}"
            )
        self.logits = z.tolist()
        self.labels = [int(v) for v in t]
        self.temperature = float(self.temperature)

    def state(self, temperature=None) -> dict:
        T = self.temperature if temperature is None else temperature
        return calibration_state(self.logits, self.labels, T, self.bins)

    def config(self) -> dict:
        """What the page script needs to recompute and redraw the explorer."""
        return {
            "logits": self.logits,
            "labels": self.labels,
            "temperature": self.temperature,
            "bins": self.bins,
            "geometry": GEOMETRY,
        }

    def _slider(self):
        lo, hi = (math.log10(v) for v in self.temperature_range)
        return lo, hi, 0.01, math.log10(self.temperature)

    def to_html(self) -> str:
        lo, hi, step, value = self._slider()
        shown = _fmt(self.temperature, 2)
        state = self.state()
        name = html.escape(self.title or "calibration explorer", quote=True)
        title = f'<div class="cal-title">{html.escape(self.title)}</div>' if self.title else ""
        fitted = self._fitted_html()
        return (
            f'<div class="cal-explorer" role="group" aria-label="{name}" '
            f"data-cal-config='{_json_attr(self.config())}' "
            f"data-cal-state='{_json_attr(state)}'>"
            f'{title}<div class="cal-controls"><label class="cal-control">'
            '<span class="cal-name">temperature T</span>'
            f'<input type="range" data-cal="log10-temperature" aria-label="temperature T" '
            f'min="{_num(lo)}" max="{_num(hi)}" step="{_num(step)}" value="{_num(value)}" '
            f'aria-valuetext="{shown}"><span class="cal-out" aria-hidden="true">{shown}</span>'
            "</label></div>"
            f'<div class="cal-view">{render_calibration(state, self.bins, len(self.labels))}</div>'
            f"{KEY}{fitted}"
            '<p class="cal-status" role="status" aria-live="polite"></p>'
            '<div class="cal-note">Computed in your browser from the stored test logits: '
            "no kernel needed.</div></div>"
        )

    def _fitted_html(self) -> str:
        if self.fitted is None:
            return ""
        return (
            f'<p class="cal-fitted">Temperature fitted on the validation set: '
            f"T̂ = {_fmt(self.fitted, 2)}.</p>"
        )

    def widget(self):
        """The ipywidgets face: the same slider, recomputed with softmax_lib in the kernel."""
        if self._widget is not None:
            return self._widget
        import ipywidgets as w

        lo, hi, step, _ = self._slider()
        slider = w.FloatLogSlider(
            value=self.temperature,
            base=10,
            min=lo,
            max=hi,
            step=step,
            description="temperature T",
            readout_format=".2f",
            style={"description_width": "initial"},
        )
        view = w.HTML()

        def redraw(_change=None):
            state = self.state(slider.value)
            picture = render_calibration(state, self.bins, len(self.labels))
            view.value = kernel_panel("cal", f"{picture}{KEY}{self._fitted_html()}")

        slider.observe(redraw, names="value")
        redraw()
        self._widget = w.VBox([stylesheet_widget("cal"), slider, view])
        return self._widget

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = dict(self.widget()._repr_mimebundle_())
        bundle["text/html"] = self.to_html()
        bundle["text/plain"] = (
            f"CalibrationExplorer({len(self.labels)} examples, T = {self.temperature:.2f})"
        )
        return bundle
