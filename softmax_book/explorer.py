"""One explorer, two faces: a live ipywidgets widget in Jupyter, a kernel-free twin on the site.

A chapter writes ``SoftmaxExplorer(logits=[...], labels=[...])`` as the last line of a cell.
The cell's output is a single MIME bundle with

* ``application/vnd.jupyter.widget-view+json`` -- sliders wired to :mod:`softmax_lib`
  (JupyterLab and Notebook prefer this one when a kernel runs);
* ``text/html`` -- the same controls, figure and table as plain HTML with an inline SVG of the
  default state.  The site (which ranks HTML above widgets, see ``_config.yml``) shows this
  twin, and ``site_assets/softmax-explorer.js`` recomputes it in the browser.  Without
  JavaScript, in print, or in a viewer with no widget support, the default picture stays.

Both faces draw through :func:`render_state`, and the page script mirrors it line for line,
reading the figure geometry from the explorer's config (:data:`GEOMETRY` is its one source).
The browser tests check that the page's numbers equal :mod:`softmax_lib`'s on the page's own
inputs and that the script's markup is byte for byte :func:`render_state`'s.

For every reader: each slider is named for what it moves ("logit of dog", "temperature T"),
works from the keyboard, and the page script announces each new result in a polite live
region.  Colours are the site theme's CSS variables (``site_assets/softmax-explorer.css``), so
the panel follows the light and dark themes; the widget brings the stylesheets along and takes
JupyterLab's theme colours (:mod:`softmax_book.lab_style`).
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field

import numpy as np

import softmax_lib as sl
from softmax_book.lab_style import kernel_panel, stylesheet_widget

# The figure's geometry in SVG user units (bar: a bar's share of its slot; gap: from a bar top
# or grid line to its text; label_y: class names' baseline above the bottom edge). The page
# script reads it from the config. Simple numbers, so that both sides print the same ones.
GEOMETRY = {
    "width": 440,
    "height": 200,
    "pad_left": 36,
    "pad_right": 8,
    "pad_bottom": 28,
    "pad_top": 18,
    "bar": 0.7,
    "gap": 4,
    "label_y": 10,
}


def _num(x: float) -> str:
    """Shortest repr that round-trips, so the page script reads the exact same double."""
    return repr(float(x))


def _jsonable(value):
    """NaN and inf are not JSON: the page script reads null as "not a number"."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _json_attr(value) -> str:
    """``value`` as JSON, escaped for a single-quoted HTML attribute."""
    return html.escape(json.dumps(_jsonable(value), allow_nan=False), quote=True)


def _fmt(x: float, digits: int = 3) -> str:
    return "nan" if math.isnan(x) else f"{x:.{digits}f}"


def explorer_state(logits, temperature=1.0, shift=0.0, target=None):
    """The numbers an explorer shows for one setting of its controls.

    Returns a dict with the effective logits ``z`` (``logits + shift``), the temperature ``T``,
    the probabilities ``p`` from :func:`softmax_lib.softmax`, the textbook ``naive`` result
    (``nan`` where it overflows), and the cross-entropy ``loss`` of ``softmax(z / T)`` when
    ``target`` is given.
    """
    z = np.asarray(logits, dtype=np.float64) + shift
    p = sl.softmax(z, temperature=temperature)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z / temperature)
        naive = e / e.sum()
    state = {"z": z.tolist(), "T": float(temperature), "p": p.tolist(), "naive": naive.tolist()}
    if target is not None:
        state["loss"] = float(sl.cross_entropy(z / temperature, target))
    return state


def render_state(labels, state, target=None, show_naive=False, show_scaled=False) -> str:
    """SVG bar chart and table for ``state``; the page script builds the identical markup."""
    svg = _svg(labels, state["p"], target)
    return svg + _table(labels, state, target, show_naive, show_scaled)


