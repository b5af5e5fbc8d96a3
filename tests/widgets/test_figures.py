"""Figures and files as HTML: images with alt text, data: download links, defused XLSX."""

from __future__ import annotations

import base64
import re

import openpyxl
import pytest
from matplotlib.figure import Figure

from toolkit.cases.chronology_io import read_chronology
from toolkit.cases.model import Agency, ReviewEvent
from toolkit.widgets.figures import (
    XLSX_MIME,
    chart_text,
    download_link,
    figure_bytes,
    figure_html,
    png_width,
    xlsx_bytes,
)

HYPERLINK = '=HYPERLINK("http://evil.example/","click me")'


def small_figure() -> Figure:
    figure = Figure(figsize=(4, 2))
    figure.add_subplot().plot([0, 1], [1, 0])
    return figure


def links(html: str) -> dict[str, tuple[str, bytes]]:
    """download name → (mime, bytes) of every data: link in the HTML."""
    found = re.findall(r'href="data:([^;]+);base64,([^"]+)" download="([^"]+)"', html)
    return {name: (mime, base64.b64decode(data)) for mime, data, name in found}


def test_figure_bytes_are_png_and_svg():
    """Does a figure come out as real PNG and SVG bytes?"""
    figure = small_figure()
    assert figure_bytes(figure, "png").startswith(b"\x89PNG\r\n\x1a\n")
    assert b"<svg" in figure_bytes(figure, "svg")[:500]


def test_figure_html_shows_png_with_alt_and_offers_both_downloads():
    """Is the chart an <img> with escaped alt text, and are PNG and SVG downloadable?"""
    html = figure_html(small_figure(), stem="flows", alt='Heatmap "<b>" & more')
    assert 'alt="Heatmap &quot;&lt;b&gt;&quot; &amp; more"' in html
    assert "<b>" not in html
    found = links(html)
    assert set(found) == {"flows.png", "flows.svg"}
    assert found["flows.png"][0] == "image/png"
    assert found["flows.png"][1].startswith(b"\x89PNG")
    assert found["flows.svg"][0] == "image/svg+xml"
    assert "Download PNG" in html and "Download SVG" in html


def test_shown_width_is_the_drawn_size_in_css_pixels():
    """Is a 150 dpi PNG shown at 96 px per inch, not stretched to the page?"""
    figure = small_figure()
    pixels = png_width(figure_bytes(figure, "png"))
    html = figure_html(figure, stem="x", alt="x")
    assert f'width="{round(pixels * 96 / 150)}"' in html


def test_png_width_of_something_else_is_none():
    """Does a non-PNG give no width rather than nonsense?"""
    assert png_width(b"<svg></svg>") is None


def test_download_link_escapes_its_label_and_name():
    """Can a hostile file name or label not break out of the link?"""
    html = download_link(b"x", 'a"><script>.png', "text/plain", "<script>")
    assert "<script>" not in html
    assert html.count("<a ") == 1


@pytest.mark.parametrize(
    "text, expected",
    [("Costs $5", r"Costs \$5"), ("$\\undefined$", r"\$\undefined\$"), ("plain", "plain")],
)
def test_chart_text_stops_mathtext(text, expected):
    """Is every $ escaped so matplotlib never parses a label as mathematics?"""
    assert chart_text(text) == expected


def test_chart_text_draws_where_raw_text_fails():
    """Would the raw label make drawing fail, and does the escaped one draw?"""
    raw = small_figure()
    raw.axes[0].set_title("$\\undefinedmacro$")
    with pytest.raises(ValueError):
        figure_bytes(raw, "png")
    safe = small_figure()
    safe.axes[0].set_title(chart_text("$\\undefinedmacro$"))
    assert figure_bytes(safe, "png")


def test_xlsx_keeps_formula_text_as_text(tmp_path):
    """Does text starting with '=' come back as text, never a live formula?"""
    event = ReviewEvent(id="ev1", date="2023-01-10", agency="school", event=HYPERLINK)
    agency = Agency(id="school", name="=1+1", sector="education")
    path = tmp_path / "out.xlsx"
    path.write_bytes(xlsx_bytes([event], [agency]))
    book = openpyxl.load_workbook(path)
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert [c for c in cells if c.data_type == "f"] == []
    assert read_chronology(path)[0].event == HYPERLINK
    assert book["agencies"]["B2"].value == "=1+1"


def test_xlsx_mime_is_the_spreadsheet_type():
    """Is the XLSX offered with the type spreadsheet programs expect?"""
    assert XLSX_MIME == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
