"""What every explorer's browser test needs: its pages, a blank page holding just its script
and stylesheet, a phone, the box it occupies, and WCAG contrast of computed colours."""

import contextlib
import re

from sitekit import ROOT, SITE, site_pages, unavailable

NO_BUILD = "<no build>"
PHONE = {"width": 390, "height": 844}

# The explorer's box, its widest SVG and the viewport, in CSS pixels.
BOX_JS = """r => {
  const b = r.getBoundingClientRect(), svgs = [...r.querySelectorAll('svg')];
  return {left: b.left, right: b.right, scroll: r.scrollWidth, client: r.clientWidth,
          svg: Math.max(0, ...svgs.map(s => s.getBoundingClientRect().width)),
          view: document.documentElement.clientWidth};
}"""


def pages_with(css_class):
    """The built pages holding an element of ``css_class`` (a placeholder without a build)."""
    return [p for p in site_pages() if css_class in (SITE / p).read_text()] or [NO_BUILD]


def require_build(path):
    if path == NO_BUILD:
        unavailable(f"no built site at {SITE} (run `make book`, or set SITE_DIR)")


def asset(name):
    return (ROOT / "site_assets" / name).read_text()


@contextlib.contextmanager
def script_page(browser, script, style, viewport=None):
    """A blank page with the explorers' shared stylesheet, one explorer's stylesheet and its
    script: the twin tests need no build. Fails if the script throws."""
    style = asset("explorers.css") + style
    context = browser.new_context(viewport=viewport or {"width": 800, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_content(f"<!doctype html><html><head><style>{style}</style></head><body></body>")
    page.add_script_tag(content=script)
    try:
        yield page
    finally:
        context.close()
    assert errors == []


@contextlib.contextmanager
def phone_page(browser, site_url, path):
    """``path`` on a 390 x 844 touch screen."""
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(f"{site_url}/{path}", wait_until="load")
        yield page
    finally:
        context.close()


def assert_fits(root, what="explorer"):
    """Nothing of the explorer is wider than the screen or scrolls sideways."""
    root.scroll_into_view_if_needed()
    box = root.evaluate(BOX_JS)
    assert box["left"] >= 0 and box["right"] <= box["view"] + 0.5, (what, box)
    assert box["scroll"] <= box["client"], f"{what} scrolls sideways: {box}"
    assert box["svg"] <= box["client"], (what, box)
    return box


def rgb(css):
    """'rgb(r, g, b)' or 'rgba(r, g, b, a)' -> (r, g, b, a)."""
    parts = [float(x) for x in re.findall(r"[\d.]+", css)]
    return (*parts[:3], parts[3] if len(parts) > 3 else 1.0)


def luminance(colour):
    """WCAG relative luminance of an (r, g, b[, a]) colour."""

    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    """WCAG contrast ratio of two colours, each a CSS string or an (r, g, b[, a]) tuple."""
    a, b = (rgb(c) if isinstance(c, str) else c for c in (a, b))
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def theme_colours(v, root, colours_js, text=(), marks=(), themed=()):
    """The explorer's colours in the light and then the dark theme (``colours_js`` returns them,
    with ``background`` the panel's). In each theme the panel paints an opaque background,
    every ``text`` colour has at least 4.5:1 against it and every ``marks`` colour at least 3:1
    (WCAG 1.4.3 and 1.4.11); every ``themed`` colour differs between the themes. Returns the
    colours seen, by theme, for the caller's own checks."""
    seen = {}
    for theme in ("light", "dark"):
        v.set_theme(theme)
        colours = root.evaluate(colours_js)
        seen[theme] = colours
        bg = rgb(colours["background"])
        assert bg[3] == 1.0, f"{theme}: the panel must paint its own background"
        for minimum, keys in ((4.5, text), (3.0, marks)):
            for key in keys:
                ratio = contrast(colours[key], bg)
                assert ratio >= minimum, f"{theme}: {key} {colours[key]} on {bg}: {ratio:.2f}"
    for key in themed:
        assert seen["light"][key] != seen["dark"][key], f"{key} ignores the theme"
    return seen
