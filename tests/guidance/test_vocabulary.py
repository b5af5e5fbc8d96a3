"""Tests for toolkit/guidance/vocabulary.py: ids match CASE_FORMAT §1; the content is complete.

The contract's tables are embedded below, so the test runs anywhere; when the shared
CASE_FORMAT.md (and the dossier) sit beside the checkout, they are parsed and compared too,
catching drift between this copy and the source of truth.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from toolkit.guidance.vocabulary import (
    concepts_for_step,
    sources,
    steps_for_concept,
    steps_for_misconception,
    steps_for_theme,
    themes_for_step,
    vocabulary,
)

# --- The contract (CASE_FORMAT §1), embedded -------------------------------------------------

STEP_HEADINGS = {
    "S1": "Be clear about how data protection can help you share information to safeguard a child",
    "S2": "Identify your objective for sharing information, and share the information you need "
    "to, in order to safeguard a child",
    "S3": "Develop clear and secure policies and systems for sharing information",
    "S4": "Be clear about transparency and individual rights",
    "S5": "Assess the risks and share as needed",
    "S6": "Enter into a data sharing agreement",
    "S7": "Follow the data protection principles",
    "S8": "Share information using the right lawful basis",
    "S9": "Share information in an emergency",
    "S10": "Read our data sharing code of practice",
}
BASES = """
consent contract legal-obligation vital-interests public-task legitimate-interests
recognised-legitimate-interests
""".split()
CONDITIONS = """
none-needed explicit-consent vital-interests-9c health-social-care statutory-purposes
safeguarding-children law-enforcement-sch8
""".split()
PRINCIPLES = """
P-lawful-fair-transparent P-purpose-limitation P-minimisation P-accuracy
P-storage-limitation P-security P-accountability
""".split()
CONCEPT_STEPS = {
    "C-risk-of-harm": ("S1", "S2", "S5"),
    "C-objective": ("S2",),
    "C-minimum-necessary": ("S2", "S7"),
    "C-lawful-basis": ("S8",),
    "C-special-category": ("S8",),
    "C-consent-not-basis": ("S4", "S8"),
    "C-transparency": ("S4",),
    "C-withhold-notice-if-risk": ("S4",),
    "C-record-decision": ("S3", "S7"),
    "C-timely": ("S5", "S9"),
    "C-emergency-action": ("S9",),
    "C-accuracy": ("S7",),
    "C-secure-channel": ("S3", "S7"),
    "C-right-recipient": ("S2", "S5"),
    "C-seek-advice": ("S1", "S3"),
    "C-child-voice": ("S4",),
    "C-agreement-policy": ("S3", "S6"),
}
MISCONCEPTIONS = """
M-consent-always M-dp-barrier M-wait-for-proof M-assume-others-know M-tell-family-always
M-share-everything M-no-record M-paperwork-first M-confidentiality-absolute
""".split()
THEMES = [f"T{n}" for n in range(1, 21)]
NATIONS = ["england", "wales", "scotland", "northern-ireland", "uk"]
SECTORS = """
education early-years health police social-care housing voluntary youth probation
adult-services
""".split()
# Dossier §4.2, "ICO step(s)" column.
THEME_STEPS = {
    "T1": {"S1", "S8", "S10"},
    "T2": {"S4", "S8"},
    "T3": {"S1", "S7", "S8"},
    "T4": {"S2", "S3", "S6"},
    "T5": {"S2", "S3"},
    "T6": {"S3", "S6"},
    "T7": {"S3", "S6"},
    "T8": {"S3"},
    "T9": {"S3"},
    "T10": {"S3", "S7"},
    "T11": {"S3", "S7"},
    "T12": {"S2", "S7"},
    "T13": {"S5", "S6", "S9"},
    "T14": {"S2", "S3"},
    "T15": {"S2", "S4"},
    "T16": {"S2", "S4"},
    "T17": {"S2", "S4"},
    "T18": {"S2", "S6"},
    "T19": {"S2", "S8"},
    "T20": {"S3"},
}

EXPECTED_IDS = {
    "steps": list(STEP_HEADINGS),
    "bases": BASES,
    "conditions": CONDITIONS,
    "principles": PRINCIPLES,
    "concepts": list(CONCEPT_STEPS),
    "misconceptions": MISCONCEPTIONS,
    "themes": THEMES,
    "nations": NATIONS,
    "sectors": SECTORS,
}

VOCAB = vocabulary()


@pytest.mark.parametrize("table", list(EXPECTED_IDS))
def test_ids_match_contract(table: str) -> None:
    """Does each table hold exactly the contract's ids — none missing, none extra, in order?"""
    assert list(getattr(VOCAB, table)) == EXPECTED_IDS[table]


def test_step_headings_are_as_published() -> None:
    """Is every step heading the ICO's exact published wording?"""
    assert {s.id: s.heading for s in VOCAB.steps.values()} == STEP_HEADINGS


