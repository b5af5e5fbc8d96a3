"""The trainer app's panels: cohorts, debrief, moderation and exports (one class each).

Each panel builds its widgets once and refreshes their values; callbacks run through the
app's guard, so a trainer sees what to fix and never a traceback. A panel knows the app only
as a TrainerPage (what it uses of trainer.TrainerApp): trainer.py imports this module, never
the other way round.
"""

from __future__ import annotations

import base64
from typing import Any, Protocol

import ipywidgets as w

from toolkit.app.exports import EXPORTERS, export_cohort
from toolkit.cases import Library
from toolkit.errors import SafeShareError
from toolkit.guidance import vocabulary
from toolkit.i18n import LANGUAGES, N_, Translator
from toolkit.settings import Settings
from toolkit.storage import Store
from toolkit.widgets.dashboard import debrief_html, decision_options
from toolkit.widgets.html import esc, tag, text_tag
from toolkit.workshop import cohorts, debrief, moderation

WIDE = w.Layout(width="44em")
AUTO = w.Layout(width="auto")  # buttons as wide as their label, never cut short
LISTS = {"description_width": "10em"}  # long enough for "Misconceptions", "Camsyniadau"
CONFIRM_DELETE = N_("Tick the box to confirm deleting the cohort first.")
CHOOSE_DECISION = N_("Choose a cohort and a decision first.")
CHOOSE_RATIONALE = N_("Choose a rationale to moderate first.")
OVERRIDE_SAVED = N_("Override saved: the dashboard, exports and the learner's summary show it.")


class TrainerPage(Protocol):
    """What the panels use of the trainer app; trainer.TrainerApp is one."""

    library: Library
    store: Store
    settings: Settings
    home_page: str
    t: Translator

    def say(self, text: str, kind: str = "info") -> None: ...

    def guard(self, callback: Any) -> Any: ...

    def refresh_cohorts(self, select: str | None = None) -> None: ...

    def require_cohort(self) -> str: ...

    def frames(self) -> Any: ...


def excerpt(text: str, limit: int = 90) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def join_card_html(card: cohorts.JoinCard, t: Translator) -> str:
    """The code, the learner URL and its QR code, large enough to read off a projector."""
    qr = base64.b64encode(card.qr_png(scale=6)).decode()
    link = text_tag("a", card.url, href=card.url, class_="ss-join-url")
    opens = esc(t._("Learners open {url} or scan:", url="\0")).replace("\0", link)
    return tag(
        "div",
        text_tag("h3", t._("Join code: {code}", code=card.code), class_="ss-join-code")
        + tag("p", opens)
        + tag(
            "img", "", src=f"data:image/png;base64,{qr}", alt=t._("QR code of {url}", url=card.url)
        ),
        class_="ss-card",
    )


