"""Hostile spreadsheets, made small and named for their fault (issue 15, finding 1).

Each writes a file that is tiny on disk but would cost a naive reader gigabytes or minutes:
XLSX parts are written by hand (zipfile) because openpyxl refuses to write most of them.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

_MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_PARTS = {
    "[Content_Types].xml": (
        f'<Types xmlns="{_PKG}/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_PKG}/relationships"><Relationship Id="rId1" '
        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook {_MAIN} xmlns:r="{_REL}"><sheets>'
        '<sheet name="chronology" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_PKG}/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    ),
}
HEADER = ["id", "date", "agency", "event"]
EVENTS = [["ev1", "2022-03-14", "school", "Arrived hungry"], ["ev2", "2022-03-15", "csc", "Visit"]]


def _row(number: int, values: Iterable[str]) -> str:
    cells = "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values)
    return f'<row r="{number}">{cells}</row>'


def _rows(rows: Iterable[Iterable[str]]) -> str:
    return "".join(_row(n, values) for n, values in enumerate(rows, start=1))


def _workbook(path: Path, sheet_data: str, *, dimension: str = "", strings: str = "") -> Path:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = f"<worksheet {_MAIN}>{dim}<sheetData>{sheet_data}</sheetData></worksheet>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, xml in _PARTS.items():
            archive.writestr(name, xml)
        archive.writestr("xl/sharedStrings.xml", f"<sst {_MAIN}>{strings}</sst>")
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def plain_xlsx(path: Path) -> Path:
    """A hand-written workbook with a header and two events: the control."""
    return _workbook(path, _rows([HEADER, *EVENTS]))


def declared_dimension_xlsx(path: Path) -> Path:
    """Three rows that claim the whole grid (A1:XFD1048576), and a formatted last row.

    Whole-column and whole-row formatting leave files like this by accident. openpyxl pads
    every row to the declared 16,384 columns, and every missing row up to the last: ~130 GB.
    """
    body = _rows([HEADER, *EVENTS]) + '<row r="1048576" s="1" customFormat="1"/>'
    return _workbook(path, body, dimension="A1:XFD1048576")


def wide_rows_xlsx(path: Path, rows: int = 40) -> Path:
    """Rows of 16,384 empty cells each: ~5 KB on disk, 650,000 cells to parse."""
    wide = "".join(f'<row r="{n}">{"<c/>" * 16_384}</row>' for n in range(2, rows + 2))
    return _workbook(path, _row(1, HEADER) + wide)


def huge_shared_strings_xlsx(path: Path, megabytes: int = 60) -> Path:
    """Shared strings that unpack to ``megabytes`` of XML from a file of a few hundred KB."""
    text = "x" * 1000
    strings = f"<si><t>{text}</t></si>" * (megabytes * 1024)
    return _workbook(path, _rows([HEADER, *EVENTS]), strings=strings)


def one_string_everywhere_xlsx(path: Path, rows: int = 2_000) -> Path:
    """One 30,000-character shared string as every event's text: 60 M characters to hold."""
    strings = f"<si><t>{'y' * 30_000}</t></si>"
    shared = '<c t="s"><v>0</v></c>'
    body = "".join(
        _row(n, [f"ev{n}", "2022-03-14", "school"]).replace("</row>", shared + "</row>")
        for n in range(2, rows + 2)
    )
    return _workbook(path, _row(1, HEADER) + body, strings=strings)


def far_row_xlsx(path: Path) -> Path:
    """A header, two events and one more row numbered 1,048,576."""
    body = _rows([HEADER, *EVENTS]) + _row(1_048_576, ["ev3", "2022-03-16", "school", "late"])
    return _workbook(path, body)


def wide_csv(path: Path, columns: int = 2_400_000) -> Path:
    """One event row followed by millions of one-letter cells: 4.8 MB, 2.4 M cells."""
    with path.open("w", encoding="utf-8") as handle:
        handle.write(",".join(HEADER) + "\n")
        handle.write(",".join(EVENTS[0]) + ",y" * columns + "\n")
    return path


def many_bad_rows_csv(path: Path, rows: int = 1_000) -> Path:
    """A thousand rows, each with two faults: a wrong date and an agency that is not an id."""
    lines = [",".join(HEADER)] + [f"ev{n},14/03/2022,School {n},x" for n in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
