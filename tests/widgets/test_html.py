"""The one place text becomes HTML: hostile text must stay text."""

import pytest

from toolkit.widgets.html import esc, markdown, tag, text_tag

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(1)>',
    "[click](javascript:alert(1))",
    '=HYPERLINK("http://evil","x")',
]


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_never_emits_markup_from_input(text):
    """Does Markdown rendering keep raw HTML and javascript: links inert?"""
    html = markdown(text)
    assert "<script" not in html and "<img" not in html and "<svg" not in html
    assert 'href="javascript' not in html.lower()


@pytest.mark.parametrize("text", HOSTILE)
def test_text_is_escaped(text):
    """Does plain text come out with no live tags or attributes?"""
    html = text_tag("p", text, title=text)
    assert "<script" not in html and "<img" not in html and "<svg" not in html
    assert html.startswith('<p title="') and html.count('"') == 2


def test_markdown_keeps_formatting():
    """Is ordinary Markdown from case files still formatted?"""
    assert "<strong>DSL</strong>" in markdown("the **DSL**")
    assert '<a href="https://ico.org.uk">' in markdown("[ICO](https://ico.org.uk)")


def test_tag_skips_empty_attributes():
    """Are None/False attributes left out and underscores turned into dashes?"""
    assert tag("div", "x", class_="a", aria_label="b", hidden=False, id=None) == (
        '<div class="a" aria-label="b">x</div>'
    )
    assert esc(None) == ""