def test_concept_steps_match_contract() -> None:
    """Does every concept link to exactly the steps in the contract's table?"""
    assert {c: steps_for_concept(c) for c in VOCAB.concepts} == CONCEPT_STEPS


def test_theme_steps_match_dossier() -> None:
    """Does every theme map to exactly the dossier's ICO steps?"""
    assert {t: set(steps_for_theme(t)) for t in VOCAB.themes} == THEME_STEPS


# --- Comparison with the shared contract, when it is beside the checkout --------------------

ROOT = Path(__file__).resolve().parents[2]


def _shared(name: str) -> Path | None:
    for path in (Path("/work/shared") / name, ROOT.parent / "shared" / name):
        if path.is_file():
            return path
    return None


def _paragraph(text: str, marker: str) -> str:
    """The text from ``marker`` to the next blank line or the next bold-led line."""
    start = text.index(marker)
    end = re.search(r"\n\n|\n\*\*", text[start:])
    return text[start : start + end.start()] if end else text[start:]


def _backticked(text: str, marker: str) -> list[str]:
    return re.findall(r"`([A-Za-z0-9-]+)`", _paragraph(text, marker))


def _contract() -> dict[str, object]:
    path = _shared("CASE_FORMAT.md")
    if path is None:
        pytest.skip("CASE_FORMAT.md is not beside this checkout")
    text = path.read_text("utf-8")
    first, last = re.search(r"ids are `T(\d+)` … `T(\d+)`", text).groups()
    return {
        "headings": dict(re.findall(r"^\| (S\d+) \| (.+?) \|$", text, re.M)),
        "concepts": {
            cid: (shows, tuple(steps.split()))
            for cid, shows, steps in re.findall(
                r"^\| (C-[a-z-]+) \| (.+?) \| ([S\d ]+?) \|$", text, re.M
            )
        },
        "misconceptions": dict(re.findall(r"^\| (M-[a-z-]+) \| (.+?) \|$", text, re.M)),
        "bases": _backticked(text, "**Article 6 lawful bases**"),
        "conditions": _backticked(text, "**Special category / criminal data conditions**"),
        "principles": _backticked(text, "**Principles (UK GDPR Art 5)**"),
        "nations": _backticked(text, "**Nations**"),
        "sectors": _backticked(text, "**Sectors**"),
        "themes": [f"T{n}" for n in range(int(first), int(last) + 1)],
    }


def test_embedded_tables_match_shared_contract() -> None:
    """Does the contract copy in this test still match CASE_FORMAT.md itself?"""
    contract = _contract()
    assert contract["headings"] == STEP_HEADINGS
    assert {c: steps for c, (_, steps) in contract["concepts"].items()} == CONCEPT_STEPS
    assert list(contract["misconceptions"]) == MISCONCEPTIONS
    for table in ("bases", "conditions", "principles", "nations", "sectors", "themes"):
        assert contract[table] == EXPECTED_IDS[table], table


def test_contract_wording_is_kept() -> None:
    """Do concepts' `shows` and misconceptions' `belief` keep the contract's wording?"""
    contract = _contract()
    assert {c.id: c.shows for c in VOCAB.concepts.values()} == {
        c: shows for c, (shows, _) in contract["concepts"].items()
    }
    assert {m.id: m.belief for m in VOCAB.misconceptions.values()} == contract["misconceptions"]


def test_theme_steps_match_shared_dossier() -> None:
    """Does the embedded theme→steps table still match the dossier's §4.2 column?"""
    path = _shared("reference/guidance-dossier.md")
    if path is None:
        pytest.skip("the guidance dossier is not beside this checkout")
    rows = re.findall(r"^\| (T\d+) \| [^|]+\| [^|]+\| ([^|]+)\|", path.read_text("utf-8"), re.M)
    parsed = {t: {f"S{n}" for n in re.findall(r"\d+", cell.split(";")[0])} for t, cell in rows}
    assert parsed == THEME_STEPS


# --- Content completeness ---------------------------------------------------------------------

STEP_IDS = set(STEP_HEADINGS)


def _sentences(text: str) -> int:
    return len(re.findall(r"[.!?](?:\s|$)", text.strip()))


@pytest.mark.parametrize("step_id", list(STEP_HEADINGS))
def test_step_has_learner_content(step_id: str) -> None:
    """Has every step a 3–6 word label, a 2–3 sentence summary, 3–6 key points and sources?"""
    step = VOCAB.step(step_id)
    assert 3 <= len(step.short.split()) <= 6, step.short
    assert 2 <= _sentences(step.summary) <= 3, step.summary
    assert 3 <= len(step.key_points) <= 6
    assert all(point.strip() for point in step.key_points)
    assert step.sources


@pytest.mark.parametrize("table", ["bases", "conditions", "principles"])
def test_legal_terms_have_summary_steps_sources(table: str) -> None:
    """Does every basis, condition and principle say when it fits, which steps, and from where?"""
    for term in getattr(VOCAB, table).values():
        assert term.summary.strip(), term.id
        assert term.steps and set(term.steps) <= STEP_IDS, term.id
        assert term.sources, term.id


