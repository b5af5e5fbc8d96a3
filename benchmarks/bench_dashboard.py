"""Trainer dashboard refresh for a 200-learner cohort: budget 300 ms per refresh.

Run: ``uv run python benchmarks/bench_dashboard.py [--learners 200] [--runs 15]
[--database-url URL]`` (default: a fresh SQLite file in a temp folder).

The cohort plays the example scenario's main line (d1 → d2 → d3 → d4) with answers and
rationales drawn with a fixed seed; a quarter stop part way, as a live room would, and a
few answers carry a trainer's override. Each answer's result comes from the real scorer.
One refresh is what the trainer app's background thread does every few seconds: read the
cohort (only answers stored since the last refresh, overrides and attempts afresh), build
the tidy frames (answers marked on an earlier refresh come from the app's cache), aggregate,
update the dashboard widgets. The first refresh, with nothing kept, is reported on its own.
Each stage is timed separately; the script exits 1 if the median refresh is over budget.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from toolkit.cases import load_case  # noqa: E402
from toolkit.export.frames import cohort_frames  # noqa: E402
from toolkit.scoring import score_attempt  # noqa: E402
from toolkit.storage import open_store  # noqa: E402
from toolkit.widgets.dashboard import LiveDashboard  # noqa: E402
from toolkit.workshop import live  # noqa: E402
from toolkit.workshop.cohorts import cohort_record  # noqa: E402

EXAMPLE = ROOT / "case_studies" / "scenarios" / "sc-nursery-bruising.yaml"
BUDGET_MS = 300.0
SENTENCES = [
    "Unexplained bruises on a toddler who flinches suggest a risk of significant harm.",
    "I would refer to the children's services front door today rather than wait for proof.",
    "I would record what was seen, what I decided and why.",
    "I will share only the body map, notes and attendance, not the whole file.",
    "We rely on legitimate interests as our lawful basis.",
    "I will not tell Mother first because it could put the child at more risk.",
    "We need the parents' consent before we share anything about a child.",
    "I would wait until we are sure it is abuse before telling anyone.",
    "The health visitor probably already knows about this family.",
    "I'm not sure what to do, maybe ask someone.",
]


def answers_for(scenario, rng: random.Random) -> list[dict]:
    """A main-line answer sheet (d1 options that lead on to d2), cut short a quarter of the time."""
    plan = scenario.decision("d3").plan
    sheet = [
        {
            "decision": "d1",
            "choice": rng.choice("acd"),
            "rationale": " ".join(rng.sample(SENTENCES, 2)),
        },
        {"decision": "d2", "choices": [o for o in "abcd" if rng.random() < 0.5]},
        {
            "decision": "d3",
            "rationale": " ".join(rng.sample(SENTENCES, 3)),
            "plan": {
                "items": [i.id for i in plan.items if rng.random() < 0.6],
                "recipients": [r.id for r in plan.recipients if rng.random() < 0.6],
                "lawful_basis": rng.choice(["legitimate-interests", "consent", "public-task"]),
                "condition": rng.choice(["safeguarding-children", "explicit-consent"]),
                "timing": rng.choice(["now", "today", "after-meeting"]),
                "tell_family": rng.choice(["yes-first", "not-if-risk", "no"]),
                "record": rng.random() < 0.7,
            },
        },
        {"decision": "d4", "choice": rng.choice("abc")},
    ]
    return sheet[: rng.randint(1, 3)] if rng.random() < 0.25 else sheet


def seed(store, scenario, learners: int, rng: random.Random) -> str:
    """A cohort of ``learners`` who answered as the learner app stores answers."""
    cohort = store.add_cohort("Benchmark room", [scenario.id])
    for n in range(learners):
        learner = store.learner(cohort_code=cohort["code"], display_name=f"Learner {n}")
        attempt = store.open_attempt(learner["id"], scenario.id)
        sheet = answers_for(scenario, rng)
        report = score_attempt(scenario, {"answers": sheet}).to_dict()
        for answer, result in zip(sheet, report["decisions"], strict=True):
            stored = store.record_answer(attempt["id"], answer["decision"], answer, result)
            if rng.random() < 0.02 and answer.get("rationale"):
                store.add_override(stored["id"], "bench", ["C-risk-of-harm"], 2, "benchmark")
        if report["ending"]:
            store.finish_attempt(attempt["id"], report["ending"])
    return cohort["code"]


def refresh(store, scenarios, code, board, kept: dict) -> dict[str, float]:
    """One dashboard refresh, stage by stage (seconds); ``kept`` is what the app keeps."""
    marks = [time.perf_counter()]
    record = kept["record"] = cohort_record(store, code, kept.get("record"))
    marks.append(time.perf_counter())
    frames = cohort_frames(record, scenarios, kept.setdefault("marked", {}))
    marks.append(time.perf_counter())
    snap = live.snapshot(frames)
    marks.append(time.perf_counter())
    board.show(snap, record.cohort, "now")
    marks.append(time.perf_counter())
    names = ("read store", "build frames", "aggregate", "update widgets")
    stages = {name: b - a for name, a, b in zip(names, marks, marks[1:], strict=False)}
    return {**stages, "total": marks[-1] - marks[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    scenario = load_case(EXAMPLE)
    scenarios = {scenario.id: scenario}
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        with open_store(url) as store:
            started = time.perf_counter()
            code = seed(store, scenario, args.learners, random.Random(20261125))
            seeded = time.perf_counter() - started
            board = LiveDashboard(scenarios)
            kept: dict = {}  # the last record and the marked answers, as the trainer app keeps
            first = refresh(store, scenarios, code, board, kept)  # cold: nothing kept yet
            runs = [refresh(store, scenarios, code, board, kept) for _ in range(args.runs)]
            answers = len(cohort_record(store, code).answers)
    backend = url.split(":", 1)[0]
    print(
        f"cohort: {args.learners} learners, {answers} answers ({backend}; seeded in "
        f"{seeded:.1f} s)\n"
    )
    print(
        f"first refresh (cold cache): {1000 * first['total']:.0f} ms; then {args.runs} refreshes:\n"
    )
    print("| stage | median ms | max ms |\n|---|---:|---:|")
    for stage in runs[0]:
        values = [1000 * r[stage] for r in runs]
        print(f"| {stage} | {statistics.median(values):.1f} | {max(values):.1f} |")
    median = statistics.median(1000 * r["total"] for r in runs)
    verdict = "within" if median <= BUDGET_MS else "OVER"
    print(f"\nmedian refresh {median:.0f} ms: {verdict} the {BUDGET_MS:.0f} ms budget")
    return 0 if median <= BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
