"""Uploaded chronologies: read from bytes, problems named for the file the reviewer chose."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.cases import hostile_sheets as hostile
from toolkit.app import uploads
from toolkit.app.uploads import display_name, first_upload, review_from_upload
from toolkit.cases import load_case
from toolkit.errors import CaseFileError

ROOT = Path(__file__).parents[2]
FILES = Path(__file__).parent / "files"
CHRONOLOGIES = ROOT / "case_studies" / "chronologies"


def test_bundled_xlsx_reads_as_its_review():
    """Does the bundled XLSX upload give the review's events and agency names back?"""
    content = (CHRONOLOGIES / "rv-neglect-jigsaw.xlsx").read_bytes()
    review = review_from_upload("rv-neglect-jigsaw.xlsx", content)
    original = load_case(ROOT / "case_studies" / "reviews" / "rv-neglect-jigsaw.yaml")
    assert review.chronology == original.chronology
    assert review.agencies == original.agencies
    assert review.title == "Uploaded chronology: rv-neglect-jigsaw.xlsx"
    assert review.codings == [] and review.findings == []


def test_csv_upload_names_its_agencies_by_id():
    """Does a CSV (which has no agencies sheet) give agencies named by their ids?"""
    content = (CHRONOLOGIES / "rv-wales-transitions.csv").read_bytes()
    review = review_from_upload("Chronology.CSV", content)
    assert len(review.chronology) == 23
    assert {a.name for a in review.agencies} == {a.id for a in review.agencies}


def test_problems_name_the_uploaded_file_not_the_temporary_copy():
    """Is every fault reported as upload-name:row: column: message, all in one pass?"""
    with pytest.raises(CaseFileError) as caught:
        review_from_upload("bad-rows.csv", (FILES / "bad-rows.csv").read_bytes())
    lines = [str(p) for p in caught.value.problems]
    assert lines == [
        "bad-rows.csv:2: date: '<script>alert(1)</script>' is not a date; "
        "write YYYY-MM-DD or YYYY-MM-DD HH:MM",
        "bad-rows.csv:3: agency: '<img src=x onerror=alert(2)>' is not an agency id; "
        "ids use lower-case letters, digits and hyphens (e.g. health-visiting)",
        "bad-rows.csv:4: event: required cell is empty",
        "bad-rows.csv:4: shared: 'csc@soon': 'soon' is not a date; "
        "write YYYY-MM-DD or YYYY-MM-DD HH:MM",
    ]


def test_agencies_sheet_and_rows_are_checked_together(tmp_path):
    """With an agencies sheet, is an agency it does not define a row problem?"""
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "chronology"
    book.active.append(["id", "date", "agency", "event"])
    book.active.append(["ev1", "2023-01-10", "nursery", "Bruise seen"])
    book.create_sheet("agencies").append(["id", "name", "sector"])
    book["agencies"].append(["school", "A school", "education"])
    book.save(tmp_path / "x.xlsx")
    with pytest.raises(CaseFileError) as caught:
        review_from_upload("x.xlsx", (tmp_path / "x.xlsx").read_bytes())
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.field) == ("x.xlsx", 2, "agency")


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("notes.txt", b"id,date", "upload a .csv or .xlsx file (this one is '.txt')"),
        ("chronology", b"id,date", "upload a .csv or .xlsx file (this one is 'no suffix')"),
        ("empty.csv", b"", "the file is empty"),
        ("fake.xlsx", b"id,date,agency,event\n", "not a readable XLSX workbook (BadZipFile)"),
    ],
)
def test_refused_uploads(name, content, message):
    """Are the wrong kind of file, an empty file and a fake workbook refused in words?"""
    with pytest.raises(CaseFileError) as caught:
        review_from_upload(name, content)
    [problem] = caught.value.problems
    assert problem.file == name
    assert problem.message == message


def test_large_uploads_are_refused(monkeypatch):
    """Is a file over the size limit refused before it is read?"""
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 10)
    with pytest.raises(CaseFileError, match="larger than"):
        review_from_upload("big.csv", b"id,date,agency,event\n")


