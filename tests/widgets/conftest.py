"""Fixtures for the widget tests: small chronologies, and reading HTML tables back as text."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from toolkit.cases import load_case
from toolkit.cases.chronology_io import read_chronology
from toolkit.cases.model import Review
from toolkit.review import adhoc_review

FILES = Path(__file__).parent / "files"
# The analyses' own hand-worked chronology: its tables are worked out in tests/review/.
HAND_WORKED = Path(__file__).parents[1] / "review" / "files" / "hand-worked.yaml"


@pytest.fixture
def hand_worked() -> Review:
    """Six events over five agencies, with findings and two reviewers' codings."""
    return load_case(HAND_WORKED)


@pytest.fixture
def hostile() -> Review:
    """An uploaded CSV whose cells carry <script>, onerror= and =HYPERLINK(…)."""
    return adhoc_review(read_chronology(FILES / "hostile-cells.csv"))


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture
def table_rows() -> Callable[[str], list[list[str]]]:
    """Parse HTML into its table rows (header row first), each cell as its visible text."""

    def parse(html: str) -> list[list[str]]:
        parser = _Cells()
        parser.feed(html)
        return parser.rows

    return parse
