"""The trainer explorer: softmax regression trained step by step, in the page or in the kernel.

Like :mod:`softmax_book.calibration`, one object has two faces. In Jupyter it is an ipywidgets
panel (a Play widget, Step and Reset buttons, three sliders) that takes gradient-descent steps
with :mod:`softmax_lib` in the kernel; on the site it is a kernel-free HTML twin that
``site_assets/trainer-explorer.js`` steps in the browser from the data stored in the page. Both
faces draw through :func:`render_trainer`, which the page script mirrors line for line
(tests/site/test_trainer_explorer_page.py checks the weights to 1e-9 and the markup byte for
byte).

The model and the step, one definition for both faces. With inputs ``X`` (N x 2), labels ``t``,
weights ``W`` (2 x 3), biases ``b`` (3), temperature ``T``, learning rate ``eta`` and weight
decay ``lam``::

    Z = (X W + b) / T
    loss = mean cross-entropy(Z, t) + (lam / 2) ||W||_F^2       (the bias is not decayed)
    G = (softmax(Z) - Y) / N                                     (sl.cross_entropy_grad(Z, t))
    W <- W - eta (X^T G / T + lam W)
    b <- b - eta (sum of the rows of G) / T

starting from ``W = 0, b = 0``; full batch, so every run is deterministic. The losses shown are
the cross-entropy alone (without the penalty) at the current temperature, on the training and on
the test points; the accuracies use the arg max of ``Z`` (ties to the lower class index).

Geometry is plain Python floats, so that the page script gets the same bytes: the region of class
``k`` is the view box clipped (Sutherland-Hodgman) by the half-planes ``z_k >= z_j``; where
``w_k = w_j`` the half-plane is the whole plane if ``b_k > b_j``, or if ``b_k = b_j`` and
``k < j``, and empty otherwise (numpy's arg max gives a tie to the lower index), so ``W = 0,
b = 0`` gives one region, the first class's. The boundary between ``j`` and ``k`` is the part of
the line ``z_j = z_k`` where ``z_j >= z_l`` for the third class ``l`` (a ray from the triple
point), clipped to the box.

For every reader: the buttons and sliders are named by their visible labels and work from the
keyboard, a polite live region announces the result after a step, a pause, a reset or a slider
change while paused, the colours are the theme's CSS variables and Okabe-Ito colours (the
classes also differ in marker shape; the loss curves, which are not classes, are the text
colour, solid, and the muted one, dashed; the widget brings the stylesheets along, in
JupyterLab's theme colours: :mod:`softmax_book.lab_style`), the two panels stack on a phone,
and the default picture (the state after the chapter's steps) stands without JavaScript.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field

import numpy as np

import softmax_lib as sl
from softmax_book.lab_style import kernel_panel, stylesheet_widget

# SVG user units. The plane: the box [x_min, x_max] x [y_min, y_max] at `scale` units per unit
# of x. The loss panel: the curves in a plot of plot_w x plot_h at (pad_left, pad_top); a curve
# keeps the lowest and highest loss of each of at most `curve_buckets` runs of steps.
GEOMETRY = {
    "x_min": -5.5,
    "x_max": 5.5,
    "y_min": -4.0,
    "y_max": 6.0,
    "scale": 24,
    "marker": 2.6,
    "loss_w": 264,
    "loss_h": 228,
    "pad_left": 40,
    "pad_top": 22,
    "plot_w": 212,
    "plot_h": 166,
    "curve_buckets": 100,
}
# The loss axis: its top is the first level at or above the largest loss drawn (else clipped).
LOSS_LEVELS = [
    [1.2, "1.2", "0.6"],
    [3.0, "3", "1.5"],
    [10.0, "10", "5"],
    [30.0, "30", "15"],
    [100.0, "100", "50"],
    [1000.0, "1000", "500"],
    [10000.0, "10000", "5000"],
]
STEP_LEVELS = [50, 100, 200, 500, 1000]
CLASSES = 3
KEY = (
    '<p class="tr-key">Left: the decision regions, their boundaries and the triple point (ring); '
    "filled markers are training points, hollow ones test points; circles, squares and "
    "triangles are the classes left, right and top. Right: the cross-entropy (without the "
    "penalty) against the step.</p>"
)


def example_blobs(n_per_class: int = 100, seed: int = 0):
    """Data shaped like the chapter's: three unit-variance blobs around (-2, 0), (2, 0) and
    (0, 2.5), shuffled, three quarters for training, rounded to 3 decimals (as the page stores
    them). Returns ``X_train, t_train, X_test, t_test``; the tests use it."""
    centres = np.array([[-2.0, 0.0], [2.0, 0.0], [0.0, 2.5]])
    rng = np.random.default_rng(seed)
    X = np.concatenate([rng.normal(c, 1.0, size=(n_per_class, 2)) for c in centres])
    t = np.repeat(np.arange(3), n_per_class)
    order = rng.permutation(len(t))
    X, t = np.round(X[order], 3), t[order]
    cut = 3 * len(t) // 4
    return X[:cut], t[:cut], X[cut:], t[cut:]


def _num(x: float) -> str:
    """Shortest repr that round-trips, so the page script reads the exact same double."""
    return repr(float(x))


def _fmt(x: float, digits: int = 3) -> str:
    """f"{x:.{digits}f}", except that a value that rounds to zero has no sign ("0.0")."""
    if math.isnan(x):
        return "nan"
    s = f"{x:.{digits}f}"
    return s[1:] if s[0] == "-" and not s.strip("-0.") else s


def _is_number(x) -> bool:
    return isinstance(x, (int, float, np.floating, np.integer)) and not isinstance(x, bool)


def check_params(eta, lam, T) -> tuple[float, float, float]:
    """Learning rate, weight decay and temperature as floats, or a ValueError naming the bad one."""
    for name, value in (("learning_rate", eta), ("weight_decay", lam), ("temperature", T)):
        if not _is_number(value):
            raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
        if not math.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value!r}")
    if eta <= 0:
        raise ValueError(f"learning_rate must be positive, got {eta!r}")
    if lam < 0:
        raise ValueError(f"weight_decay must be >= 0, got {lam!r}")
    if T <= 0:
        raise ValueError(f"temperature must be positive, got {T!r}")
    return float(eta), float(lam), float(T)


def _check_data(X, t, name):
    Xa = np.asarray(X, dtype=np.float64)
    ta = np.asarray(t)
    if Xa.ndim != 2 or Xa.shape[1] != 2 or Xa.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty array of shape (N, 2), got {Xa.shape}")
    if not np.all(np.isfinite(Xa)):
        raise ValueError(f"{name} must be finite")
    if ta.shape != (Xa.shape[0],):
        raise ValueError(f"the labels of {name} must have one entry per row, got {ta.shape}")
    if ta.dtype.kind not in "iu" or ta.min() < 0 or ta.max() >= CLASSES:
        raise ValueError(f"the labels of {name} must be class indices in [0, {CLASSES})")
    return Xa, ta.astype(np.int64)


# -- training ---------------------------------------------------------------------------------


def evaluate(X, t, X_test, t_test, W, b, T) -> dict:
    """Cross-entropy (no penalty) at temperature T and arg-max accuracy, training and test."""
    W, b = np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64)
    Z, Z_test = (X @ W + b) / T, (X_test @ W + b) / T
    return {
        "train_loss": float(sl.cross_entropy(Z, t)),
        "test_loss": float(sl.cross_entropy(Z_test, t_test)),
        "train_acc": float(np.mean(np.argmax(Z, axis=1) == t)),
        "test_acc": float(np.mean(np.argmax(Z_test, axis=1) == t_test)),
    }


def gradient_step(X, t, W, b, eta, lam, T):
    """One full-batch step of the penalised loss; returns the new (W, b) as arrays."""
    W, b = np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64)
    Z = (X @ W + b) / T
    G = sl.cross_entropy_grad(Z, t)  # (softmax(Z) - Y) / N
    return W - eta * (X.T @ G / T + lam * W), b - eta * G.sum(axis=0) / T


def _norm(W) -> float:
    total = 0.0
    for row in W:
        for v in row:
            total += v * v
    return math.sqrt(total)


# -- geometry (plain floats; the page script mirrors it line for line) ------------------------


def _clip(poly, a0, a1, c):
    """Sutherland-Hodgman: the part of the convex polygon where a0 x + a1 y + c >= 0."""
    out = []
    n = len(poly)
    for i in range(n):
        px, py = poly[(i + n - 1) % n]
        qx, qy = poly[i]
        fp = a0 * px + a1 * py + c
        fq = a0 * qx + a1 * qy + c
        if fq >= 0:
            if fp < 0:
                s = fp / (fp - fq)
                out.append((px + s * (qx - px), py + s * (qy - py)))
            out.append((qx, qy))
        elif fp >= 0:
            s = fp / (fp - fq)
            out.append((px + s * (qx - px), py + s * (qy - py)))
    return out


def region_polygons(W, b, box=None) -> list:
    """Each class's decision region in the box, as a list of (x, y) vertices (maybe empty)."""
    g = box or GEOMETRY
    x0, x1, y0, y1 = g["x_min"], g["x_max"], g["y_min"], g["y_max"]
    regions = []
    for k in range(CLASSES):
        poly = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
        for j in range(CLASSES):
            if j == k or not poly:
                continue
            a0, a1 = W[0][k] - W[0][j], W[1][k] - W[1][j]
            c = b[k] - b[j]
            if a0 == 0 and a1 == 0:
                if not (c > 0 or (c == 0 and k < j)):
                    poly = []
                continue
            poly = _clip(poly, a0, a1, c)
        regions.append(poly)
    return regions


