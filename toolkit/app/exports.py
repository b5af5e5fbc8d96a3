"""Cohort exports: the registry of formats (EXPORTERS) and export_cohort, one cohort to a file.

The trainer app's Export tab (trainer_panels.ExportPanel) and ``safeshare export`` both call
export_cohort; a new format is one new entry in EXPORTERS, and both follow.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from toolkit.cases import Scenario
from toolkit.errors import SafeShareError
from toolkit.i18n import N_
from toolkit.storage import Store
from toolkit.workshop import cohorts


@dataclass(frozen=True)
class ExportJob:
    """What an exporter needs besides the frames: the cohort, the LRS home page, the view."""

    code: str
    scenarios: Mapping[str, Scenario]
    home_page: str
    view: str = "answers"


@dataclass(frozen=True)
class Exporter:
    """One export format: what it holds, its MIME type and suffix, and its writer."""

    what: str
    mime: str
    suffix: str
    write: Callable[[Any, ExportJob], bytes]


def _csv(frames: Any, job: ExportJob) -> bytes:
    from toolkit.export.spreadsheet import to_csv
    from toolkit.workshop.views import export_views

    return to_csv(export_views(frames, (job.view,))[job.view])


def _xlsx(frames: Any, job: ExportJob) -> bytes:
    from toolkit.export.spreadsheet import to_xlsx
    from toolkit.workshop.views import export_views

    return to_xlsx(export_views(frames))


def _xapi(frames: Any, job: ExportJob) -> bytes:
    from toolkit.export import xapi

    return xapi.to_json(xapi.statements(frames.answers, job.scenarios, job.home_page, job.code))


# A new format is one entry here (the CLI's --format choices and the Export tab follow).
EXPORTERS: dict[str, Exporter] = {
    "csv": Exporter(N_("one view (answers by default) as CSV"), "text/csv", "csv", _csv),
    "xlsx": Exporter(
        N_("workbook: answers, step profile, misconceptions, progress"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
        _xlsx,
    ),
    "xapi": Exporter(
        N_("xAPI statements (JSON) for a learning record store"), "application/json", "json", _xapi
    ),
}


def cohort_frames(store: Store, scenarios: Mapping[str, Scenario], code: str) -> Any:
    """Read a cohort (overrides applied) and build its tidy frames."""
    from toolkit.export.frames import cohort_frames as build

    return build(cohorts.cohort_record(store, code), scenarios)


def export_cohort(
    store: Store,
    scenarios: Mapping[str, Scenario],
    code: str,
    fmt: str,
    home_page: str,
    view: str = "answers",
) -> tuple[bytes, str]:
    """A cohort exported as ``fmt`` (see EXPORTERS): (the file's bytes, a file name).

    The CLI's ``safeshare export`` and the trainer's Export tab both call this.
    """
    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        raise SafeShareError(f"unknown format {fmt!r} (choose one of: {', '.join(EXPORTERS)})")
    frames = cohort_frames(store, scenarios, code)
    job = ExportJob(store.find_cohort(code)["code"], scenarios, home_page, view)
    part = f"-{view.replace(' ', '-')}" if fmt == "csv" else ""
    return exporter.write(frames, job), f"safeshare-{job.code}{part}.{exporter.suffix}"
