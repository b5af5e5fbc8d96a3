"""Review chronologies to and from the spreadsheets reviewers keep them in (CSV and XLSX).

One row per event, with the columns of a review's ``chronology`` entries; lists and nested
entries use the cell syntax documented in ``chronology_cells``. Rows are numbered as the
spreadsheet shows them (the header is row 1), and every fault in a file is reported in one
pass as ``file:row: column: message`` inside a CaseFileError. XLSX workbooks may carry an
``agencies`` sheet (id, name, sector) so that a chronology travels with its agency names.
How much of a file is read at all is bounded in ``sheets``; a file from someone else is read
in a confined child process (``sheet_sandbox``).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Font
from pydantic import ValidationError

from toolkit.cases.chronology_cells import (
    ID_RULE,
    PARSERS,
    Cell,
    Context,
    Faults,
    cell_text,
    chronology_rows,
    when_text,
)
from toolkit.cases.model import Agency, ReviewEvent
from toolkit.cases.sheet_sandbox import read_tables_confined
from toolkit.cases.sheets import (
    AGENCIES_SHEET,
    CHRONOLOGY_SHEET,
    Table,
    Unreadable,
    read_tables,
)
from toolkit.errors import CaseFileError
from toolkit.problems import Problem

CHRONOLOGY_COLUMNS = ("id", "date", "agency", "event", "known_by", "shared", "missed")
REQUIRED_COLUMNS = ("id", "date", "agency", "event")
AGENCY_COLUMNS = ("id", "name", "sector")
MAX_PROBLEMS = 100  # listed per file; a reviewer fixes these and reads the file again


# --- reading ----------------------------------------------------------------------------------


def _tables(path: Path | str, confined: bool = False) -> dict[str, Table]:
    """The file's tables, read once; in a limited child process when ``confined``."""
    try:
        return read_tables_confined(path) if confined else read_tables(path)
    except Unreadable as exc:
        raise CaseFileError([exc.problem]) from None


def _column_name(cell: Cell) -> str:
    return re.sub(r"[\s-]+", "_", cell_text(cell).lower())


def _columns(
    table: Table, known: Sequence[str], required: Sequence[str], problems: list[Problem]
) -> dict[int, str]:
    """Position → column name, reporting unknown, repeated and missing headers on row 1."""
    columns: dict[int, str] = {}
    for index, cell in enumerate(table.header):
        column = _column_name(cell)
        if not column:
            continue
        if column not in known:
            expected = ", ".join(known)
            problems.append(Problem(table.name, 1, cell_text(cell), f"unknown column ({expected})"))
        elif column in columns.values():
            problems.append(Problem(table.name, 1, column, "column appears twice"))
        else:
            columns[index] = column
    for column in required:
        if column not in columns.values():
            problems.append(Problem(table.name, 1, column, "required column is missing"))
    return columns


def _row_values(
    table: Table, number: int, cells: list[Cell], columns: dict[int, str], problems: list
) -> dict[str, Cell] | None:
    """The row's cells by column name; None for a blank row. Cells past the header are faults."""
    if all(cell_text(c) == "" for c in cells):
        return None
    for index, cell in enumerate(cells):
        if index not in columns and index >= len(table.header) and cell_text(cell):
            problems.append(Problem(table.name, number, f"column {index + 1}", "no header"))
    return {column: cells[i] if i < len(cells) else None for i, column in columns.items()}


def _event(
    table: Table, number: int, values: dict[str, Cell], ctx: Context, problems: list
) -> ReviewEvent | None:
    parsed: dict[str, Any] = {}
    found: list[Problem] = []
    for column, cell in values.items():
        faults: Faults = []
        value = PARSERS[column](cell, ctx, faults)
        found += [Problem(table.name, number, column, message) for message in faults]
        if value not in ("", None):
            parsed[column] = value
    for column in REQUIRED_COLUMNS:
        if column not in parsed and not any(p.field == column for p in found):
            found.append(Problem(table.name, number, column, "required cell is empty"))
    if found:
        problems.extend(found)
        return None
    try:
        return ReviewEvent.model_validate(parsed)
    except ValidationError as error:
        problems.extend(_shape_problems(table.name, number, error))
        return None


