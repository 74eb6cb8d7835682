"""Local Sphinx extension: page-level fixes the offline, accessible, light site needs.

- Stock jupyter-book 1.0.4 registers sphinx-thebe's inline script twice, so every page logs
  "Identifier 'THEBE_JS_URL' has already been declared". Sphinx keeps the page's scripts in
  ``script_files``; dropping duplicates there (same file, or same inline body; an inline script
  may come with filename None or "") removes the error.
- The Jupyter widget manager (embed.js, ~1.9 MB) and the widget state load only on a page that
  shows a bare widget (a ``widget-view+json`` output). An explorer page shows the kernel-free
  HTML twin, so it does without.
- The theme's fontawesome.js (~1.5 MB) turns icons into inline SVG; the theme's stylesheet
  already draws the same icons from the vendored Font Awesome webfont (~150 kB), so the
  template override in ``templates/layout.html`` drops the script (filter ``drop_scripts``).
  It also drops the search index and search tools from every page but the search page: the
  theme loads them everywhere for search-as-you-type, which this book leaves off.
- sphinx-design's stylesheet and script load only on a page that uses its components.
- Body markup that fails WCAG is rewritten (``BODY_FIXES``): citation entries become list
  items, a hidden cell's toggle is named by its visible text.
- ``templates/`` also overrides theme components whose accessible name did not contain their
  visible text (the search field, the colour-mode switch).
"""

import hashlib
import posixpath
import re
from pathlib import Path

from markupsafe import Markup

TEMPLATES = Path(__file__).resolve().parent / "templates"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _script_key(script):
    attributes = getattr(script, "attributes", {})
    return (getattr(script, "filename", script) or "", attributes.get("body", ""))


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def _widget_scripts(app):
    """The script files myst-nb adds for widgets: the manager and whatever loads with it."""
    names = set(app.config.nb_ipywidgets_js or {})
    # Sphinx files a local script under _static/.
    return names | {posixpath.join("_static", name) for name in names if "://" not in name}


def _drop_unused_widget_manager(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts or WIDGET_VIEW in context.get("body", ""):
        return
    widget_files = _widget_scripts(app)

    def needed(script):
        filename = getattr(script, "filename", None) or ""
        attributes = getattr(script, "attributes", {})
        return filename not in widget_files and attributes.get("type") != WIDGET_STATE

    scripts[:] = [s for s in scripts if needed(s)]


SPHINX_DESIGN = re.compile(r'class="(?:[^"]*\s)?sd-')
SPHINX_DESIGN_FILES = ("sphinx-design.min.css", "design-tabs.js")


def _drop_unused_sphinx_design(app, pagename, templatename, context, doctree):
    """sphinx-design's stylesheet and tab script (~60 kB) only on a page that uses it."""
    if SPHINX_DESIGN.search(context.get("body", "")):
        return
    for key in ("css_files", "script_files"):
        files = context.get(key)
        if files:
            files[:] = [
                f
                for f in files
                if not (getattr(f, "filename", None) or "").endswith(SPHINX_DESIGN_FILES)
            ]


# Markup in a page's body that fails WCAG, and what replaces it.
BODY_FIXES = (
    # docutils: a citation list's entries (role="list" needs list items; doc-biblioentry is
    # deprecated).
    ('role="doc-biblioentry"', 'role="listitem"'),
    # myst-nb: a hidden cell's toggle was named "Toggle hidden content" while it shows "Show
    # code cell source" (label in name, WCAG 2.5.3): its visible text names it.
    ('<summary aria-label="Toggle hidden content">', "<summary>"),
)


def _fix_body_markup(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if not body:
        return
    for old, new in BODY_FIXES:
        body = body.replace(old, new)
    context["body"] = body


def _drop_scripts(markup, *names):
    """Template filter: ``markup`` less the <script src=...> tags of files called ``names``."""
    pattern = "|".join(re.escape(name) for name in names)
    tag = re.compile(
        rf'\s*<script\b[^>]*\bsrc="(?:[^"]*/)?(?:{pattern})(?:\?[^"]*)?"[^>]*>\s*</script>'
    )
    return Markup(tag.sub("", str(markup)))


def _use_templates(app, config):
    # First in the search path: ahead of the theme's own components.
    if str(TEMPLATES) not in config.templates_path:
        config.templates_path.insert(0, str(TEMPLATES))
    # Sphinx rewrites every page when an HTML setting changes, not when this file does: a
    # digest of it in html_context makes a changed extension rebuild the whole site.
    digest = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    config.html_context = {**(config.html_context or {}), "offline_site_digest": digest}


def _register_filters(app):
    templates = getattr(app.builder, "templates", None)
    environment = getattr(templates, "environment", None)
    if environment is not None:
        environment.filters["drop_scripts"] = _drop_scripts


def setup(app):
    app.connect("config-inited", _use_templates)
    app.connect("builder-inited", _register_filters)
    # Late: after myst-nb (priority 500) has added a page's own scripts. None of these
    # returns a template name, which would stop the event for the handlers after it.
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    app.connect("html-page-context", _drop_unused_widget_manager, priority=900)
    app.connect("html-page-context", _drop_unused_sphinx_design, priority=900)
    app.connect("html-page-context", _fix_body_markup, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
