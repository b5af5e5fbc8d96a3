"""Decision widgets: one per decision type, each giving its answer in RESPONSES form.

Widgets hold no rules: whether an answer is allowed, and what it scores, is decided on the
server by the player and the scorer. A widget only collects and displays.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from toolkit.cases.model import Decision
from toolkit.guidance import vocabulary
from toolkit.scoring.limits import RATIONALE_MAX_CHARS
from toolkit.widgets.html import esc, markdown

FULL = w.Layout(width="100%")

TIMING_LABELS = {
    "now": "Now, straight away",
    "today": "Later today",
    "after-meeting": "After the next planned meeting",
    "not-needed": "Sharing is not needed",
}
TELL_FAMILY_LABELS = {
    "yes-first": "Yes: tell them before I share",
    "yes-after": "Yes: tell them after I have shared",
    "not-if-risk": "Not now: telling them could increase the risk (record why)",
    "no": "No, never",
}
PLACEHOLDER = ("Choose…", "")


def too_long(text: str) -> str | None:
    """What to tell a learner whose reasoning is over the limit; None when it is within it."""
    if len(text) <= RATIONALE_MAX_CHARS:
        return None
    return (
        f"Your reasoning is {len(text):,} characters long; the limit is "
        f"{RATIONALE_MAX_CHARS:,}. Shorten it and press Submit again."
    )


class RationaleBox:
    """A labelled text area with its limit and a count of words and characters.

    The count is updated each time the text reaches the server, which is when the learner
    leaves the box. Why not at each keystroke: with ``continuous_update`` the page holds back
    keystrokes while an earlier one is in flight, but a button click is sent at once, so
    typing and then pressing Submit quickly stored a cut-off rationale (seen in the browser
    tests). Sent on leaving the box, the text goes before the click. A textarea widget has
    no maximum length, so the limit is checked on the server before anything is scored.
    """

    def __init__(self, prompt: str, min_words: int = 0):
        self.min_words = min_words
        self.label = w.HTML(f"<strong>{esc(prompt)}</strong>")
        self.text = w.Textarea(
            placeholder=(
                f"Write your reasoning in your own words (at most {RATIONALE_MAX_CHARS:,} "
                "characters)…"
            ),
            description="Your reasoning",
            layout=w.Layout(width="100%", height="7em"),
            style={"description_width": "initial"},
            continuous_update=False,
        )
        self.count = w.HTML(self._count_text(""))
        self.text.observe(
            lambda change: setattr(self.count, "value", self._count_text(change["new"])), "value"
        )
        self.widget = w.VBox([self.label, self.text, self.count], layout=FULL)

    def _count_text(self, text: str) -> str:
        words = len(text.split())
        need = f" (at least {self.min_words} suggested)" if self.min_words else ""
        chars = f"{len(text):,} of {RATIONALE_MAX_CHARS:,} characters"
        if len(text) > RATIONALE_MAX_CHARS:
            warning = f"{chars}: too long, shorten it before you submit"
            return f'<span class="ss-over" role="alert">{words} words, {warning}</span>'
        return f'<span class="ss-muted">{words} words{need}, {chars}</span>'

    @property
    def value(self) -> str:
        return self.text.value.strip()


class ChoiceStep:
    """Pick exactly one option."""

    def __init__(self, decision: Decision):
        self.radio = w.RadioButtons(
            options=[(o.text, o.id) for o in decision.options],
            value=None,
            description="Your choice",
            layout=FULL,
            style={"description_width": "initial"},
        )
        self.widget = w.VBox([self.radio], layout=FULL)

    def answer(self) -> dict[str, Any]:
        return {"choice": self.radio.value}

    def missing(self) -> str | None:
        return None if self.radio.value else "Choose one of the options first."

    def controls(self) -> list[w.Widget]:
        return [self.radio]


class MultiStep:
    """Tick every option that applies."""

    def __init__(self, decision: Decision):
        self.boxes = {
            o.id: w.Checkbox(value=False, description=o.text, indent=False, layout=FULL)
            for o in decision.options
        }
        heading = w.HTML("<em>Tick all that apply.</em>")
        self.widget = w.VBox([heading, *self.boxes.values()], layout=FULL)

    def answer(self) -> dict[str, Any]:
        return {"choices": [oid for oid, box in self.boxes.items() if box.value]}

    def missing(self) -> str | None:
        return None

    def controls(self) -> list[w.Widget]:
        return list(self.boxes.values())


def _dropdown(label: str, choices: dict[str, Any]) -> w.Dropdown:
    return w.Dropdown(
        options=[PLACEHOLDER, *[(term.name, key) for key, term in choices.items()]],
        value="",
        description=label,
        layout=FULL,
        style={"description_width": "14em"},
    )


class SharePlanForm:
    """A structured sharing decision: what, to whom, on what basis, when, telling whom."""

    def __init__(self, decision: Decision):
        plan, vocab = decision.plan, vocabulary()
        self.items = {
            c.id: w.Checkbox(description=c.text, indent=False, layout=FULL) for c in plan.items
        }
        self.recipients = {
            c.id: w.Checkbox(description=c.text, indent=False, layout=FULL) for c in plan.recipients
        }
        self.basis = _dropdown("Article 6 lawful basis", vocab.bases)
        self.condition = _dropdown("Special category condition", vocab.conditions)
        self.timing = w.RadioButtons(
            options=[(label, key) for key, label in TIMING_LABELS.items()],
            value=None,
            description="When will you share?",
            layout=FULL,
            style={"description_width": "initial"},
        )
        self.tell_family = w.RadioButtons(
            options=[(label, key) for key, label in TELL_FAMILY_LABELS.items()],
            value=None,
            description="Will you tell the family?",
            layout=FULL,
            style={"description_width": "initial"},
        )
        self.record = w.Checkbox(
            description="I will record what I shared, with whom, when and why",
            indent=False,
            layout=FULL,
        )
        self.widget = w.VBox(
            [
                w.HTML("<h4>What will you share?</h4>"),
                *self.items.values(),
                w.HTML("<h4>With whom?</h4>"),
                *self.recipients.values(),
                w.HTML(
                    "<h4>On what basis, when, and telling whom?</h4><p class='ss-muted'>"
                    "Sharing nothing? Tick nothing above and leave the basis and condition "
                    "unchosen.</p>"
                ),
                self.basis,
                self.condition,
                self.timing,
                self.tell_family,
                self.record,
            ],
            layout=FULL,
        )

    def answer(self) -> dict[str, Any]:
        return {
            "plan": {
                "items": [k for k, box in self.items.items() if box.value],
                "recipients": [k for k, box in self.recipients.items() if box.value],
                "lawful_basis": self.basis.value or None,
                "condition": self.condition.value or None,
                "timing": self.timing.value,
                "tell_family": self.tell_family.value,
                "record": bool(self.record.value),
            }
        }

    def missing(self) -> str | None:
        plan = self.answer()["plan"]
        asked = [
            ("a lawful basis", "lawful_basis"),
            ("a condition", "condition"),
            ("when to share", "timing"),
            ("whether to tell the family", "tell_family"),
        ]
        if not plan["items"] and not plan["recipients"]:
            asked = asked[2:]  # sharing nothing is a plan, and needs no basis or condition
        gaps = [label for label, key in asked if not plan[key]]
        return f"Choose {', '.join(gaps)} first." if gaps else None

    def controls(self) -> list[w.Widget]:
        return [
            *self.items.values(),
            *self.recipients.values(),
            self.basis,
            self.condition,
            self.timing,
            self.tell_family,
            self.record,
        ]


STEP_WIDGETS = {"choice": ChoiceStep, "multi": MultiStep, "share-plan": SharePlanForm}


class DecisionView:
    """A decision's prompt, its answer widget, an optional rationale box and a submit button."""

    def __init__(self, decision: Decision, number: int):
        self.decision = decision
        title = decision.title or f"Decision {number}"
        self.header = w.HTML(
            f'<h3 class="ss-decision-title">Decision {number}: {esc(title)}</h3>'
            f'<div class="ss-prompt">{markdown(decision.prompt)}</div>'
        )
        self.step = STEP_WIDGETS[decision.type](decision)
        spec = decision.rationale
        self.rationale = RationaleBox(spec.prompt, spec.min_words) if spec else None
        self.submit = w.Button(
            description="Submit answer",
            button_style="primary",
            tooltip="Submit your answer and see feedback",
            icon="check",
        )
        self.message = w.HTML("")
        parts = [self.header, self.step.widget]
        if self.rationale:
            parts.append(self.rationale.widget)
        parts += [self.submit, self.message]
        self.widget = w.VBox(parts, layout=FULL)
        self.widget.add_class("ss-decision")

    def answer(self) -> dict[str, Any]:
        answer = self.step.answer()
        if self.rationale and self.rationale.value:
            answer["rationale"] = self.rationale.value
        return answer

    def missing(self) -> str | None:
        """What the learner must do before this answer can be submitted, if anything."""
        return self.step.missing() or too_long(self.answer().get("rationale", ""))

    def lock(self) -> None:
        """Disable every control once answered (display only: the server is the guard)."""
        for control in [*self.step.controls(), self.submit]:
            control.disabled = True
        if self.rationale:
            self.rationale.text.disabled = True

    def say_error(self, text: str) -> None:
        self.say(text, "error")

    def say(self, text: str, kind: str = "info") -> None:
        role = "alert" if kind == "error" else "status"
        self.message.value = f'<div class="ss-msg ss-{kind}" role="{role}">{esc(text)}</div>'
