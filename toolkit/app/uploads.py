"""A chronology spreadsheet uploaded in the browser, turned into a review the app can analyse.

The readers in ``toolkit.cases.chronology_io`` work on paths, so the uploaded bytes are written
to a private temporary folder under a cleaned-up copy of their name and read from there, once,
by a child process under memory and time limits (a hostile workbook can cost the reviewer's
kernel nothing). Every problem is then re-labelled with the name the reviewer uploaded, never
the temporary path: a reviewer fixes ``chronology.xlsx:7: date: …``, not a file they have
never seen.
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import Any

from toolkit.cases.chronology_io import read_workbook
from toolkit.cases.model import Review
from toolkit.cases.sheets import READERS
from toolkit.errors import CaseFileError
from toolkit.problems import Problem
from toolkit.review import adhoc_review

MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # a chronology of thousands of rows is far smaller
MAX_UPLOAD_EVENTS = 1000  # beyond this the timeline cannot be read and drawing it takes long
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def display_name(name: str) -> str:
    """The uploaded file's own name, without any folder a browser may have sent with it."""
    return PurePath(name.replace("\\", "/")).name.strip() or "upload"


def _safe_filename(name: str) -> str:
    """A name safe to create in the temporary folder, keeping the suffix that picks the reader."""
    path = PurePath(display_name(name))
    stem = _UNSAFE.sub("_", path.stem).strip("._")[:80] or "upload"
    return stem + path.suffix.lower()


def _relabel(problems: list[Problem], temporary: Path, name: str) -> list[Problem]:
    """The problems, naming the uploaded file instead of its temporary copy."""
    return [dataclasses.replace(p, file=name) if p.file == str(temporary) else p for p in problems]


def _refuse(name: str, message: str) -> CaseFileError:
    return CaseFileError([Problem(name, 0, "file", message)])


def review_from_upload(name: str, content: bytes) -> Review:
    """Read an uploaded CSV or XLSX chronology into a review around its events.

    ``name`` is the file name the browser gave; its suffix chooses the reader. An XLSX file's
    ``agencies`` sheet, if any, supplies agency names and sectors and is checked against the
    rows. Raises CaseFileError with every problem as ``name:row: column: message``.
    """
    shown = display_name(name)
    suffix = PurePath(shown).suffix.lower()
    if suffix not in READERS:
        kinds = " or ".join(READERS)
        raise _refuse(shown, f"upload a {kinds} file (this one is '{suffix or 'no suffix'}')")
    if not content:
        raise _refuse(shown, "the file is empty")
    if len(content) > MAX_UPLOAD_BYTES:
        limit = MAX_UPLOAD_BYTES // (1024 * 1024)
        raise _refuse(shown, f"the file is larger than {limit} MB; upload the chronology only")
    with tempfile.TemporaryDirectory(prefix="safeshare-upload-") as folder:
        path = Path(folder) / _safe_filename(name)
        path.write_bytes(content)
        try:
            agencies, events = read_workbook(path, confined=True)
        except CaseFileError as exc:
            raise CaseFileError(_relabel(exc.problems, path, shown)) from None
    if len(events) > MAX_UPLOAD_EVENTS:
        message = f"{len(events)} events is more than the {MAX_UPLOAD_EVENTS} this app draws"
        raise _refuse(shown, message)
    return adhoc_review(events, agencies, title=f"Uploaded chronology: {shown}")


def first_upload(value: Any) -> tuple[str, bytes] | None:
    """(name, bytes) of the first file in a FileUpload value; None when it holds none.

    ipywidgets 8 gives a tuple of dicts with ``name`` and ``content`` (a memoryview).
    """
    files = list(value or ())
    if not files or not isinstance(files[0], Mapping):
        return None
    return str(files[0].get("name") or "upload"), bytes(files[0].get("content") or b"")
