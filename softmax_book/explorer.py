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
so the kernel, the static page and the browser show the same numbers.  The browser tests check
that the page's probabilities equal :func:`softmax_lib.softmax` on the page's own inputs.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field

import numpy as np

import softmax_lib as sl

# Figure geometry, shared with site_assets/softmax-explorer.js (keep the two in step).
WIDTH, HEIGHT = 440, 200
PAD_LEFT, PAD_BOTTOM, PAD_TOP = 36, 28, 18


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


def _fmt(x: float, digits: int = 3) -> str:
    return "nan" if math.isnan(x) else f"{x:.{digits}f}"


def explorer_state(logits, temperature=1.0, shift=0.0, target=None):
    """The numbers an explorer shows for one setting of its controls.

    Returns a dict with the effective logits ``z`` (``logits + shift``), the temperature ``T``,
    the probabilities ``p`` from :func:`softmax_lib.softmax`, the textbook ``naive`` result
    (``nan`` where it overflows), and the cross-entropy ``loss`` when ``target`` is given.
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
    return _svg(labels, state["p"], target) + _table(labels, state, target, show_naive, show_scaled)


def _svg(labels, p, target) -> str:
    n = len(p)
    plot_w, plot_h = WIDTH - PAD_LEFT - 8, HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_w / n
    parts = [
        f'<svg class="smx-svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="bar chart of the softmax probabilities">',
    ]
    for tick in (0.0, 0.5, 1.0):
        y = PAD_TOP + plot_h * (1 - tick)
        parts.append(
            f'<line class="smx-grid" x1="{PAD_LEFT}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="smx-tick" x="{PAD_LEFT - 4}" y="{y + 4:.1f}">{tick:.1f}</text>'
        )
    for i, (label, pi) in enumerate(zip(labels, p)):
        h = 0.0 if math.isnan(pi) else plot_h * pi
        x = PAD_LEFT + slot * i + slot * 0.15
        cls = "smx-bar smx-target" if i == target else "smx-bar"
        parts.append(
            f'<rect class="{cls}" x="{x:.1f}" y="{PAD_TOP + plot_h - h:.1f}" '
            f'width="{slot * 0.7:.1f}" height="{h:.1f}"/>'
            f'<text class="smx-value" x="{x + slot * 0.35:.1f}" y="{PAD_TOP + plot_h - h - 4:.1f}">'
            f"{_fmt(pi)}</text>"
            f'<text class="smx-label" x="{x + slot * 0.35:.1f}" y="{HEIGHT - 10}">'
            f"{html.escape(label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _table(labels, state, target, show_naive, show_scaled) -> str:
    head = "<tr><th>class</th><th>logit z</th>" + ("<th>z / T</th>" if show_scaled else "") + "<th>softmax</th>"
    head += "<th>naive exp(z)/Σexp(z)</th></tr>" if show_naive else "</tr>"
    rows = []
    T = state["T"]
    for i, label in enumerate(labels):
        z, p = state["z"][i], state["p"][i]
        cls = ' class="smx-target"' if i == target else ""
        row = (
            f"<tr{cls}><td>{html.escape(label)}</td><td>{_fmt(z, 2)}</td>"
            + (f"<td>{_fmt(z / T, 2)}</td>" if show_scaled else "")
            + f"<td class=\"smx-p\">{_fmt(p)}</td>"
        )
        if show_naive:
            row += f'<td class="smx-naive">{_fmt(state["naive"][i])}</td>'
        rows.append(row + "</tr>")
    foot = '<tr class="smx-sum"><td>sum</td><td></td>' + ("<td></td>" if show_scaled else "")
    foot += f'<td>{_fmt(sum(state["p"]))}</td>'
    foot += f'<td>{_fmt(sum(state["naive"]))}</td></tr>' if show_naive else "</tr>"
    table = f'<table class="smx-table"><thead>{head}</thead><tbody>{"".join(rows)}{foot}</tbody></table>'
    if "loss" in state:
        table += (
            f'<p class="smx-loss">cross-entropy with true class <b>{html.escape(labels[target])}</b>: '
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
    editable : sequence of bool, optional
        Which logits get a slider (a fixed logit still shows in the table).
    temperature : float
        Default temperature.
    temperature_range : (float, float), optional
        Adds a log-scale temperature slider over this range.
    shift_range : (float, float), optional
        Adds a slider for a constant added to every logit (softmax ignores it; the naive
        formula overflows when it is large).
    target : int, optional
        Index of the true class: the true class is highlighted and the cross-entropy shown.
    show_naive : bool
        Adds a column with the textbook ``exp(z) / sum(exp(z))`` next to the stable result.
    title : str
        Heading shown above the controls.
    """

    logits: list
    labels: list | None = None
    logit_range: tuple = (-5.0, 5.0)
    step: float = 0.1
    editable: list | None = None
    temperature: float = 1.0
    temperature_range: tuple | None = None
    shift_range: tuple | None = None
    target: int | None = None
    show_naive: bool = False
    title: str = ""
    _widget: object = field(default=None, init=False, repr=False)

    def __post_init__(self):
        self.logits = [float(v) for v in self.logits]
        n = len(self.logits)
        self.labels = list(self.labels) if self.labels is not None else [f"z{i + 1}" for i in range(n)]
        self.editable = list(self.editable) if self.editable is not None else [True] * n
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
        """What the page script needs to recompute this explorer."""
        return {
            "labels": self.labels,
            "logits": self.logits,
            "temperature": self.temperature,
            "target": self.target,
            "show_naive": self.show_naive,
            "show_scaled": self.show_scaled,
        }

    @property
    def show_scaled(self) -> bool:
        """The z / T column earns its place only when the temperature is not 1 or can move."""
        return self.temperature_range is not None or self.temperature != 1.0

    # -- the kernel-free twin ----------------------------------------------------------------
    def _slider_html(self, name, label, lo, hi, step, value, shown):
        return (
            f'<label class="smx-control"><span class="smx-name">{html.escape(label)}</span>'
            f'<input type="range" data-smx="{name}" min="{_num(lo)}" max="{_num(hi)}" '
            f'step="{_num(step)}" value="{_num(value)}">'
            f'<output class="smx-out">{shown}</output></label>'
        )

    def to_html(self) -> str:
        lo, hi = self.logit_range
        controls = [
            self._slider_html(f"logit-{i}", f"z({label})", lo, hi, self.step, z, _fmt(z, 2))
            for i, (label, z, ok) in enumerate(zip(self.labels, self.logits, self.editable))
            if ok
        ]
        if self.temperature_range:
            tlo, thi = (math.log10(t) for t in self.temperature_range)
            controls.append(
                self._slider_html(
                    "log10-temperature", "temperature T", tlo, thi, 0.01,
                    math.log10(self.temperature), _fmt(self.temperature, 2),
                )
            )
        if self.shift_range:
            slo, shi = self.shift_range
            controls.append(self._slider_html("shift", "shift c (added to all)", slo, shi, 1.0, 0.0, "0"))
        state = self.state()
        title = f'<div class="smx-title">{html.escape(self.title)}</div>' if self.title else ""
        return (
            f"<div class=\"smx-explorer\" data-smx-config='{html.escape(json.dumps(_jsonable(self.config()), allow_nan=False), quote=True)}' "
            f"data-smx-state='{html.escape(json.dumps(_jsonable(state), allow_nan=False), quote=True)}'>"
            f"{title}<div class=\"smx-controls\">{''.join(controls)}</div>"
            f'<div class="smx-view">{render_state(self.labels, state, self.target, self.show_naive, self.show_scaled)}</div>'
            '<div class="smx-note">Computed in your browser: no kernel needed.</div>'
            "</div>"
        )

    # -- the live widget ---------------------------------------------------------------------
    def widget(self):
        """The ipywidgets face: sliders that recompute with softmax_lib in the kernel."""
        if self._widget is not None:
            return self._widget
        import ipywidgets as w

        lo, hi = self.logit_range
        sliders = [
            w.FloatSlider(value=z, min=lo, max=hi, step=self.step, description=f"z({label})",
                          continuous_update=True, readout_format=".2f")
            if ok else None
            for label, z, ok in zip(self.labels, self.logits, self.editable)
        ]
        extra = {}
        if self.temperature_range:
            tlo, thi = (math.log10(t) for t in self.temperature_range)
            extra["T"] = w.FloatLogSlider(value=self.temperature, base=10, min=tlo, max=thi,
                                          step=0.01, description="T", readout_format=".2f")
        if self.shift_range:
            slo, shi = self.shift_range
            extra["shift"] = w.FloatSlider(value=0.0, min=slo, max=shi, step=1.0, description="shift c")
        view = w.HTML()

        def redraw(_change=None):
            z = [s.value if s is not None else v for s, v in zip(sliders, self.logits)]
            T = extra["T"].value if "T" in extra else self.temperature
            c = extra["shift"].value if "shift" in extra else 0.0
            state = self.state(z, T, c)
            view.value = render_state(self.labels, state, self.target, self.show_naive, self.show_scaled)

        controls = [s for s in sliders if s is not None] + list(extra.values())
        for control in controls:
            control.observe(redraw, names="value")
        redraw()
        self._widget = w.VBox(controls + [view])
        return self._widget

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = dict(self.widget()._repr_mimebundle_())
        bundle["text/html"] = self.to_html()
        bundle["text/plain"] = f"SoftmaxExplorer({', '.join(self.labels)})"
        return bundle