def triple_point(W, b):
    """The point where the three logits are equal, or None (parallel boundaries)."""
    a11, a12 = W[0][0] - W[0][1], W[1][0] - W[1][1]
    a21, a22 = W[0][0] - W[0][2], W[1][0] - W[1][2]
    r1, r2 = b[1] - b[0], b[2] - b[0]
    det = a11 * a22 - a12 * a21
    if det == 0:
        return None
    return ((r1 * a22 - a12 * r2) / det, (a11 * r2 - r1 * a21) / det)


def boundary_segments(W, b, box=None) -> list:
    """[(j, k, (x, y), (x, y))]: where z_j = z_k >= the third logit, inside the box."""
    g = box or GEOMETRY
    segments = []
    for j, k in ((0, 1), (0, 2), (1, 2)):
        l = 3 - j - k  # noqa: E741 - the third class
        a0, a1 = W[0][j] - W[0][k], W[1][j] - W[1][k]
        c = b[j] - b[k]
        aa = a0 * a0 + a1 * a1
        if aa == 0:
            continue
        p0x, p0y = -c * a0 / aa, -c * a1 / aa
        dx, dy = -a1, a0
        constraints = [
            (1.0, 0.0, -g["x_min"]),
            (-1.0, 0.0, g["x_max"]),
            (0.0, 1.0, -g["y_min"]),
            (0.0, -1.0, g["y_max"]),
            (W[0][j] - W[0][l], W[1][j] - W[1][l], b[j] - b[l]),
        ]
        lo, hi = -math.inf, math.inf
        for u0, u1, e in constraints:
            g0 = u0 * p0x + u1 * p0y + e
            gd = u0 * dx + u1 * dy
            if gd == 0:
                if g0 < 0:
                    lo, hi = 1.0, 0.0
            elif gd > 0:
                lo = max(lo, -g0 / gd)
            else:
                hi = min(hi, -g0 / gd)
        if lo < hi:
            segments.append((j, k, (p0x + lo * dx, p0y + lo * dy), (p0x + hi * dx, p0y + hi * dy)))
    return segments


