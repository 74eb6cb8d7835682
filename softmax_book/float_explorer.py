"""Feel floating point: the textbook softmax and the shifted one, computed in float16, float32
or float64, with the thresholds where the textbook formula breaks.

Like :mod:`softmax_book.explorer`, one object with two faces.  In Jupyter the cell's output is
an ipywidgets widget that computes with numpy in the chosen dtype; on the site it is a
kernel-free HTML twin whose default state is drawn here, and ``site_assets/float-explorer.js``
recomputes it in the browser *in the same format*, mirroring numpy operation by operation:

* float64: every operation in double;
* float32: every result rounded with ``Math.fround``;
* float16: numpy computes each float16 operation in float32 and rounds the result to float16
  (``exp``, ``+``, ``-``, ``/``), so the page does ``Math.f16round(Math.fround(...))``; the sum
  of a float16 row is *accumulated in float32* and rounded to float16 once, at the end;
* the sum of a row of at most 7 entries is sequential from the left (numpy's pairwise sum
  starts pairing at 8), so the page adds in the same order.

What can differ is the exponential itself: ``Math.exp`` (V8's fdlibm port) against numpy's
(glibc's ``exp`` for float64, numpy's own SIMD kernel for float32, which is not correctly
rounded). ``tests/site/test_float_explorer.py`` measures the difference in ulps.

For every reader: the controls are named for what they move ("number format", "logit of dog",
"shift c"), work from the keyboard, and the page script announces each new outcome in a polite
live region; colours are the theme's CSS variables (``site_assets/float-explorer.css``; the
widget brings it along, in JupyterLab's theme colours: :mod:`softmax_book.lab_style`).
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field

import numpy as np

from softmax_book.lab_style import kernel_panel, stylesheet_widget

DTYPES = {"float16": np.float16, "float32": np.float32, "float64": np.float64}


def _format_info(name: str, lo: float, hi: float, step: float) -> dict:
    fi = np.finfo(DTYPES[name])
    M, tiny = float(fi.max), float(fi.smallest_subnormal)
    return {
        "log_M": math.log(M),  # exp(x) overflows above this
        "log_under": math.log(tiny) - math.log(2),  # exp(x) rounds to 0 at and below this
        "M_txt": f"{M:.5g}" if M < 1e6 else f"{M:.4g}",
        "u_txt": f"{float(fi.eps) / 2:.2g}",
        "lo": lo,  # the shift slider's range and step in this format
        "hi": hi,
        "step": step,
    }


# The shift slider covers, for logits in [-5, 5], every outcome in each format: all exps
# underflow at the left end, an exponential overflows at the right end.
FORMATS = {
    "float16": _format_info("float16", -24.0, 16.0, 0.05),
    "float32": _format_info("float32", -110.0, 95.0, 0.1),
    "float64": _format_info("float64", -760.0, 716.0, 0.1),
}

# The strip's geometry in SVG user units; the page script reads it from the config.
GEOMETRY = {
    "width": 440,
    "height": 146,
    "pad": 10,
    "top": 14,
    "zoom_top": 104,
    "band": 22,
    "min_band": 3,
}

KINDS = ["underflow", "ok", "zeros", "nan"]
BAND_LABELS = {"underflow": "0/0", "ok": "right", "zeros": "zeros", "nan": "nan"}
OUTCOMES = {
    "ok": "right",
    "zeros": "all zeros",
    "nan": "nan",
    "underflow": "0/0 = nan",
}


def _g(x: float, digits: int = 4) -> str:
    """Python's ``format(x, ".{digits}g")``, with "inf" and "nan"; the page script mirrors it."""
    return format(x, f".{digits}g")


def _f(x: float, digits: int = 2) -> str:
    return format(x, f".{digits}f")


def _left_sum(xs) -> float:
    """Left to right in double, as the page script adds (Python 3.12's sum() compensates)."""
    total = 0.0
    for v in xs:
        total += v
    return total


