"""Tests for toolkit.cases.chronology_io: chronologies from and to CSV and XLSX."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.cases import load_case
from toolkit.cases.chronology_io import (
    CHRONOLOGY_COLUMNS,
    read_agencies,
    read_chronology,
    write_chronology,
)
from toolkit.cases.model import Missed, Shared
from toolkit.errors import CaseFileError

FILES = Path(__file__).parent / "files" / "chronologies"
REVIEW = Path(__file__).parents[1] / "review" / "files" / "hand-worked.yaml"
AGENCIES = ["school", "csc", "police", "health-visiting"]


def _problems(path: Path, agencies=AGENCIES) -> list[str]:
    with pytest.raises(CaseFileError) as caught:
        read_chronology(path, agencies)
    return [str(p).removeprefix(f"{path}:") for p in caught.value.problems]


def test_excel_export_reads_with_its_quirks():
    """Does a CSV saved by Excel (BOM, CRLF, title-case headers, a blank row, a new line
    inside a cell) read into events?"""
    events = read_chronology(FILES / "good" / "excel-export.csv", AGENCIES)
    assert [e.id for e in events] == ["ev1", "ev2"]
    first = events[0]
    assert first.event == "Child arrived hungry, with a burn"
    assert first.shared == [
        Shared(to="csc", date=dt.date(2022, 3, 16), method="phone", recorded=True),
        Shared(to="police", date=dt.datetime(2022, 3, 16, 14, 30), method="secure-email"),
    ]
    assert first.missed == [
        Missed(
            to="health-visiting",
            by=dt.date(2022, 3, 14),
            themes=["T6", "T10"],
            steps=["S2", "S3"],
        )
    ]
    assert events[1].date == dt.datetime(2022, 3, 16, 9, 15)
    assert events[1].known_by == ["csc", "school"]


def test_every_row_fault_in_one_pass():
    """Are all faults reported at once, each as row: column: message (header = row 1)?"""
    assert _problems(FILES / "bad" / "row-faults.csv") == [
        "2: date: '14/03/2022' is not a date; write YYYY-MM-DD or YYYY-MM-DD HH:MM",
        "3: date: '2022-02-30' is not a real date",
        "3: known_by: unknown agency 'nursery' (expected one of: csc, health-visiting, police,"
        " school)",
        "3: shared: 'csc 2022-03-16': a share starts TO@DATE, e.g. csc@2022-03-16",
        "4: event: required cell is empty",
        "4: missed: 'police T21 X': unexpected 'T21' (write TO [by DATE] then themes T1–T20 and"
        " steps S1–S10)",
        "4: missed: 'police T21 X': unexpected 'X' (write TO [by DATE] then themes T1–T20 and"
        " steps S1–S10)",
        "4: shared: 'csc@2022-03-21 phone letter': more than one method ('phone', 'letter')",
        "5: agency: 'Police' is not an agency id; ids use lower-case letters, digits and hyphens"
        " (e.g. health-visiting)",
        "5: id: 'Ev4' is not an event id; ids use lower-case letters, digits and hyphens"
        " (e.g. ev4)",
        "5: missed: 'csc by soon T6': by 'soon' is not a date; write YYYY-MM-DD or"
        " YYYY-MM-DD HH:MM",
        "6: id: duplicate event id 'ev1' (first on row 2)",
    ]


def test_agencies_are_checked_only_when_given():
    """Without the review's agency list, is an unknown (but well-formed) agency accepted?"""
    path = FILES / "good" / "excel-export.csv"
    with pytest.raises(CaseFileError, match="unknown agency 'police'"):
        read_chronology(path, ["school", "csc", "health-visiting"])
    assert len(read_chronology(path)) == 2


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("missing-column.csv", ["1: date: required column is missing"]),
        (
            "unknown-column.csv",
            ["1: notes: unknown column (id, date, agency, event, known_by, shared, missed)"],
        ),
        ("not-utf8.csv", ["0: file: not UTF-8 text; save it as 'CSV UTF-8'"]),
        ("empty.csv", ["1: header: the sheet is empty (no header)"]),
        ("header-only.csv", ["2: id: the sheet has no events"]),
    ],
)
def test_bad_files(name, expected):
    """Is each kind of broken file one clear problem, not a crash?"""
    assert _problems(FILES / "bad" / name) == expected


