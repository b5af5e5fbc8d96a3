"""Charts and files as HTML a page can show and download: images and ``data:`` links.

A figure is drawn once to PNG (shown, and offered for download) and once to SVG (offered
for a review report). Links carry their file inline as a ``data:`` URI built here from bytes
this module produced, so nothing is fetched from the server and no file is left on disk.
matplotlib is imported only when a figure is drawn, which keeps the apps' start-up light.
"""

from __future__ import annotations

import base64
import io
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.cases.model import Agency, ReviewEvent
from toolkit.i18n import N_, Translator, translator
from toolkit.widgets.html import esc, tag, text_tag

if TYPE_CHECKING:
    from matplotlib.figure import Figure

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCREEN_DPI = 96  # a CSS pixel is 1/96 inch: a figure is shown at its drawn size in inches


@dataclass(frozen=True)
class Download:
    """One kind of file a chart can be downloaded as."""

    suffix: str
    mime: str
    label: str


DOWNLOADS: dict[str, Download] = {
    "png": Download(".png", "image/png", N_("Download PNG")),
    "svg": Download(".svg", "image/svg+xml", N_("Download SVG")),
}
ENGLISH = translator("en")


def chart_text(text: str) -> str:
    """Text safe to hand matplotlib as a label: ``$`` would start mathtext, and a label such
    as ``$\\x$`` typed into a spreadsheet would make drawing fail."""
    return text.replace("$", r"\$")


def figure_bytes(figure: Figure, kind: str) -> bytes:
    """The figure as PNG or SVG bytes, drawn as ``charts.save`` draws files."""
    from toolkit.review.charts import FORMATS

    buffer = io.BytesIO()
    options = FORMATS[DOWNLOADS[kind].suffix]
    figure.savefig(buffer, bbox_inches="tight", facecolor="white", **options)
    return buffer.getvalue()


def data_uri(content: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(content).decode('ascii')}"


def download_link(content: bytes, filename: str, mime: str, label: str) -> str:
    """An ``<a download>`` carrying ``content`` inline; ``label`` is the visible text."""
    return tag(
        "a",
        esc(label),
        href=data_uri(content, mime),
        download=filename,
        class_="ss-download",
    )


def png_width(content: bytes) -> int | None:
    """The pixel width a PNG's header declares (None if ``content`` is not a PNG)."""
    if content[:8] != b"\x89PNG\r\n\x1a\n" or len(content) < 24:
        return None
    return int.from_bytes(content[16:20], "big")


def image(content: bytes, mime: str, alt: str, width: int | None = None) -> str:
    """An ``<img>`` showing ``content``, with ``alt`` text for screen readers.

    ``width`` (CSS pixels) caps the shown size, so a PNG drawn at print resolution appears
    at its intended size instead of filling the page; it still shrinks to fit.
    """
    size = f' width="{int(width)}"' if width else ""
    return f'<img class="ss-chart" src="{esc(data_uri(content, mime))}" alt="{esc(alt)}"{size}>'


def figure_html(
    figure: Figure, *, stem: str, alt: str, caption: str = "", t: Translator = ENGLISH
) -> str:
    """The figure shown as a PNG with its caption, and PNG/SVG download links.

    ``stem`` names the downloaded files (``stem.png``, ``stem.svg``); ``alt`` says in words
    what the chart shows, for anyone who cannot see it.
    """
    from toolkit.review.charts import FORMATS

    drawn = {kind: figure_bytes(figure, kind) for kind in DOWNLOADS}
    links = " ".join(
        download_link(drawn[kind], stem + d.suffix, d.mime, t._(d.label))
        for kind, d in DOWNLOADS.items()
    )
    pixels = png_width(drawn["png"])
    width = round(pixels * SCREEN_DPI / FORMATS[".png"]["dpi"]) if pixels else None
    parts = image(drawn["png"], DOWNLOADS["png"].mime, alt, width)
    if caption:
        parts += text_tag("figcaption", caption)
    parts += tag("p", links, class_="ss-downloads")
    return tag("figure", parts, class_="ss-figure")


def xlsx_bytes(events: Sequence[ReviewEvent], agencies: Sequence[Agency] = ()) -> bytes:
    """The chronology as an XLSX workbook (``write_chronology`` stores "=…" cells as text)."""
    from toolkit.cases.chronology_io import write_chronology

    with tempfile.TemporaryDirectory(prefix="safeshare-xlsx-") as folder:
        path = write_chronology(events, Path(folder) / "chronology.xlsx", agencies)
        return path.read_bytes()
