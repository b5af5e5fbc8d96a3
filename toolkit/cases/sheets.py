"""Spreadsheets (CSV and XLSX) read as tables, never more of them than the caps allow.

A sheet's own claims are not trusted: an XLSX that declares ``<dimension ref="A1:XFD1048576"/>``
over three rows is read as three rows, and a file that really is that large is refused in
words before it costs more than a second or two. The caps are far above any chronology (a
few hundred rows of seven columns) and bound the work: the bytes unpacked, the rows and cells
parsed, the columns kept and the characters of text held.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl

from toolkit.problems import Problem

Cell = str | int | float | dt.date | dt.datetime | dt.time | None
CHRONOLOGY_SHEET, AGENCIES_SHEET = "chronology", "agencies"  # XLSX sheet names
ADVICE = "save the chronology on its own (one row per event) and try again"


@dataclass(frozen=True)
class SheetCaps:
    """How much of a spreadsheet is read before it is refused as too large."""

    max_rows: int = 5_000  # a row after this with anything in it refuses the file
    max_columns: int = 50  # a chronology has 7
    max_cells: int = 200_000  # cells and rows parsed, counted in the file before parsing
    max_unpacked_bytes: int = 50 * 1024 * 1024  # a CSV's size, or an XLSX's XML unpacked
    max_text_chars: int = 10_000_000  # characters of text kept from all cells


CAPS = SheetCaps()


@dataclass
class Table:
    """A sheet as the spreadsheet shows it: the header and each row with its row number."""

    name: str
    header: list[Cell]
    rows: list[tuple[int, list[Cell]]]


class Unreadable(Exception):
    """The file cannot be read as a spreadsheet, or is too large to read: one Problem."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


class _Budget:
    """Counts what a reading keeps, refusing the file once a cap is passed."""

    def __init__(self, name: str, caps: SheetCaps):
        self.name, self.caps, self.text = name, caps, 0

    def keep(self, number: int, cells: Sequence[Cell]) -> list[Cell] | None:
        """The row's cells (None for a blank row), refusing rows and columns past the caps."""
        caps = self.caps
        if all(_blank(c) for c in cells):
            return None
        if number > caps.max_rows:
            message = f"rows after row {caps.max_rows:,} are not read; {ADVICE}"
            raise Unreadable(Problem(self.name, number, "file", message))
        if any(not _blank(c) for c in cells[caps.max_columns :]):
            field = f"column {caps.max_columns + 1}"
            message = f"cells after column {caps.max_columns} are not read; {ADVICE}"
            raise Unreadable(Problem(self.name, number, field, message))
        kept = list(cells[: caps.max_columns])
        while _blank(kept[-1]):  # trailing blank cells, as a sheet pads its rows
            kept.pop()
        self.text += sum(len(c) for c in kept if isinstance(c, str))
        if self.text > caps.max_text_chars:
            message = f"more than {caps.max_text_chars:,} characters of text; {ADVICE}"
            raise Unreadable(Problem(self.name, number, "file", message))
        return kept


def _table(name: str, numbered: Iterable[tuple[int, Sequence[Cell]]], caps: SheetCaps) -> Table:
    """Row 1 as the header (empty if blank) and the non-blank rows after it."""
    budget = _Budget(name, caps)
    header: list[Cell] = []
    rows: list[tuple[int, list[Cell]]] = []
    for number, cells in numbered:
        kept = budget.keep(number, cells)
        if number == 1:
            header = kept or []
        elif kept is not None:
            rows.append((number, kept))
    return Table(name, header, rows)


# --- CSV -------------------------------------------------------------------------------------


def _csv_tables(path: Path, caps: SheetCaps) -> dict[str, Table]:
    name = str(path)
    size = path.stat().st_size
    if size > caps.max_unpacked_bytes:
        message = f"the file is {size / 2**20:.0f} MB, more than the limit; {ADVICE}"
        raise Unreadable(Problem(name, 0, "file", message))
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        problem = Problem(name, 0, "file", "not UTF-8 text; save it as 'CSV UTF-8'")
        raise Unreadable(problem) from None
    if not text.strip():
        return {}
    return {CHRONOLOGY_SHEET: _table(name, _csv_records(name, text, caps), caps)}


def _csv_records(name: str, text: str, caps: SheetCaps) -> Iterator[tuple[int, list[str]]]:
    cells = 0
    reader = csv.reader(io.StringIO(text, newline=""))
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            cells += max(len(record), 1)
            if cells > caps.max_cells:
                message = f"more than {caps.max_cells:,} cells; {ADVICE}"
                raise Unreadable(Problem(name, number, "file", message))
            yield number, record
    except csv.Error as exc:
        problem = Problem(name, number + 1, "file", f"not valid CSV ({exc})")
        raise Unreadable(problem) from None


# --- XLSX ------------------------------------------------------------------------------------

SHEET_ROWS = 1_048_576  # the most any spreadsheet program has; rows past it are never read
# A cell or row element, with or without a namespace prefix: <c r="A1">, <x:c>, <row r="2">.
_PARSED_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:c|row)[\s/>]")
_CHUNK = 1 << 20