# -- markup -----------------------------------------------------------------------------------


def _px(g, x):
    return (x - g["x_min"]) * g["scale"]


def _py(g, y):
    return (g["y_max"] - y) * g["scale"]


def _markers(g, points, labels, k):
    r = g["marker"]
    r1, d1, s1, h1 = _fmt(r, 1), _fmt(2 * r, 1), _fmt(r + 0.4, 1), _fmt(2 * r + 0.8, 1)
    parts = []
    for (x, y), label in zip(points, labels, strict=True):
        if label != k:
            continue
        X, Y = _px(g, x), _py(g, y)
        if k == 0:  # circle
            parts.append(
                f"M{_fmt(X - r, 1)} {_fmt(Y, 1)}a{r1} {r1} 0 1 0 {d1} 0a{r1} {r1} 0 1 0 -{d1} 0z"
            )
        elif k == 1:  # square
            parts.append(f"M{_fmt(X - r, 1)} {_fmt(Y - r, 1)}h{d1}v{d1}h-{d1}z")
        else:  # triangle
            parts.append(f"M{_fmt(X, 1)} {_fmt(Y - r - 0.6, 1)}l{s1} {d1}h-{h1}z")
    return "".join(parts)


def _plane(g, data, state):
    width = _fmt((g["x_max"] - g["x_min"]) * g["scale"], 0)
    height = _fmt((g["y_max"] - g["y_min"]) * g["scale"], 0)
    W, b = state["W"], state["b"]
    parts = [
        f'<svg class="tr-plane" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="decision regions at step {state["step"]}: '
        "training points filled, test points hollow; circles left, squares right, triangles "
        'top">',
        f'<rect class="tr-frame" x="0" y="0" width="{width}" height="{height}"/>',
    ]
    for k, poly in enumerate(region_polygons(W, b, g)):
        if poly:
            d = "L".join(f"{_fmt(_px(g, x), 1)} {_fmt(_py(g, y), 1)}" for x, y in poly)
            parts.append(f'<path class="tr-region tr-c{k}" d="M{d}Z"/>')
    for _, _, (x1, y1), (x2, y2) in boundary_segments(W, b, g):
        parts.append(
            f'<line class="tr-bound" x1="{_fmt(_px(g, x1), 1)}" y1="{_fmt(_py(g, y1), 1)}" '
            f'x2="{_fmt(_px(g, x2), 1)}" y2="{_fmt(_py(g, y2), 1)}"/>'
        )
    for k in range(CLASSES):
        parts.append(
            f'<path class="tr-pts tr-c{k}" d="{_markers(g, data["X_train"], data["t_train"], k)}"/>'
            f'<path class="tr-pts tr-test tr-c{k}" '
            f'd="{_markers(g, data["X_test"], data["t_test"], k)}"/>'
        )
    tp = triple_point(W, b)
    if tp is not None and g["x_min"] <= tp[0] <= g["x_max"] and g["y_min"] <= tp[1] <= g["y_max"]:
        parts.append(
            f'<circle class="tr-triple" cx="{_fmt(_px(g, tp[0]), 1)}" '
            f'cy="{_fmt(_py(g, tp[1]), 1)}" r="4.5"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _level(top):
    for level in LOSS_LEVELS:
        if top <= level[0]:
            return level
    return LOSS_LEVELS[-1]


def _curve_steps(heights, stride):
    """The steps drawn: in each run of ``stride`` steps (from 0), the lowest and the highest
    point (first of equals), in order, then the current step. Every step while ``stride`` is 1;
    past that, a loss that alternates from step to step (a step too long) shows as a band, not as
    one of its two values. ``heights`` are the drawn (rounded) coordinates, so that the page
    script, whose losses differ from these in the last bits, picks the same steps."""
    last = len(heights) - 1
    steps = []
    for start in range(0, last + 1, stride):
        lo = hi = start
        for i in range(start + 1, min(start + stride, last + 1)):
            if heights[i] < heights[lo]:
                lo = i
            if heights[i] > heights[hi]:
                hi = i
        steps += [lo] if lo == hi else [min(lo, hi), max(lo, hi)]
    if steps[-1] != last:
        steps.append(last)
    return steps


def _curve(g, losses, x_top, y_top, cls):
    ys = [_fmt(g["pad_top"] + g["plot_h"] * (1 - min(v, y_top) / y_top), 1) for v in losses]
    pts = [
        f"{_fmt(g['pad_left'] + g['plot_w'] * i / x_top, 1)},{ys[i]}"
        for i in _curve_steps([float(y) for y in ys], max(1, x_top // g["curve_buckets"]))
    ]
    now = pts[-1].split(",")  # the current step, marked (a curve of one point draws nothing)
    return (
        f'<polyline class="tr-curve {cls}" points="{" ".join(pts)}"/>'
        f'<circle class="tr-now {cls}" cx="{now[0]}" cy="{now[1]}" r="2.5"/>'
    )


def _losses(g, state):
    step = state["step"]
    x_top = STEP_LEVELS[-1]
    for level in STEP_LEVELS:
        if step <= level:
            x_top = level
            break
    top = max(max(state["train_losses"]), max(state["test_losses"]))
    y_top, y_label, y_half = _level(top)
    left, top_y = g["pad_left"], g["pad_top"]
    right, base = left + g["plot_w"], top_y + g["plot_h"]
    mid_x, mid_y = left + g["plot_w"] / 2, top_y + g["plot_h"] / 2
    parts = [
        f'<svg class="tr-loss" viewBox="0 0 {g["loss_w"]} {g["loss_h"]}" width="{g["loss_w"]}" '
        f'height="{g["loss_h"]}" role="img" aria-label="training loss (solid) and test loss '
        f'(dashed) against step, steps 0 to {step}">',
    ]
    for y, label in ((top_y, y_label), (mid_y, y_half), (base, "0")):
        parts.append(
            f'<line class="tr-grid" x1="{left}" x2="{right}" y1="{_fmt(y, 1)}" y2="{_fmt(y, 1)}"/>'
            f'<text class="tr-tick tr-ytick" x="{left - 4}" y="{_fmt(y + 4, 1)}">{label}</text>'
        )
    log3 = math.log(3)
    if log3 <= y_top:
        y = top_y + g["plot_h"] * (1 - log3 / y_top)
        parts.append(
            f'<line class="tr-log3" x1="{left}" x2="{right}" y1="{_fmt(y, 1)}" y2="{_fmt(y, 1)}"/>'
            f'<text class="tr-tick tr-rtick" x="{right}" y="{_fmt(y - 3, 1)}">log 3</text>'
        )
    for x, label in ((left, "0"), (mid_x, str(x_top // 2)), (right, str(x_top))):
        parts.append(f'<text class="tr-tick" x="{_fmt(x, 1)}" y="{base + 14}">{label}</text>')
    parts.append(
        _curve(g, state["test_losses"], x_top, y_top, "tr-test-curve")
        + _curve(g, state["train_losses"], x_top, y_top, "tr-train-curve")
        + f'<text class="tr-axis" x="{_fmt(mid_x, 1)}" y="{g["loss_h"] - 4}">step</text>'
        f'<text class="tr-axis tr-legend" x="{left + 4}" y="{top_y - 8}">'
        "loss: training (solid), test (dashed)</text></svg>"
    )
    return "".join(parts)


def _table(state) -> str:
    rows = [
        ("step", "tr-step", str(state["step"])),
        ("training loss", "tr-train-loss", _fmt(state["train_losses"][-1], 4)),
        ("test loss", "tr-test-loss", _fmt(state["test_losses"][-1], 4)),
        ("training accuracy", "tr-train-acc", _fmt(state["train_acc"], 3)),
        ("test accuracy", "tr-test-acc", _fmt(state["test_acc"], 3)),
        ("‖W‖ (Frobenius)", "tr-norm", _fmt(_norm(state["W"]), 3)),
    ]
    body = "".join(
        f'<tr><th scope="row">{name}</th><td class="{cls}">{value}</td></tr>'
        for name, cls, value in rows
    )
    return f'<table class="tr-table"><tbody>{body}</tbody></table>'


def render_trainer(state, data, geometry=None) -> str:
    """The plane, the loss curves and the table; the page script builds the same bytes."""
    g = geometry or GEOMETRY
    return (
        f'<div class="tr-panels">{_plane(g, data, state)}{_losses(g, state)}</div>{_table(state)}'
    )


def summary(state) -> str:
    """The sentence the live region says after a step, a pause, a reset or a slider change."""
    return (
        f"Step {state['step']}: training loss {state['train_losses'][-1]:.4f}, "
        f"test loss {state['test_losses'][-1]:.4f}, training accuracy {state['train_acc']:.3f}, "
        f"test accuracy {state['test_acc']:.3f}, weight norm {_norm(state['W']):.3f}"
    )


def _json_attr(value) -> str:
    return html.escape(json.dumps(value, allow_nan=False, separators=(",", ":")), quote=True)


# -- the explorer -----------------------------------------------------------------------------


@dataclass
class TrainerExplorer:
    """Softmax regression on 2-D, 3-class data, trained by full-batch gradient descent.

    Parameters
    ----------
    X_train, t_train : array-like, shapes (N, 2) and (N,)
        Training inputs and labels (0, 1, 2); kept as given (round them to keep pages small).
    X_test, t_test : array-like, shapes (M, 2) and (M,)
        Test inputs and labels.
    learning_rate, weight_decay, temperature : float
        The defaults of the three sliders.
    steps : int
        The steps taken for the default picture (at the defaults).
    max_steps : int
        The cap: playing stops there.
    learning_rate_range, temperature_range : (float, float)
        The log-scale sliders' ranges; weight decay runs from 0 to ``weight_decay_max``.
    title : str
        Heading, and the accessible name of the explorer's group of controls.
    """

    X_train: list
    t_train: list
    X_test: list
    t_test: list
    learning_rate: float = 0.5
    weight_decay: float = 0.0
    temperature: float = 1.0
    steps: int = 300
    max_steps: int = 1000
    learning_rate_range: tuple = (0.01, 2.0)
    weight_decay_max: float = 0.1
    temperature_range: tuple = (0.5, 4.0)
    title: str = ""
    _widget: object = field(default=None, init=False, repr=False)
    _state: dict | None = field(default=None, init=False, repr=False)

    def __post_init__(self):
        X, t = _check_data(self.X_train, self.t_train, "X_train")
        Xt, tt = _check_data(self.X_test, self.t_test, "X_test")
        check_params(self.learning_rate, self.weight_decay, self.temperature)
        for name in ("steps", "max_steps"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
        if not 1 <= self.max_steps <= STEP_LEVELS[-1]:
            raise ValueError(f"max_steps must be in [1, {STEP_LEVELS[-1]}], got {self.max_steps}")
        if not 0 <= self.steps <= self.max_steps:
            raise ValueError(f"steps must be in [0, max_steps], got {self.steps}")
        for name, value in (
            ("learning_rate", self.learning_rate),
            ("temperature", self.temperature),
        ):
            lo, hi = getattr(self, f"{name}_range")
            if not 0 < lo < hi or not lo <= value <= hi:
                raise ValueError(
                    f"{name}_range must satisfy 0 < low <= {name} <= high, got "
                    f"{(lo, hi)} with {name} {value}"
                )
        if not 0 <= self.weight_decay <= self.weight_decay_max:
            raise ValueError(
                f"weight_decay must be in [0, weight_decay_max = {self.weight_decay_max}], "
                f"got {self.weight_decay}"
            )
        if self.learning_rate_range[1] * self.weight_decay_max > 1:
            raise ValueError(
                "learning_rate_range[1] * weight_decay_max must be <= 1 (the decay factor "
                f"1 - eta lam stays >= 0), got {self.learning_rate_range} and "
                f"{self.weight_decay_max}"
            )
        self._X, self._t, self._Xt, self._tt = X, t, Xt, tt
        self.X_train, self.t_train = X.tolist(), [int(v) for v in t]
        self.X_test, self.t_test = Xt.tolist(), [int(v) for v in tt]
        self.learning_rate = float(self.learning_rate)
        self.weight_decay = float(self.weight_decay)
        self.temperature = float(self.temperature)
        self.steps, self.max_steps = int(self.steps), int(self.max_steps)

    # -- the state machine (the page script's computeState/step mirror these) --

    def data(self) -> dict:
        return {
            "X_train": self.X_train,
            "t_train": self.t_train,
            "X_test": self.X_test,
            "t_test": self.t_test,
        }

    def _measure(self, W, b, T) -> dict:
        return evaluate(self._X, self._t, self._Xt, self._tt, W, b, T)

    def initial_state(self, temperature=None) -> dict:
        """Step 0: W = 0, b = 0."""
        T = self.temperature if temperature is None else check_params(1.0, 0.0, temperature)[2]
        W, b = [[0.0] * CLASSES, [0.0] * CLASSES], [0.0] * CLASSES
        m = self._measure(W, b, T)
        return {
            "step": 0,
            "W": W,
            "b": b,
            "train_losses": [m["train_loss"]],
            "test_losses": [m["test_loss"]],
            "train_acc": m["train_acc"],
            "test_acc": m["test_acc"],
        }

    def step(self, state, learning_rate, weight_decay, temperature) -> dict:
        """The state after one more step at these settings (a new dict; `state` is kept)."""
        eta, lam, T = check_params(learning_rate, weight_decay, temperature)
        if state["step"] >= self.max_steps:
            raise ValueError(f"state is at max_steps = {self.max_steps}: reset first")
        W, b = gradient_step(self._X, self._t, state["W"], state["b"], eta, lam, T)
        m = self._measure(W, b, T)
        return {
            "step": state["step"] + 1,
            "W": W.tolist(),
            "b": b.tolist(),
            "train_losses": [*state["train_losses"], m["train_loss"]],
            "test_losses": [*state["test_losses"], m["test_loss"]],
            "train_acc": m["train_acc"],
            "test_acc": m["test_acc"],
        }

    def retemper(self, state, temperature) -> dict:
        """The same weights, the last losses re-measured at another temperature."""
        T = check_params(1.0, 0.0, temperature)[2]
        m = self._measure(state["W"], state["b"], T)
        return {
            **state,
            "train_losses": [*state["train_losses"][:-1], m["train_loss"]],
            "test_losses": [*state["test_losses"][:-1], m["test_loss"]],
        }

    def run(self, steps, learning_rate=None, weight_decay=None, temperature=None) -> dict:
        """``steps`` steps from the zero start at the given (default) settings."""
        eta = self.learning_rate if learning_rate is None else learning_rate
        lam = self.weight_decay if weight_decay is None else weight_decay
        T = self.temperature if temperature is None else temperature
        eta, lam, T = check_params(eta, lam, T)
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
            raise TypeError(f"steps must be an integer, got {type(steps).__name__}")
        if not 0 <= steps <= self.max_steps:
            raise ValueError(f"steps must be in [0, {self.max_steps}], got {steps}")
        state = self.initial_state(T)
        for _ in range(steps):
            state = self.step(state, eta, lam, T)
        return state

    def default_state(self) -> dict:
        if self._state is None:
            self._state = self.run(self.steps)
        return self._state

    # -- the page face --

    def config(self) -> dict:
        """What the page script needs to train and redraw the explorer."""
        return {
            **self.data(),
            "learning_rate": self.learning_rate,
            "weight_decay": self.weight_decay,
            "temperature": self.temperature,
            "steps": self.steps,
            "max_steps": self.max_steps,
            "geometry": GEOMETRY,
            "loss_levels": LOSS_LEVELS,
            "step_levels": STEP_LEVELS,
            "ranges": {
                "learning_rate": list(self.learning_rate_range),
                "weight_decay": [0.0, self.weight_decay_max],
                "temperature": list(self.temperature_range),
            },
        }

    def snapped(self, key, value) -> float:
        """A slider's value as the explorer uses it: the exact default or end of the range when
        the slider sits on the grid point nearest to it (a range input moves on the grid
        ``min + k * step``, on which 0.5, 1 or 2 rarely lie), else the value itself. ``key`` is
        "learning_rate", "weight_decay" or "temperature"; the page script does the same."""
        keys = ("learning_rate", "weight_decay", "temperature")
        _, _, _, _, step, _, _ = self._sliders()[keys.index(key)]
        lo, hi = self.config()["ranges"][key]
        position = (lambda x: x) if key == "weight_decay" else math.log10
        for anchor in (getattr(self, key), lo, hi):
            if abs(position(value) - position(anchor)) < step / 2:
                return float(anchor)
        return float(value)

    def _sliders(self):
        """(key, visible name, min, max, step, value, shown) for each range input."""
        eta_lo, eta_hi = (math.log10(v) for v in self.learning_rate_range)
        t_lo, t_hi = (math.log10(v) for v in self.temperature_range)
        return [
            (
                "log10-learning-rate",
                "learning rate η",
                eta_lo,
                eta_hi,
                0.01,
                math.log10(self.learning_rate),
                _fmt_rate(self.learning_rate),
            ),
            (
                "weight-decay",
                "weight decay λ",
                0.0,
                self.weight_decay_max,
                0.001,
                self.weight_decay,
                _fmt(self.weight_decay, 3),
            ),
            (
                "log10-temperature",
                "temperature T",
                t_lo,
                t_hi,
                0.01,
                math.log10(self.temperature),
                _fmt(self.temperature, 2),
            ),
        ]

    def to_html(self) -> str:
        state = self.default_state()
        name = html.escape(self.title or "training explorer", quote=True)
        title = f'<div class="tr-title">{html.escape(self.title)}</div>' if self.title else ""
        sliders = "".join(
            f'<label class="tr-control"><span class="tr-name">{label}</span>'
            f'<input type="range" data-tr="{key}" aria-label="{label}" min="{_num(lo)}" '
            f'max="{_num(hi)}" step="{_num(step)}" value="{_num(value)}" '
            f'aria-valuetext="{shown}"><span class="tr-out" aria-hidden="true">{shown}</span>'
            "</label>"
            for key, label, lo, hi, step, value, shown in self._sliders()
        )
        return (
            f'<div class="tr-explorer" role="group" aria-label="{name}" '
            f"data-tr-config='{_json_attr(self.config())}'>"
            f'{title}<div class="tr-buttons">'
            '<button type="button" class="tr-play" data-tr-action="play" aria-pressed="false">'
            "Play</button>"
            '<button type="button" data-tr-action="step">Step</button>'
            '<button type="button" data-tr-action="reset">Reset</button></div>'
            f'<div class="tr-controls">{sliders}</div>'
            f'<div class="tr-view">{render_trainer(state, self.data())}</div>'
            f"{KEY}"
            '<p class="tr-status" role="status" aria-live="polite"></p>'
            '<div class="tr-note">Trained in your browser by full-batch gradient descent on the '
            f"stored points (at most {self.max_steps} steps): no kernel needed.</div></div>"
        )

    # -- the Jupyter face --

    def widget(self):
        """The ipywidgets face: Play, Step, Reset and the sliders, stepping with softmax_lib."""
        if self._widget is not None:
            return self._widget
        import ipywidgets as w

        rate, decay, temperature = self._sliders()
        e_lo, e_hi, e_step = rate[2:5]
        l_hi, l_step = decay[3:5]
        t_lo, t_hi, t_step = temperature[2:5]
        style = {"description_width": "initial"}
        eta = w.FloatLogSlider(
            value=self.learning_rate, base=10, min=e_lo, max=e_hi, step=e_step,
            description="learning rate η", readout_format=".3g", style=style,
        )  # fmt: skip
        lam = w.FloatSlider(
            value=self.weight_decay, min=0.0, max=l_hi, step=l_step,
            description="weight decay λ", readout_format=".3f", style=style,
        )  # fmt: skip
        temp = w.FloatLogSlider(
            value=self.temperature, base=10, min=t_lo, max=t_hi, step=t_step,
            description="temperature T", readout_format=".2f", style=style,
        )  # fmt: skip
        # the same opening as the page: the default steps taken, Play continues from there
        # (its stop button, which sends it back to 0, is a reset; repeating is not offered)
        play = w.Play(
            value=self.steps, min=0, max=self.max_steps, interval=50, description="Play",
            show_repeat=False,
        )  # fmt: skip
        step_button = w.Button(description="Step")
        reset_button = w.Button(description="Reset")
        view = w.HTML()
        stylesheet = stylesheet_widget("tr")  # sent once, not with every redraw
        holder = {"state": self.default_state()}

        def redraw():
            view.value = kernel_panel("tr", render_trainer(holder["state"], self.data()) + KEY)

        def advance(change):
            if change["new"] == 0:
                holder["state"] = self.initial_state(self.snapped("temperature", temp.value))
            while holder["state"]["step"] < min(change["new"], self.max_steps):
                holder["state"] = self.step(
                    holder["state"],
                    self.snapped("learning_rate", eta.value),
                    self.snapped("weight_decay", lam.value),
                    self.snapped("temperature", temp.value),
                )
            redraw()

        def on_step(_button):
            if holder["state"]["step"] < self.max_steps:
                play.value = holder["state"]["step"] + 1

        def on_reset(_button):
            if play.value == 0:
                advance({"new": 0})
            play.value = 0

        def on_temperature(change):
            holder["state"] = self.retemper(
                holder["state"], self.snapped("temperature", change["new"])
            )
            redraw()

        play.observe(advance, names="value")
        temp.observe(on_temperature, names="value")
        step_button.on_click(on_step)
        reset_button.on_click(on_reset)
        redraw()
        self._widget = w.VBox(
            [stylesheet, w.HBox([play, step_button, reset_button]), eta, lam, temp, view]
        )
        self._widget.trainer_state = holder  # for tests: the kernel's current state
        return self._widget

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = dict(self.widget()._repr_mimebundle_())
        bundle["text/html"] = self.to_html()
        bundle["text/plain"] = (
            f"TrainerExplorer({len(self.t_train)} training and {len(self.t_test)} test points, "
            f"eta = {self.learning_rate:g}, {self.steps} steps)"
        )
        return bundle


def _fmt_rate(x: float) -> str:
    """The learning rate as shown: three significant digits, without exponent."""
    return _fmt(x, 3) if x < 1 else _fmt(x, 2)