def _svg(labels, p, target) -> str:
    g = GEOMETRY
    width, height, gap = g["width"], g["height"], g["gap"]
    right = width - g["pad_right"]
    plot_w, plot_h = right - g["pad_left"], height - g["pad_top"] - g["pad_bottom"]
    base = g["pad_top"] + plot_h
    slot = plot_w / len(p)
    parts = [
        f'<svg class="smx-svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="bar chart of the softmax probabilities">',
    ]
    for tick in (0.0, 0.5, 1.0):
        y = g["pad_top"] + plot_h * (1 - tick)
        parts.append(
            f'<line class="smx-grid" x1="{g["pad_left"]}" x2="{right}" '
            f'y1="{_fmt(y, 1)}" y2="{_fmt(y, 1)}"/>'
            f'<text class="smx-tick" x="{g["pad_left"] - gap}" y="{_fmt(y + gap, 1)}">'
            f"{tick:.1f}</text>"
        )
    for i, (label, pi) in enumerate(zip(labels, p, strict=True)):
        h = 0.0 if math.isnan(pi) else plot_h * pi
        x = g["pad_left"] + slot * i + slot * (1 - g["bar"]) / 2
        mid = _fmt(x + slot * g["bar"] / 2, 1)
        mark = " smx-target" if i == target else ""
        parts.append(
            f'<rect class="smx-bar{mark}" x="{_fmt(x, 1)}" y="{_fmt(base - h, 1)}" '
            f'width="{_fmt(slot * g["bar"], 1)}" height="{_fmt(h, 1)}"/>'
            f'<text class="smx-value" x="{mid}" y="{_fmt(base - h - gap, 1)}">{_fmt(pi)}</text>'
            f'<text class="smx-label{mark}" x="{mid}" y="{height - g["label_y"]}">'
            f"{html.escape(label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _table(labels, state, target, show_naive, show_scaled) -> str:
    cols = ["class", "logit z"] + (["z / T"] if show_scaled else []) + ["softmax"]
    cols += ["naive exp(z)/Σexp(z)"] if show_naive else []
    head = "<tr>" + "".join(f'<th scope="col">{c}</th>' for c in cols) + "</tr>"
    rows = []
    T = state["T"]
    for i, label in enumerate(labels):
        z, p = state["z"][i], state["p"][i]
        cls = ' class="smx-target"' if i == target else ""
        row = f"<tr{cls}><td>{html.escape(label)}</td><td>{_fmt(z, 2)}</td>"
        row += f"<td>{_fmt(z / T, 2)}</td>" if show_scaled else ""
        row += f'<td class="smx-p">{_fmt(p)}</td>'
        row += f'<td class="smx-naive">{_fmt(state["naive"][i])}</td>' if show_naive else ""
        rows.append(row + "</tr>")
    foot = '<tr class="smx-sum"><td>sum</td><td></td>' + ("<td></td>" if show_scaled else "")
    foot += f"<td>{_fmt(sum(state['p']))}</td>"
    foot += f"<td>{_fmt(sum(state['naive']))}</td></tr>" if show_naive else "</tr>"
    body = "".join(rows) + foot
    table = f'<table class="smx-table"><thead>{head}</thead><tbody>{body}</tbody></table>'
    if "loss" in state:
        table += (
            '<p class="smx-loss">cross-entropy with true class '
            f"<b>{html.escape(labels[target])}</b>: "
            f'−log p = <span class="smx-loss-value">{_fmt(state["loss"], 4)}</span></p>'
        )
    return table


@dataclass
class SoftmaxExplorer:
    """Sliders for logits (and optionally temperature and a common shift) over softmax.

    Parameters
    ----------
    logits : sequence of float
        Default logits, one per class.
    labels : sequence of str, optional
        Class names; ``z1, z2, ...`` by default.
    logit_range : (float, float)
        Range of every logit slider.
    step : float
        Step of the logit sliders.
    editable : sequence of bool, optional
        Which logits get a slider (a fixed logit still shows in the table).
    temperature : float
        Default temperature.
    temperature_range : (float, float), optional
        Adds a log-scale temperature slider over this range.
    shift_range : (float, float), optional
        Adds a slider for a constant added to every logit (softmax ignores it; the naive
        formula overflows when it is large).
    shift_step : float
        Step of the shift slider (small enough to land between two thresholds the chapter
        discusses, if it needs to).
    target : int, optional
        Index of the true class: the true class is highlighted and the cross-entropy shown.
    show_naive : bool
        Adds a column with the textbook ``exp(z) / sum(exp(z))`` next to the stable result.
    title : str
        Heading shown above the controls (and the name of the explorer's group of controls).
    """

    logits: list
    labels: list | None = None
    logit_range: tuple = (-5.0, 5.0)
    step: float = 0.1
    editable: list | None = None
    temperature: float = 1.0
    temperature_range: tuple | None = None
    shift_range: tuple | None = None
    shift_step: float = 1.0
    target: int | None = None
    show_naive: bool = False
    title: str = ""
    _widget: object = field(default=None, init=False, repr=False)

    def __post_init__(self):
        self.logits = [float(v) for v in self.logits]
        n = len(self.logits)
        self.labels = [f"z{i + 1}" for i in range(n)] if self.labels is None else list(self.labels)
        self.editable = [True] * n if self.editable is None else list(self.editable)
        if not (len(self.labels) == len(self.editable) == n):
            raise ValueError(f"labels and editable must have one entry per logit ({n})")
        if self.target is not None and not 0 <= self.target < n:
            raise ValueError(f"target must be a class index in [0, {n}), got {self.target}")

    # -- the state at the default settings ---------------------------------------------------
    def state(self, logits=None, temperature=None, shift=0.0):
        return explorer_state(
            self.logits if logits is None else logits,
            self.temperature if temperature is None else temperature,
            shift,
            self.target,
        )

    def config(self) -> dict:
        """What the page script needs to recompute and redraw this explorer."""
        return {
            "labels": self.labels,
            "logits": self.logits,
            "temperature": self.temperature,
            "target": self.target,
            "show_naive": self.show_naive,
            "show_scaled": self.show_scaled,
            "geometry": GEOMETRY,
        }

    @property
    def show_scaled(self) -> bool:
        """The z / T column earns its place only when the temperature is not 1 or can move."""
        return self.temperature_range is not None or self.temperature != 1.0

    def _controls(self):
        """``(data-smx name, accessible name, min, max, step, value, value shown)`` per slider.

        The accessible name is also the visible label, so speech input can say what it sees.
        """
        lo, hi = self.logit_range
        controls = [
            (f"logit-{i}", f"logit of {label}", lo, hi, self.step, z, _fmt(z, 2))
            for i, (label, z, ok) in enumerate(
                zip(self.labels, self.logits, self.editable, strict=True)
            )
            if ok
        ]
        if self.temperature_range:
            tlo, thi = (math.log10(t) for t in self.temperature_range)
            t = self.temperature
            controls.append(
                ("log10-temperature", "temperature T", tlo, thi, 0.01, math.log10(t), _fmt(t, 2))
            )
        if self.shift_range:
            slo, shi = self.shift_range
            controls.append(
                ("shift", "shift c (added to all)", slo, shi, self.shift_step, 0.0, _fmt(0.0, 0))
            )
        return controls

    # -- the kernel-free twin ----------------------------------------------------------------
    @staticmethod
    def _slider_html(name, label, lo, hi, step, value, shown):
        # The visible value sits next to the slider; assistive technology hears it as the
        # slider's aria-valuetext (the temperature slider's raw value is log10 T).
        return (
            f'<label class="smx-control"><span class="smx-name">{html.escape(label)}</span>'
            f'<input type="range" data-smx="{name}" aria-label="{html.escape(label)}" '
            f'min="{_num(lo)}" max="{_num(hi)}" step="{_num(step)}" value="{_num(value)}" '
            f'aria-valuetext="{shown}">'
            f'<span class="smx-out" aria-hidden="true">{shown}</span></label>'
        )

    def to_html(self) -> str:
        controls = "".join(self._slider_html(*c) for c in self._controls())
        state = self.state()
        view = render_state(self.labels, state, self.target, self.show_naive, self.show_scaled)
        name = html.escape(self.title or "softmax explorer", quote=True)
        title = f'<div class="smx-title">{html.escape(self.title)}</div>' if self.title else ""
        return (
            f'<div class="smx-explorer" role="group" aria-label="{name}" '
            f"data-smx-config='{_json_attr(self.config())}' "
            f"data-smx-state='{_json_attr(state)}'>"
            f'{title}<div class="smx-controls">{controls}</div>'
            f'<div class="smx-view">{view}</div>'
            # Filled by the page script after each change (an empty region says nothing on load).
            '<p class="smx-status" role="status" aria-live="polite"></p>'
            '<div class="smx-note">Computed in your browser: no kernel needed.</div>'
            "</div>"
        )

    # -- the live widget ---------------------------------------------------------------------
    def widget(self):
        """The ipywidgets face: the same sliders, recomputed with softmax_lib in the kernel."""
        if self._widget is not None:
            return self._widget
        import ipywidgets as w

        sliders = {}
        for name, label, lo, hi, step, value, _ in self._controls():
            common = {"min": lo, "max": hi, "step": step, "description": label}
            common["style"] = {"description_width": "initial"}  # the whole name, not cut off
            if name == "log10-temperature":
                sliders[name] = w.FloatLogSlider(
                    value=self.temperature, base=10, readout_format=".2f", **common
                )
            else:
                fmt = ".0f" if name == "shift" else ".2f"
                sliders[name] = w.FloatSlider(value=value, readout_format=fmt, **common)
        view = w.HTML()

        def redraw(_change=None):
            z, T, c = list(self.logits), self.temperature, 0.0
            for name, slider in sliders.items():
                if name.startswith("logit-"):
                    z[int(name.removeprefix("logit-"))] = slider.value
                elif name == "log10-temperature":
                    T = slider.value
                else:
                    c = slider.value
            state = self.state(z, T, c)
            view.value = kernel_panel(
                "smx",
                render_state(self.labels, state, self.target, self.show_naive, self.show_scaled),
            )

        for slider in sliders.values():
            slider.observe(redraw, names="value")
        redraw()
        self._widget = w.VBox([stylesheet_widget("smx"), *sliders.values(), view])
        return self._widget

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = dict(self.widget()._repr_mimebundle_())
        bundle["text/html"] = self.to_html()
        bundle["text/plain"] = f"SoftmaxExplorer({', '.join(self.labels)})"
        return bundle