def _count_elements(archive: zipfile.ZipFile, member: str, limit: int) -> int:
    """Cells and rows in a sheet's XML, counted without parsing it; stops past ``limit``."""
    count, carry = 0, b""
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            buffer = carry + chunk
            cut = max(buffer.rfind(b"<"), len(buffer) - 64, 0)  # a tag may span two chunks
            count += len(_PARSED_ELEMENT.findall(buffer, 0, cut))
            carry = buffer[cut:]
            if count > limit:
                return count
    return count + len(_PARSED_ELEMENT.findall(carry))


def _check_archive(path: Path, caps: SheetCaps) -> None:
    """Refuse a workbook whose XML unpacks too large, or whose sheets hold too many cells.

    Sizes are the ones the archive declares: zipfile never unpacks more than declared.
    """
    name = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            members = [i for i in archive.infolist() if i.filename.endswith((".xml", ".rels"))]
            unpacked = sum(i.file_size for i in members)
            if unpacked > caps.max_unpacked_bytes:
                size = f"{unpacked / 2**20:,.0f} MB"
                message = f"the workbook unpacks to {size} of XML, more than the limit; {ADVICE}"
                raise Unreadable(Problem(name, 0, "file", message))
            cells = 0
            for info in members:
                if info.filename.startswith("xl/worksheets/"):
                    cells += _count_elements(archive, info.filename, caps.max_cells - cells)
                    if cells > caps.max_cells:
                        message = f"the sheets hold more than {caps.max_cells:,} cells; {ADVICE}"
                        raise Unreadable(Problem(name, 0, "file", message))
    except (Unreadable, MemoryError):
        raise
    except Exception as exc:  # not a zip, a damaged member, an unknown compression
        message = f"not a readable XLSX workbook ({type(exc).__name__})"
        raise Unreadable(Problem(name, 0, "file", message)) from None


def _xlsx_value(cell: Any) -> Cell:
    """A cell's value; a date-time cell whose format shows no time is a date."""
    value = cell.value
    if isinstance(value, dt.datetime) and "h" not in str(cell.number_format).lower():
        return value.date()
    return value


def _xlsx_rows(sheet: Any, caps: SheetCaps) -> Iterator[tuple[int, list[Cell]]]:
    """Each row of the sheet up to the last a spreadsheet can have, one column past the cap.

    The declared dimension is ignored: it may claim every row and column of the grid. Rows
    missing from the file come back as one shared blank tuple, skipped at once, so a single
    formatted row at 1,048,576 costs a fraction of a second.
    """
    sheet.reset_dimensions()
    rows = sheet.iter_rows(max_col=caps.max_columns + 1, max_row=SHEET_ROWS)
    padding = None
    for number, row in enumerate(rows, start=1):
        if row is padding:
            continue
        values = [_xlsx_value(c) for c in row]
        if all(_blank(v) for v in values):
            padding = row
        yield number, values


def _chosen_sheets(book: Any) -> dict[str, Any]:
    """The chronology sheet (by name, or else the first other sheet) and the agencies sheet."""
    by_title = {}
    for sheet in book.worksheets:
        by_title.setdefault(sheet.title.strip().lower(), sheet)
    chosen = {title: by_title[title] for title in (AGENCIES_SHEET,) if title in by_title}
    others = [s for title, s in by_title.items() if title != AGENCIES_SHEET]
    if CHRONOLOGY_SHEET in by_title:
        chosen[CHRONOLOGY_SHEET] = by_title[CHRONOLOGY_SHEET]
    elif others:  # a hand-made workbook: its first other sheet
        chosen[CHRONOLOGY_SHEET] = others[0]
    return chosen


def _xlsx_tables(path: Path, caps: SheetCaps) -> dict[str, Table]:
    name = str(path)
    _check_archive(path, caps)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except MemoryError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        message = f"not a readable XLSX workbook ({type(exc).__name__})"
        raise Unreadable(Problem(name, 0, "file", message)) from None
    try:
        tables = {}
        for title, sheet in _chosen_sheets(book).items():
            table = _table(name, _xlsx_rows(sheet, caps), caps)
            if table.header or table.rows:
                tables[title] = table
        return tables
    except (Unreadable, MemoryError):
        raise
    except Exception as exc:  # a damaged part may only fail while rows are read
        message = f"not a readable XLSX workbook ({type(exc).__name__})"
        raise Unreadable(Problem(name, 0, "file", message)) from None
    finally:
        book.close()


READERS: dict[str, Callable[[Path, SheetCaps], dict[str, Table]]] = {
    ".csv": _csv_tables,
    ".xlsx": _xlsx_tables,
}


def read_tables(path: Path | str, caps: SheetCaps = CAPS) -> dict[str, Table]:
    """The chronology table (and an XLSX's agencies table) of a spreadsheet, by sheet name.

    Raises Unreadable for a file of an unknown kind, a missing or damaged file, or one past
    ``caps``; the problem says what to do.
    """
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        kinds = ", ".join(READERS)
        raise Unreadable(Problem(str(path), 0, "file", f"unknown kind of file (expected {kinds})"))
    if not path.is_file():
        raise Unreadable(Problem(str(path), 0, "file", "no such file"))
    return reader(path, caps)
