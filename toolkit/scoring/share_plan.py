"""Share-plan marking: a learner's plan set against the scenario's, one field at a time.

Each of the seven fields is worth one point, so a plan is out of :data:`PLAN_MAX` = 7 and a
trainer can read the breakdown at a glance:

======================  ==========  =====================================================
field                   steps       one point for…
======================  ==========  =====================================================
items                   S2, S7      every needed item (pro rata); each unneeded item
                                    costs :data:`EXTRA_COST` — data minimisation
recipients              S2, S5      the same rule: every needed recipient, none extra
lawful_basis            S8          an Article 6 basis the scenario accepts (none, for a plan
                                    that shares nothing, only where no sharing is needed)
condition               S8          a special category condition the scenario accepts (ditto)
timing                  S5 (+S9)    the expected timing; half for a near miss ("today"
                                    when "now" is due); S9 is cited when "now" is due
tell_family             S4          the expected choice; half for a defensible neighbour
record                  S3, S7      recording the decision (never wrong to record)
======================  ==========  =====================================================

Evidence: each field adds ``2 × mark − 1`` on each of its steps — +1 for a full mark, -1 for
none, nothing for a half, pro rata in between (two of three needed items plus one unneeded
item, a mark of 0.17, is -0.67).

Misconceptions read from a plan: ``M-share-everything`` (unneeded items picked heavily: at
least two and at least half of them, or every item offered), ``M-tell-family-always``
(telling the family first where the plan says not to), ``M-no-record`` (not recording where
a record is due) and ``M-consent-always`` (consent as the basis or condition where the
scenario does not accept it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from toolkit.cases.model import PlanChoice, SharePlan
from toolkit.guidance import vocabulary
from toolkit.scoring.feedback import labelled
from toolkit.scoring.marks import Marks, StepEvidence, Trigger, combine, on_steps
from toolkit.scoring.responses import PlanAnswer

EXTRA_COST = 0.5
NEAR_MISS = 0.5
CONSENT = {"consent", "explicit-consent"}
TIMING_ORDER = ("now", "today", "after-meeting")
TIMING_WORDS = {
    "now": "share at once",
    "today": "share later today",
    "after-meeting": "wait for a meeting",
    "not-needed": "not share",
}
FAMILY_WORDS = {
    "yes-first": "tell the family before sharing",
    "yes-after": "tell the family after sharing",
    "not-if-risk": "not tell the family while that could raise the risk",
    "no": "not tell the family",
}
# (expected, given) → credit for a defensible neighbour; anything else unlisted scores 0.
FAMILY_PARTIAL: dict[tuple[str, str], float] = {
    ("yes-first", "yes-after"): NEAR_MISS,
    ("yes-first", "not-if-risk"): NEAR_MISS,
    ("yes-after", "yes-first"): NEAR_MISS,
    ("yes-after", "not-if-risk"): NEAR_MISS,
    ("not-if-risk", "no"): NEAR_MISS,
    ("not-if-risk", "yes-after"): NEAR_MISS,
    ("no", "not-if-risk"): NEAR_MISS,
}


@dataclass(frozen=True)
class FieldMark:
    """One field's mark out of 1, the steps it names and its single feedback line."""

    field: str
    points: float
    steps: tuple[str, ...]
    line: str
    given: object
    misconceptions: tuple[str, ...] = ()

    def evidence(self, source: str) -> tuple[StepEvidence, ...]:
        """``2 × points − 1`` on each step (module docstring); a half mark adds none."""
        weight = round(2 * self.points - 1, 3)
        return on_steps(self.steps, weight, source) if weight else ()


def _texts(choices: list[PlanChoice]) -> str:
    return "; ".join(f"“{c.text}”" for c in choices)


