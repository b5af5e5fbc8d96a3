"""The page helper: focus, page language, live regions and group names ipywidgets lacks.

ipywidgets 8 cannot name a group of radio buttons or checkboxes, set an element's ``lang``,
mark a box as a live region, or focus anything but a control (its ARIA support is an open
issue upstream). ``PageHelper`` is a small anywidget whose front-end module (``a11y.js``,
package data, sent to the page by the kernel: nothing from another host) does those things:

- a box with class ``ss-group`` becomes ``role=group`` named by its ``ss-legend`` element;
  a RadioButtons box becomes ``role=radiogroup`` named by its label (the ARIA equivalent of
  a fieldset and legend, WCAG 1.3.1);
- a widget with class ``ss-live`` becomes an ``aria-live`` region (status messages, 4.1.3);
- a widget with class ``ss-lang-cy`` gets ``lang="cy"`` (language of parts, 3.1.2), and the
  page's ``<html lang>`` and title follow the interface language (3.1.1, 2.4.2);
- ``move_focus(element_id)`` moves keyboard focus to that element once it is on the page, for
  instance a new decision's heading (2.4.3, focus order).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import anywidget
import traitlets

ESM = (Path(__file__).resolve().parent / "a11y.js").read_text(encoding="utf-8")


class PageHelper(anywidget.AnyWidget):
    """One per page; put it anywhere in the app's widget tree."""

    _esm = ESM
    lang = traitlets.Unicode("en").tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)

    def __init__(self, lang: str = "en", title: str = "", **kwargs: object):
        super().__init__(lang=lang, title=title, **kwargs)
        self._ids = itertools.count(1)
        self.focused: list[str] = []  # what focus was sent to, for tests

    def new_id(self, prefix: str) -> str:
        """An element id not used before on this page (focus never lands on an old copy)."""
        return f"ss-{prefix}-{next(self._ids)}"

    def move_focus(self, element_id: str) -> None:
        """Move keyboard focus to the element with this id when it is drawn."""
        self.focused.append(element_id)
        self.send({"focus": f"#{element_id}"})
