"""The scorer's feedback lines, said in the interface's language.

The scorer (``toolkit.scoring``) is pure and English: its lines are part of the score object
that ``safeshare score`` prints and the store keeps. The page translates them as it shows
them. Each line the scorer can write is a message here whose ``{fields}`` match the variable
parts (a concept's name, the items a plan left out); a line is matched against those
messages, its guidance terms translated, and the Welsh message filled in. Case text (an
option's feedback, a plan item) is shown as the case wrote it. A line that matches nothing
is shown as it came, which the tests treat as a failure for every line the scorer writes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from toolkit.guidance import vocabulary
from toolkit.i18n import N_, Translator

# The scorer's share-plan wording (toolkit.scoring.share_plan TIMING_WORDS, FAMILY_WORDS).
PLAN_WORDS = (
    N_("share at once"),
    N_("share later today"),
    N_("wait for a meeting"),
    N_("not share"),
    N_("tell the family before sharing"),
    N_("tell the family after sharing"),
    N_("not tell the family while that could raise the risk"),
    N_("not tell the family"),
)
PLAN_LABELS = (
    N_("What to share"),
    N_("Who to tell"),
    N_("Lawful basis"),
    N_("Condition"),
    N_("When"),
    N_("Telling the family"),
    N_("Record"),
)
# Whole lines (toolkit.scoring.feedback and decisions).
LINES = (
    N_("A common worry ({misconception}): {correction} {steps}"),
    N_("A common worry ({misconception}): {correction}"),
    N_(
        "A common worry ({misconception}) is that {belief}; the guidance does not say so — "
        "look again at {step_ids}."
    ),
    N_("A common worry ({misconception}) is that {belief}; the guidance does not say so."),
    N_("Your reasoning could also show “{concept}”: a sound rationale {shows} {steps}."),
    N_(
        "Your reasoning has {words} words; write at least {least} so a colleague could follow "
        "why you decided as you did."
    ),
    N_(
        "Your reasoning has {words} word; write at least {least} so a colleague could follow "
        "why you decided as you did."
    ),
    N_(
        "You gave no reasoning. Explaining why is part of the decision (worth up to {most} "
        "points here) and is what you would record (S3, S7)."
    ),
    N_("You ticked “{option}”: {feedback}"),
    N_("You did not tick “{option}”: {feedback}"),
)
# The parts of a share-plan line after "{label} (S…): ", in the order the scorer joins them.
PLAN_PARTS = (
    N_("The recipient also needs {choices}."),
    N_("Leave out, as not needed for the purpose (minimisation): {choices}."),
    N_("what the recipient needs to act, and nothing more."),
    N_("Also send it to {choices}."),
    N_("Do not send it to, as they have no part in protecting the child: {choices}."),
    N_("the people who can act, and nobody else."),
    N_("none is needed, as nothing is shared."),
    N_("you shared nothing, so you gave none; sharing is needed here, and {terms} would fit."),
    N_("{term} does not fit here; {terms} would."),
    N_("{term} fits."),
    N_("Consent is not needed to share a safeguarding concern."),
    N_("right to {plan_words}."),
    N_("you chose to {plan_words}; here the right course is to {due_words}."),
    N_("you chose to {plan_words}; here it is better to {due_words}."),
    N_("Telling them first could alert the person causing harm; record why you did not."),
    N_("right to record what you shared, with whom, when and why."),
    N_("no record is required here."),
    N_(
        "keep a record of what you shared, with whom, when and why; it lets others follow "
        "and check your decision."
    ),
)
OR = N_("{first} or {second}")
STEPS = r"\((?:S\d+(?:, )?)+\)"
_FIELD = re.compile(r"\{([a-z_]+)\}")
_PLAN_LINE = re.compile(
    r"^(?P<label>" + "|".join(map(re.escape, PLAN_LABELS)) + r") (?P<steps>" + STEPS + r"): "
    r"(?P<rest>.*)$",
    re.S,
)
# How each field is captured, and how its text is put into the other language.
PATTERNS = {
    "steps": STEPS,
    "step_ids": r"S\d+(?:, S\d+)*",
    "words": r"\d+",
    "least": r"\d+",
    "most": r"[\d.]+",
    "choices": r"“.+?”",
}


def _regex(message: str, anchored_end: bool) -> re.Pattern:
    pieces, last = [], 0
    for match in _FIELD.finditer(message):
        pieces.append(re.escape(message[last : match.start()]))
        name = match.group(1)
        pieces.append(f"(?P<{name}>{PATTERNS.get(name, '.+?')})")
        last = match.end()
    pieces.append(re.escape(message[last:]))
    return re.compile("^" + "".join(pieces) + ("$" if anchored_end else r"(?=\s|$)"), re.S)


@lru_cache(maxsize=1)
def _compiled() -> tuple[list, list]:
    lines = [(m, _regex(m, True)) for m in LINES]
    parts = [(m, _regex(m, False)) for m in PLAN_PARTS]
    return lines, parts


@lru_cache(maxsize=1)
def _misconception_names() -> dict[str, str]:
    """The scorer writes a misconception's name in lower case; back to the vocabulary's."""
    return {m.name.lower(): m.name for m in vocabulary().misconceptions.values()}


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _terms(t: Translator, text: str) -> str:
    """``A or B or C`` (vocabulary names) in the interface's language."""
    names = [t.term(name) for name in text.split(" or ")]
    joined = names[0]
    for name in names[1:]:
        joined = t._(OR, first=joined, second=name)
    return joined


def _field(t: Translator, name: str, value: str) -> str:
    fill: dict[str, Callable[[str], str]] = {
        "misconception": lambda v: _lower_first(t.term(_misconception_names().get(v, v))),
        "correction": t.term,
        "belief": t.term,
        "concept": t.term,
        "shows": t.term,
        "term": t.term,
        "terms": lambda v: _terms(t, v),
        "plan_words": lambda v: t._(v),
        "due_words": lambda v: t._(v),
    }
    return fill.get(name, lambda v: v)(value)


def _fill(t: Translator, message: str, match: re.Match) -> str:
    values = {k: _field(t, k, v) for k, v in match.groupdict().items()}
    return t._(message, **values)


def translate_line(t: Translator, line: str) -> str:
    """One of the scorer's feedback lines in ``t``'s language (unchanged in English)."""
    if t.language == "en":
        return line
    lines, parts = _compiled()
    for message, regex in lines:
        match = regex.match(line)
        if match:
            return _fill(t, message, match)
    plan = _PLAN_LINE.match(line)
    if plan:
        said, rest = [], plan.group("rest").strip()
        while rest:
            for message, regex in parts:
                match = regex.match(rest)
                if match:
                    said.append(_fill(t, message, match))
                    rest = rest[match.end() :].strip()
                    break
            else:
                return line  # a wording this module does not know: shown as the scorer wrote it
        label = t._(plan.group("label"))
        return t._(
            "{label} {steps}: {text}", label=label, steps=plan.group("steps"), text=" ".join(said)
        )
    return line  # case text (an option's feedback) is shown as written
