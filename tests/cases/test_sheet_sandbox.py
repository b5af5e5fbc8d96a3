"""Tests for toolkit.cases.sheet_sandbox: a spreadsheet read in a child under limits."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.cases import hostile_sheets as hostile
from toolkit.cases.sheet_sandbox import Confinement, read_tables_confined
from toolkit.cases.sheets import SheetCaps, Unreadable, read_tables

ROOT = Path(__file__).parents[2]
CHRONOLOGIES = ROOT / "case_studies" / "chronologies"
# Caps that let anything through, so that only the child's limits stand in the way.
NO_CAPS = SheetCaps(10**7, 20_000, 10**9, 10**11, 10**11)


def _refusal(path: Path, limits: Confinement) -> str:
    with pytest.raises(Unreadable) as caught:
        read_tables_confined(path, NO_CAPS, limits)
    return caught.value.problem.message


@pytest.mark.parametrize("name", ["rv-neglect-jigsaw.xlsx", "rv-wales-transitions.csv"])
def test_tables_come_back_as_read_in_process(name):
    """Do the child's tables (dates, times, numbers, text) equal an in-process read?"""
    path = CHRONOLOGIES / name
    assert read_tables_confined(path) == read_tables(path)


def test_the_files_own_problem_comes_back(tmp_path):
    """Is a file problem found in the child raised in the caller, word for word?"""
    path = hostile.wide_rows_xlsx(tmp_path / "wide.xlsx")
    with pytest.raises(Unreadable) as caught:
        read_tables_confined(path)
    assert caught.value.problem == pytest.raises(Unreadable, read_tables, path).value.problem


def test_cpu_limit(tmp_path):
    """Is a read that would take minutes of CPU stopped at the limit, with a sentence?"""
    path = hostile.wide_rows_xlsx(tmp_path / "wide.xlsx", rows=300)
    message = _refusal(path, Confinement(cpu_seconds=1, wall_seconds=60))
    assert message.startswith("reading the file took longer than 1 s; save the chronology")


def test_wall_limit(tmp_path):
    """Is the child stopped after the wall time even when it has CPU time left?"""
    path = hostile.wide_rows_xlsx(tmp_path / "wide.xlsx", rows=300)
    message = _refusal(path, Confinement(cpu_seconds=60, wall_seconds=1.5))
    assert message.startswith("reading the file took longer than 1.5 s")


def test_memory_limit(tmp_path):
    """Does a read that needs more memory than allowed fail in the child, with a sentence?"""
    path = hostile.huge_shared_strings_xlsx(tmp_path / "strings.xlsx", megabytes=150)
    message = _refusal(path, Confinement(memory_bytes=320 * 2**20))
    assert message.startswith("reading the file needed more than 320 MB of memory")


def test_a_child_that_dies_is_a_plain_problem(tmp_path, monkeypatch, caplog):
    """If the child gives no answer at all, is that a sentence (and a log line), not a crash?"""
    monkeypatch.setattr(sys, "executable", "/bin/false")
    message = _refusal(hostile.plain_xlsx(tmp_path / "plain.xlsx"), Confinement())
    assert message.startswith("the file could not be read (the reader stopped)")
    assert "sheet reader exited 1" in caplog.text
