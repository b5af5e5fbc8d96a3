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
from toolkit.i18n import LANGUAGES, N_, choose_language, translator
from toolkit.storage import Store, cohort_open
from toolkit.storage.clean import clean_json
from toolkit.widgets import feedback as fb
from toolkit.widgets.a11y import PageHelper
from toolkit.widgets.decision import DecisionView, too_long
from toolkit.widgets.html import esc, markdown, tag, text_tag

log = logging.getLogger("safeshare.app.learner")
CLOSED = N_("This workshop session has closed. Ask your trainer for a new code.")
SAVE_FAILED = N_(
    "Your answer could not be saved just now (the database is busy or unreachable). "
    "Nothing is lost: wait a moment and press Submit again."
)


# After a cohort is deleted or a learner erased, an open tab's records are gone. The store's
# own words name ids ("no answer to d2 in attempt 7"); the learner is told what to do instead.
GONE = N_(
    "Your answers are no longer stored: the workshop was deleted, or your answers were erased "
    "on request. Choose a scenario to start again."
)
UNKNOWN_WORKSHOP = N_(
    "That workshop code was not recognised (the workshop may have ended). Check it with your "
    "trainer, or choose a scenario to work on your own."
)
UNKNOWN_RESUME = N_("That resume code was not recognised. Check it and try again.")
NOT_HERE = N_("That scenario is not available here.")
CHOOSE_FIRST = N_("Choose a scenario first.")
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
    """One learner's browser tab. Holds widgets and the player; the store holds the truth.

    The interface language is the page's ``?lang=`` or the switch on the page when the
    learner chose one; otherwise the language remembered with the attempt they resume, then
    the LMS launch's locale, then the cohort's default, then English. The choice is stored
    with the attempt. Focus moves where a keyboard or screen reader user needs it next: the
    scenario's title when it opens, the new decision's heading after "Next decision", the
    feedback after "Submit", the outcome at the end, the list's heading when back at it.
    """

    def __init__(self, library: Library, store: Store):
        self.library, self.store = library, store
        self.learner: dict[str, Any] | None = None
        self.cohort: dict[str, Any] | None = None
        self.player: Player | None = None
        self.attempt: dict[str, Any] | None = None
        self.view: DecisionView | None = None
        self.finish_pending = False  # the attempt is complete but could not be marked so yet
        self.scenario_open: str | None = None  # the scenario being played, for Continue
        self.query = Query()
        self.chosen = False  # the learner chose the language (?lang= or the switch)
        self.lang = "en"
        self.t = translator("en")
        self.screen: Callable[[], None] = self.show_picker
        self.last: tuple[str, int, dict[str, Any], dict[str, Any]] | None = None
        self.helper = PageHelper()
        # In a workshop, an optional name the trainer sees instead of the pseudonymous id.
        self.name_box = w.Text(
            style={"description_width": "initial"}, layout=w.Layout(width="32em")
        )
        self.switch = w.RadioButtons(
            options=[(name, code) for code, name in LANGUAGES.items()], value="en"
        )
        self.switch.add_class("ss-lang-switch")
        self.switch.observe(lambda change: self._switched(change["new"]), "value")
        self.header = w.HTML()
        self.notice = w.HTML("")
        self.notice.add_class("ss-live")
        self.body = w.VBox([], layout=w.Layout(width="100%"))
        self.widget = w.VBox(
            [w.HTML(fb.CSS), self.helper, self.header, self.switch, self.notice, self.body]
        )
        self.widget.add_class("ss-app")
        self._label()

    # Language ---------------------------------------------------------------------------
    def _label(self) -> None:
        """Put the fixed parts of the page (header, switch, name box) in the language."""
        t = self.t
        self.helper.lang = self.lang
        self.helper.title = t._("SafeShare: practise sharing information to safeguard children")
        self.header.value = text_tag("h1", "SafeShare") + text_tag(
            "p",
            t._(
                "Practise sharing information to safeguard children, step by step with the "
                "ICO's 10 step guide. All cases are fictional."
            ),
            class_="ss-muted",
        )
        self.switch.description = t._("Language (Iaith)")
        self.name_box.description = t._("Your name for the trainer (optional)")
        self.name_box.placeholder = t._("first name or nickname")

    def set_language(self, language: str, chosen: bool = True) -> None:
        """Show the page in ``language`` from now on, and redraw what is on screen."""
        language = choose_language([language])
        self.chosen = self.chosen or chosen
        if language == self.lang:
            return
        self.lang, self.t = language, translator(language)
        if self.switch.value != language:
            self.switch.value = language  # observed: comes back here with nothing to do
        self._label()
        self.notice.value = ""
        if chosen and self.attempt is not None:
            try:
                self.store.set_attempt_language(self.attempt["id"], language)
            except SQLAlchemyError:  # the choice still holds on this page
                log.exception("remembering the language failed")
        self.screen()

    def _switched(self, language: str) -> None:
        guarded(self.error)(self.set_language)(language)

    # Messages ---------------------------------------------------------------------------
    def error(self, text: str) -> None:
        """An alert in the page's language (``text`` is a message id, or already said)."""
        message = self.t._(text)
        self.notice.value = text_tag("div", message, class_="ss-msg ss-error", role="alert")

    def info(self, text: str) -> None:
        message = self.t._(text)
        self.notice.value = text_tag("div", message, class_="ss-msg ss-info", role="status")

    def pause(self, idle_seconds: float) -> None:
        """Show the paused panel: the server is about to free this page's kernel."""
        resume = self.learner["resume_key"] if self.learner else None
        session = self.cohort["code"] if self.cohort else None
        address = continue_address(resume, self.scenario_open, session, self.lang)
        self.notice.value = ""
        self._show([w.HTML(paused_html(idle_seconds, address, self.t))])

    def _show(self, children: list[w.Widget], focus: str | None = None) -> None:
        """Replace the page body, then move keyboard focus to the element ``focus`` names.

        Why: the button just pressed is gone, so focus would fall back to the whole page and
        a screen reader would start again from the top. The page helper focuses the element
        once it is drawn (a heading takes focus with tabindex=-1).
        """
        self.body.children = children
        if focus:
            self.helper.move_focus(focus)

    # Entry ------------------------------------------------------------------------------
    def start(self, query: Query) -> None:
        """Act on the page's query: language, join a session, resume a learner, open a
        scenario."""
        self.query = query
        guarded(self.error)(self._start)(query)

    def _start(self, query: Query) -> None:
        if query.lang:
            self.set_language(query.lang)
        if query.session:
            try:
                self.cohort = self.store.find_cohort(query.session)
            except MissingEntry:
                self._default_language()
                self.show_picker()
                raise SafeShareError(UNKNOWN_WORKSHOP) from None
            if not cohort_open(self.cohort):
                self.cohort = None
                self._default_language()
                raise SafeShareError(CLOSED)
        if query.resume and not self._resumed(query.resume):
            self._default_language()
            self.show_picker()  # the list stays open: retype the code, or start afresh
            return
        self._default_language()
        if query.scenario and query.scenario in self._offered():
            self.open_scenario(query.scenario)
        else:
            self.show_picker()

    def _default_language(self) -> None:
        """Unless the learner chose: the LMS launch's locale, else the cohort's default."""
        if not self.chosen:
            cohort = (self.cohort or {}).get("language")
            self.set_language(choose_language([self.query.locale, cohort]), chosen=False)

    def _offered(self) -> dict[str, Scenario]:
        """The scenarios on offer: the cohort's, else all; those written in the page's
        language first, then by title."""
        if self.cohort and self.cohort["scenarios"]:
            wanted = self.cohort["scenarios"]
            found = {s: self.library.scenarios[s] for s in wanted if s in self.library.scenarios}
        else:
            found = dict(self.library.scenarios)
        order = sorted(found.items(), key=lambda kv: (kv[1].language != self.lang, kv[1].title))
        return dict(order)

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
            raise SafeShareError(UNKNOWN_RESUME) from None
        if self.learner["cohort_id"] and not self.cohort:
            cohorts = [c for c in self.store.list_cohorts() if c["id"] == self.learner["cohort_id"]]
            self.cohort = cohorts[0] if cohorts else None
        self.info(N_("Welcome back: your answers so far are restored."))

    # Picker -----------------------------------------------------------------------------
    def show_picker(self, focus: bool | None = None) -> None:
        """The list of scenarios. Focus goes to its heading when the learner comes back to
        it (not on the page's first load, where the browser starts at the top)."""
        t = self.t
        self.screen = lambda: self.show_picker(focus=True)
        self.scenario_open = None
        self.last = None
        cards = [self._card(s) for s in self._offered().values()]
        intro = t._("Choose a scenario to work through.")
        if self.cohort:
            intro = t._("Workshop: {name}.", name=self.cohort["name"]) + " " + intro
        self.resume_box = w.Text(
            description=t._("Resume code"),
            placeholder="XXXX-XXXX-XXXX-XXXX",
            style={"description_width": "initial"},
        )
        resume_btn = w.Button(
            description=t._("Resume"), tooltip=t._("Continue with your resume code")
        )
        resume_btn.on_click(guarded(self.error)(lambda _: self._resume_clicked()))
        heading = self.helper.new_id("scenarios")
        parts = [
            w.HTML(
                tag("h2", esc(t._("Scenarios")), id=heading, tabindex="-1") + text_tag("p", intro)
            )
        ]
        if self.cohort and not self.learner:
            parts.append(self.name_box)
        parts += cards
        if not self.learner:
            parts.append(w.HTML(text_tag("h3", t._("Started before?"))))
            parts.append(w.HBox([self.resume_box, resume_btn]))
        moved = self.player is not None if focus is None else focus
        self.player = None
        self._show(parts, focus=heading if moved else None)

    def _resume_clicked(self) -> None:
        self._resume(self.resume_box.value)
        self.show_picker(focus=True)

    def _card(self, scenario: Scenario) -> w.Widget:
        t, vocab = self.t, vocabulary()
        badges = "".join(
            text_tag("span", b, class_="ss-badge")
            for b in [
                t.term(vocab.nations[scenario.nation].name),
                *(t.term(vocab.sectors[s].name) for s in scenario.sectors),
                t._("{minutes} min", minutes=scenario.minutes),
                *([LANGUAGES[scenario.language]] if scenario.language != self.lang else []),
            ]
        )
        steps = ", ".join(scenario.steps)
        other = scenario.language if scenario.language != self.lang else None
        html = (
            tag("h3", esc(scenario.title), lang=other)
            + tag("div", badges)
            + (tag("p", esc(scenario.summary), lang=other) if scenario.summary else "")
            + text_tag("p", t._("Guidance steps: {steps}", steps=steps), class_="ss-muted")
        )
        # The title is in the button's text so each of the many Start buttons has its own
        # accessible name (ipywidgets cannot set aria-label; the tooltip is not read first).
        button = w.Button(
            description=t._("Start: {title}", title=scenario.title),
            tooltip=t._("Open this scenario"),
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
            raise SafeShareError(NOT_HERE)
        try:
            if self.learner is None:
                code = self.cohort["code"] if self.cohort else None
                name = display_name(self.name_box.value) if code else None
                try:  # joining now: the cohort may have closed since this page opened
                    self.learner = self.store.learner(cohort_code=code, display_name=name)
                except AccessDenied:
                    raise SafeShareError(CLOSED) from None
            self.attempt = self.store.open_attempt(self.learner["id"], scenario.id, self.lang)
        except (MissingEntry, IntegrityError):  # the learner or cohort was deleted meanwhile
            self._records_gone()
            return
        self._remember_language()
        stored = {
            a["decision_id"]: _strip(a["answer"]) for a in self.store.answers(self.attempt["id"])
        }
        self.player = Player(scenario, stored)
        if self.player.finished:  # every answer given, but finishing failed last time
            self._finish()
        self.notice.value = self.notice.value if stored else ""
        self.screen = self._render_play
        self._render_play(opening=True)

    def _remember_language(self) -> None:
        """A resumed attempt's language wins unless the learner chose one on this page; a
        choice made here is stored with the attempt."""
        remembered = self.attempt.get("language")
        if remembered and not self.chosen:
            self.set_language(remembered, chosen=False)
        elif remembered != self.lang:
            try:
                self.store.set_attempt_language(self.attempt["id"], self.lang)
            except SQLAlchemyError:
                log.exception("remembering the language failed")

    def _scenario_intro(self, heading_id: str | None = None) -> w.Widget:
        scenario = self.player.scenario
        other = scenario.language if scenario.language != self.lang else None
        html = (
            tag("h2", esc(scenario.title), id=heading_id, tabindex="-1", lang=other)
            + tag("div", markdown(scenario.context), class_="ss-context", lang=other)
            + self._chronology_html(scenario, other)
            + self._resume_note()
        )
        return w.HTML(html)

    def _resume_note(self) -> str:
        """How to come back later: the resume code (an LMS launch says otherwise)."""
        t = self.t
        return tag(
            "p",
            esc(t._("Your resume code: {code}.", code="\\0")).replace(
                "\\0", text_tag("strong", self.learner["resume_key"])
            )
            + " "
            + esc(t._("Keep it to continue later on this or another device.")),
            class_="ss-muted",
        )

    def _chronology_html(self, scenario: Scenario, other: str | None) -> str:
        if not scenario.chronology:
            return ""
        t = self.t
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
                text_tag("th", t._(h), scope="col")
                for h in (N_("When"), N_("Agency"), N_("What happened"), N_("Who knew"))
            ),
        )
        caption = t._("What has happened so far")
        table = tag(
            "table", tag("thead", head) + tag("tbody", rows, lang=other), class_="ss-chronology"
        )
        return text_tag("h3", caption) + tag(
            "div", table, class_="ss-scroll", role="region", aria_label=caption, tabindex="0"
        )

    def _render_play(self, opening: bool = False) -> None:
        if self.player.finished:
            self.scenario_open = None  # finished: Continue leads back to the list
            self.screen = self._render_summary
            self._render_summary()
            return
        self.scenario_open = self.player.scenario.id
        self.screen = self._render_play
        decision = self.player.current
        number = len(self.player.path) + 1
        self.view = self._decision_view(decision.id, number)
        self.view.submit.on_click(guarded(self.view.say_error)(lambda _: self.submit(decision.id)))
        # Opening a scenario, focus goes to its title so the case is read first; after "Next
        # decision" it goes to the new decision's heading, then Tab reaches its first control.
        title = self.helper.new_id("scenario")
        focus = title if opening or not self.player.path else self.view.heading_id
        self._show([self._back_button(), self._scenario_intro(title), self.view.widget], focus)

    def _decision_view(self, decision_id: str, number: int) -> DecisionView:
        scenario = self.player.scenario
        return DecisionView(
            scenario.decision(decision_id),
            number,
            self.t,
            heading_id=self.helper.new_id("decision"),
            language=scenario.language,
        )

    def _back_button(self) -> w.Button:
        """A way back to the list (answers are already saved; Start again resumes)."""
        t = self.t
        back = w.Button(
            description=t._("Back to all scenarios"), tooltip=t._("Back to the scenario list")
        )
        back.on_click(guarded(self.error)(lambda _: self.show_picker(focus=True)))
        back.add_class("ss-back")
        return back

    def submit(
        self, decision_id: str, answer: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """Check, score, store, then show feedback. The store write comes before the feedback."""
        t, player = self.t, self.player
        if player is None:
            raise SafeShareError(CHOOSE_FIRST)
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
        refusal = too_long(rationale, t) if isinstance(rationale, str) else None
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
                self.view.say(t._(SAVE_FAILED), "error")
                return None
        except MissingEntry:  # the attempt was deleted under this tab
            self._records_gone()
            return None
        # A retried submit (another tab, a dropped connection) keeps the first stored answer.
        answer, result = _strip(stored["answer"]), stored["result"]
        number = len(player.path) + 1
        player.answer(decision_id, answer)
        if player.finished:
            self._finish()
        self.last = (decision_id, number, answer, result)
        self._show_feedback()
        return result

    def _records_gone(self) -> None:
        """This tab's learner or attempt is no longer stored: back to the list, said plainly."""
        log.info("learner %s: records gone, starting afresh", (self.learner or {}).get("id"))
        self.learner = self.attempt = self.player = None
        if self.cohort:
            found = [c for c in self.store.list_cohorts() if c["id"] == self.cohort["id"]]
            self.cohort = found[0] if found and not found[0]["closed"] else None
        self.show_picker(focus=True)
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

    def _show_feedback(self) -> None:
        """The answered decision, locked, with its feedback below; focus on the feedback.

        Drawn from ``self.last`` alone, so switching language redraws it as it was.
        """
        t = self.t
        decision_id, number, answer, result = self.last
        self.screen = self._show_feedback
        if self.view is None or self.view.decision.id != decision_id or self.view.t is not t:
            self.view = self._decision_view(decision_id, number)
            self.view.fill(answer)
        self.view.lock()
        self.view.say(t._("Answer saved."), "info")
        label = t._("See the outcome") if self.player.finished else t._("Next decision")
        go_on = w.Button(description=label, button_style="primary", tooltip=label)
        go_on.on_click(guarded(self.error)(lambda _: self._render_play()))
        heading = self.helper.new_id("feedback")
        panel = w.HTML(fb.decision_feedback(result, t, heading_id=heading))
        title = self.helper.new_id("scenario")
        self._show(
            [self._back_button(), self._scenario_intro(title), self.view.widget, panel, go_on],
            focus=heading,
        )

    def _render_summary(self) -> None:
        from toolkit.workshop import moderation

        t = self.t
        self.screen = self._render_summary
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
        other = player.scenario.language if player.scenario.language != self.lang else None
        html = fb.summary(report, player.ending, player.scenario.title, t, other) + "".join(
            text_tag("p", note, class_="ss-moderated") for note in moderation_notes(report, t)
        )
        page = _summary_page(player.scenario.title, html, t)
        link = tag(
            "a",
            esc(t._("Download my summary (HTML)")),
            download=f"safeshare-{player.scenario.id}.html",
            href="data:text/html;base64," + base64.b64encode(page.encode()).decode(),
        )
        back = w.Button(
            description=t._("Choose another scenario"), tooltip=t._("Back to the scenario list")
        )
        back.on_click(guarded(self.error)(lambda _: self.show_picker(focus=True)))
        # Focus goes to the scenario's title above the outcome, so the result is read first.
        heading = self.helper.new_id("summary")
        top = tag("h2", esc(player.scenario.title), id=heading, tabindex="-1", lang=other)
        self._show([self._back_button(), w.HTML(top + html + tag("p", link)), back], focus=heading)


def moderation_notes(report: dict[str, Any], t: Any) -> list[str]:
    """One plain sentence per decision a trainer moderated, for the learner's summary."""
    notes = []
    for number, entry in enumerate(report.get("decisions", []), start=1):
        moderated = entry.get("moderated")
        if moderated:
            notes.append(
                t._(
                    "Decision {number}: your trainer reviewed your reasoning (now {points} of "
                    "{most} points). Their note: {reason}",
                    number=number,
                    points=f"{entry['points']:g}",
                    most=f"{entry['max_points']:g}",
                    reason=moderated["reason"],
                )
            )
    return notes


def _strip(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "decision"}


def _summary_page(title: str, body: str, t: Any) -> str:
    """The summary as a page of its own, to keep: in the page's language, with a <main>."""
    heading = esc(t._("SafeShare summary"))
    return (
        f"<!doctype html><html lang='{t.language}'><head><meta charset='utf-8'>"
        f"<title>{heading}: {esc(title)}</title>{fb.CSS}</head>"
        f"<body><main class='ss-app'><h1>{heading}</h1><h2>{esc(title)}</h2>{body}"
        "</main></body></html>"
    )
