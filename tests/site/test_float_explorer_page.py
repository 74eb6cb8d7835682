"""The floating-point explorer in chromium: the page computes in float16, float32 and float64
as numpy does, and serves every reader.

Twin tolerances (numpy under the repository's pins, AVX2 kernels):

* float16: bit for bit. numpy computes each float16 operation in float32 and rounds to float16;
  the page does Math.f16round(Math.fround(.)), checked on every float16 exp argument.
* float32: bit for bit. numpy's float32 exp is its own SIMD kernel (up to 2.5 ulp from the
  true value); the page runs the same algorithm (floatExplorer.exp, an FMA emulated exactly).
* float64: bit for bit except exp, where V8's Math.exp (fdlibm) and glibc's exp may differ by
  1 ulp; what depends on an exp is allowed 1 ulp (exp, sum) or 3 ulps (after a division).
"""

import base64
import json
import os
import random
import re
import subprocess
import sys

import numpy as np
import pytest
from explorerkit import (
    assert_fits,
    asset,
    contrast,
    pages_with,
    phone_page,
    require_build,
    script_page,
)

from softmax_book.float_explorer import FORMATS, float_state, render_float_state, summary

PAGES = pages_with("fpx-explorer")
SCRIPT = asset("float-explorer.js")
STYLE = asset("float-explorer.css")
LABELS = ["dog", "cat", "horse"]
MORE = ["dog", "cat", "horse", "a & <b>"]
EXP_ULPS_64 = 1  # Math.exp against glibc's exp


@pytest.fixture(scope="module")
def page(browser):
    with script_page(browser, SCRIPT, STYLE) as pg:
        yield pg


# Bulk arrays cross into the page as base64 float64 bytes (JSON lists of millions are slow).
MAP_JS = """([b64, fmt]) => {
  const bin = atob(b64), bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const xs = new Float64Array(bytes.buffer), out = new Float64Array(xs.length);
  const f = fmt === 'round16' ? Math.f16round : v => floatExplorer.exp(fmt, v);
  for (let i = 0; i < xs.length; i++) out[i] = f(xs[i]);
  const ob = new Uint8Array(out.buffer); let s = '';
  for (let i = 0; i < ob.length; i += 8192)
    s += String.fromCharCode.apply(null, ob.subarray(i, i + 8192));
  return btoa(s);
}"""


def _map(page, xs, what):
    b64 = base64.b64encode(np.asarray(xs, dtype=np.float64).tobytes()).decode()
    return np.frombuffer(base64.b64decode(page.evaluate(MAP_JS, [b64, what])), dtype=np.float64)


