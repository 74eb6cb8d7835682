"""The trainer explorer's Python side: its step is the documented formula (and the gradient of
the penalised loss), temperature is a rescaled learning rate, the region polygons partition the
view box by arg max, its markup serves every reader, and bad arguments say which one is bad.

The page script's side is checked in chromium by tests/site/test_trainer_explorer_page.py.
"""

import html
import json
import re
from pathlib import Path

import numpy as np
import pytest

import softmax_lib as sl
from softmax_book import trainer as tr
from softmax_book.figures import OKABE_ITO
from softmax_book.lab_style import stylesheet_widget
from softmax_book.trainer import (
    GEOMETRY,
    TrainerExplorer,
    boundary_segments,
    example_blobs,
    region_polygons,
    render_trainer,
    summary,
    triple_point,
)

ROOT = Path(__file__).resolve().parents[2]


def blobs(n=60, seed=0):
    return example_blobs(n, seed)


@pytest.fixture(scope="module")
def explorer():
    return TrainerExplorer(*blobs(), steps=40, title="A test")


def _attr(markup, name):
    match = re.search(rf"{name}='([^']*)'", markup)
    assert match, f"{name} missing"
    return json.loads(html.unescape(match.group(1)))


def penalised_loss(X, t, W, b, lam, T):
    return float(sl.cross_entropy((X @ W + b) / T, t)) + lam / 2 * float(np.sum(W * W))


# -- the step ---------------------------------------------------------------------------------


