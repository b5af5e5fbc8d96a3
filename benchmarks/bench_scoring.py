"""Whole-cohort scoring benchmark: 1,000 learners × 12 decisions, every decision with a rationale.

Run: ``uv run python benchmarks/bench_scoring.py [--learners 1000] [--runs 5]``.

The 12-decision scenario is the example's main line (d1, d2, d3, d4) three times over,
each copy asking for a rationale; learners' answers and rationales are drawn with a fixed
seed from a pool of sentences (good, partial, confused, negated, off-topic), so every run
scores the same cohort. Timed: ``score_attempt`` on each learner's raw RESPONSES dict,
parsing and path-following included. A second line times the same cohort with a
do-nothing detector, to show what the scoring core costs apart from rationale analysis.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from toolkit.cases import load_case  # noqa: E402
from toolkit.cases.model import Scenario  # noqa: E402
from toolkit.scoring import score_attempt  # noqa: E402
from toolkit.scoring.report import default_analyser  # noqa: E402

EXAMPLE = ROOT / "case_studies" / "scenarios" / "sc-nursery-bruising.yaml"
MAIN_LINE = ("d1", "d2", "d3", "d4")
EXTRA_RATIONALES = {
    "d2": {"C-lawful-basis": 1, "C-special-category": 1, "C-consent-not-basis": 1},
    "d4": {"C-emergency-action": 2, "C-record-decision": 1},
}
SENTENCES = [
    "Unexplained bruises on a toddler who flinches suggest a risk of significant harm.",
    "I would refer to the children's services front door today rather than wait for proof.",
    "I would record what was seen, what I decided and why.",
    "I will share only the body map, notes and attendance, not the whole file.",
    "We rely on legitimate interests as our lawful basis.",
    "Injuries are health data so the safeguarding condition in Schedule 1 paragraph 18 applies.",
    "I will not tell Mother first because it could put the child at more risk.",
    "I would send the referral by secure email to the named duty worker.",
    "Consent is not needed here and asking could alert the person causing harm.",
    "This is an emergency so I would call 999 at once and write it up afterwards.",
    "We need the parents' consent before we share anything about a child.",
    "I would wait until we are sure it is abuse before telling anyone.",
    "The health visitor probably already knows about this family.",
    "GDPR means we cannot pass on health information without permission.",
    "I would send them everything we hold so nothing is missed.",
    "The family must always be told first.",
    "There is no need to write anything down.",
    "The owner has to sign the form before we call the police.",
    "I would not wait for proof before sharing a concern.",
    "I would talk to my manager but not let that delay the referral.",
    "The nursery lunch menu changed last week and the children liked it.",
    "risk harm consent lawful basis minimisation record secure timely",
    "I'm not sure what to do, maybe ask someone.",
    "I'd keep fact apart from opinion when I write the referral.",
    "Child A seemed frightened and we should listen to what they say.",
]


def twelve_decisions(base: Scenario) -> Scenario:
    """The example's main line three times over, in a straight line, each with a rationale."""
    raw = base.model_dump(exclude_none=True)
    by_id = {d["id"]: d for d in raw["decisions"]}
    decisions = []
    for round_ in range(3):
        for did in MAIN_LINE:
            decision = {**by_id[did], "id": f"{did}-{round_}"}
            decision["options"] = [{**o, "next": None} for o in decision.get("options", [])]
            if "rationale" not in decision:
                decision["rationale"] = {"expect": EXTRA_RATIONALES[did], "min_words": 10}
            decisions.append(decision)
    for here, after in zip(decisions, decisions[1:], strict=False):
        here["next"] = after["id"]
    decisions[-1]["next"] = "e-protected"
    return Scenario.model_validate({**raw, "decisions": decisions})


def learner(scenario: Scenario, number: int, rng: random.Random) -> dict:
    answers = []
    for decision in scenario.decisions:
        answer: dict = {"decision": decision.id}
        if decision.type == "choice":
            answer["choice"] = rng.choice(decision.options).id
        elif decision.type == "multi":
            answer["choices"] = [o.id for o in decision.options if rng.random() < 0.5]
        else:
            answer["plan"] = plan(decision, rng)
        answer["rationale"] = " ".join(rng.sample(SENTENCES, rng.randint(1, 4)))
        answers.append(answer)
    return {"scenario": scenario.id, "learner": f"L-{number:04d}", "answers": answers}


def plan(decision, rng: random.Random) -> dict:
    p = decision.plan
    return {
        "items": [i.id for i in p.items if rng.random() < 0.6],
        "recipients": [r.id for r in p.recipients if rng.random() < 0.6],
        "lawful_basis": rng.choice([*p.lawful_basis, "consent", "public-task"]),
        "condition": rng.choice([*p.condition, "explicit-consent"]),
        "timing": rng.choice(["now", "today", "after-meeting"]),
        "tell_family": rng.choice(["yes-first", "yes-after", "not-if-risk", "no"]),
        "record": rng.random() < 0.7,
    }


def null_analyser(text: str) -> SimpleNamespace:
    return SimpleNamespace(concepts=(), misconceptions=(), evidence=())


def timed(scenario: Scenario, cohort: list[dict], analyse, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for responses in cohort:
            score_attempt(scenario, responses, analyse=analyse)
        times.append(time.perf_counter() - start)
    return times


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{platform.system()} {platform.release()}, {model}, {os.cpu_count()} logical CPUs, "
        f"Python {platform.python_version()} ({platform.python_implementation()})"
    )


def report(label: str, times: list[float], learners: int, decisions: int) -> None:
    median = statistics.median(times)
    rate = learners * decisions / median
    print(
        f"{label}: median {median:.3f} s, min {min(times):.3f} s, max {max(times):.3f} s "
        f"over {len(times)} runs — {1000 * median / learners:.2f} ms/learner, "
        f"{rate:,.0f} decisions/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    scenario = twelve_decisions(load_case(EXAMPLE))
    rng = random.Random(20250601)
    cohort = [learner(scenario, n, rng) for n in range(args.learners)]
    n_decisions = len(scenario.decisions)
    print(f"machine: {machine()}")
    print(f"cohort: {args.learners} learners × {n_decisions} decisions, a rationale on each")
    analyse = default_analyser()
    timed(scenario, cohort[:20], analyse, 1)  # warm-up: compile patterns, load vocabulary
    report(
        "whole cohort, with rationale detector",
        timed(scenario, cohort, analyse, args.runs),
        args.learners,
        n_decisions,
    )
    report(
        "whole cohort, scoring core only (null detector)",
        timed(scenario, cohort, null_analyser, args.runs),
        args.learners,
        n_decisions,
    )


if __name__ == "__main__":
    main()