def _jsonable(value):
    """inf and nan are not JSON: write them as strings, so that the twin tells them apart."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def _json_attr(value) -> str:
    return html.escape(json.dumps(_jsonable(value), allow_nan=False), quote=True)


def _lse64(z) -> float:
    """log(sum(exp(z))) in float64 as m + log1p(sum of exp(z_i - m), i not the first max)."""
    z = [float(v) for v in z]
    k = max(range(len(z)), key=lambda i: (z[i], -i))
    m = z[k]
    rest = 0.0
    for i, v in enumerate(z):
        if i != k:
            rest += math.exp(v - m)
    return m + math.log1p(rest)


def float_state(logits, shift: float, fmt: str) -> dict:
    """What the explorer shows for logits ``z`` and shift ``c`` in the format ``fmt``.

    Everything is numpy in that dtype: ``x = z + c``; the textbook formula
    ``e = exp(x)``, ``s = e.sum()``, ``p = e / s``; the shifted one ``exp(x - max x)`` divided
    by its sum. The thresholds (in float64) say where this row breaks as ``c`` moves.
    """
    if fmt not in DTYPES:
        raise ValueError(f"fmt must be one of {sorted(DTYPES)}, got {fmt!r}")
    dt = DTYPES[fmt]
    info = FORMATS[fmt]
    with np.errstate(all="ignore"):
        z = np.array(logits, dtype=dt)
        c = dt(shift)
        x = z + c
        e = np.exp(x)
        s = e.sum()
        p = e / s
        m = x.max()
        ee = np.exp(x - m)
        ss = ee.sum()
        q = ee / ss
    if np.isinf(e).any():
        outcome = "nan"
    elif np.isinf(s):
        outcome = "zeros"
    elif s == 0:
        outcome = "underflow"
    else:
        outcome = "ok"
    lse = _lse64(z)
    zmax = float(z.max())
    return {
        "fmt": fmt,
        "z": [float(v) for v in z],
        "c": float(c),
        "x": [float(v) for v in x],
        "exp": [float(v) for v in e],
        "sum": float(s),
        "textbook": [float(v) for v in p],
        "shifted_exp": [float(v) for v in ee],
        "shifted_sum": float(ss),
        "shifted": [float(v) for v in q],
        "outcome": outcome,
        "lse": lse,
        "c_break": info["log_M"] - lse,  # the sum overflows above this shift
        "c_nan": info["log_M"] - zmax,  # the largest exponential overflows above this
        "c_under": info["log_under"] - zmax,  # every exponential is 0 at or below this
    }


# -- the picture ------------------------------------------------------------------------------


def _line(state, lo, hi, top, tick) -> list:
    """One number line of c from lo to hi at height top: the bands where the textbook formula
    is right, returns zeros, nan and 0/0, c marked if it is in view, both ends labelled."""
    g = GEOMETRY
    x0, x1, band = g["pad"], g["width"] - g["pad"], g["band"]

    def X(c):
        return x0 + (x1 - x0) * (min(max(c, lo), hi) - lo) / (hi - lo)

    edges = [lo, state["c_under"], state["c_break"], state["c_nan"], hi]
    parts = []
    for kind, a, b in zip(KINDS, edges[:-1], edges[1:], strict=True):
        xa, xb = X(a), X(b)
        if xb <= xa:
            continue
        w = max(xb - xa, g["min_band"])  # a narrow window stays visible (not to scale)
        parts.append(
            f'<rect class="fpx-band fpx-{kind}" x="{_f(xa, 1)}" y="{top}" width="{_f(w, 1)}" '
            f'height="{band}"/>'
        )
        if w >= 44:
            parts.append(
                f'<text class="fpx-band-label" x="{_f(xa + w / 2, 1)}" y="{top + band // 2 + 4}">'
                f"{BAND_LABELS[kind]}</text>"
            )
    if lo <= state["c"] <= hi:
        xc = _f(X(state["c"]), 1)
        parts.append(
            f'<line class="fpx-marker" x1="{xc}" x2="{xc}" y1="{top - 5}" y2="{top + band + 3}"/>'
            f'<text class="fpx-marker-label" x="{xc}" y="{top - 7}">c</text>'
        )
    for value, anchor in ((lo, "start"), (hi, "end")):
        parts.append(
            f'<text class="fpx-tick" x="{_f(X(value), 1)}" y="{top + band + 14}" '
            f'text-anchor="{anchor}">{tick(value)}</text>'
        )
    return parts


def _strip(state) -> str:
    """The shift c over the slider's range, and magnified near overflow (the window of zeros
    is at most log n wide: invisible at full scale in float64)."""
    g, info = GEOMETRY, FORMATS[state["fmt"]]
    lo, hi = info["lo"], info["hi"]
    zlo, zhi = state["c_break"] - 1, state["c_nan"] + 1
    x0, x1 = g["pad"], g["width"] - g["pad"]

    def X(c):
        return x0 + (x1 - x0) * (min(max(c, lo), hi) - lo) / (hi - lo)

    top, ztop = g["top"], g["zoom_top"]
    parts = [
        f'<svg class="fpx-svg" viewBox="0 0 {g["width"]} {g["height"]}" width="{g["width"]}" '
        f'height="{g["height"]}" role="img" aria-label="number lines of the shift c, the second '
        f"magnified near overflow: where the textbook formula is right, returns zeros, and "
        f'returns nan">',
        *_line(state, lo, hi, top, _g),
        f'<path class="fpx-zoom" d="M{_f(X(zlo), 1)} {top + g["band"]} L{x0} {ztop - 14} '
        f'M{_f(X(zhi), 1)} {top + g["band"]} L{x1} {ztop - 14}"/>',
        f'<text class="fpx-tick" x="{g["width"] // 2}" y="{ztop - 30}">magnified near '
        "overflow</text>",
        *_line(state, zlo, zhi, ztop, _f),
        "</svg>",
    ]
    return "".join(parts)


def _verdict(labels, state) -> str:
    outcome = state["outcome"]
    if outcome == "ok":
        why = "every exp(z + c) and their sum are finite and the sum is not 0."
    elif outcome == "zeros":
        why = (
            "every exp(z + c) is finite, but their <b>sum overflows</b> to inf, "
            "and a finite number divided by inf is 0. No nan warns you."
        )
    elif outcome == "nan":
        big = [
            html.escape(lab) for lab, e in zip(labels, state["exp"], strict=True) if e == math.inf
        ]
        why = (
            f"<b>exp overflows</b> to inf for {', '.join(big)}, the sum is inf, and "
            "inf / inf = nan."
        )
    else:
        why = "<b>every exp(z + c) underflows</b> to 0, so the sum is 0, and 0 / 0 = nan."
    return (
        f'<p class="fpx-verdict fpx-is-{outcome}">Textbook formula: '
        f"<strong>{OUTCOMES[outcome]}</strong>: {why} The shifted formula is right.</p>"
    )


def _thresholds(state) -> str:
    fmt, info = state["fmt"], FORMATS[state["fmt"]]
    return (
        f'<p class="fpx-thresholds">{fmt}: M = {info["M_txt"]}, log M = {_f(info["log_M"])}; '
        f"exp(x) is 0 for x ≤ {_f(info['log_under'])}. For these logits LSE(z) = "
        f"{_f(state['lse'])}, so the textbook formula returns zeros above "
        f"c<sub>break</sub> = log M − LSE(z) = {_f(state['c_break'])}, nan above "
        f"log M − max z = {_f(state['c_nan'])}, and 0/0 at or below {_f(state['c_under'])}.</p>"
    )


def _table(labels, state) -> str:
    head = (
        '<tr><th scope="col">class</th><th scope="col">z + c</th>'
        '<th scope="col">exp(z + c)</th><th scope="col">textbook</th>'
        '<th scope="col">shifted</th></tr>'
    )
    rows = [
        f"<tr><td>{html.escape(lab)}</td><td>{_g(x, 6)}</td><td>{_g(e)}</td>"
        f'<td class="fpx-textbook">{_g(p)}</td><td class="fpx-shifted">{_g(q)}</td></tr>'
        for lab, x, e, p, q in zip(
            labels, state["x"], state["exp"], state["textbook"], state["shifted"], strict=True
        )
    ]
    foot = (
        f'<tr class="fpx-sum"><td>sum</td><td></td><td class="fpx-expsum">{_g(state["sum"])}</td>'
        f"<td>{_g(_left_sum(state['textbook']))}</td><td>{_g(_left_sum(state['shifted']))}</td>"
        "</tr>"
    )
    return (
        '<div class="fpx-scroll"><table class="fpx-table"><thead>'
        f"{head}</thead><tbody>{''.join(rows)}{foot}</tbody></table></div>"
    )


def render_float_state(labels, state) -> str:
    """The strip, the verdict, the table and the thresholds; the page script builds the same."""
    return _strip(state) + _verdict(labels, state) + _table(labels, state) + _thresholds(state)


def summary(labels, state) -> str:
    """The sentence the live region says after a change."""
    probs = ", ".join(f"{lab} {q:.2f}" for lab, q in zip(labels, state["shifted"], strict=True))
    return (
        f"{state['fmt']}, c = {_g(state['c'])}: textbook formula {OUTCOMES[state['outcome']]}; "
        f"shifted {probs}"
    )


@dataclass
class FloatExplorer:
    """The textbook and the shifted softmax in float16, float32 or float64.

    Parameters
    ----------
    logits : sequence of float
        Default logits, one per class (at most 7: numpy sums such a row from the left).
    labels : sequence of str, optional
        Class names; ``z1, z2, ...`` by default.
    shift : float
        Default common shift c.
    fmt : {"float16", "float32", "float64"}
        Default number format.
    logit_range : (float, float)
        Range of every logit slider.
    step : float
        Step of the logit sliders.
    title : str
        Heading above the controls (and the name of the group of controls).
    """

    logits: list
    labels: list | None = None
    shift: float = 0.0
    fmt: str = "float16"
    logit_range: tuple = (-5.0, 5.0)
    step: float = 0.1
    title: str = ""
    _widget: object = field(default=None, init=False, repr=False)

    def __post_init__(self):
        self.logits = [float(v) for v in self.logits]
        n = len(self.logits)
        if not 1 <= n <= 7:
            raise ValueError(f"logits must have 1 to 7 entries, got {n}")
        self.labels = [f"z{i + 1}" for i in range(n)] if self.labels is None else list(self.labels)
        if len(self.labels) != n:
            raise ValueError(f"labels must have one entry per logit ({n})")
        if self.fmt not in FORMATS:
            raise ValueError(f"fmt must be one of {sorted(FORMATS)}, got {self.fmt!r}")
        info = FORMATS[self.fmt]
        if not info["lo"] <= self.shift <= info["hi"]:
            raise ValueError(f"shift must be in [{info['lo']}, {info['hi']}] for {self.fmt}")

    def state(self, logits=None, shift=None, fmt=None) -> dict:
        return float_state(
            self.logits if logits is None else logits,
            self.shift if shift is None else shift,
            self.fmt if fmt is None else fmt,
        )

    def config(self) -> dict:
        """What the page script needs to recompute and redraw this explorer."""
        return {
            "labels": self.labels,
            "logits": self.logits,
            "shift": self.shift,
            "fmt": self.fmt,
            "formats": FORMATS,
            "geometry": GEOMETRY,
        }

    # -- the kernel-free twin ----------------------------------------------------------------
    def _controls_html(self) -> str:
        options = "".join(
            f'<option value="{name}"{" selected" if name == self.fmt else ""}>{name}</option>'
            for name in FORMATS
        )
        parts = [
            '<label class="fpx-control"><span class="fpx-name">number format</span>'
            f'<select data-fpx="fmt" aria-label="number format">{options}</select>'
            '<span class="fpx-out" aria-hidden="true"></span></label>'
        ]
        lo, hi = self.logit_range
        for i, (label, z) in enumerate(zip(self.labels, self.logits, strict=True)):
            name = f"logit of {html.escape(label)}"
            parts.append(
                f'<label class="fpx-control"><span class="fpx-name">{name}</span>'
                f'<input type="range" data-fpx="logit-{i}" aria-label="{name}" '
                f'min="{lo!r}" max="{hi!r}" step="{self.step!r}" value="{z!r}" '
                f'aria-valuetext="{_f(z)}">'
                f'<span class="fpx-out" aria-hidden="true">{_f(z)}</span></label>'
            )
        info = FORMATS[self.fmt]
        c = self.shift
        parts.append(
            '<label class="fpx-control"><span class="fpx-name">shift c</span>'
            f'<input type="range" data-fpx="shift" aria-label="shift c" min="{info["lo"]!r}" '
            f'max="{info["hi"]!r}" step="{info["step"]!r}" value="{c!r}" '
            f'aria-valuetext="{_g(c)}">'
            f'<span class="fpx-out" aria-hidden="true">{_g(c)}</span></label>'
            '<label class="fpx-control"><span class="fpx-name">shift c, typed</span>'
            f'<input type="number" data-fpx="shift-typed" aria-label="shift c, typed" '
            f'min="{info["lo"]!r}" max="{info["hi"]!r}" step="any" value="{c!r}">'
            '<span class="fpx-out" aria-hidden="true"></span></label>'
        )
        return "".join(parts)

    def to_html(self) -> str:
        state = self.state()
        name = html.escape(self.title or "floating-point explorer", quote=True)
        title = f'<div class="fpx-title">{html.escape(self.title)}</div>' if self.title else ""
        return (
            f'<div class="fpx-explorer" role="group" aria-label="{name}" '
            f"data-fpx-config='{_json_attr(self.config())}' "
            f"data-fpx-state='{_json_attr(state)}'>"
            f'{title}<div class="fpx-controls">{self._controls_html()}</div>'
            f'<div class="fpx-view">{render_float_state(self.labels, state)}</div>'
            '<p class="fpx-status" role="status" aria-live="polite"></p>'
            '<div class="fpx-note">Computed in your browser in the chosen format: '
            "no kernel needed.</div>"
            "</div>"
        )

    # -- the live widget ---------------------------------------------------------------------
    def widget(self):
        """The ipywidgets face: the same controls, computed with numpy in the chosen dtype."""
        if self._widget is not None:
            return self._widget
        import ipywidgets as w

        style = {"description_width": "initial"}
        fmt = w.Dropdown(
            options=list(FORMATS), value=self.fmt, description="number format", style=style
        )
        lo, hi = self.logit_range
        logits = [
            w.FloatSlider(
                value=z,
                min=lo,
                max=hi,
                step=self.step,
                description=f"logit of {label}",
                readout_format=".2f",
                style=style,
            )
            for label, z in zip(self.labels, self.logits, strict=True)
        ]
        info = FORMATS[self.fmt]
        shift = w.FloatSlider(
            value=self.shift,
            min=info["lo"],
            max=info["hi"],
            step=info["step"],
            description="shift c",
            readout_format=".4g",
            style=style,
        )
        view = w.HTML()

        def on_format(change):
            new = FORMATS[change["new"]]
            value = min(max(shift.value, new["lo"]), new["hi"])
            # widen first, so that the old value is never outside the range being set
            shift.min, shift.max = min(shift.min, new["lo"]), max(shift.max, new["hi"])
            shift.step, shift.value = new["step"], value
            shift.min, shift.max = new["lo"], new["hi"]

        def redraw(_change=None):
            state = self.state([s.value for s in logits], shift.value, fmt.value)
            view.value = kernel_panel("fpx", render_float_state(self.labels, state))

        fmt.observe(on_format, names="value")
        for control in (fmt, *logits, shift):
            control.observe(redraw, names="value")
        redraw()
        self._widget = w.VBox([stylesheet_widget("fpx"), fmt, *logits, shift, view])
        return self._widget

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = dict(self.widget()._repr_mimebundle_())
        bundle["text/html"] = self.to_html()
        bundle["text/plain"] = f"FloatExplorer({', '.join(self.labels)}; {self.fmt})"
        return bundle
