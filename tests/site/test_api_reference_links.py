"""The API reference links every public function to the chapter that builds it: the docstring
names the chapter (tests/book/test_library_in_chapters.py), the _ext/chapter_links.py hook
turns that sentence into a link, and here the built page is read to see that it did."""

import re
from html.parser import HTMLParser

import pytest
from sitekit import SITE, unavailable

import softmax_lib as sl

PAGE = SITE / "chapters" / "api_reference.html"
CHAPTER_IN_DOCSTRING = re.compile(r"\(``chapters/(\w+)\.ipynb``\)")
PUBLIC = [name for name in sl.__all__ if callable(getattr(sl, name))]


class _Entries(HTMLParser):
    """The links inside each function entry (<dt id="softmax_lib.f"> ... </dl>)."""

    def __init__(self):
        super().__init__()
        self.links, self.current, self.depth = {}, None, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "dt" and (attrs.get("id") or "").startswith("softmax_lib."):
            self.current = attrs["id"].removeprefix("softmax_lib.")
            self.links[self.current] = []
            self.depth = 0
        elif tag == "dl" and self.current:
            self.depth += 1
        elif tag == "a" and self.current and "href" in attrs:
            self.links[self.current].append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "dl" and self.current:
            if self.depth == 0:
                self.current = None
            else:
                self.depth -= 1


@pytest.fixture(scope="module")
def entries():
    if not PAGE.exists():
        unavailable(f"no built API reference at {PAGE} (run `make book`, or set SITE_DIR)")
    parser = _Entries()
    parser.feed(PAGE.read_text())
    return parser.links


@pytest.mark.parametrize("name", PUBLIC)
def test_entry_links_to_the_chapter_that_builds_it(entries, name):
    (chapter,) = CHAPTER_IN_DOCSTRING.findall(getattr(sl, name).__doc__)
    assert name in entries, f"no entry for softmax_lib.{name} in the API reference"
    assert f"{chapter}.html" in entries[name], (name, entries[name][:10])
    # the plain-text form of the sentence is gone: it became the link
    assert f"chapters/{chapter}.ipynb" not in PAGE.read_text()
