"""CSV and XLSX writers for a cohort's views, safe to open in a spreadsheet.

Learners type free text, and a spreadsheet treats a cell starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return as a formula (``=HYPERLINK(...)`` can leak data or run
commands: "CSV injection"). Every such text cell gets a leading apostrophe, in CSV and XLSX
alike, so it is shown as the text the learner typed and never evaluated.

An XLSX cell holds at most 32,767 characters (Excel cuts the rest when it opens the file,
without a word). A longer text is cut in the export itself, and the cell says so at its end.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEET_NAME_MAX = 31
EXCEL_CELL_MAX = 32_767
CUT_NOTE = (
    " […cut here: {length:,} characters in all, more than a spreadsheet cell holds;"
    " the CSV export has the whole text]"
)
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula, prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _flat(value: Any) -> Any:
    """Lists and tuples become "a; b" text; dicts "key: value" pairs; times naive UTC."""
    if isinstance(value, list | tuple | set):
        return "; ".join(str(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_flat(v)}" for k, v in value.items())
    if isinstance(value, pd.Timestamp | dt.datetime):
        if pd.isna(value):
            return None
        stamp = pd.Timestamp(value)
        return (stamp.tz_convert("UTC") if stamp.tzinfo else stamp).tz_localize(None)
    return value


def fit_cell(value: Any) -> Any:
    """Text longer than an XLSX cell holds, cut to fit with a note saying so; else unchanged."""
    if not isinstance(value, str) or len(value) <= EXCEL_CELL_MAX:
        return value
    note = CUT_NOTE.format(length=len(value))
    return value[: EXCEL_CELL_MAX - len(note)] + note


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy fit for a spreadsheet: flat cells, naive UTC times, formula-like text defused."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            out[column] = series.dt.tz_convert("UTC").dt.tz_localize(None)
        elif series.dtype == object:
            out[column] = series.map(lambda v: neutralise(_flat(v)))
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def sheet_name(name: str, taken: set[str] | None = None) -> str:
    """An Excel-legal sheet name: no []:*?/\\, at most 31 characters, unique in the book."""
    base = _BAD_SHEET_CHARS.sub(" ", name).strip("' ")[:SHEET_NAME_MAX] or "sheet"
    taken = taken or set()
    candidate, n = base, 2
    while candidate.lower() in {t.lower() for t in taken}:
        suffix = f" ({n})"
        candidate, n = base[: SHEET_NAME_MAX - len(suffix)] + suffix, n + 1
    return candidate


def to_csv(frame: pd.DataFrame) -> bytes:
    """One view as UTF-8 CSV with a byte-order mark (so Excel reads accents correctly).

    Every field is quoted and rows end in CRLF (RFC 4180): a spreadsheet also ends a row at a
    bare carriage return, so an unquoted "I agree\r=cmd|..." would start a new row whose
    first cell is a live formula, whatever the field began with."""
    text = safe_frame(frame).to_csv(index=False, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def to_xlsx(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """A workbook with one sheet per view, header row frozen, columns sized to fit."""
    buffer = io.BytesIO()
    taken: set[str] = set()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            title = sheet_name(name, taken)
            taken.add(title)
            safe = safe_frame(frame)
            for column in safe.columns:
                if safe[column].dtype == object:
                    safe[column] = safe[column].map(fit_cell)
            safe.to_excel(writer, sheet_name=title, index=False)
            _tidy(writer.sheets[title])
    return buffer.getvalue()


def _tidy(worksheet: Any) -> None:
    """Freeze the header and widen columns to their content (capped: rationales are long)."""
    worksheet.freeze_panes = "A2"
    for column in worksheet.columns:
        longest = max((len(str(c.value)) for c in column if c.value is not None), default=8)
        worksheet.column_dimensions[column[0].column_letter].width = min(60, max(8, longest + 2))