def _same(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return (a == b) | (np.isnan(a) & np.isnan(b))


def _ulps(a, b):
    """Distance in float64 ulps (0 where both are the same inf or nan)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    ia, ib = a.view(np.int64), b.view(np.int64)
    ia = np.where(ia < 0, np.int64(-(2**63)) - ia, ia)
    ib = np.where(ib < 0, np.int64(-(2**63)) - ib, ib)
    return np.where(_same(a, b), 0, np.abs(ia - ib))


def test_f16round_is_numpys_float16(page):
    """Every float16, and doubles around them: ties, subnormals, the overflow edge."""
    rng = np.random.default_rng(16)
    halves = np.arange(65536, dtype=np.uint16).view(np.float16).astype(np.float64)
    finite = halves[np.isfinite(halves)]
    mids = (finite[:-1] + np.diff(finite) / 2)[np.diff(finite) > 0]  # exact ties (doubles)
    xs = np.concatenate(
        [
            halves,
            mids,
            np.nextafter(mids, np.inf),
            np.nextafter(mids, -np.inf),
            rng.uniform(-70000, 70000, 100_000),
            rng.uniform(-1e-4, 1e-4, 100_000),
            [65519.99, 65520.0, -65520.0, 2.0**-25, 2.0**-25 * 1.0000001, 2.0**-26, 5e-324],
        ]
    )
    with np.errstate(over="ignore"):
        want = xs.astype(np.float16).astype(np.float64)
    got = _map(page, xs, "round16")
    assert _same(got, want).all(), xs[~_same(got, want)][:10]


PINS = {"NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR"}  # as the Makefile's


def _pinned_exp16():
    """numpy's float16 exp of every float16, in a process with the book's numpy pins (the root
    conftest.py leaves this process's own kernels alone; on AVX-512 its float16 exp differs)."""
    code = (
        "import sys, numpy as np\n"
        "x = np.arange(65536, dtype=np.uint16).view(np.float16)\n"
        "with np.errstate(all='ignore'):\n"
        "    sys.stdout.buffer.write(np.exp(x).astype(np.float64).tobytes())\n"
    )
    env = {**os.environ, **PINS}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=True)
    return np.frombuffer(out.stdout, dtype=np.float64)


def test_float16_exp_is_bit_for_bit_on_every_float16(page):
    x = np.arange(65536, dtype=np.uint16).view(np.float16)
    want = _pinned_exp16()
    got = _map(page, x.astype(np.float64), "float16")
    assert _same(got, want).all(), x[~_same(got, want)][:10]


def test_float32_exp_is_numpys_simd_kernel_bit_for_bit(page):
    """Near 1 million float32 arguments, including random bit patterns and both edges."""
    rng = np.random.default_rng(32)
    x = np.concatenate(
        [
            rng.uniform(-104.5, 89.5, 400_000),
            rng.uniform(-3, 3, 200_000),
            rng.uniform(-104, -87, 100_000),
            np.linspace(88.7, 88.73, 5000),
            np.linspace(-104, -103.9, 5000),
        ]
    ).astype(np.float32)
    bits = rng.integers(0, 2**32, 200_000, dtype=np.uint64).astype(np.uint32).view(np.float32)
    x = np.concatenate([x, bits[np.isfinite(bits)]])
    with np.errstate(all="ignore"):
        want = np.exp(x).astype(np.float64)
        correctly_rounded = np.exp(x.astype(np.float64)).astype(np.float32)
    got = _map(page, x.astype(np.float64), "float32")
    assert _same(got, want).all(), x[~_same(got, want)][:10]
    # ... which is not the correctly rounded exp: Math.fround(Math.exp(x)) would not do
    assert (want != correctly_rounded).mean() > 0.1


def test_float64_exp_within_one_ulp(page):
    rng = np.random.default_rng(64)
    x = np.concatenate([rng.uniform(-746, 710, 300_000), rng.uniform(-5, 5, 100_000)])
    with np.errstate(all="ignore"):
        want = np.exp(x)
    got = _map(page, x, "float64")
    ulps = _ulps(got, want)
    print(f"float64 exp: {np.mean(ulps > 0):.2%} of {x.size} differ, by at most {ulps.max()} ulp")
    assert ulps.max() <= EXP_ULPS_64


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_row_sums_are_numpys(page, fmt):
    """Rows of 1 to 7 (float16 accumulated in float32 and rounded once), bit for bit."""
    rng = np.random.default_rng(7)
    dt = np.dtype(fmt).type
    rows = []
    for n in range(1, 8):
        for _ in range(300):
            scale = 10.0 ** rng.integers(-3, 4, n)
            rows.append((rng.random(n) * scale).astype(dt))
    rows.append(np.array([2048, 1, 1], dtype=np.float16).astype(dt))  # float16 sum: 2050
    with np.errstate(over="ignore"):
        want = [float(r.sum()) for r in rows]
    got = page.evaluate(
        "([fmt, rows]) => rows.map(r => floatExplorer.rowSum(fmt, r))",
        [fmt, [r.astype(float).tolist() for r in rows]],
    )
    assert _same(got, want).all()


def _states():
    """Every outcome in every format, the chapter's default, and random settings."""
    rng = random.Random(20261201)
    near_tie = 1 + 2**-11 + 2**-40  # float16(x) is 1 + 2**-10; via float32 it would be 1
    cases = [([near_tie, 0.0], 0.0, "float16"), ([0.0, -1.0], near_tie, "float16")]
    for fmt, info in FORMATS.items():
        st = float_state([2.0, 1.0, 0.1], 0.0, fmt)
        for c in (
            0.0,
            st["c_break"] - 0.05,
            (st["c_break"] + st["c_nan"]) / 2,
            st["c_nan"] + 0.5,
            st["c_under"] - 0.5,
            st["c_under"] + 0.5,
            info["lo"],
            info["hi"],
        ):
            cases.append(([2.0, 1.0, 0.1], c, fmt))
        for _ in range(60):
            n = rng.randint(1, 4)
            logits = [round(rng.uniform(-5, 5), 1) for _ in range(n)]
            cases.append((logits, round(rng.uniform(info["lo"], info["hi"]), 2), fmt))
    return cases


def test_twin_states_match_numpy(page):
    cases = _states()
    got = page.evaluate(
        "([formats, cases]) => cases.map(([z, c, fmt]) =>"
        " floatExplorer.compute(formats, fmt, z, c))",
        [FORMATS, cases],
    )
    outcomes = set()
    worst = 0
    for (logits, c, fmt), js in zip(cases, got, strict=True):
        py = float_state(logits, c, fmt)
        assert js["outcome"] == py["outcome"], (logits, c, fmt)
        outcomes.add((fmt, py["outcome"]))
        exact = (
            ["z", "c", "x"]
            if fmt == "float64"
            else [k for k in py if isinstance(py[k], (list, float))]
        )
        for key in exact:
            if key in ("lse", "c_break", "c_nan", "c_under"):
                continue
            assert _same(js[key], py[key]).all(), (key, logits, c, fmt, js[key], py[key])
        if fmt == "float64":
            for key, bound in (
                ("exp", EXP_ULPS_64),
                ("sum", EXP_ULPS_64),
                ("textbook", 3),
                ("shifted_exp", EXP_ULPS_64),
                ("shifted_sum", 2),
                ("shifted", 3),
            ):
                ulps = _ulps(js[key], py[key]).max()
                worst = max(worst, ulps)
                assert ulps <= bound, (key, logits, c, js[key], py[key])
        for key in ("lse", "c_break", "c_nan", "c_under"):
            assert abs(js[key] - py[key]) <= 1e-12, key
    assert len(outcomes) == 12  # four outcomes in each of three formats
    print(f"twin: {len(cases)} states; float16 and float32 bit for bit; float64 within {worst} ulp")


def test_markup_is_pythons_byte_for_byte(page):
    cases = _states()
    states = [float_state(*case) for case in cases]
    config = {"labels": LABELS, "formats": FORMATS, "geometry": None}
    from softmax_book.float_explorer import GEOMETRY

    config["geometry"] = GEOMETRY
    labels = [MORE[: len(case[0])] for case in cases]
    got = page.evaluate(
        "([config, labels, states]) => states.map((s, i) => "
        "floatExplorer.render(Object.assign({}, config, {labels: labels[i]}), s))",
        [config, labels, states],
    )
    for lab, st, markup in zip(labels, states, got, strict=True):
        assert markup == render_float_state(lab, st)
    default = float_state([2.0, 1.0, 0.1], 9.0, "float16")
    said = page.evaluate("([config, s]) => floatExplorer.summary(config, s)", [config, default])
    assert said == summary(LABELS, default)


def test_number_formats_are_pythons(page):
    """format(x, ".{p}g") and f"{x:.{p}f}", ties to even included."""
    rng = random.Random(9)
    cases = [
        (0.015625, 4),
        (1234.5, 4),
        (0.5, 4),
        (65504.0, 4),
        (1e-5, 4),
        (123456.0, 6),
        (1.7976931348623157e308, 4),
        (5e-324, 4),
        (-0.0, 4),
        (float("inf"), 4),
        (0.0, 4),
        (9.9995, 4),
        (99999.5, 5),
        (1e-4, 4),
        (0.00012345, 4),
    ]
    for _ in range(3000):
        cases.append((rng.randint(-(10**6), 10**6) / 2 ** rng.randint(0, 20), rng.randint(1, 7)))
        cases.append((10 ** rng.uniform(-30, 30), rng.randint(1, 7)))
    got = page.evaluate("cs => cs.map(([x, p]) => floatExplorer.fmtG(x, p))", cases)
    assert got == [format(x, f".{p}g") for x, p in cases]
    fixed = [(x, p % 4) for x, p in cases if abs(x) < 1e15]
    got = page.evaluate("cs => cs.map(([x, p]) => floatExplorer.fmtF(x, p))", fixed)
    assert got == [format(x, f".{p}f") for x, p in fixed]


# -- the built site ------------------------------------------------------------------------


def _page_state(root):
    raw = json.loads(root.get_attribute("data-fpx-state"))
    return {
        k: ([float(v) for v in val] if isinstance(val, list) else val) for k, val in raw.items()
    }


def _check(root, config):
    js = _page_state(root)
    z = [float(config["logits"][i]) for i in range(len(config["labels"]))]
    for s in root.locator("input[type=range][data-fpx^=logit][data-fpx-moved]").all():
        z[int(s.get_attribute("data-fpx").removeprefix("logit-"))] = float(s.input_value())
    py = float_state(z, float(js["c"]), js["fmt"])
    assert js["outcome"] == py["outcome"]
    for key in ("x", "textbook", "shifted"):
        bound = 3 if js["fmt"] == "float64" else 0
        assert _ulps(js[key], py[key]).max() <= bound, (key, js[key], py[key])
    return js


@pytest.mark.parametrize("path", PAGES)
def test_explorer_recomputes_in_each_format(visit, path):
    require_build(path)
    v = visit(path)
    root = v.page.locator(".fpx-explorer").first
    config = json.loads(root.get_attribute("data-fpx-config"))
    static = root.locator(".fpx-view").inner_html()
    assert _check(root, config)["outcome"] == "zeros"  # the default: the silent failure
    v.page.evaluate("r => floatExplorer.update(r)", root.element_handle())
    assert root.locator(".fpx-view").inner_html() == static
    seen = set()
    for fmt in ("float32", "float64", "float16"):
        root.locator("select[data-fpx]").select_option(fmt)
        info = FORMATS[fmt]
        slider = root.locator('input[data-fpx="shift"]')
        assert float(slider.get_attribute("max")) == info["hi"]
        for c in (
            0.0,
            info["hi"],
            info["lo"],
            round(float_state(config["logits"], 0, fmt)["c_break"] + 0.2, 1),
        ):
            root.locator('input[data-fpx="shift-typed"]').fill(repr(c))
            seen.add((fmt, _check(root, config)["outcome"]))
        root.locator('input[data-fpx="logit-1"]').fill("3")
        _check(root, config)
    assert {o for _, o in seen} == {"ok", "zeros", "nan", "underflow"}
    assert v.console_errors == []


@pytest.mark.parametrize("path", PAGES)
def test_named_keyboard_and_announced(visit, path):
    require_build(path)
    v = visit(path)
    root = v.page.locator(".fpx-explorer").first
    config = json.loads(root.get_attribute("data-fpx-config"))
    tree = root.aria_snapshot()
    assert 'combobox "number format"' in tree, tree
    sliders = re.findall(r'- slider "([^"]+)"', tree)
    assert sliders == [f"logit of {lab}" for lab in config["labels"]] + ["shift c"]
    assert 'spinbutton "shift c, typed"' in tree
    status = root.locator(".fpx-status")
    assert status.get_attribute("aria-live") == "polite" and status.inner_text() == ""
    slider = root.locator('input[data-fpx="shift"]')
    slider.focus()
    before = root.get_attribute("data-fpx-state")
    v.page.keyboard.press("ArrowRight")
    assert root.get_attribute("data-fpx-state") != before
    outline = slider.evaluate(
        "e => [getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth]"
    )
    assert outline[0] == "solid" and float(outline[1].removesuffix("px")) >= 2
    state = json.loads(root.get_attribute("data-fpx-state"))
    state = {
        k: ([float(x) for x in val] if isinstance(val, list) else val) for k, val in state.items()
    }
    status.filter(has_text=summary(config["labels"], state)).wait_for(timeout=3000)
    # the format from the keyboard
    root.locator("select[data-fpx]").focus()
    v.page.keyboard.press("ArrowDown")
    assert json.loads(root.get_attribute("data-fpx-state"))["fmt"] == "float32"
    assert v.console_errors == []


@pytest.mark.parametrize("path", PAGES)
def test_picture_stands_without_javascript(visit, path):
    require_build(path)
    v = visit(path, javascript=False)
    root = v.page.locator(".fpx-explorer").first
    assert root.locator("svg rect.fpx-band").count() >= 3
    assert root.locator("svg").is_visible()
    assert "all zeros" in root.locator(".fpx-verdict").inner_text()
    assert root.locator("td.fpx-shifted").count() == 3


@pytest.mark.parametrize("path", PAGES)
def test_themes_and_phone(browser, site_url, path):
    require_build(path)
    with phone_page(browser, site_url, path) as pg:
        root = pg.locator(".fpx-explorer").first
        assert_fits(root)
        table = root.locator(".fpx-scroll").evaluate("d => [d.scrollWidth, d.clientWidth]")
        assert table[0] <= table[1], f"the table scrolls sideways at 390 px: {table}"
        backgrounds = {}
        for theme in ("light", "dark"):
            pg.evaluate("t => { document.documentElement.dataset.theme = t; }", theme)
            colours = root.evaluate(
                "r => [getComputedStyle(r).backgroundColor, getComputedStyle(r).color,"
                " getComputedStyle(r.querySelector('.fpx-note')).color]"
            )
            backgrounds[theme] = colours[0]
            for fg in colours[1:]:
                assert contrast(fg, colours[0]) >= 4.5, (theme, fg, colours[0])
        assert backgrounds["light"] != backgrounds["dark"]