def test_unknown_suffix_and_missing_file(tmp_path):
    """Are a .txt file and a missing file reported as file problems?"""
    text = tmp_path / "chronology.txt"
    text.write_text("id,date\n")
    assert _problems(text) == ["0: file: unknown kind of file (expected .csv, .xlsx)"]
    assert _problems(tmp_path / "gone.csv") == ["0: file: no such file"]


def test_damaged_xlsx_is_a_problem(tmp_path):
    """Is a file that only claims to be XLSX reported, not raised as a zip error?"""
    fake = tmp_path / "chronology.xlsx"
    fake.write_bytes(b"PK\x03\x04 this is not really a workbook")
    assert _problems(fake) == ["0: file: not a readable XLSX workbook (BadZipFile)"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_round_trip(tmp_path, suffix):
    """Does a review's chronology come back unchanged from CSV and XLSX?"""
    review = load_case(REVIEW)
    path = write_chronology(review.chronology, tmp_path / f"chronology{suffix}", review.agencies)
    assert read_chronology(path, [a.id for a in review.agencies]) == review.chronology


def test_xlsx_keeps_agencies_and_real_dates(tmp_path):
    """Does the XLSX carry an agencies sheet and date cells a spreadsheet can sort?"""
    review = load_case(REVIEW)
    path = write_chronology(review.chronology, tmp_path / "c.xlsx", review.agencies)
    assert read_agencies(path) == review.agencies
    book = openpyxl.load_workbook(path)
    sheet = book["chronology"]
    assert [c.value for c in sheet[1]] == list(CHRONOLOGY_COLUMNS)
    assert sheet["B2"].is_date and sheet["B2"].number_format == "yyyy-mm-dd"
    assert read_agencies(write_chronology(review.chronology, tmp_path / "c.csv")) == []


def test_xlsx_cell_types(tmp_path):
    """Are a date-time cell, a number in a date column and a numeric id each handled?"""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "date", "agency", "event"])
    sheet.append([1, dt.datetime(2022, 3, 14, 9, 30), "school", "timed event"])
    sheet["B2"].number_format = "yyyy-mm-dd hh:mm"
    sheet.append(["ev2", 44634, "school", "serial number, not a date cell"])
    path = tmp_path / "typed.xlsx"
    book.save(path)
    assert _problems(path) == [
        "3: date: '44634' is not a date; format the cell as a date or write YYYY-MM-DD"
    ]
    sheet.delete_rows(3)
    book.save(path)
    (event,) = read_chronology(path)
    assert event.id == "1" and event.date == dt.datetime(2022, 3, 14, 9, 30)


cells = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.sampled_from(
        [
            "ev1",
            "2022-03-14",
            "school",
            "csc@2022-03-16 phone",
            "hv by 2022-13-01 T6 S2",
            "@",
            "@@",
            "by",
            "T21",
            ";;",
            "x@2022-02-30",
            "school;csc",
            "0000-00-00",
            "\x00",
        ]
    ),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=st.one_of(
        st.just(list(CHRONOLOGY_COLUMNS)),
        st.lists(st.sampled_from([*CHRONOLOGY_COLUMNS, "notes", "", "ID"]), max_size=9),
    ),
    rows=st.lists(st.lists(cells, max_size=9), max_size=6),
)
def test_csv_reader_only_raises_case_file_errors(tmp_path, header, rows):
    """Whatever the cells hold, does the reader return events or raise CaseFileError only?"""
    path = tmp_path / "random.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    try:
        events = read_chronology(path, AGENCIES)
    except CaseFileError as error:
        assert error.problems and all(p.file == str(path) for p in error.problems)
    else:
        assert events


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(content=st.binary(max_size=200))
def test_random_bytes_only_raise_case_file_errors(tmp_path, content):
    """Do arbitrary bytes named .csv or .xlsx give CaseFileError, never another exception?"""
    for name in ("random.csv", "random.xlsx"):
        path = tmp_path / name
        path.write_bytes(content)
        try:
            read_chronology(path)
        except CaseFileError:
            pass


def test_formula_text_is_written_as_text(tmp_path):
    """Does a cell like =HYPERLINK(...) come back from XLSX as text, not a live formula?"""
    import openpyxl

    from toolkit.cases.chronology_io import read_chronology, write_chronology
    from toolkit.cases.model import ReviewEvent

    hostile = '=HYPERLINK("http://evil.invalid","click")'
    event = ReviewEvent(id="ev1", date="2023-01-02", agency="school", event=hostile)
    path = write_chronology([event], tmp_path / "c.xlsx")
    cells = [c for row in openpyxl.load_workbook(path).active.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert read_chronology(path)[0].event == hostile