@pytest.mark.parametrize("eta, lam, T", [(0.5, 0.0, 1.0), (1.3, 0.05, 0.6), (0.07, 0.1, 3.0)])
def test_step_is_the_documented_formula(explorer, eta, lam, T):
    X, t = np.array(explorer.X_train), np.array(explorer.t_train)
    state = explorer.run(5, eta, lam, T)  # a start away from zero
    W, b = np.array(state["W"]), np.array(state["b"])
    # by hand: softmax from scratch, one-hot targets
    Z = (X @ W + b) / T
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    P = E / E.sum(axis=1, keepdims=True)
    G = (P - np.eye(3)[t]) / len(t)
    W_want = W - eta * (X.T @ G / T + lam * W)
    b_want = b - eta * G.sum(axis=0) / T
    new = explorer.step(state, eta, lam, T)
    np.testing.assert_allclose(new["W"], W_want, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(new["b"], b_want, rtol=1e-13, atol=1e-15)
    assert new["step"] == 6 and state["step"] == 5  # a new state; the old one is kept
    assert len(new["train_losses"]) == 7 and new["train_losses"][:6] == state["train_losses"]
    Xt, tt = np.array(explorer.X_test), np.array(explorer.t_test)
    Wn, bn = np.array(new["W"]), np.array(new["b"])
    assert new["train_losses"][-1] == pytest.approx(
        float(sl.cross_entropy((X @ Wn + bn) / T, t)), rel=1e-15
    )
    assert new["test_losses"][-1] == pytest.approx(
        float(sl.cross_entropy((Xt @ Wn + bn) / T, tt)), rel=1e-15
    )
    assert new["train_acc"] == float(np.mean(np.argmax(X @ Wn + bn, axis=1) == t))


def test_step_follows_the_finite_difference_gradient_of_the_penalised_loss(explorer):
    X, t = np.array(explorer.X_train), np.array(explorer.t_train)
    eta, lam, T, h = 0.1, 0.07, 0.7, 1e-6
    state = explorer.run(8, 0.9, lam, T)
    W, b = np.array(state["W"]), np.array(state["b"])
    new = explorer.step(state, eta, lam, T)
    grad_W = (W - np.array(new["W"])) / eta
    grad_b = (b - np.array(new["b"])) / eta
    fd_W, fd_b = np.zeros_like(W), np.zeros_like(b)
    for idx in np.ndindex(W.shape):
        E = np.zeros_like(W)
        E[idx] = h
        fd_W[idx] = (
            penalised_loss(X, t, W + E, b, lam, T) - penalised_loss(X, t, W - E, b, lam, T)
        ) / (2 * h)
    for k in range(3):
        e = np.zeros(3)
        e[k] = h
        fd_b[k] = (
            penalised_loss(X, t, W, b + e, lam, T) - penalised_loss(X, t, W, b - e, lam, T)
        ) / (2 * h)
    np.testing.assert_allclose(grad_W, fd_W, atol=1e-8)
    np.testing.assert_allclose(grad_b, fd_b, atol=1e-8)
    assert np.abs(grad_W).max() > 1e-3  # a real gradient, not zeros


def test_zero_start_and_descent(explorer):
    state = explorer.initial_state()
    assert state["W"] == [[0.0] * 3] * 2 and state["b"] == [0.0] * 3
    assert state["train_losses"] == [pytest.approx(np.log(3), rel=1e-15)]
    # the default picture: the loss falls at every step at the default (safe) rate
    losses = explorer.default_state()["train_losses"]
    assert len(losses) == 41 and np.all(np.diff(losses) < 0)
    # the gradient's rows sum to zero, so W's rows and b stay centred
    W, b = np.array(explorer.default_state()["W"]), np.array(explorer.default_state()["b"])
    assert np.abs(W.sum(axis=1)).max() < 1e-13 and abs(b.sum()) < 1e-13


@pytest.mark.parametrize("T, eta, lam", [(0.5, 0.3, 0.02), (0.8, 0.5, 0.0), (2.5, 1.7, 0.004)])
def test_temperature_is_a_rescaled_learning_rate(explorer, T, eta, lam):
    """Training at T with (eta, lam) is training at T = 1 with (eta / T^2, lam T^2), W / T."""
    at_T = explorer.run(120, eta, lam, T)
    at_1 = explorer.run(120, eta / T**2, lam * T**2, 1.0)
    np.testing.assert_allclose(np.array(at_T["W"]) / T, at_1["W"], rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(np.array(at_T["b"]) / T, at_1["b"], rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(at_T["train_losses"], at_1["train_losses"], rtol=1e-11)
    np.testing.assert_allclose(at_T["test_losses"], at_1["test_losses"], rtol=1e-11)


def test_retemper_keeps_the_weights_and_remeasures(explorer):
    state = explorer.run(10)
    hot = explorer.retemper(state, 2.0)
    assert hot["W"] == state["W"] and hot["step"] == 10
    assert hot["train_losses"][:-1] == state["train_losses"][:-1]
    X, t = np.array(explorer.X_train), np.array(explorer.t_train)
    Z = X @ np.array(state["W"]) + np.array(state["b"])
    assert hot["train_losses"][-1] == pytest.approx(float(sl.cross_entropy(Z / 2.0, t)))


def test_ranges_keep_every_step_finite_and_bounded():
    """The slider extremes for the whole cap: no overflow, the decay factor stays in [0, 1]."""
    ex = TrainerExplorer(*blobs(30), steps=0)
    eta_hi, T_lo = ex.learning_rate_range[1], ex.temperature_range[0]
    assert eta_hi * ex.weight_decay_max <= 1
    for eta, lam, T in [(eta_hi, 0.0, T_lo), (eta_hi, ex.weight_decay_max, T_lo)]:
        state = ex.run(ex.max_steps, eta, lam, T)
        assert np.all(np.isfinite(state["train_losses"])) and np.all(np.isfinite(state["W"]))
        assert max(state["train_losses"]) < 100
    with pytest.raises(ValueError, match="max_steps"):
        ex.step(ex.run(ex.max_steps), 0.5, 0.0, 1.0)


# -- geometry ---------------------------------------------------------------------------------


def _area(poly):
    return 0.5 * sum(
        x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(poly, poly[1:] + poly[:1], strict=True)
    )


def _inside(poly, x, y, tol=1e-9):
    """In a convex counter-clockwise polygon (edges included, within tol)."""
    for (x0, y0), (x1, y1) in zip(poly, poly[1:] + poly[:1], strict=True):
        if (x1 - x0) * (y - y0) - (y1 - y0) * (x - x0) < -tol:
            return False
    return len(poly) >= 3


def _states(explorer):
    yield explorer.initial_state()
    for eta, lam, T, k in [(0.5, 0.0, 1.0, 1), (0.5, 0.0, 1.0, 40), (2.0, 0.1, 0.5, 25)]:
        yield explorer.run(k, eta, lam, T)
    rng = np.random.default_rng(7)
    for _ in range(6):
        W, b = rng.normal(size=(2, 3)) * 2, rng.normal(size=3) * 3
        yield {"W": W.tolist(), "b": b.tolist()}


def test_regions_partition_the_box_by_argmax(explorer):
    g = GEOMETRY
    box = (g["x_max"] - g["x_min"]) * (g["y_max"] - g["y_min"])
    xs = np.linspace(g["x_min"], g["x_max"], 41)
    ys = np.linspace(g["y_min"], g["y_max"], 37)
    for state in _states(explorer):
        W, b = state["W"], state["b"]
        polys = region_polygons(W, b)
        assert sum(_area(p) for p in polys if p) == pytest.approx(box, rel=1e-12)
        assert all(_area(p) > 0 for p in polys if p)
        for x in xs:
            for y in ys:
                k = int(np.argmax(np.array([x, y]) @ np.array(W) + np.array(b)))
                assert _inside(polys[k], x, y), (state, x, y, k)


def test_zero_weights_give_one_region_the_first_class():
    polys = region_polygons([[0.0] * 3] * 2, [0.0] * 3)
    assert len(polys[0]) == 4 and polys[1] == [] and polys[2] == []
    assert boundary_segments([[0.0] * 3] * 2, [0.0] * 3) == []
    assert triple_point([[0.0] * 3] * 2, [0.0] * 3) is None
    # equal weights, one bias larger: that class everywhere
    assert [len(p) for p in region_polygons([[1.0] * 3] * 2, [0.0, 0.5, 0.0])] == [0, 4, 0]


def test_boundaries_are_rays_from_the_triple_point(explorer):
    state = explorer.run(40)
    W, b = np.array(state["W"]), np.array(state["b"])
    tp = np.array(triple_point(state["W"], state["b"]))
    np.testing.assert_allclose(np.ptp(tp @ W + b), 0, atol=1e-12)
    segments = boundary_segments(state["W"], state["b"])
    assert len(segments) == 3
    for j, k, p, q in segments:
        for point in (np.array(p), np.array(q), (np.array(p) + np.array(q)) / 2):
            z = point @ W + b
            assert abs(z[j] - z[k]) < 1e-9 and z[j] >= z[3 - j - k] - 1e-9
        # one end is the triple point (inside the box), the other on the box's edge
        ends = [np.linalg.norm(np.array(e) - tp) for e in (p, q)]
        assert min(ends) < 1e-9


# -- markup -----------------------------------------------------------------------------------


def test_static_html_carries_config_and_the_default_picture(explorer):
    markup = explorer.to_html()
    config = _attr(markup, "data-tr-config")
    assert config["X_train"] == explorer.X_train and config["t_test"] == explorer.t_test
    assert config["geometry"] == GEOMETRY and config["steps"] == 40
    state = explorer.default_state()
    assert render_trainer(state, explorer.data()) in markup
    assert markup.count('<path class="tr-region') == sum(1 for p in region_polygons(
        state["W"], state["b"]) if p)  # fmt: skip
    assert markup.count('<line class="tr-bound"') == 3
    assert markup.count('<circle class="tr-triple"') == 1
    shown = re.search(r'<td class="tr-train-loss">([^<]*)</td>', markup).group(1)
    assert shown == f"{state['train_losses'][-1]:.4f}"
    assert re.search(r'<td class="tr-step">40</td>', markup)
    assert "NaN" not in markup and "Infinity" not in markup
    # every point is drawn: one marker per point, in the path of its class
    n_markers = sum(markup.count(c) for c in ("a2.6 2.6 0 1 0 5.2 0a", "h5.2v5.2", "l3.0 5.2"))
    assert n_markers == len(explorer.t_train) + len(explorer.t_test)
    assert len(markup) < 40_000  # the page stays light


def test_markup_serves_every_reader(explorer):
    markup = explorer.to_html()
    assert re.search(r'<div class="tr-explorer" role="group" aria-label="A test"', markup)
    buttons = re.findall(r"<button [^>]*>([^<]*)</button>", markup)
    assert buttons == ["Play", "Step", "Reset"]
    assert 'aria-pressed="false">Play' in markup
    sliders = re.findall(r"<input [^>]*>", markup)
    names = [dict(re.findall(r'([\w-]+)="([^"]*)"', s))["aria-label"] for s in sliders]
    assert names == ["learning rate η", "weight decay λ", "temperature T"]
    for name in names:  # the visible label is the accessible name
        assert f'<span class="tr-name">{name}</span>' in markup
    attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', sliders[0]))
    assert attrs["aria-valuetext"] == "0.500" and float(attrs["value"]) == pytest.approx(
        np.log10(0.5)
    )
    lam_attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', sliders[1]))
    assert float(lam_attrs["min"]) == 0.0  # weight decay includes 0
    assert '<p class="tr-status" role="status" aria-live="polite"></p>' in markup
    assert 'role="img" aria-label="decision regions at step 40' in markup
    assert 'role="img" aria-label="training loss (solid) and test loss (dashed)' in markup
    assert 'aria-label="training explorer"' in TrainerExplorer(*blobs(10)).to_html()


def test_render_is_deterministic_and_geometry_has_one_source(explorer):
    state = explorer.run(12, 0.8, 0.01, 0.9)
    again = json.loads(json.dumps(state))
    assert render_trainer(state, explorer.data()) == render_trainer(again, explorer.data())
    assert explorer.run(12, 0.8, 0.01, 0.9) == state
    assert summary(state) == summary(again)
    assert summary(state).startswith("Step 12: training loss ")
    js = (ROOT / "site_assets" / "trainer-explorer.js").read_text()
    for key in GEOMETRY:
        assert f"g.{key}" in js, f"the page script does not read geometry.{key}"


def test_loss_axis_grows_and_clips():
    state = {"step": 3, "train_losses": [1.0, 2.5, 0.5, 0.4], "test_losses": [1.0, 0.9, 0.8, 0.7]}
    state.update(train_acc=0.5, test_acc=0.5, W=[[0.0] * 3] * 2, b=[0.0] * 3)
    markup = tr._losses(GEOMETRY, state)
    assert '">3</text>' in markup and '">1.5</text>' in markup  # the top is the level 3
    state["train_losses"][1] = 1e9
    assert '">10000</text>' in tr._losses(GEOMETRY, state)  # clipped at the last level


def test_sliders_snap_to_the_exact_default_and_ends(explorer):
    """A range input moves on min + k * step: the grid point nearest to the default or to an
    end of the range stands for it exactly (0.5 for 0.501, 2 for 1.995), other points are kept."""
    for key, near, exact in [
        ("learning_rate", 10 ** (-2 + 170 * 0.01), 0.5),
        ("learning_rate", 10 ** (-2 + 230 * 0.01), 2.0),
        ("temperature", 10 ** (np.log10(0.5) + 30 * 0.01), 1.0),
        ("temperature", 10 ** (np.log10(0.5) + 90 * 0.01), 4.0),
        ("weight_decay", 0.1000000001, 0.1),
    ]:
        assert near != exact and explorer.snapped(key, near) == exact
    assert explorer.snapped("learning_rate", 1.0) == 1.0
    assert explorer.snapped("temperature", 0.9) == 0.9
    assert explorer.snapped("weight_decay", 0.05) == 0.05
    assert explorer.config()["ranges"] == {
        "learning_rate": [0.01, 2.0],
        "weight_decay": [0.0, 0.1],
        "temperature": [0.5, 4.0],
    }


def test_curve_shows_an_alternating_loss_as_a_band():
    """A step too long makes the loss alternate from step to step; past 200 steps the curve
    keeps each run's lowest and highest point, so both values are drawn (every other step
    would draw one of them, a flat line)."""
    losses = [1.0] + [0.4, 0.3] * 300  # 600 steps: the axis runs to 1000, runs of 10 steps
    markup = tr._curve(GEOMETRY, losses, 1000, 1.2, "c")
    points = re.search(r'points="([^"]*)"', markup).group(1).split()
    assert len(points) <= 2 * 61 + 1
    ys = [p.split(",")[1] for p in points[2:]]
    g = GEOMETRY
    high, low = (tr._fmt(g["pad_top"] + g["plot_h"] * (1 - v / 1.2), 1) for v in (0.4, 0.3))
    assert set(ys) == {high, low} and all(a != b for a, b in zip(ys, ys[1:], strict=False))
    # a falling curve: every step while the runs are single steps, else two points a run
    assert tr._curve_steps([float(50 - i) for i in range(51)], 1) == list(range(51))
    assert tr._curve_steps([float(50 - i) for i in range(51)], 5) == [
        i for start in range(0, 51, 5) for i in sorted({start, min(start + 4, 50)})
    ]
    # a flat stretch: one point a run; the current step is always the last point
    assert tr._curve_steps([1.0] * 23, 5) == [0, 5, 10, 15, 20, 22]


def test_colours_are_okabe_ito():
    css = (ROOT / "site_assets" / "trainer-explorer.css").read_text().lower()
    colours = re.findall(r"--tr-c\d:\s*(#[0-9a-f]{6})", css)
    assert len(colours) == 6  # three per theme
    assert set(colours) <= {c.lower() for c in OKABE_ITO.values()}


def test_live_widget_steps_with_softmax_lib():
    ex = TrainerExplorer(*blobs(20), steps=5)
    box = ex.widget()
    stylesheet, controls, eta, lam, temp, view = box.children
    play, step_button, reset_button = controls.children
    assert [eta.description, lam.description, temp.description] == [
        "learning rate η",
        "weight decay λ",
        "temperature T",
    ]
    assert step_button.description == "Step" and reset_button.description == "Reset"
    # JupyterLab has no site stylesheet: the widget brings it (tests/book/test_lab_style.py)
    assert stylesheet.value == stylesheet_widget("tr").value

    def shows(state):
        return view.value == (
            f'<div class="tr-explorer sb-kernel">{render_trainer(state, ex.data())}{tr.KEY}</div>'
        )

    # it opens as the page does, after the default steps
    assert play.value == 5 and box.trainer_state["state"] == ex.run(5) and shows(ex.run(5))
    step_button.click()
    step_button.click()
    assert box.trainer_state["state"] == ex.run(7)
    play.value = 9
    assert box.trainer_state["state"] == ex.run(9)
    eta.value = 1.0
    lam.value = 0.05
    play.value = 10
    assert box.trainer_state["state"] == ex.step(ex.run(9), 1.0, 0.05, 1.0)
    assert shows(box.trainer_state["state"])
    reset_button.click()
    assert box.trainer_state["state"] == ex.initial_state() and play.value == 0
    assert shows(ex.initial_state())
    # the Play widget's stop button sends its value back to 0: a reset too
    play.value = 3
    assert box.trainer_state["state"]["step"] == 3
    play.value = 0
    assert box.trainer_state["state"] == ex.initial_state()
    reset_button.click()  # at 0 already: still a reset, after a temperature change
    temp.value = 2.0
    step_button.click()
    reset_button.click()
    assert box.trainer_state["state"] == ex.initial_state(2.0) and play.value == 0


def test_one_bundle_with_widget_and_html_twin():
    bundle = TrainerExplorer(*blobs(10), steps=3)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/html"].startswith('<div class="tr-explorer"')
    assert bundle["text/plain"].startswith("TrainerExplorer(22 training and 8 test points")


GOOD = dict(zip(("X_train", "t_train", "X_test", "t_test"), blobs(10), strict=True))


@pytest.mark.parametrize(
    "change, error, message",
    [
        ({"X_train": [[1.0, 2.0, 3.0]]}, ValueError, "X_train must be a non-empty array"),
        ({"X_test": [[1.0, np.nan]], "t_test": [0]}, ValueError, "X_test must be finite"),
        ({"t_train": [0]}, ValueError, "labels of X_train must have one entry per row"),
        ({"X_test": [[1.0, 2.0]], "t_test": [3]}, ValueError, "labels of X_test"),
        ({"X_test": [[1.0, 2.0]], "t_test": [0.5]}, ValueError, "labels of X_test"),
        ({"learning_rate": 0.0}, ValueError, "learning_rate must be positive"),
        ({"learning_rate": "fast"}, TypeError, "learning_rate must be a real number"),
        ({"learning_rate": 5.0}, ValueError, "learning_rate_range"),
        ({"weight_decay": -0.1}, ValueError, "weight_decay must be >= 0"),
        ({"weight_decay": 0.5}, ValueError, "weight_decay must be in"),
        ({"temperature": float("inf")}, ValueError, "temperature must be finite"),
        ({"temperature": 0.1}, ValueError, "temperature_range"),
        ({"steps": 2.5}, TypeError, "steps must be an integer"),
        ({"steps": 2000}, ValueError, "steps must be in"),
        ({"max_steps": 5000}, ValueError, "max_steps must be in"),
        ({"learning_rate_range": (0.01, 20.0)}, ValueError, "weight_decay_max must be <= 1"),
    ],
)
def test_bad_arguments(change, error, message):
    with pytest.raises(error, match=message):
        TrainerExplorer(**{**GOOD, **change})


def test_bad_step_arguments(explorer):
    state = explorer.initial_state()
    with pytest.raises(ValueError, match="temperature must be positive"):
        explorer.step(state, 0.5, 0.0, -1.0)
    with pytest.raises(TypeError, match="weight_decay must be a real number"):
        explorer.step(state, 0.5, None, 1.0)
    with pytest.raises(TypeError, match="steps must be an integer"):
        explorer.run(True)
    with pytest.raises(ValueError, match="steps must be in"):
        explorer.run(-1)
