"""The scorer's English feedback lines, said in Welsh on a Welsh page."""

from __future__ import annotations

import itertools
from pathlib import Path
from types import SimpleNamespace

import pytest

from toolkit.cases import load_library
from toolkit.guidance import vocabulary
from toolkit.i18n import translator
from toolkit.scoring.decisions import mark_multi
from toolkit.scoring.feedback import (
    misconception_line,
    missing_concept_line,
    no_rationale_line,
    short_rationale_line,
)
from toolkit.scoring.rationale import analyse
from toolkit.scoring.reasoning import mark_rationale
from toolkit.scoring.responses import PlanAnswer
from toolkit.scoring.share_plan import mark_plan
from toolkit.widgets.scored_text import translate_line

REPO = Path(__file__).parents[2]
CY = translator("cy")
RATIONALES = [
    "",
    "ok",
    "I must get consent from mum first and GDPR stops me sharing anything without proof.",
    "Risk of significant harm, so I refer to children's social care today and record why.",
]


def _plans(decision):
    plan, vocab = decision.plan, vocabulary()
    items = [c.id for c in plan.items]
    people = [c.id for c in plan.recipients]
    bases = [None, *vocab.bases]
    conditions = [None, *vocab.conditions]
    timings = ["now", "today", "after-meeting", "not-needed"]
    families = ["yes-first", "yes-after", "not-if-risk", "no"]
    for n, (basis, condition) in enumerate(itertools.zip_longest(bases, conditions)):
        ticked = [] if basis is None else items[: 1 + n % len(items)]
        yield {
            "items": ticked,
            "recipients": [] if basis is None else people[n % len(people) :],
            "lawful_basis": basis,
            "condition": condition if ticked else None,
            "timing": timings[n % 4],
            "tell_family": families[n % 4],
            "record": n % 2 == 0,
        }


def _answers(decision):
    if decision.type == "multi":
        ids = [o.id for o in decision.options]
        for choices in ([], ids[:1], ids, ids[1:]):
            yield {"choices": choices}
    elif decision.type == "share-plan":
        for plan in _plans(decision):
            yield {"plan": plan}


def scorer_lines():
    """Every line the scorer writes for multi and share-plan answers and for rationales,
    over every decision in the library (option feedback of a choice is case text)."""
    library = load_library([REPO / "case_studies" / "scenarios"])
    lines = set()
    for scenario in library.scenarios.values():
        for decision in scenario.decisions:
            for answer in _answers(decision):
                if "plan" in answer:
                    plan = PlanAnswer(
                        **{
                            k: tuple(v) if isinstance(v, list) else v
                            for k, v in answer["plan"].items()
                        }
                    )
                    lines.update(mark_plan(decision.plan, plan).feedback)
                else:
                    lines.update(mark_multi(decision, SimpleNamespace(**answer)).feedback)
            for text in RATIONALES:
                lines.update(mark_rationale(decision, text, analyse).feedback)
    options = {
        o.feedback for s in library.scenarios.values() for d in s.decisions for o in d.options
    }
    return sorted(line for line in lines if line not in options)


def vocabulary_lines():
    vocab = vocabulary()
    yield from (misconception_line(m) for m in vocab.misconceptions)
    yield from (missing_concept_line(c) for c in vocab.concepts)
    yield short_rationale_line(1, 10)
    yield short_rationale_line(4, 10)
    yield no_rationale_line(3)


LINES = sorted(set(scorer_lines()) | set(vocabulary_lines()))


def test_the_library_gives_many_lines():
    """Does the sample cover the scorer's kinds of line (plan fields, rationale, multi)?"""
    assert len(LINES) > 100
    for start in (
        "What to share",
        "Who to tell",
        "Lawful basis",
        "When",
        "You ticked",
        "A common worry",
        "Your reasoning could also show",
    ):
        assert any(line.startswith(start) for line in LINES), start


@pytest.mark.parametrize("line", LINES, ids=lambda line: line[:60])
def test_every_scorer_line_is_said_in_welsh(line):
    """Is each line the scorer writes matched and said in Welsh, its step ids kept?"""
    said = translate_line(CY, line)
    assert said != line, "no Welsh message matched this line"
    for step in [w.strip("(),.") for w in line.split() if w.strip("(),.").startswith("S")]:
        if step[1:].isdigit():
            assert step in said


def test_english_lines_are_unchanged():
    """On an English page, is every line shown exactly as the scorer wrote it?"""
    en = translator("en")
    assert all(translate_line(en, line) == line for line in LINES)


def test_case_text_is_kept_inside_a_line():
    """Are a plan's items (case text) quoted as written inside the Welsh line?"""
    line = "What to share (S2, S7): The recipient also needs “Dated notes”; “Body map”."
    said = translate_line(CY, line)
    assert (
        said == "Beth i'w rannu (S2, S7): Mae'r derbynnydd hefyd angen “Dated notes”; “Body map”."
    )
