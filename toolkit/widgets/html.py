"""The one place where text becomes HTML. Everything a user or author wrote is escaped here.

Case files carry Markdown written by trainers; learners write free text. Neither may inject
markup: Markdown is rendered with raw HTML disabled and links limited to http(s), and plain
text is escaped. Widgets build HTML only through these functions.
"""

from __future__ import annotations

from functools import cache
from html import escape

from markdown_it import MarkdownIt


def esc(text: object) -> str:
    """Escape any value for HTML text or attribute context."""
    return escape("" if text is None else str(text), quote=True)


@cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True})
    md.validateLink = lambda url: url.lower().startswith(("http://", "https://"))
    return md


def markdown(text: str | None) -> str:
    """Render trusted-format, untrusted-content Markdown: raw HTML shows as text."""
    return _markdown().render(text or "")


def tag(name: str, content: str = "", **attrs: object) -> str:
    """``<name attr="…">content</name>`` with escaped attributes; content must be HTML already."""
    rendered = "".join(
        f' {key.rstrip("_").replace("_", "-")}="{esc(value)}"'
        for key, value in attrs.items()
        if value is not None and value is not False
    )
    return f"<{name}{rendered}>{content}</{name}>"


def text_tag(name: str, text: object, **attrs: object) -> str:
    """A tag whose content is plain text (escaped)."""
    return tag(name, esc(text), **attrs)
