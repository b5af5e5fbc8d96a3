"""The learner's journey: pick a scenario, answer each decision, get feedback, see a summary.

Every answer is written to the store before its feedback is shown, so a crash, reload or
dropped connection loses nothing; reopening with the resume code continues where it stopped.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from typing import Any

import ipywidgets as w
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from toolkit.app import guard
from toolkit.app.identity import Query
from toolkit.app.pause import continue_address, paused_html
from toolkit.app.player import Player
from toolkit.cases import Library, Scenario
from toolkit.errors import AccessDenied, MissingEntry, SafeShareError
from toolkit.guidance import vocabulary
from toolkit.storage import Store, cohort_open
from toolkit.storage.clean import clean_json
from toolkit.widgets import feedback as fb
from toolkit.widgets.decision import DecisionView, too_long
from toolkit.widgets.html import esc, markdown, tag, text_tag

log = logging.getLogger("safeshare.app.learner")
CLOSED = "This workshop session has closed. Ask your trainer for a new code."
SAVE_FAILED = (
    "Your answer could not be saved just now (the database is busy or unreachable). "
    "Nothing is lost: wait a moment and press Submit again."
)


# After a cohort is deleted or a learner erased, an open tab's records are gone. The store's
# own words name ids ("no answer to d2 in attempt 7"); the learner is told what to do instead.
GONE = (
    "Your answers are no longer stored: the workshop was deleted, or your answers were erased "
    "on request. Choose a scenario to start again."
)
UNKNOWN_WORKSHOP = (
    "That workshop code was not recognised (the workshop may have ended). Check it with your "
    "trainer, or choose a scenario to work on your own."
)
NAME_MAX = 40


def guarded(show: Callable[[str], None]) -> Callable:
    """The app's guard (``toolkit.app.guard``), telling a missing record in plain words."""
    return guard.guarded(show, plain={MissingEntry: GONE})


def display_name(text: str) -> str | None:
    """What a learner typed as their name for the trainer, tidied: printable characters only,
    spaces collapsed, at most NAME_MAX characters; None when nothing is left (the learner
    then appears under their pseudonymous id). Escaped wherever it is shown, like all text."""
    kept = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(kept.split())[:NAME_MAX].strip() or None


def score_so_far(scenario: Scenario, player: Player, learner: str) -> dict[str, Any]:
    """The score object for the answers given so far: the same as `safeshare score` gives."""
    from toolkit.scoring import score_attempt

    return score_attempt(scenario, player.responses(learner)).to_dict()


