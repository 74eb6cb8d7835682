"""The library grows with the text: every public function of softmax_lib names, in its
docstring, the chapter that builds it, and that chapter shows the function's real source with
``show_source`` (a committed output that is the function's source as it stands now)."""

import inspect
import json
import re
from pathlib import Path

import pytest

import softmax_lib as sl
from softmax_book.source import DOCSTRING_MARKER, PRIVATE_DOCSTRING_MARKER, show_source

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = ROOT / "chapters"
CHAPTER_LINE = re.compile(
    r'The book builds it in the chapter "(?P<title>[^"]+)"\s*\(``chapters/(?P<doc>\w+)\.ipynb``\)'
)
PUBLIC = [name for name in sl.__all__ if inspect.isfunction(getattr(sl, name))]


def _chapter_of(name):
    found = CHAPTER_LINE.findall(getattr(sl, name).__doc__ or "")
    assert len(found) == 1, f"{name}: its docstring must name exactly one chapter, found {found}"
    return found[0]


def _notebook(doc):
    path = CHAPTERS / f"{doc}.ipynb"
    assert path.exists(), f"no chapter {path.name}"
    return json.loads(path.read_text())


def _title(nb):
    for cell in nb["cells"]:
        m = re.search(r"^# (.+)$", "".join(cell["source"]), re.MULTILINE)
        if m:
            return m.group(1)
    return None


def _shown_in(nb):
    """(cell index, names passed to show_source, committed text/plain output) per call."""
    calls = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        for m in re.finditer(r"show_source\(([^)]*)\)", "".join(cell["source"])):
            names = re.findall(r"\bsl\.(\w+)", m.group(1))
            text = "".join(
                "".join(out.get("data", {}).get("text/plain", ""))
                for out in cell.get("outputs", [])
                if out.get("output_type") == "execute_result"
            )
            calls.append((i, names, text))
    return calls


def test_every_public_function_is_covered():
    assert len(PUBLIC) == 20  # a new public function needs a chapter: update this count too


@pytest.mark.parametrize("name", PUBLIC)
def test_docstring_names_a_chapter_with_that_title(name):
    title, doc = _chapter_of(name)
    assert _title(_notebook(doc)) == title


@pytest.mark.parametrize("name", PUBLIC)
def test_chapter_shows_the_current_source(name):
    title, doc = _chapter_of(name)
    nb = _notebook(doc)
    calls = [(i, names, text) for i, names, text in _shown_in(nb) if name in names]
    assert calls, f"{doc}.ipynb never calls show_source(sl.{name})"
    index, _, text = calls[0]
    # the committed output holds the function's source as the library has it now
    want = repr(show_source(getattr(sl, name)))
    assert want in text, f"{doc}.ipynb cell {index}: the shown source of {name} is stale"
    # shown after the text has built something from scratch: a def or a formula in code
    earlier = [c for c in nb["cells"][:index] if c["cell_type"] == "code"]
    assert any(re.search(r"^def \w+", "".join(c["source"]), re.M) for c in earlier), (
        f"{doc}.ipynb shows sl.{name} before any from-scratch function"
    )


def test_the_marker_replaces_the_docstring_only():
    shown = repr(show_source(sl.softmax))
    assert shown.count(DOCSTRING_MARKER) == 1
    assert "Parameters" not in shown and "return" in shown


def test_a_private_helper_gets_the_other_marker():
    from softmax_lib._engine.compensated import two_sum

    shown = repr(show_source(two_sum))
    assert PRIVATE_DOCSTRING_MARKER in shown and DOCSTRING_MARKER not in shown


def test_show_source_rejects_what_is_not_a_function():
    with pytest.raises(TypeError, match="at least one"):
        show_source()
    with pytest.raises(TypeError, match="expected a Python function"):
        show_source(len)