class CohortPanel:
    """Create a cohort (join card with QR code), list, close and delete cohorts."""

    def __init__(self, app: TrainerPage):
        self.app = app
        s, t = app.settings, app.t
        titles = sorted((sc.title, sid) for sid, sc in app.library.scenarios.items())
        self.name = w.Text(
            description=t._("Name"),
            placeholder=t._("e.g. DSL refresher, March"),
            layout=w.Layout(width="36em"),
        )
        self.scenarios = w.SelectMultiple(
            options=titles, description=t._("Scenarios"), rows=8, layout=w.Layout(width="44em")
        )
        self.retention = w.BoundedIntText(
            value=s.retention_days, min=1, max=3650, description=t._("Keep (days)")
        )
        self.language = w.Dropdown(
            options=[(name, code) for code, name in LANGUAGES.items()],
            value=t.language,
            description=t._("Learners' language"),
            style={"description_width": "initial"},
        )
        create = w.Button(description=t._("Create cohort"), button_style="primary", layout=AUTO)
        create.on_click(app.guard(lambda _: self.create()))
        self.card = w.HTML()
        self.listing = w.HTML()
        self.confirm = w.Checkbox(
            description=t._("Yes, delete the selected cohort and all its answers"),
            indent=False,
            layout=w.Layout(width="40em"),
        )
        close = w.Button(description=t._("Close selected cohort"), layout=AUTO)
        close.on_click(app.guard(lambda _: self.close()))
        delete = w.Button(
            description=t._("Delete selected cohort"), button_style="danger", layout=AUTO
        )
        delete.on_click(app.guard(lambda _: self.delete()))
        self.widget = w.VBox(
            [
                w.HTML(text_tag("h3", t._("New cohort"))),
                self.name,
                self.scenarios,
                self.retention,
                self.language,
                w.HBox([create]),
                self.card,
                w.HTML(text_tag("h3", t._("Cohorts"))),
                self.listing,
                w.HBox([close, delete]),
                self.confirm,
            ]
        )

    def create(self) -> None:
        cohort = cohorts.create_cohort(
            self.app.store,
            self.name.value,
            self.scenarios.value,
            retention_days=self.retention.value,
            known=self.app.library.scenarios,
            language=self.language.value,
        )
        t = self.app.t
        card = cohorts.join_card(cohort, self.app.settings.host, self.app.settings.port)
        self.card.value = join_card_html(card, t)
        self.app.refresh_cohorts(select=cohort["code"])
        self.app.say(
            t._("Cohort “{name}” created: code {code}.", name=cohort["name"], code=cohort["code"])
        )

    def close(self) -> None:
        cohort = cohorts.close_cohort(self.app.store, self.app.require_cohort())
        self.app.refresh_cohorts(select=cohort["code"])
        self.app.say(self.app.t._("Cohort {code} is closed to new learners.", code=cohort["code"]))

    def delete(self) -> None:
        code, t = self.app.require_cohort(), self.app.t
        if not self.confirm.value:
            raise SafeShareError(CONFIRM_DELETE)
        gone = cohorts.delete_cohort(self.app.store, code)
        self.confirm.value = False
        self.app.refresh_cohorts()
        self.app.say(
            t.ngettext(
                "Cohort {code} deleted with its {n} learner and their answers.",
                "Cohort {code} deleted with its {n} learners and their answers.",
                gone,
                code=code,
            )
        )

    def show_list(self, rows: list[dict[str, Any]]) -> None:
        t = self.app.t
        head = "".join(
            text_tag("th", t._(h), scope="col")
            for h in (N_("Name"), N_("Code"), N_("Scenarios"), N_("Status"), N_("Kept until"))
        )
        body = "".join(
            tag(
                "tr",
                "".join(
                    text_tag("td", v)
                    for v in (
                        c["name"],
                        c["code"],
                        ", ".join(c["scenarios"]),
                        t._("closed") if c["closed"] else t._("open"),
                        str(c["retain_until"])[:10],
                    )
                ),
            )
            for c in rows
        )
        caption = text_tag("caption", t._("Cohorts"), class_="ss-visually-hidden")
        table = tag(
            "table", caption + tag("thead", tag("tr", head)) + tag("tbody", body), class_="ss-heat"
        )
        self.listing.value = (
            tag(
                "div",
                table,
                class_="ss-scroll",
                role="region",
                aria_label=t._("Cohorts"),
                tabindex="0",
            )
            if rows
            else text_tag("p", t._("No cohorts yet."))
        )


class DecisionPicker:
    """A dropdown of the selected cohort's decisions, kept when the options are unchanged."""

    def __init__(self, app: TrainerPage, on_change: Any):
        self.app = app
        self.widget = w.Dropdown(description=app.t._("Decision"), options=[], layout=WIDE)
        self.widget.observe(lambda _: app.guard(on_change)(), "value")

    def update(self, cohort: dict[str, Any] | None) -> None:
        offered = list(cohort["scenarios"]) if cohort else []
        options = decision_options(self.app.library.scenarios, offered)
        if [o[1] for o in options] != [o[1] for o in self.widget.options]:
            self.widget.options = options
            self.widget.value = options[0][1] if options else None

    @property
    def scenario(self):
        return self.app.library.scenarios[self.widget.value[0]] if self.widget.value else None