def _chosen(
    field: str,
    label: str,
    steps: tuple[str, ...],
    offered: list[PlanChoice],
    picked: tuple[str, ...],
    lines: tuple[str, str, str],
) -> FieldMark:
    """The items/recipients rule: credit for needed picks, a cost per unneeded pick.

    ``lines`` are the openings for (too little, too much, just right).
    """
    too_little, too_much, just_right = lines
    needed = [c for c in offered if c.needed]
    missing = [c for c in needed if c.id not in picked]
    extra = [c for c in offered if not c.needed and c.id in picked]
    hits = len(needed) - len(missing)
    share = hits / len(needed) if needed else 1.0  # the validator insists on one; be safe
    points = max(0.0, share - EXTRA_COST * len(extra))
    parts = []
    if missing:
        parts.append(f"{too_little} {_texts(missing)}.")
    if extra:
        parts.append(f"{too_much} {_texts(extra)}.")
    text = " ".join(parts) or just_right
    return FieldMark(field, points, steps, labelled(label, steps, text), list(picked))


def mark_items(plan: SharePlan, answer: PlanAnswer) -> FieldMark:
    """What to share: needed items credited pro rata, each unneeded one costs EXTRA_COST."""
    mark = _chosen(
        "items",
        "What to share",
        ("S2", "S7"),
        plan.items,
        answer.items,
        (
            "The recipient also needs",
            "Leave out, as not needed for the purpose (minimisation):",
            "what the recipient needs to act, and nothing more.",
        ),
    )
    unneeded = [i.id for i in plan.items if not i.needed]
    extra = [i for i in answer.items if i in unneeded]
    heavy = len(extra) >= 2 and 2 * len(extra) >= len(unneeded)
    everything = bool(extra) and len(answer.items) == len(plan.items)
    found = ("M-share-everything",) if heavy or everything else ()
    return FieldMark(mark.field, mark.points, mark.steps, mark.line, mark.given, found)


def mark_recipients(plan: SharePlan, answer: PlanAnswer) -> FieldMark:
    """Who to tell: the agencies that can act, and nobody without a part in protecting the child."""
    return _chosen(
        "recipients",
        "Who to tell",
        ("S2", "S5"),
        plan.recipients,
        answer.recipients,
        (
            "Also send it to",
            "Do not send it to, as they have no part in protecting the child:",
            "the people who can act, and nobody else.",
        ),
    )


def sharing_needed(plan: SharePlan) -> bool:
    """Does the scenario's plan share anything (a needed item or recipient)?"""
    return any(c.needed for c in [*plan.items, *plan.recipients])


def _none_given(field: str, label: str, wanted: str, plan: SharePlan) -> FieldMark:
    """No basis or condition, as a plan that shares nothing gives: right only if none is due."""
    if not sharing_needed(plan):
        text = "none is needed, as nothing is shared."
        return FieldMark(field, 1.0, ("S8",), labelled(label, ("S8",), text), None)
    text = f"you shared nothing, so you gave none; sharing is needed here, and {wanted} would fit."
    return FieldMark(field, 0.0, ("S8",), labelled(label, ("S8",), text), None)


def _accepted(field: str, label: str, given: str | None, plan: SharePlan, names: dict) -> FieldMark:
    accepted = getattr(plan, field)
    wanted = " or ".join(names[a].name if a in names else a for a in accepted)
    if given is None:
        return _none_given(field, label, wanted, plan)
    name = names[given].name if given in names else given
    if given in accepted:
        return FieldMark(field, 1.0, ("S8",), labelled(label, ("S8",), f"{name} fits."), given)
    consent = " Consent is not needed to share a safeguarding concern." if given in CONSENT else ""
    text = f"{name} does not fit here; {wanted} would.{consent}"
    found = ("M-consent-always",) if given in CONSENT else ()
    return FieldMark(field, 0.0, ("S8",), labelled(label, ("S8",), text), given, found)


def mark_basis(plan: SharePlan, answer: PlanAnswer) -> FieldMark:
    """Article 6 basis: one of the scenario's accepted bases."""
    names = vocabulary().bases
    return _accepted("lawful_basis", "Lawful basis", answer.lawful_basis, plan, names)


def mark_condition(plan: SharePlan, answer: PlanAnswer) -> FieldMark:
    """Special category / criminal data condition: one of the scenario's accepted conditions."""
    names = vocabulary().conditions
    return _accepted("condition", "Condition", answer.condition, plan, names)


