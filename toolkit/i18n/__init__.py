"""Interface language: English and Welsh translators, and how a page's language is chosen.

Every string a learner, trainer or reviewer sees is an English message id passed through a
``Translator`` (gettext, with ``ngettext`` for counts: Welsh has six plural forms). The Welsh
catalogue is package data (``locale/cy/LC_MESSAGES/safeshare.po`` and its compiled ``.mo``);
``make i18n`` extracts the messages and updates it (``toolkit.i18n.build``), and a test fails
when a message is untranslated or a translation is no longer used.

This module imports nothing from the rest of the toolkit, so any layer may translate.
Messages use ``str.format`` fields (``{name}``), which the Welsh must keep, so a translator can
move them within a sentence.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

LANGUAGES: dict[str, str] = {"en": "English", "cy": "Cymraeg"}
DEFAULT_LANGUAGE = "en"
DOMAIN = "safeshare"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
_LOCALE = re.compile(r"^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*\s*$")


def N_(message: str) -> str:
    """Mark a module-level message for extraction; it is translated where it is shown."""
    return message


class Translator:
    """One language's messages: ``_`` for a message, ``ngettext`` for a count.

    Keyword arguments fill the message's ``{fields}`` after translation, so the Welsh may
    put them where Welsh grammar wants them.
    """

    def __init__(self, language: str, catalogue: gettext.NullTranslations):
        self.language = language
        self._catalogue = catalogue

    def _(self, message: str, /, **values: object) -> str:
        text = self._catalogue.gettext(message) if message else message
        return text.format(**values) if values else text

    def ngettext(self, singular: str, plural: str, n: int, /, **values: object) -> str:
        """The form for ``n`` (Welsh: zero, one, two, three, six, other); ``{n}`` is filled."""
        return self._catalogue.ngettext(singular, plural, n).format(n=n, **values)

    def term(self, text: str | None) -> str:
        """Guidance vocabulary text (a step's heading, a basis's name): its translation when
        the catalogue has one, else the text itself. Never formatted."""
        return self._catalogue.gettext(text) if text else (text or "")

    def __repr__(self) -> str:
        return f"Translator({self.language!r})"


@cache
def translator(language: str | None = None) -> Translator:
    """The translator for a language code (``en``, ``cy``); English for anything else."""
    code = language if language in LANGUAGES else DEFAULT_LANGUAGE
    if code == DEFAULT_LANGUAGE:
        return Translator(code, gettext.NullTranslations())
    catalogue = gettext.translation(DOMAIN, LOCALE_DIR, languages=[code])
    return Translator(code, catalogue)


def language_of(value: str | None) -> str | None:
    """The interface language a code or locale names (``cy``, ``cy-GB``, ``CY_gb`` → ``cy``),
    or None when it names none we have (an LMS may pass any BCP 47 locale)."""
    match = _LOCALE.match(value or "")
    code = match.group(1).lower() if match else None
    return code if code in LANGUAGES else None


def choose_language(candidates: Iterable[str | None]) -> str:
    """The first candidate that names a language we have, else English.

    The learner app passes, in order: the page's ``?lang=``, the language remembered with the
    attempt being resumed, the LMS launch's locale, and the cohort's default.
    """
    for value in candidates:
        code = language_of(value)
        if code:
            return code
    return DEFAULT_LANGUAGE
