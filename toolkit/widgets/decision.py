"""Decision widgets: one per decision type, each giving its answer in RESPONSES form.

Widgets hold no rules: whether an answer is allowed, and what it scores, is decided on the
server by the player and the scorer. A widget only collects and displays. Every string it
shows goes through the page's Translator; case text is shown as written, marked with the
case's language (``ss-lang-…``) when that differs from the interface's.

Each group of radio buttons or checkboxes is named (a RadioButtons' own label, or a box with
class ``ss-group`` and an ``ss-legend``), which the page helper (``a11y.py``) turns into the
ARIA equivalent of a fieldset and legend.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from toolkit.cases.model import Decision
from toolkit.guidance import vocabulary
from toolkit.i18n import N_, Translator, translator
from toolkit.scoring.limits import RATIONALE_MAX_CHARS
from toolkit.widgets.html import esc, markdown, tag, text_tag

FULL = w.Layout(width="100%")

TIMING_LABELS = {
    "now": N_("Now, straight away"),
    "today": N_("Later today"),
    "after-meeting": N_("After the next planned meeting"),
    "not-needed": N_("Sharing is not needed"),
}
TELL_FAMILY_LABELS = {
    "yes-first": N_("Yes: tell them before I share"),
    "yes-after": N_("Yes: tell them after I have shared"),
    "not-if-risk": N_("Not now: telling them could increase the risk (record why)"),
    "no": N_("No, never"),
}
ENGLISH = translator("en")


def too_long(text: str, t: Translator = ENGLISH) -> str | None:
    """What to tell a learner whose reasoning is over the limit; None when it is within it."""
    if len(text) <= RATIONALE_MAX_CHARS:
        return None
    return t._(
        "Your reasoning is {length:,} characters long; the limit is {limit:,}. "
        "Shorten it and press Submit again.",
        length=len(text),
        limit=RATIONALE_MAX_CHARS,
    )


def lang_class(widget: w.DOMWidget, language: str, interface: str) -> w.DOMWidget:
    """Mark a widget holding case text written in another language than the interface."""
    if language != interface:
        widget.add_class(f"ss-lang-{language}")
    return widget


class RationaleBox:
    """A labelled text area with its limit and a count of words and characters.

    The count is updated each time the text reaches the server, which is when the learner
    leaves the box. Why not at each keystroke: with ``continuous_update`` the page holds back
    keystrokes while an earlier one is in flight, but a button click is sent at once, so
    typing and then pressing Submit quickly stored a cut-off rationale (seen in the browser
    tests). Sent on leaving the box, the text goes before the click. A textarea widget has
    no maximum length, so the limit is checked on the server before anything is scored.

    In Welsh the box says plainly that the reasoning detector reads English only.
    """

    def __init__(self, prompt: str, min_words: int = 0, t: Translator = ENGLISH):
        self.min_words, self.t = min_words, t
        note = ""
        if t.language != "en":
            note = text_tag("p", english_only_note(t), class_="ss-muted ss-english-only")
        self.label = w.HTML(f"<strong>{esc(prompt)}</strong>{note}")
        self.text = w.Textarea(
            placeholder=t._(
                "Write your reasoning in your own words (at most {limit:,} characters)…",
                limit=RATIONALE_MAX_CHARS,
            ),
            description=t._("Your reasoning"),
            layout=w.Layout(width="100%", height="7em"),
            style={"description_width": "initial"},
            continuous_update=False,
        )
        self.count = w.HTML(self._count_text(""))
        self.count.add_class("ss-live")
        self.text.observe(
            lambda change: setattr(self.count, "value", self._count_text(change["new"])), "value"
        )
        self.widget = w.VBox([self.label, self.text, self.count], layout=FULL)

    def _count_text(self, text: str) -> str:
        t, words = self.t, len(text.split())
        said = t.ngettext("{n} word", "{n} words", words)
        if self.min_words:
            said = t._("{words} (at least {least} suggested)", words=said, least=self.min_words)
        chars = t._("{count:,} of {limit:,} characters", count=len(text), limit=RATIONALE_MAX_CHARS)
        if len(text) > RATIONALE_MAX_CHARS:
            warning = t._("{words}, {chars}: too long, shorten it before you submit")
            return text_tag(
                "span", warning.format(words=said, chars=chars), class_="ss-over", role="alert"
            )
        return text_tag("span", f"{said}, {chars}", class_="ss-muted")

    @property
    def value(self) -> str:
        return self.text.value.strip()


def english_only_note(t: Translator) -> str:
    """Why Welsh reasoning earns nothing from the detector, said before and after writing."""
    return t._(
        "The reasoning detector reads English only. You may write in Welsh: your words are "
        "saved for your trainer, but the detector will find nothing in them, so your "
        "reasoning points will be low. Write in English to have it read automatically."
    )


def legend(text: str, hint: str = "") -> w.HTML:
    """A group's visible name (the page helper points the group's aria-labelledby at it)."""
    return w.HTML(
        text_tag("p", text, class_="ss-legend")
        + (text_tag("p", hint, class_="ss-muted") if hint else "")
    )


def group(name: w.HTML, controls: list[w.Widget]) -> w.VBox:
    box = w.VBox([name, *controls], layout=FULL)
    box.add_class("ss-group")
    return box


class ChoiceStep:
    """Pick exactly one option."""

    def __init__(self, decision: Decision, t: Translator = ENGLISH):
        self.t = t
        self.radio = w.RadioButtons(
            options=[(o.text, o.id) for o in decision.options],
            value=None,
            description=t._("Your choice"),
            layout=FULL,
            style={"description_width": "initial"},
        )
        self.widget = w.VBox([self.radio], layout=FULL)

    def answer(self) -> dict[str, Any]:
        return {"choice": self.radio.value}

    def fill(self, answer: dict[str, Any]) -> None:
        self.radio.value = answer.get("choice")

    def missing(self) -> str | None:
        return None if self.radio.value else self.t._("Choose one of the options first.")

    def controls(self) -> list[w.Widget]:
        return [self.radio]


class MultiStep:
    """Tick every option that applies."""

    def __init__(self, decision: Decision, t: Translator = ENGLISH):
        self.boxes = {
            o.id: w.Checkbox(value=False, description=o.text, indent=False, layout=FULL)
            for o in decision.options
        }
        name = legend(t._("Your choices"), t._("Tick all that apply."))
        self.widget = group(name, list(self.boxes.values()))

    def answer(self) -> dict[str, Any]:
        return {"choices": [oid for oid, box in self.boxes.items() if box.value]}

    def fill(self, answer: dict[str, Any]) -> None:
        for oid, box in self.boxes.items():
            box.value = oid in answer.get("choices", [])

    def missing(self) -> str | None:
        return None

    def controls(self) -> list[w.Widget]:
        return list(self.boxes.values())


def _dropdown(label: str, choices: dict[str, Any], t: Translator) -> w.Dropdown:
    return w.Dropdown(
        options=[
            (t._("Choose…"), ""),
            *[(t.term(term.name), key) for key, term in choices.items()],
        ],
        value="",
        description=label,
        layout=FULL,
        style={"description_width": "14em"},
    )


class SharePlanForm:
    """A structured sharing decision: what, to whom, on what basis, when, telling whom."""

    def __init__(self, decision: Decision, t: Translator = ENGLISH):
        plan, vocab, self.t = decision.plan, vocabulary(), t
        self.items = {
            c.id: w.Checkbox(description=c.text, indent=False, layout=FULL) for c in plan.items
        }
        self.recipients = {
            c.id: w.Checkbox(description=c.text, indent=False, layout=FULL) for c in plan.recipients
        }
        self.basis = _dropdown(t._("Article 6 lawful basis"), vocab.bases, t)
        self.condition = _dropdown(t._("Special category condition"), vocab.conditions, t)
        self.timing = w.RadioButtons(
            options=[(t._(label), key) for key, label in TIMING_LABELS.items()],
            value=None,
            description=t._("When will you share?"),
            layout=FULL,
            style={"description_width": "initial"},
        )
        self.tell_family = w.RadioButtons(
            options=[(t._(label), key) for key, label in TELL_FAMILY_LABELS.items()],
            value=None,
            description=t._("Will you tell the family?"),
            layout=FULL,
            style={"description_width": "initial"},
        )
        self.record = w.Checkbox(
            description=t._("I will record what I shared, with whom, when and why"),
            indent=False,
            layout=FULL,
        )
        what = group(legend(t._("What will you share?")), list(self.items.values()))
        whom = group(legend(t._("With whom?")), list(self.recipients.values()))
        how = w.HTML(
            text_tag("h4", t._("On what basis, when, and telling whom?"))
            + text_tag(
                "p",
                t._(
                    "Sharing nothing? Tick nothing above and leave the basis and condition "
                    "unchosen."
                ),
                class_="ss-muted",
            )
        )
        self.widget = w.VBox(
            [
                what,
                whom,
                how,
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

    def fill(self, answer: dict[str, Any]) -> None:
        plan = answer.get("plan") or {}
        for key, box in self.items.items():
            box.value = key in plan.get("items", [])
        for key, box in self.recipients.items():
            box.value = key in plan.get("recipients", [])
        self.basis.value = plan.get("lawful_basis") or ""
        self.condition.value = plan.get("condition") or ""
        self.timing.value = plan.get("timing")
        self.tell_family.value = plan.get("tell_family")
        self.record.value = bool(plan.get("record"))

    def missing(self) -> str | None:
        t, plan = self.t, self.answer()["plan"]
        asked = [
            (N_("a lawful basis"), "lawful_basis"),
            (N_("a condition"), "condition"),
            (N_("when to share"), "timing"),
            (N_("whether to tell the family"), "tell_family"),
        ]
        if not plan["items"] and not plan["recipients"]:
            asked = asked[2:]  # sharing nothing is a plan, and needs no basis or condition
        gaps = [t._(label) for label, key in asked if not plan[key]]
        return t._("Choose {things} first.", things=", ".join(gaps)) if gaps else None

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
    """A decision's prompt, its answer widget, an optional rationale box and a submit button.

    ``heading_id`` is the id of the decision's heading, where the app moves focus when the
    decision opens; ``language`` is the case's, marked on case text when it differs from the
    interface's.
    """

    def __init__(
        self,
        decision: Decision,
        number: int,
        t: Translator = ENGLISH,
        heading_id: str = "",
        language: str = "en",
    ):
        self.decision, self.t = decision, t
        title = decision.title or t._("Decision {number}", number=number)
        heading = t._("Decision {number}: {title}", number=number, title=title)
        self.heading_id = heading_id
        case_lang = language if language != t.language else None
        self.header = w.HTML(
            tag(
                "h3", esc(heading), class_="ss-decision-title", id=heading_id or None, tabindex="-1"
            )
            + tag("div", markdown(decision.prompt), class_="ss-prompt", lang=case_lang)
        )
        self.step = STEP_WIDGETS[decision.type](decision, t)
        lang_class(self.step.widget, language, t.language)
        spec = decision.rationale
        self.rationale = RationaleBox(spec.prompt, spec.min_words, t) if spec else None
        if self.rationale:
            lang_class(self.rationale.label, language, t.language)
        self.submit = w.Button(
            description=t._("Submit answer"),
            button_style="primary",
            tooltip=t._("Submit your answer and see feedback"),
            icon="check",
        )
        self.message = w.HTML("")
        self.message.add_class("ss-live")
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

    def fill(self, answer: dict[str, Any]) -> None:
        """Show a stored answer in the controls (redrawing an answered decision)."""
        self.step.fill(answer)
        if self.rationale:
            self.rationale.text.value = answer.get("rationale", "")

    def missing(self) -> str | None:
        """What the learner must do before this answer can be submitted, if anything."""
        return self.step.missing() or too_long(self.answer().get("rationale", ""), self.t)

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
        self.message.value = text_tag("div", text, class_=f"ss-msg ss-{kind}", role=role)
