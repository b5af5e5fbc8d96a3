"""A learner's responses never crash scoring: any JSON gives a score or one ResponseError.

Responses arrive from files trainers paste together and from the app; CASE_FORMAT §4 says
unknown ids, off-path answers and malformed values give a clear error, never a crash.
Hypothesis sends arbitrary JSON, near-valid responses built from the scenario's own ids mixed
with junk, and arbitrary bytes as a RESPONSES.json file.
"""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.cases import load_case
from toolkit.errors import ResponseError
from toolkit.guidance import vocabulary
from toolkit.guidance.vocabulary import TELL_FAMILY, TIMINGS
from toolkit.scoring import score_attempt
from toolkit.scoring.fileio import read_responses
from toolkit.scoring.responses import PLAN_FIELDS, leads_to, parse_responses

REPO_ROOT = Path(__file__).resolve().parents[2]
SCENARIO = load_case(REPO_ROOT / "case_studies" / "scenarios" / "sc-nursery-bruising.yaml")
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=15,
)
decision_ids = [d.id for d in SCENARIO.decisions]
option_ids = sorted({o.id for d in SCENARIO.decisions for o in d.options})
plan_ids = sorted(
    {c.id for d in SCENARIO.decisions if d.plan for c in [*d.plan.items, *d.plan.recipients]}
)
vocab = vocabulary()


def some(ids: list[str]) -> st.SearchStrategy:
    """Mostly real ids, sometimes junk of any JSON type."""
    return st.one_of(st.sampled_from(ids), json_values) if ids else json_values


PLAN_PARTS = {
    "items": st.lists(some(plan_ids), max_size=4),
    "recipients": st.lists(some(plan_ids), max_size=4),
    "lawful_basis": some(sorted(vocab.bases)),
    "condition": some(sorted(vocab.conditions)),
    "timing": some(sorted(TIMINGS)),
    "tell_family": some(sorted(TELL_FAMILY)),
    "record": st.booleans() | json_values,
    "extra": json_values,
}
plans = st.fixed_dictionaries({}, optional=PLAN_PARTS)
answers = st.fixed_dictionaries(
    {"decision": some(decision_ids)},
    optional={
        "choice": some(option_ids),
        "choices": st.lists(some(option_ids), max_size=4) | json_values,
        "plan": plans | json_values,
        "rationale": st.text(max_size=80) | json_values,
    },
)
responses = st.fixed_dictionaries(
    {"answers": st.lists(answers, max_size=6) | json_values},
    optional={"scenario": some([SCENARIO.id]), "learner": some(["L-1"]), "x": json_values},
)


def _valid_answer(draw, decision) -> dict:
    options = [o.id for o in decision.options]
    if decision.type == "choice":
        return {"choice": draw(st.sampled_from(options))}
    if decision.type == "multi":
        return {"choices": draw(st.lists(st.sampled_from(options), unique=True))}
    plan = decision.plan
    return {
        "plan": {
            "items": draw(st.lists(st.sampled_from([c.id for c in plan.items]), unique=True)),
            "recipients": draw(
                st.lists(st.sampled_from([c.id for c in plan.recipients]), unique=True)
            ),
            "lawful_basis": draw(st.sampled_from(sorted(vocab.bases))),
            "condition": draw(st.sampled_from(sorted(vocab.conditions))),
            "timing": draw(st.sampled_from(sorted(TIMINGS))),
            "tell_family": draw(st.sampled_from(sorted(TELL_FAMILY))),
            "record": draw(st.booleans()),
        }
    }


@st.composite
def walked(draw) -> dict:
    """Answers along the learner's own path, in any order; now and then one key is junk."""
    by_id = {d.id: d for d in SCENARIO.decisions}
    given, here = [], SCENARIO.decisions[0].id
    while here in by_id and draw(st.integers(0, 7)) > 0:
        answer = {"decision": here, **_valid_answer(draw, by_id[here])}
        if draw(st.booleans()):
            answer["rationale"] = draw(st.text(max_size=200))
        given.append(answer)
        here = leads_to(SCENARIO, here, answer.get("choice"))
    if given and draw(st.integers(0, 3)) == 0:
        victim = draw(st.sampled_from(given))
        victim[draw(st.sampled_from(sorted(victim)))] = draw(json_values)
    return {"scenario": SCENARIO.id, "learner": "L-1", "answers": draw(st.permutations(given))}


def score_or_refuse(raw: object) -> None:
    """parse_responses and score_attempt each return, or raise ResponseError only."""
    try:
        parsed = parse_responses(SCENARIO, raw)
    except ResponseError as error:
        assert str(error).strip()
    else:
        assert set(parsed.path) <= set(decision_ids)
    try:
        report = score_attempt(SCENARIO, raw).to_dict()
    except ResponseError as error:
        assert str(error).strip() and "\n" not in str(error), "one line, for the CLI"
    else:
        assert 0 <= report["score"] <= 1
        json.dumps(report)  # the CLI prints it as JSON


@FUZZ
@given(json_values)
def test_any_json(raw):
    """Does any JSON value give a score or a ResponseError?"""
    score_or_refuse(raw)


@FUZZ
@given(responses | walked())
def test_near_valid_responses(raw):
    """Do responses built from real ids mixed with junk give a score or a ResponseError?"""
    score_or_refuse(raw)


def test_plan_fields_cover_the_contract():
    """Does the generator try every field a share-plan answer may carry?"""
    assert set(PLAN_FIELDS) <= set(PLAN_PARTS)


WORK = Path(tempfile.mkdtemp(prefix="safeshare-responses-"))
atexit.register(shutil.rmtree, WORK, ignore_errors=True)  # Hypothesis cannot use tmp_path


@FUZZ
@given(st.binary(max_size=200))
def test_any_file(content):
    """Do arbitrary bytes as RESPONSES.json give decoded JSON or a ResponseError?"""
    path = WORK / "responses.json"
    path.write_bytes(content)
    try:
        read_responses(path)
    except ResponseError as error:
        assert str(path) in str(error)