class LearnerApp:
    """One learner's browser tab. Holds widgets and the player; the store holds the truth."""

    def __init__(self, library: Library, store: Store):
        self.library, self.store = library, store
        self.learner: dict[str, Any] | None = None
        self.cohort: dict[str, Any] | None = None
        self.player: Player | None = None
        self.attempt: dict[str, Any] | None = None
        self.view: DecisionView | None = None
        self.finish_pending = False  # the attempt is complete but could not be marked so yet
        self.scenario_open: str | None = None  # the scenario being played, for Continue
        # In a workshop, an optional name the trainer sees instead of the pseudonymous id.
        self.name_box = w.Text(
            description="Your name for the trainer (optional)",
            placeholder="first name or nickname",
            style={"description_width": "initial"},
            layout=w.Layout(width="32em"),
        )
        self.notice = w.HTML("")
        self.body = w.VBox([], layout=w.Layout(width="100%"))
        header = w.HTML(
            "<h1>SafeShare</h1><p class='ss-muted'>Practise sharing information to safeguard "
            "children, step by step with the ICO's 10 step guide. All cases are fictional.</p>"
        )
        self.widget = w.VBox([w.HTML(fb.CSS), header, self.notice, self.body])
        self.widget.add_class("ss-app")

    # Messages ---------------------------------------------------------------------------
    def error(self, text: str) -> None:
        self.notice.value = f'<div class="ss-msg ss-error" role="alert">{esc(text)}</div>'

    def info(self, text: str) -> None:
        self.notice.value = f'<div class="ss-msg ss-info" role="status">{esc(text)}</div>'

    def pause(self, idle_seconds: float) -> None:
        """Show the paused panel: the server is about to free this page's kernel."""
        resume = self.learner["resume_key"] if self.learner else None
        session = self.cohort["code"] if self.cohort else None
        address = continue_address(resume, self.scenario_open, session)
        self.notice.value = ""
        self._show([w.HTML(paused_html(idle_seconds, address))])

    def _show(self, children: list[w.Widget], focus: w.Button | None = None) -> None:
        """Replace the page body, then move keyboard focus to the `focus` button if given.

        Why: the button just pressed is gone, so focus would fall back to the whole page and
        the view would stay scrolled to where the old content ended. Only a button will do:
        in Voilà's widget views a box never takes tabindex and an HTML widget focuses an
        inner element that cannot hold focus.
        """
        self.body.children = children
        if focus is not None:
            focus.focus()

    # Entry ------------------------------------------------------------------------------
    def start(self, query: Query) -> None:
        """Act on the page's query: join a session, resume a learner, open a scenario."""
        guarded(self.error)(self._start)(query)

    def _start(self, query: Query) -> None:
        if query.session:
            try:
                self.cohort = self.store.find_cohort(query.session)
            except MissingEntry:
                self.show_picker()
                raise SafeShareError(UNKNOWN_WORKSHOP) from None
            if not cohort_open(self.cohort):
                self.cohort = None
                raise SafeShareError(CLOSED)
        if query.resume and not self._resumed(query.resume):
            self.show_picker()  # the list stays open: retype the code, or start afresh
            return
        if query.scenario and query.scenario in self._offered():
            self.open_scenario(query.scenario)
        else:
            self.show_picker()

    def _offered(self) -> dict[str, Scenario]:
        if self.cohort and self.cohort["scenarios"]:
            wanted = self.cohort["scenarios"]
            return {s: self.library.scenarios[s] for s in wanted if s in self.library.scenarios}
        return dict(sorted(self.library.scenarios.items(), key=lambda kv: kv[1].title))

    def _resumed(self, key: str) -> bool:
        """Resume from the URL's code; if nobody holds it, say so and return False."""
        try:
            self._resume(key)
        except SafeShareError as exc:
            self.error(str(exc))
            return False
        return True

    def _resume(self, key: str) -> None:
        try:
            self.learner = self.store.learner_by_resume_key(key)
        except MissingEntry:
            raise SafeShareError(
                "That resume code was not recognised. Check it and try again."
            ) from None
        if self.learner["cohort_id"] and not self.cohort:
            cohorts = [c for c in self.store.list_cohorts() if c["id"] == self.learner["cohort_id"]]
            self.cohort = cohorts[0] if cohorts else None
        self.info("Welcome back: your answers so far are restored.")

    # Picker -----------------------------------------------------------------------------
    def show_picker(self) -> None:
        self.scenario_open = None
        cards = [self._card(s) for s in self._offered().values()]
        intro = "Choose a scenario to work through."
        if self.cohort:
            intro = f"Workshop: {self.cohort['name']}. " + intro
        self.resume_box = w.Text(
            description="Resume code",
            placeholder="XXXX-XXXX-XXXX-XXXX",
            style={"description_width": "initial"},
        )
        resume_btn = w.Button(description="Resume", tooltip="Continue with your resume code")
        resume_btn.on_click(guarded(self.error)(lambda _: self._resume_clicked()))
        parts = [w.HTML(text_tag("h2", "Scenarios") + text_tag("p", intro))]
        if self.cohort and not self.learner:
            parts.append(self.name_box)
        parts += cards
        if not self.learner:
            parts.append(w.HTML(text_tag("h3", "Started before?")))
            parts.append(w.HBox([self.resume_box, resume_btn]))
        # Back from a summary, the first Start button brings the list's top into view.
        first = cards[0].children[-1] if cards else None
        self._show(parts, focus=first if self.player else None)

    def _resume_clicked(self) -> None:
        self._resume(self.resume_box.value)
        self.show_picker()

    def _card(self, scenario: Scenario) -> w.Widget:
        vocab = vocabulary()
        badges = "".join(
            text_tag("span", b, class_="ss-badge")
            for b in [
                vocab.nations[scenario.nation].name,
                *(vocab.sectors[s].name for s in scenario.sectors),
                f"{scenario.minutes} min",
            ]
        )
        steps = ", ".join(scenario.steps)
        html = (
            text_tag("h3", scenario.title)
            + tag("div", badges)
            + (text_tag("p", scenario.summary) if scenario.summary else "")
            + text_tag("p", f"Guidance steps: {steps}", class_="ss-muted")
        )
        # The title is in the button's text so each of the many Start buttons has its own
        # accessible name (ipywidgets cannot set aria-label; the tooltip is not read first).
        button = w.Button(
            description=f"Start: {scenario.title}",
            tooltip="Open this scenario",
            button_style="primary",
        )
        button.on_click(guarded(self.error)(lambda _, sid=scenario.id: self.open_scenario(sid)))
        card = w.VBox([w.HTML(html), button])
        card.add_class("ss-card")
        return card

    # Playing ----------------------------------------------------------------------------
    def open_scenario(self, scenario_id: str) -> None:
        scenario = self._offered().get(scenario_id)
        if scenario is None:
            raise SafeShareError("That scenario is not available here.")
        try:
            if self.learner is None:
                code = self.cohort["code"] if self.cohort else None
                name = display_name(self.name_box.value) if code else None
                try:  # joining now: the cohort may have closed since this page opened
                    self.learner = self.store.learner(cohort_code=code, display_name=name)
                except AccessDenied:
                    raise SafeShareError(CLOSED) from None
            self.attempt = self.store.open_attempt(self.learner["id"], scenario.id)
        except (MissingEntry, IntegrityError):  # the learner or cohort was deleted meanwhile
            self._records_gone()
            return
        stored = {
            a["decision_id"]: _strip(a["answer"]) for a in self.store.answers(self.attempt["id"])
        }
        self.player = Player(scenario, stored)
        if self.player.finished:  # every answer given, but finishing failed last time
            self._finish()
        self.notice.value = self.notice.value if stored else ""
        self._render_play()

    def _scenario_intro(self) -> w.Widget:
        scenario = self.player.scenario
        html = (
            text_tag("h2", scenario.title)
            + tag("div", markdown(scenario.context), class_="ss-context")
            + self._chronology_html(scenario)
            + self._resume_note()
        )
        return w.HTML(html)

    def _resume_note(self) -> str:
        """How to come back later: the resume code (an LMS launch says otherwise)."""
        return tag(
            "p",
            "Your resume code: "
            + text_tag("strong", self.learner["resume_key"])
            + ". Keep it to continue later on this or another device.",
            class_="ss-muted",
        )

    @staticmethod
    def _chronology_html(scenario: Scenario) -> str:
        if not scenario.chronology:
            return ""
        names = {a.id: a.name for a in scenario.agencies}
        rows = "".join(
            tag(
                "tr",
                text_tag("td", e.when)
                + text_tag("td", names.get(e.agency, e.agency))
                + text_tag("td", e.event)
                + text_tag("td", ", ".join(names.get(k, k) for k in e.known_by)),
            )
            for e in scenario.chronology
        )
        head = tag(
            "tr",
            "".join(
                text_tag("th", h, scope="col")
                for h in ("When", "Agency", "What happened", "Who knew")
            ),
        )
        return text_tag("h3", "What has happened so far") + tag(
            "table", tag("thead", head) + tag("tbody", rows), class_="ss-chronology"
        )

    def _render_play(self) -> None:
        if self.player.finished:
            self.scenario_open = None  # finished: Continue leads back to the list
            self._render_summary()
            return
        self.scenario_open = self.player.scenario.id
        decision = self.player.current
        number = len(self.player.path) + 1
        self.view = DecisionView(decision, number)
        self.view.submit.on_click(guarded(self.view.say_error)(lambda _: self.submit(decision.id)))
        # Opening a scenario, focus goes to the top so the case context is read first. Later
        # decisions take no focus: the view stays at the page's end, where the decision is,
        # and the first Tab from the pressed (now removed) button reaches its first control.
        back = self._back_button()
        first = not self.player.path
        self._show([back, self._scenario_intro(), self.view.widget], focus=back if first else None)

    def _back_button(self) -> w.Button:
        """A way back to the list (answers are already saved; Start again resumes)."""
        back = w.Button(description="Back to all scenarios", tooltip="Back to the scenario list")
        back.on_click(guarded(self.error)(lambda _: self.show_picker()))
        back.add_class("ss-back")
        return back

    def submit(
        self, decision_id: str, answer: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """Check, score, store, then show feedback. The store write comes before the feedback."""
        player = self.player
        if player is None:
            raise SafeShareError("Choose a scenario first.")
        player.check_answerable(decision_id)
        if answer is None:
            missing = self.view.missing()
            if missing:
                self.view.say(missing, "error")
                return None
            answer = self.view.answer()
        # What is scored is what is stored: text without the characters no database keeps.
        answer = clean_json(answer)
        # The page's widget has no maximum length: the limit is kept here, before scoring.
        rationale = answer.get("rationale")
        refusal = too_long(rationale) if isinstance(rationale, str) else None
        if refusal:
            self.view.say(refusal, "error")
            return None
        trial = Player(
            player.scenario, {**{d: player.answers[d] for d in player.path}, decision_id: answer}
        )
        report = score_so_far(player.scenario, trial, self.learner["id"])
        result = next(d for d in report["decisions"] if d["decision"] == decision_id)
        try:
            stored = self.store.record_answer(
                self.attempt["id"], decision_id, {"decision": decision_id, **answer}, result
            )
        except SQLAlchemyError:
            log.exception("saving an answer failed")
            stored = self._stored_answer(decision_id)
            if stored is None:  # not in the store: really not saved
                self.view.say(SAVE_FAILED, "error")
                return None
        except MissingEntry:  # the attempt was deleted under this tab
            self._records_gone()
            return None
        # A retried submit (another tab, a dropped connection) keeps the first stored answer.
        answer, result = _strip(stored["answer"]), stored["result"]
        player.answer(decision_id, answer)
        if player.finished:
            self._finish()
        self._show_feedback(result)
        return result

    def _records_gone(self) -> None:
        """This tab's learner or attempt is no longer stored: back to the list, said plainly."""
        log.info("learner %s: records gone, starting afresh", (self.learner or {}).get("id"))
        self.learner = self.attempt = self.player = None
        if self.cohort:
            found = [c for c in self.store.list_cohorts() if c["id"] == self.cohort["id"]]
            self.cohort = found[0] if found and not found[0]["closed"] else None
        self.show_picker()
        self.error(GONE)

    def _stored_answer(self, decision_id: str) -> dict[str, Any] | None:
        """The answer to ``decision_id`` if the store holds it (it was saved after all)."""
        try:
            return self.store.answer(self.attempt["id"], decision_id)
        except (MissingEntry, SQLAlchemyError):
            return None

    def _finish(self) -> None:
        """Mark the attempt finished. The answers are saved already; if the database is busy
        now, this is tried again on the way to the summary, and whenever the attempt is
        opened again (see open_scenario), so it is never left unfinished for good."""
        try:
            self.store.finish_attempt(self.attempt["id"], self.player.position)
        except SQLAlchemyError:
            log.exception("marking the attempt finished failed; tried again later")
            self.finish_pending = True
        else:
            self.finish_pending = False

    def _show_feedback(self, result: dict[str, Any]) -> None:
        self.view.lock()
        self.view.say("Answer saved.", "info")
        label = "See the outcome" if self.player.finished else "Next decision"
        go_on = w.Button(description=label, button_style="primary", tooltip=label)
        go_on.on_click(guarded(self.error)(lambda _: self._render_play()))
        panel = w.HTML(fb.decision_feedback(result))
        self._show([*self.body.children, panel, go_on], focus=go_on)

    def _render_summary(self) -> None:
        from toolkit.workshop import moderation

        if self.finish_pending:
            self._finish()
        player = self.player
        # A trainer's override of a rationale (workshop moderation) changes the summary too.
        overrides = moderation.attempt_overrides(self.store, self.attempt["id"])
        report = (
            moderation.moderated_report(
                player.scenario, player.responses(self.learner["id"]), overrides
            )
            if overrides
            else score_so_far(player.scenario, player, self.learner["id"])
        )
        notes = moderation.moderation_notes(report)
        html = fb.summary(report, player.ending, player.scenario.title) + "".join(
            text_tag("p", note, class_="ss-moderated") for note in notes
        )
        page = _summary_page(player.scenario.title, html)
        link = tag(
            "a",
            "Download my summary (HTML)",
            download=f"safeshare-{player.scenario.id}.html",
            href="data:text/html;base64," + base64.b64encode(page.encode()).decode(),
        )
        back = w.Button(description="Choose another scenario", tooltip="Back to the scenario list")
        back.on_click(guarded(self.error)(lambda _: self.show_picker()))
        # Focus goes to a "back" button at the top so the outcome is in view, not the last bars.
        top = self._back_button()
        self._show(
            [top, w.HTML(text_tag("h2", player.scenario.title) + html + tag("p", link)), back],
            focus=top,
        )


def _strip(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "decision"}


def _summary_page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>SafeShare summary: {esc(title)}</title>{fb.CSS}</head>"
        f"<body><main class='ss-app'><h1>SafeShare summary</h1><h2>{esc(title)}</h2>{body}"
        "</main></body></html>"
    )