class DebriefPanel:
    """Pick a decision and a few sample rationales; show them big, with the guidance."""

    def __init__(self, app: TrainerPage):
        self.app, t = app, app.t
        self.picker = DecisionPicker(app, self.load)
        self.samples = w.SelectMultiple(description=t._("Samples"), options=[], rows=6, layout=WIDE)
        show = w.Button(description=t._("Show on projector"), button_style="primary", layout=AUTO)
        show.on_click(app.guard(lambda _: self.show()))
        reload = w.Button(description=t._("Reload answers"), layout=AUTO)
        reload.on_click(app.guard(lambda _: self.load()))
        self.view = w.HTML()
        hint = text_tag(
            "p",
            t._("Samples are shown without names; pick ones that teach something."),
            class_="ss-muted",
        )
        self.widget = w.VBox(
            [self.picker.widget, w.HTML(hint), self.samples, w.HBox([show, reload]), self.view]
        )

    def load(self) -> None:
        """Refresh the sample list for the chosen decision (kept choices stay chosen)."""
        frames = self.app.frames()
        if frames is None or self.picker.widget.value is None:
            self.samples.options, self.view.value = [], ""
            return
        sid, did = self.picker.widget.value
        found = debrief.rationale_candidates(frames.answers, sid, did)
        keep = set(self.samples.value)
        self.samples.options = [
            (f"{r.points:g}/{r.max_points:g} · {excerpt(r.text)}", int(r.answer_id))
            for r in found.itertuples()
        ]
        self.samples.value = tuple(v for _, v in self.samples.options if v in keep)

    def show(self) -> None:
        frames = self.app.frames()
        if frames is None or self.picker.widget.value is None:
            raise SafeShareError(CHOOSE_DECISION)
        sid, did = self.picker.widget.value
        scenario = self.app.library.scenarios[sid]
        view = debrief.debrief_view(
            frames.answers, frames.misconceptions, scenario, did, self.samples.value
        )
        self.view.value = debrief_html(view, self.app.t)


