"""``make i18n``: extract every interface message, update the Welsh catalogue, compile it.

Run as ``python -m toolkit.i18n.build`` (``--check`` only reports). Messages come from two
places: the Python of the apps and their widgets (``_``, ``ngettext`` and ``N_`` calls, with
``Translators:`` comments), and the guidance vocabulary's learner-facing fields (a step's
heading, a basis's name, a misconception's correction…), which the widgets translate with
``Translator.term``. Babel does the extracting, merging and compiling; it is only needed
here and in the tests, never by a running app (which reads the compiled ``.mo`` with the
standard library's gettext).
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from toolkit.i18n import DOMAIN, LOCALE_DIR

TOOLKIT = Path(__file__).resolve().parents[1]
# Where interface strings live: the apps, their widgets, and this package.
SOURCE_DIRS = ("app", "widgets", "i18n")
GUIDANCE = TOOLKIT / "guidance" / "data"
# Guidance fields shown to learners, trainers or reviewers: file → fields (a list is walked).
GUIDANCE_FIELDS: dict[str, tuple[str, ...]] = {
    "steps.yaml": ("heading", "short", "summary"),
    "bases.yaml": ("name",),
    "conditions.yaml": ("name",),
    "concepts.yaml": ("name", "shows"),
    "misconceptions.yaml": ("name", "belief", "correction"),
    "nations.yaml": ("name",),
    "sectors.yaml": ("name",),
    "themes.yaml": ("name",),
}
LANGUAGES = ("cy",)
# CLDR's six Welsh cardinal forms: zero, one, two, few (3), many (6), other. Babel's own
# table merges zero into other, so the header is set here and kept on every update.
PLURAL_FORMS = {
    "cy": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n==3 ? 3 : n==6 ? 4 : 5);"
}
HEADER = """\
# SafeShare's interface in Welsh. Written for this project and NOT yet reviewed by a Welsh
# speaker: see docs/translation.md. Update with `make i18n`; never edit the .mo by hand.
#"""
TRANSLATOR = "SafeShare developers (awaiting review by a Welsh speaker)"
FIELD = re.compile(r"\{([a-z_][a-z0-9_]*)(?:[:!][^}]*)?\}")


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: str) -> Path:
    return po_path(language).with_suffix(".mo")


def _python_messages() -> Iterator[tuple[str, int, object, list[str]]]:
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file

    for folder in SOURCE_DIRS:
        for path in sorted((TOOLKIT / folder).rglob("*.py")):
            relative = path.relative_to(TOOLKIT.parent).as_posix()
            for line, message, comments, _context in extract_from_file(
                "python", path, keywords=DEFAULT_KEYWORDS, comment_tags=("Translators:",)
            ):
                yield relative, line, message, comments


def _guidance_messages() -> Iterator[tuple[str, int, object, list[str]]]:
    for name, fields in GUIDANCE_FIELDS.items():
        records = yaml.safe_load((GUIDANCE / name).read_text(encoding="utf-8"))
        relative = (GUIDANCE / name).relative_to(TOOLKIT.parent).as_posix()
        for number, record in enumerate(records, start=1):
            for key in fields:
                value = record.get(key)
                if isinstance(value, str) and value.strip():
                    note = f"guidance: {record['id']} {key}"
                    yield relative, number, value.strip(), [note]


def template():
    """Every message as a Babel catalogue with no translations (the ``.pot``)."""
    from babel.messages.catalog import Catalog

    catalogue = Catalog(project="SafeShare", domain=DOMAIN, charset="utf-8")
    for source in (_python_messages(), _guidance_messages()):
        for path, line, message, comments in source:
            if isinstance(message, tuple):
                message = tuple(m for m in message if m is not None)[:2]
            catalogue.add(message, None, [(path, line)], auto_comments=comments)
    return catalogue


@dataclass
class Report:
    """What is wrong with a language's catalogue (empty lists: nothing)."""

    language: str
    missing: list[str] = field(default_factory=list)  # extracted, not in the .po
    unused: list[str] = field(default_factory=list)  # in the .po, no longer extracted
    untranslated: list[str] = field(default_factory=list)  # empty or fuzzy msgstr
    fields: list[str] = field(default_factory=list)  # {fields} differ from the msgid's
    plural_forms: str = ""
    stale_mo: bool = False

    @property
    def ok(self) -> bool:
        return not (
            self.missing or self.unused or self.untranslated or self.fields or self.stale_mo
        )


