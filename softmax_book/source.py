"""Show the library's real source in a chapter, after the from-scratch version it grows from.

``show_source(sl.softmax)`` reads the function's text from its file with :mod:`inspect` (not a
paraphrase) and displays it as a Python code block: highlighted Markdown on the site and in
JupyterLab, the same text as plain text for nbval. Because nbval compares the plain text with a
fresh run, a chapter whose shown source no longer matches the library fails the test suite
until the notebook is re-executed; ``tests/book/test_library_in_chapters.py`` checks that every
public function is shown in the chapter its docstring names.

The docstring is left out (one marker line stands in for it): it is long, a public function's is
rendered in the API reference, and the chapter's point is the code.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import softmax_lib

ROOT = Path(__file__).resolve().parent.parent
DOCSTRING_MARKER = '"""(docstring: see the API reference)"""'
PRIVATE_DOCSTRING_MARKER = '"""(docstring left out: it is in the source file)"""'


@dataclass(frozen=True)
class SourceBlock:
    """One function's source, as its file has it, with the docstring replaced by a marker."""

    qualified_name: str
    path: str
    code: str


def _without_docstring(source: str, marker: str) -> str:
    lines = textwrap.dedent(source).splitlines()
    tree = ast.parse("\n".join(lines))
    function = tree.body[0]
    if not isinstance(function, ast.FunctionDef):
        raise TypeError("show_source expects functions")
    first = function.body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        start, end = first.lineno - 1, first.end_lineno or first.lineno
        indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
        lines[start:end] = [indent + marker]
    return "\n".join(lines)


def source_block(function: Callable[..., object]) -> SourceBlock:
    """The source of ``function`` from its file, docstring replaced by a marker line."""
    function = inspect.unwrap(function)
    if not inspect.isfunction(function):
        raise TypeError(f"show_source: expected a Python function, got {function!r}")
    path = Path(inspect.getsourcefile(function) or "")
    try:
        shown = path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        shown = path.name
    name = f"{function.__module__}.{function.__qualname__}"
    # only the public functions have an entry in the API reference
    public = getattr(softmax_lib, function.__name__, None) is function
    marker = DOCSTRING_MARKER if public else PRIVATE_DOCSTRING_MARKER
    return SourceBlock(name, shown, _without_docstring(inspect.getsource(function), marker))


class LibrarySource:
    """What :func:`show_source` returns: displays as code blocks, one per function."""

    def __init__(self, blocks: list[SourceBlock]):
        self.blocks = blocks

    def _repr_markdown_(self) -> str:
        parts = []
        for block in self.blocks:
            parts.append(f"`{block.qualified_name}`, from `{block.path}`:\n")
            parts.append(f"```python\n{block.code}\n```\n")
        return "\n".join(parts)

    def __repr__(self) -> str:
        return "\n\n".join(
            f"# {block.qualified_name}, from {block.path}\n{block.code}" for block in self.blocks
        )


def show_source(*functions: Callable[..., object]) -> LibrarySource:
    """Display the real source of one or more library functions (docstrings left out).

    >>> import softmax_lib as sl
    >>> shown = show_source(sl.naive_softmax)
    >>> print(repr(shown).splitlines()[0])
    # softmax_lib.naive.naive_softmax, from softmax_lib/naive.py
    """
    if not functions:
        raise TypeError("show_source: give at least one function")
    return LibrarySource([source_block(f) for f in functions])
