"""Local Sphinx extension: a library docstring's chapter becomes a link in the API reference.

Every public function of ``softmax_lib`` names the chapter that builds it, in plain text that
reads well in ``help()``::

    The book builds it in the chapter "Numerical stability"
    (``chapters/numerical_stability.ipynb``).

When autodoc renders the docstring, that sentence becomes a ``:doc:`` cross-reference to the
chapter (so ``-n`` catches a chapter that was renamed or removed).
"""

import re

CHAPTER_LINE = re.compile(
    r'^\s*The book builds it in the chapter "(?P<title>[^"]+)"\s*$\n'
    r"^\s*\(``chapters/(?P<doc>\w+)\.ipynb``\)\.\s*$",
    re.MULTILINE,
)


def link_chapter(text):
    """The docstring text with its chapter sentence turned into a :doc: reference."""
    return CHAPTER_LINE.sub(
        lambda m: f"The book builds it in the chapter :doc:`{m['title']} </chapters/{m['doc']}>`.",
        text,
    )


def _process_docstring(app, what, name, obj, options, lines):
    if what != "function":
        return
    linked = link_chapter("\n".join(lines)).split("\n")
    if linked != lines:
        lines[:] = linked


def setup(app):
    app.connect("autodoc-process-docstring", _process_docstring)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