def _key(message_id: object) -> str:
    return message_id[0] if isinstance(message_id, tuple) else str(message_id)


def read(language: str):
    from babel.messages.pofile import read_po

    with po_path(language).open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def check(language: str) -> Report:
    """Compare the committed catalogue with what the code and guidance hold now."""
    wanted = {_key(m.id) for m in template() if m.id}
    catalogue = read(language)
    have = {_key(m.id): m for m in catalogue if m.id}
    report = Report(language, plural_forms=catalogue.plural_forms)
    report.missing = sorted(wanted - have.keys())
    report.unused = sorted(have.keys() - wanted)
    for key, message in have.items():
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(s and s.strip() for s in strings):
            report.untranslated.append(key)
            continue
        if not all(_fields_fit(ids, s) for s in strings):
            report.fields.append(key)
    report.stale_mo = _compiled(catalogue) != _mo_messages(language)
    return report


def _fields_fit(ids: tuple[str, ...], translated: str) -> bool:
    """Does a translation keep its message's ``{fields}``? A plural form may leave out
    ``{n}`` (Welsh says "un gair", "dau air" with the number in words)."""
    expected = set(FIELD.findall(" ".join(ids)))
    found = set(FIELD.findall(translated))
    if len(ids) > 1:
        return expected - {"n"} <= found <= expected | {"n"}
    return found == expected


def _compiled(catalogue) -> dict:
    from babel.messages.mofile import write_mo

    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    buffer.seek(0)
    return _messages(buffer)


def _mo_messages(language: str) -> dict:
    path = mo_path(language)
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        return _messages(handle)


def _messages(handle) -> dict:
    import gettext

    return dict(gettext.GNUTranslations(handle)._catalog)


def update(language: str) -> Report:
    """Merge new messages into the catalogue, drop unused ones, compile the ``.mo``."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import write_po

    path = po_path(language)
    if path.is_file():
        catalogue = read(language)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        catalogue = Catalog(locale=language, domain=DOMAIN, project="SafeShare")
    created = catalogue.creation_date
    catalogue.update(template(), no_fuzzy_matching=True, update_header_comment=False)
    catalogue.obsolete.clear()
    catalogue.creation_date = created  # the file changes only when its messages do
    catalogue.fuzzy = False  # a fuzzy header would leave the .mo without its plural rule
    catalogue.header_comment = HEADER
    catalogue.version = ""
    catalogue.last_translator = TRANSLATOR
    catalogue.language_team = "Cymraeg: see docs/translation.md"
    catalogue.msgid_bugs_address = ""
    header = dict(catalogue.mime_headers)
    header["Plural-Forms"] = PLURAL_FORMS[language]
    header["Language"] = language
    catalogue.mime_headers = list(header.items())
    with path.open("wb") as handle:
        write_po(handle, catalogue, width=100, ignore_obsolete=True, include_previous=False)
    with mo_path(language).open("wb") as handle:  # from the file, as the test reads it
        write_mo(handle, read(language))
    return check(language)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m toolkit.i18n.build", description=__doc__)
    parser.add_argument("--check", action="store_true", help="report only; change nothing")
    args = parser.parse_args(argv)
    status = 0
    for language in LANGUAGES:
        report = check(language) if args.check else update(language)
        for kind in ("missing", "unused", "untranslated", "fields"):
            for key in getattr(report, kind):
                print(f"{po_path(language).name} [{language}] {kind}: {key[:90]!r}")
        if report.stale_mo:
            print(f"{mo_path(language)} is older than its .po: run `make i18n`")
        total = len([m for m in read(language) if m.id])
        todo = len(report.untranslated) + len(report.missing)
        print(f"{language}: {total} messages, {todo} to translate")
        status |= 0 if report.ok else 1
    return status


if __name__ == "__main__":
    sys.exit(main())
