"""Tests for toolkit.cases.sheets: hostile spreadsheets are read within the caps, or refused."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from tests.cases import hostile_sheets as hostile
from toolkit.cases.sheets import CAPS, SheetCaps, Unreadable, read_tables


def _refusal(path, caps=CAPS) -> str:
    started = time.process_time()
    with pytest.raises(Unreadable) as caught:
        read_tables(path, caps)
    assert time.process_time() - started < 10, "refused, but only after the work was done"
    return str(caught.value.problem).removeprefix(f"{path}:")


def test_declared_dimension_is_ignored(tmp_path):
    """Are three rows that declare the whole grid (A1:XFD1048576) read as three short rows?"""
    path = hostile.declared_dimension_xlsx(tmp_path / "dimension.xlsx")
    tracemalloc.start()
    try:
        table = read_tables(path)["chronology"]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert table.header == hostile.HEADER
    assert table.rows == [(2, hostile.EVENTS[0]), (3, hostile.EVENTS[1])]
    assert peak < 20 * 2**20


def test_plain_workbook_reads_the_same(tmp_path):
    """Does the hand-written control workbook (no dimension) read to the same table?"""
    table = read_tables(hostile.plain_xlsx(tmp_path / "plain.xlsx"))["chronology"]
    assert table.rows == [(2, hostile.EVENTS[0]), (3, hostile.EVENTS[1])]


@pytest.mark.parametrize(
    "make, expected",
    [
        (hostile.wide_rows_xlsx, "0: file: the sheets hold more than 200,000 cells"),
        (hostile.huge_shared_strings_xlsx, "0: file: the workbook unpacks to 60 MB of XML"),
        (hostile.one_string_everywhere_xlsx, "335: file: more than 10,000,000 characters"),
        (hostile.far_row_xlsx, "1048576: file: rows after row 5,000 are not read"),
        (hostile.wide_csv, "2: file: more than 200,000 cells"),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_hostile_files_are_refused_early(tmp_path, make, expected):
    """Is each hostile file refused in words, before it costs the reader the work it asks?"""
    suffix = ".csv" if make.__name__.endswith("csv") else ".xlsx"
    message = _refusal(make(tmp_path / f"hostile{suffix}"))
    assert message.startswith(expected)
    assert message.endswith("save the chronology on its own (one row per event) and try again")


def test_columns_past_the_cap_are_refused_not_dropped(tmp_path):
    """Is a value in column 51 a problem naming its row and column, never silently lost?"""
    path = tmp_path / "wide.csv"
    path.write_text("id,date,agency,event\n" + "ev1,2022-03-14,school,x" + "," * 47 + "lost\n")
    assert _refusal(path).startswith("2: column 51: cells after column 50 are not read")
    path.write_text("id,date,agency,event\n" + "ev1,2022-03-14,school,x" + "," * 46 + "kept\n")
    ((_, cells),) = read_tables(path)["chronology"].rows
    assert len(cells) == 50 and cells[-1] == "kept"


def test_caps_are_the_callers_to_choose(tmp_path):
    """Does a smaller cap refuse a file the default caps read?"""
    path = hostile.plain_xlsx(tmp_path / "plain.xlsx")
    assert _refusal(path, SheetCaps(max_rows=2)).startswith("3: file: rows after row 2")
    assert read_tables(path, SheetCaps(max_rows=3))["chronology"].rows
    assert _refusal(path, SheetCaps(max_cells=5)).startswith("0: file: the sheets hold more")


def test_blank_rows_and_trailing_blank_cells_are_dropped(tmp_path):
    """Are blank rows skipped and rows trimmed of the blank cells a sheet pads them with?"""
    path = tmp_path / "padded.csv"
    path.write_text("id,date,agency,event,,\n,,,\nev1,2022-03-14,school,x,,  \n")
    table = read_tables(path)["chronology"]
    assert table.header == hostile.HEADER
    assert table.rows == [(3, ["ev1", "2022-03-14", "school", "x"])]