def test_caveats_are_taught() -> None:
    """Do the summaries carry the caveats learners most often get wrong?"""
    assert "Public authorities cannot use it" in VOCAB.bases["legitimate-interests"].summary
    assert "rarely the right basis" in VOCAB.bases["consent"].summary.lower()
    assert "capable of consenting refuses" in VOCAB.conditions["vital-interests-9c"].summary


def test_misconceptions_have_corrections() -> None:
    """Does every misconception carry a correction, valid steps and sources?"""
    for record in VOCAB.misconceptions.values():
        assert 1 <= _sentences(record.correction) <= 3, record.id
        assert record.steps and set(record.steps) <= STEP_IDS, record.id
        assert record.sources, record.id


def test_themes_have_descriptions_and_valid_steps() -> None:
    """Has every theme T1–T20 a description, steps that are real step ids, and sources?"""
    for theme in VOCAB.themes.values():
        assert theme.description.strip(), theme.id
        assert theme.steps and set(theme.steps) <= STEP_IDS, theme.id
        assert theme.sources, theme.id


def test_nations_have_framework_and_review() -> None:
    """Has every nation a framework, a review type, local terms, notes and sources?"""
    for nation in VOCAB.nations.values():
        assert nation.framework.strip(), nation.id
        assert nation.review_type.strip(), nation.id
        assert "lead_guidance" in nation.terms, nation.id
        assert nation.notes and nation.sources, nation.id


def test_nation_differences_are_recorded() -> None:
    """Are the nation differences that change answers in a scenario recorded where they apply?"""
    scotland = " ".join(VOCAB.nation("scotland").notes)
    assert "does not apply in Scotland" in scotland and "12 or older" in scotland
    assert "offence" in " ".join(VOCAB.nation("northern-ireland").notes)
    reviews = {n: VOCAB.nation(n).review_type for n in NATIONS[:4]}
    assert reviews["wales"] == "Single Unified Safeguarding Review"
    assert reviews["scotland"] == "Learning Review"
    assert reviews["northern-ireland"] == "Case Management Review"


def test_sectors_have_summaries() -> None:
    """Does every sector say what part it plays in sharing information?"""
    for sector in VOCAB.sectors.values():
        assert sector.summary.strip() and sector.sources, sector.id


def _cited() -> set[str]:
    cited: set[str] = set()
    for table in EXPECTED_IDS:
        for record in getattr(VOCAB, table).values():
            cited.update(getattr(record, "sources", ()))
    return cited


def test_cited_sources_are_listed() -> None:
    """Is every cited short title in sources.yaml, so a learner can look it up?"""
    assert _cited() - set(sources()) == set()


def test_every_listed_source_is_cited() -> None:
    """Does sources.yaml list only sources something cites (the data files or the SIN table)?"""
    from toolkit.guidance.notifications import serious_incident_notifications

    cited = _cited() | {row["source"] for row in serious_incident_notifications()}
    assert set(sources()) - cited == set()


def _shingles(text: str, size: int) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def test_prose_is_not_pasted_from_the_dossier() -> None:
    """Is the learner-facing prose our own words, with no 10-word run copied from the dossier?"""
    path = _shared("reference/guidance-dossier.md")
    if path is None:
        pytest.skip("the guidance dossier is not beside this checkout")
    dossier = _shingles(path.read_text("utf-8"), 10)
    prose = [s.summary for s in VOCAB.steps.values()]
    prose += [p for s in VOCAB.steps.values() for p in s.key_points]
    for table in ("bases", "conditions", "principles", "sectors"):
        prose += [t.summary for t in getattr(VOCAB, table).values()]
    prose += [m.correction for m in VOCAB.misconceptions.values()]
    prose += [t.description for t in VOCAB.themes.values()]
    prose += [n for nation in VOCAB.nations.values() for n in nation.notes]
    copied = [text for text in prose if _shingles(text, 10) & dossier]
    assert copied == []


# --- Helpers -------------------------------------------------------------------------------------


def test_reverse_lookups_agree_with_forward_ones() -> None:
    """Does each step's concept and theme list agree with the concepts' and themes' own steps?"""
    for step_id in STEP_HEADINGS:
        assert set(concepts_for_step(step_id)) == {
            c for c, steps in CONCEPT_STEPS.items() if step_id in steps
        }
        assert set(themes_for_step(step_id)) == {
            t for t, steps in THEME_STEPS.items() if step_id in steps
        }
    assert steps_for_misconception("M-paperwork-first") == ("S9",)


@pytest.mark.parametrize(
    "lookup, bad",
    [
        (steps_for_concept, "C-nonsense"),
        (steps_for_misconception, "M-nonsense"),
        (steps_for_theme, "T21"),
        (concepts_for_step, "S11"),
        (themes_for_step, "S0"),
    ],
)
def test_unknown_ids_raise_key_error(lookup, bad: str) -> None:
    """Does a look-up of an id the contract does not define fail loudly, not return nothing?"""
    with pytest.raises(KeyError):
        lookup(bad)