class ModerationPanel:
    """Override a rationale's concepts, misconceptions and points, with a reason the learner
    will read."""

    def __init__(self, app: TrainerPage):
        self.app, t = app, app.t
        self.rows: dict[int, Any] = {}
        self.picker = DecisionPicker(app, self.load)
        self.answer = w.Dropdown(description=t._("Rationale"), options=[], layout=WIDE)
        self.answer.observe(lambda _: app.guard(self.pick)(), "value")
        self.detail = w.HTML()
        concepts = [(f"{t.term(c.name)} ({c.id})", c.id) for c in vocabulary().concepts.values()]
        self.concepts = w.SelectMultiple(
            description=t._("Concepts"), options=concepts, rows=9, layout=WIDE, style=LISTS
        )
        misconceptions = [
            (f"{t.term(m.name)} ({m.id})", m.id) for m in vocabulary().misconceptions.values()
        ]
        self.misconceptions = w.SelectMultiple(
            description=t._("Misconceptions"),
            options=misconceptions,
            rows=6,
            layout=WIDE,
            tooltip=t._("Those the reasoning really shows (ctrl-click to add or remove)"),
            style=LISTS,
        )
        self.points = w.BoundedFloatText(
            description=t._("Points"),
            min=0,
            max=0,
            step=0.5,
            style={"description_width": "initial"},
        )
        self.reason = w.Textarea(
            description=t._("Reason"),
            layout=WIDE,
            placeholder=t._("Why you changed the mark (the learner sees this)"),
        )
        self.trainer = w.Text(description=t._("Your name"), value="trainer")
        save = w.Button(description=t._("Save override"), button_style="primary", layout=AUTO)
        save.on_click(app.guard(lambda _: self.save()))
        self.widget = w.VBox(
            [
                self.picker.widget,
                self.answer,
                self.detail,
                self.concepts,
                self.misconceptions,
                self.points,
                self.reason,
                self.trainer,
                w.HBox([save]),
            ]
        )

    def load(self) -> None:
        frames = self.app.frames()
        if frames is None or self.picker.widget.value is None:
            self.answer.options, self.rows = [], {}
            return
        sid, did = self.picker.widget.value
        mine = frames.answers[
            (frames.answers["scenario"] == sid)
            & (frames.answers["decision"] == did)
            & (frames.answers["rationale"].str.strip() != "")
        ]
        self.rows = {int(r.answer_id): r for r in mine.itertuples()}
        keep = self.answer.value
        t = self.app.t
        self.answer.options = [
            (
                t._(
                    "{points}/{most} points · {excerpt}",
                    points=f"{r.points:g}",
                    most=f"{r.max_points:g}",
                    excerpt=excerpt(r.rationale),
                ),
                i,
            )
            for i, r in self.rows.items()
        ]
        self.answer.value = keep if keep in self.rows else next(iter(self.rows), None)
        self.pick()

    def pick(self) -> None:
        row = self.rows.get(self.answer.value)
        scenario = self.picker.scenario
        t = self.app.t
        if row is None or scenario is None:
            message = t._("No rationales to moderate yet.")
            self.detail.value = text_tag("p", message, class_="ss-muted")
            return
        decision = scenario.decision(row.decision)
        known = {value for _, value in self.concepts.options}
        self.concepts.value = tuple(c for c in row.concepts if c in known)
        self.misconceptions.value = tuple(row.rationale_misconceptions)
        self.points.max = moderation.rationale_max(decision)
        self.points.description = t._("Reasoning points (0–{most})", most=f"{self.points.max:g}")
        self.points.value = min(self.points.max, float(row.rationale_points))
        note = (
            t._("Moderated by {who}: {reason}", who=row.moderated_by, reason=row.moderation_reason)
            if row.moderated
            else t._(
                "Automatic: {concepts}; {misconceptions}",
                concepts=", ".join(row.auto_concepts) or t._("no concepts"),
                misconceptions=", ".join(row.auto_misconceptions) or t._("no misconceptions"),
            )
        )
        self.detail.value = tag("blockquote", esc(row.rationale), class_="ss-sample") + text_tag(
            "p", note, class_="ss-muted"
        )

    def save(self) -> None:
        if self.answer.value is None:
            raise SafeShareError(CHOOSE_RATIONALE)
        moderation.add_override(
            self.app.store,
            self.app.library.scenarios,
            self.answer.value,
            concepts=self.concepts.value,
            misconceptions=self.misconceptions.value,
            points=self.points.value,
            reason=self.reason.value,
            trainer=self.trainer.value,
        )
        self.reason.value = ""
        self.app.say(OVERRIDE_SAVED)
        self.load()


class ExportPanel:
    """Buttons that turn the selected cohort into a download: CSV, XLSX or xAPI."""

    def __init__(self, app: TrainerPage):
        self.app = app
        self.links = w.HTML()
        buttons = []
        for fmt, exporter in EXPORTERS.items():
            button = w.Button(
                description=app.t._("Export {format}", format=fmt.upper()),
                tooltip=app.t._(exporter.what),
                layout=AUTO,
            )
            button.on_click(app.guard(lambda _, f=fmt: self.export(f)))
            buttons.append(button)
        self.widget = w.VBox([w.HBox(buttons), self.links])

    def export(self, fmt: str) -> None:
        code = self.app.require_cohort()
        data, name = export_cohort(
            self.app.store, self.app.library.scenarios, code, fmt, self.app.home_page
        )
        href = f"data:{EXPORTERS[fmt].mime};base64," + base64.b64encode(data).decode()
        t = self.app.t
        link = tag(
            "a",
            esc(t._("Download {name}", name=name)),
            href=href,
            download=name,
            class_=f"ss-download ss-download-{fmt}",
        )
        size = t.ngettext("{n:,} byte", "{n:,} bytes", len(data))
        self.links.value = tag("p", link + esc(f" ({size})"))
