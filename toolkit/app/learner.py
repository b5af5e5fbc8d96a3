"""The learner app (placeholder): a heading and the bundled scenarios, until the real app lands.

It exists so the serving stack — Voilà, preheated kernels, strip_sources, the browser
tests — can be built and checked end to end before the learner journey is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import ipywidgets as widgets
import yaml

from toolkit.settings import Settings


def scenario_titles(case_dirs: Iterable[Path]) -> list[tuple[str, str]]:
    """(title, file name) of every scenarios/*.yaml under the case folders, sorted by title.

    A file that does not parse, or has no title, is listed by its file name: the validator,
    not this menu, is where broken cases get reported.
    """
    titles = []
    for folder in case_dirs:
        for path in sorted(Path(folder, "scenarios").glob("*.yaml")):
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except yaml.YAMLError:
                data = None
            title = data.get("title") if isinstance(data, dict) else None
            titles.append((str(title or path.stem), path.name))
    return sorted(titles)


def build(settings: Settings) -> widgets.VBox:
    """The app's root widget: a heading and a scenario picker."""
    heading = widgets.HTML("<h1>SafeShare</h1>")
    picker = widgets.Dropdown(
        options=scenario_titles(settings.case_dirs),
        description="Scenario",
        layout=widgets.Layout(width="40em"),
    )
    return widgets.VBox([heading, picker])


def show(settings: Settings | None = None) -> None:
    """Display the app in the current notebook; settings come from SAFESHARE_* when not given.

    Returns None on purpose: a returned widget would be displayed a second time as the
    cell's value.
    """
    from IPython.display import display

    display(build(settings or Settings.from_env()))