def _timing_credit(expected: str, given: str) -> float:
    if given == expected:
        return 1.0
    if given in TIMING_ORDER and expected in TIMING_ORDER:
        gap = abs(TIMING_ORDER.index(given) - TIMING_ORDER.index(expected))
        return NEAR_MISS if gap == 1 else 0.0
    return 0.0


def mark_timing(plan: SharePlan, answer: PlanAnswer) -> FieldMark:
    """When: the expected timing; half a point one step away ("today" when "now" is due)."""
    steps = ("S5", "S9") if plan.timing == "now" else ("S5",)
    points = _timing_credit(plan.timing, answer.timing)
    given, due = TIMING_WORDS[answer.timing], TIMING_WORDS[plan.timing]
    if points == 1:
        text = f"right to {due}."
    else:
        text = f"you chose to {given}; here the right course is to {due}."
    return FieldMark("timing", points, steps, labelled("When", steps, text), answer.timing)


def mark_family(plan: SharePlan, answer: PlanAnswer) -> FieldMark:
    """Telling the family: the expected choice, half for a defensible neighbour."""
    expected, given = plan.tell_family, answer.tell_family
    points = 1.0 if given == expected else FAMILY_PARTIAL.get((expected, given), 0.0)
    found = ()
    if given == "yes-first" and expected in {"not-if-risk", "no"}:
        found = ("M-tell-family-always",)
    if points == 1:
        text = f"right to {FAMILY_WORDS[given]}."
    else:
        text = f"you chose to {FAMILY_WORDS[given]}; here it is better to {FAMILY_WORDS[expected]}."
    if found:
        text += " Telling them first could alert the person causing harm; record why you did not."
    line = labelled("Telling the family", ("S4",), text)
    return FieldMark("tell_family", points, ("S4",), line, given, found)


def mark_record(plan: SharePlan, answer: PlanAnswer) -> FieldMark:
    """Recording: keeping a record is never wrong; not keeping one where it is due scores 0."""
    steps = ("S3", "S7")
    if answer.record or not plan.record:
        text = "right to record what you shared, with whom, when and why."
        if not answer.record:
            text = "no record is required here."
        return FieldMark("record", 1.0, steps, labelled("Record", steps, text), answer.record)
    text = (
        "keep a record of what you shared, with whom, when and why; it lets others follow "
        "and check your decision."
    )
    line = labelled("Record", steps, text)
    return FieldMark("record", 0.0, steps, line, answer.record, ("M-no-record",))


# Field → marker, in the order feedback lines appear. A new field is one new entry.
FIELD_MARKERS: dict[str, Callable[[SharePlan, PlanAnswer], FieldMark]] = {
    "items": mark_items,
    "recipients": mark_recipients,
    "lawful_basis": mark_basis,
    "condition": mark_condition,
    "timing": mark_timing,
    "tell_family": mark_family,
    "record": mark_record,
}
PLAN_MAX = float(len(FIELD_MARKERS))


def mark_plan(plan: SharePlan, answer: PlanAnswer, decision_id: str = "") -> Marks:
    """Mark a whole plan: one point per field, evidence per field, one feedback line per field."""
    parts = []
    for name, marker in FIELD_MARKERS.items():
        mark = marker(plan, answer)
        source = f"{decision_id} plan {name}".strip()
        shown = f"{name}: {_shown(mark.given)}"
        triggers = tuple(Trigger(m, shown, source) for m in mark.misconceptions)
        parts.append(
            Marks(
                mark.points,
                1.0,
                mark.evidence(source),
                (),
                mark.misconceptions,
                triggers,
                (mark.line,),
                {name: _breakdown(mark)},
            )
        )
    total = combine(parts)
    detail = {name: part.detail[name] for name, part in zip(FIELD_MARKERS, parts, strict=True)}
    return Marks(
        total.points,
        PLAN_MAX,
        total.evidence,
        (),
        total.misconceptions,
        total.triggers,
        total.feedback,
        {"plan": detail},
    )


def _shown(value: object) -> str:
    """A plan value as the learner's file spelt it: ``a, b`` for lists, ``false`` for False."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return ", ".join(value) if isinstance(value, list) else str(value)


def _breakdown(mark: FieldMark) -> dict[str, object]:
    return {"points": round(mark.points, 3), "max_points": 1.0, "given": mark.given}
