"""Local Sphinx extension: page-level fixes the offline, console-clean site needs.

Stock jupyter-book 1.0.4 registers sphinx-thebe's inline script twice, so every page logs
"Identifier 'THEBE_JS_URL' has already been declared". Sphinx keeps the page's scripts in
``script_files``; dropping duplicates there (same file, or same inline body; an inline script may come with
filename None or "") removes the error.
"""


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        attributes = getattr(script, "attributes", {})
        key = (getattr(script, "filename", script) or "", attributes.get("body", ""))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app):
    # Early: the event stops at the first handler that returns a template name.
    app.connect("html-page-context", _drop_duplicate_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