def test_too_many_events_are_refused(monkeypatch):
    """Is a chronology with more events than the app draws refused, saying how many?"""
    monkeypatch.setattr(uploads, "MAX_UPLOAD_EVENTS", 3)
    content = (CHRONOLOGIES / "rv-wales-transitions.csv").read_bytes()
    with pytest.raises(CaseFileError, match="23 events is more than the 3"):
        review_from_upload("wales.csv", content)


@pytest.mark.parametrize(
    "name, shown",
    [
        ("chronology.csv", "chronology.csv"),
        ("C:\\Users\\reviewer\\chronology.xlsx", "chronology.xlsx"),
        ("../../etc/passwd.csv", "passwd.csv"),
        ("", "upload"),
    ],
)
def test_display_name_drops_folders(name, shown):
    """Is only the file's own name kept from whatever path a browser sends?"""
    assert display_name(name) == shown


def test_odd_names_are_read_safely():
    """Does a name with folders, spaces and markup still read, shown by its own name?"""
    content = (CHRONOLOGIES / "rv-wales-transitions.csv").read_bytes()
    review = review_from_upload("../<b>my chronology</b>.CSV", content)
    assert review.title == "Uploaded chronology: b>.CSV"


@pytest.mark.parametrize(
    "value, expected",
    [
        ((), None),
        (None, None),
        (({"name": "a.csv", "content": memoryview(b"id")},), ("a.csv", b"id")),
        (({"content": b""},), ("upload", b"")),
        (("not a file",), None),
    ],
)
def test_first_upload(value, expected):
    """Is the first file of a FileUpload value taken, and anything else ignored?"""
    assert first_upload(value) == expected


# --- hostile files (issue 15, finding 1) ------------------------------------------------------


@pytest.mark.timeout(60)
def test_declared_dimension_upload_reads_its_three_rows(tmp_path):
    """Does a 1.7 KB workbook claiming A1:XFD1048576 upload as its two events, at once?"""
    path = hostile.declared_dimension_xlsx(tmp_path / "dimension.xlsx")
    started = time.monotonic()
    review = review_from_upload("dimension.xlsx", path.read_bytes())
    assert [e.id for e in review.chronology] == ["ev1", "ev2"]
    assert time.monotonic() - started < 30


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "make, message",
    [
        (hostile.wide_rows_xlsx, "the sheets hold more than 200,000 cells"),
        (hostile.huge_shared_strings_xlsx, "the workbook unpacks to 60 MB of XML"),
        (hostile.wide_csv, "more than 200,000 cells"),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_hostile_uploads_are_refused_in_words(tmp_path, make, message):
    """Is each memory-exhausting upload refused with a sentence naming the uploaded file?"""
    suffix = ".csv" if make.__name__.endswith("csv") else ".xlsx"
    content = make(tmp_path / f"made{suffix}").read_bytes()
    assert len(content) <= uploads.MAX_UPLOAD_BYTES
    with pytest.raises(CaseFileError) as caught:
        review_from_upload(f"hostile{suffix}", content)
    [problem] = caught.value.problems
    assert problem.file == f"hostile{suffix}"
    assert message in problem.message and "save the chronology on its own" in problem.message


def test_an_upload_is_parsed_once_in_a_confined_child(monkeypatch):
    """Are the agencies sheet and the chronology read from one parse, in the child process?"""
    from toolkit.cases import chronology_io

    calls = []
    real = chronology_io.read_tables_confined
    monkeypatch.setattr(chronology_io, "read_tables", lambda *a: pytest.fail("in-process"))
    monkeypatch.setattr(
        chronology_io, "read_tables_confined", lambda *a: calls.append(a) or real(*a)
    )
    content = (CHRONOLOGIES / "rv-neglect-jigsaw.xlsx").read_bytes()
    review = review_from_upload("rv-neglect-jigsaw.xlsx", content)
    assert len(calls) == 1 and review.agencies and review.chronology


def test_problems_stop_at_the_cap(tmp_path):
    """Does a file with 2,000 faults list the first hundred or so, then say there are more?"""
    content = hostile.many_bad_rows_csv(tmp_path / "bad.csv").read_bytes()
    with pytest.raises(CaseFileError) as caught:
        review_from_upload("bad.csv", content)
    problems = caught.value.problems
    assert 100 <= len(problems) <= 110
    [more] = [p for p in problems if p.field == "file"]
    assert more.message == "more than 100 problems; fix these and read the file again"