def _shape_problems(name: str, number: int, error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        column = str(item["loc"][0]) if item["loc"] else "row"
        if item["type"] == "string_pattern_mismatch":
            message = f"'{item['input']}' is not an id; {ID_RULE}"
        else:
            message = item["msg"].removeprefix("Value error, ")
        problems.append(Problem(name, number, column, message))
    return problems


def _too_many(table: Table, number: int, problems: list[Problem]) -> bool:
    """True (and says so, once) when enough problems are listed to stop reading the sheet."""
    if len(problems) < MAX_PROBLEMS:
        return False
    message = f"more than {MAX_PROBLEMS} problems; fix these and read the file again"
    problems.append(Problem(table.name, number, "file", message))
    return True


def _chronology(
    table: Table | None, name: str, agencies: Iterable[str] | None, problems: list[Problem]
) -> list[ReviewEvent]:
    """The events of the chronology table; its faults are added to ``problems``."""
    if table is None:
        problems.append(Problem(name, 1, "header", "the sheet is empty (no header)"))
        return []
    found: list[Problem] = []
    columns = _columns(table, CHRONOLOGY_COLUMNS, REQUIRED_COLUMNS, found)
    if any(p.message == "required column is missing" for p in found):
        problems.extend(found)
        return []
    ctx = Context(frozenset(agencies) if agencies is not None else None)
    events: list[ReviewEvent] = []
    first_row: dict[str, int] = {}
    for number, cells in table.rows:
        if _too_many(table, number, found):
            break
        values = _row_values(table, number, cells, columns, found)
        if values is None:
            continue
        event_id = cell_text(values.get("id"))
        if event_id in first_row:
            message = f"duplicate event id '{event_id}' (first on row {first_row[event_id]})"
            found.append(Problem(table.name, number, "id", message))
        elif event_id:
            first_row[event_id] = number
        event = _event(table, number, values, ctx, found)
        if event is not None:
            events.append(event)
    if not first_row and not found:
        found.append(Problem(table.name, 2, "id", "the sheet has no events"))
    problems.extend(found)
    return events


def _agencies(table: Table | None, problems: list[Problem]) -> list[Agency]:
    """The agencies of an ``agencies`` table ([] when there is none); faults go to ``problems``."""
    if table is None:
        return []
    found: list[Problem] = []
    columns = _columns(table, AGENCY_COLUMNS, AGENCY_COLUMNS, found)
    agencies: list[Agency] = []
    for number, cells in table.rows if not found else ():
        if _too_many(table, number, found):
            break
        values = _row_values(table, number, cells, columns, found)
        if values is None:
            continue
        try:
            agencies.append(Agency.model_validate({k: cell_text(v) for k, v in values.items()}))
        except ValidationError as error:
            found.extend(_shape_problems(table.name, number, error))
    problems.extend(found)
    return agencies


def read_chronology(path: Path | str, agencies: Iterable[str] | None = None) -> list[ReviewEvent]:
    """The events of a CSV or XLSX chronology, in sheet order.

    ``agencies``: the ids the review defines; when given, every agency a row names must be
    one of them. Theme and step ids are always checked. Raises CaseFileError listing every
    fault in the file (header faults are on row 1), up to MAX_PROBLEMS.
    """
    problems: list[Problem] = []
    events = _chronology(_tables(path).get(CHRONOLOGY_SHEET), str(path), agencies, problems)
    if problems:
        raise CaseFileError(problems)
    return events


def read_agencies(path: Path | str) -> list[Agency]:
    """The ``agencies`` sheet of an XLSX chronology (id, name, sector); [] when there is none.

    Lets a workbook written with ``write_chronology(..., agencies=...)`` carry agency names
    and sectors with it. CSV files hold one table, so they have none.
    """
    problems: list[Problem] = []
    agencies = _agencies(_tables(path).get(AGENCIES_SHEET), problems)
    if problems:
        raise CaseFileError(problems)
    return agencies


def read_workbook(
    path: Path | str, *, confined: bool = False
) -> tuple[list[Agency], list[ReviewEvent]]:
    """Agencies (an XLSX's ``agencies`` sheet, else []) and events, reading the file once.

    A row's agency must be one the agencies sheet defines, when there is one. With
    ``confined`` the file is parsed in a child process under memory and time limits (see
    ``sheet_sandbox``): the way to read a file from someone else. Raises CaseFileError with
    the problems of both sheets.
    """
    tables = _tables(path, confined)
    problems: list[Problem] = []
    agencies = _agencies(tables.get(AGENCIES_SHEET), problems)
    known = [a.id for a in agencies] or None
    events = _chronology(tables.get(CHRONOLOGY_SHEET), str(path), known, problems)
    if problems:
        raise CaseFileError(problems)
    return agencies, events


# --- writing ---------------------------------------------------------------------------------


def _write_csv(path: Path, events: Sequence[ReviewEvent], agencies: Sequence[Agency]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CHRONOLOGY_COLUMNS)
        for row in chronology_rows(events):
            writer.writerow([when_text(c) if isinstance(c, dt.date) else c for c in row])


def _fill_sheet(sheet: Any, header: Sequence[str], rows: list[list[Cell]]) -> None:
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if cell.data_type == "f":
                # openpyxl makes any "=…" string a formula; an uploaded "=HYPERLINK(…)"
                # must come back as the text it was, never as a live formula.
                cell.data_type = "s"
            elif isinstance(cell.value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header):
        longest = max([len(name), *(len(cell_text(r[index])) for r in rows)])
        letter = openpyxl.utils.get_column_letter(index + 1)
        sheet.column_dimensions[letter].width = min(max(longest + 2, 8), 60)


def _write_xlsx(path: Path, events: Sequence[ReviewEvent], agencies: Sequence[Agency]) -> None:
    book = openpyxl.Workbook()
    book.properties.creator = "SafeShare"
    sheet = book.active
    sheet.title = CHRONOLOGY_SHEET
    _fill_sheet(sheet, CHRONOLOGY_COLUMNS, chronology_rows(events))
    if agencies:
        rows: list[list[Cell]] = [[a.id, a.name, a.sector] for a in agencies]
        _fill_sheet(book.create_sheet(AGENCIES_SHEET), AGENCY_COLUMNS, rows)
    book.save(path)


WRITERS: dict[str, Callable[[Path, Sequence[ReviewEvent], Sequence[Agency]], None]] = {
    ".csv": _write_csv,
    ".xlsx": _write_xlsx,
}


def write_chronology(
    events: Sequence[ReviewEvent], path: Path | str, agencies: Sequence[Agency] = ()
) -> Path:
    """Write events as a chronology sheet, CSV or XLSX by the path's suffix; return the path.

    XLSX files get real date cells and, when ``agencies`` are given, an ``agencies`` sheet;
    a CSV holds the chronology only. ``read_chronology`` reads either back unchanged.
    """
    path = Path(path)
    writer = WRITERS.get(path.suffix.lower())
    if writer is None:
        raise ValueError(f"cannot write '{path.suffix}' chronologies (use {', '.join(WRITERS)})")
    writer(path, list(events), list(agencies))
    return path
