"""The Welsh catalogue: complete, used, faithful to its fields, compiled; six plural forms."""

from __future__ import annotations

import pytest

from toolkit.i18n import build, translator

pytest.importorskip("babel")


@pytest.fixture(scope="module")
def report() -> build.Report:
    return build.check("cy")


def test_every_message_is_in_the_catalogue(report):
    """Is every interface message the code and the guidance hold in the Welsh catalogue
    (`make i18n` adds new ones)?"""
    assert report.missing == [], f"run `make i18n` and translate: {report.missing[:10]}"


def test_every_catalogue_message_is_still_used(report):
    """Does the catalogue hold only messages the code or guidance still use?"""
    assert report.unused == [], f"run `make i18n` to drop: {report.unused[:10]}"


def test_every_message_is_translated(report):
    """Has every message a Welsh translation (not empty, not fuzzy, every plural form)?"""
    assert report.untranslated == [], report.untranslated[:10]


def test_translations_keep_their_fields(report):
    """Does every translation keep its message's {fields}, so nothing is lost or crashes?"""
    assert report.fields == [], report.fields[:10]


def test_the_compiled_catalogue_is_current(report):
    """Is the .mo the app reads compiled from the .po as it is now?"""
    assert not report.stale_mo, "run `make i18n`"


def test_welsh_has_six_plural_forms(report):
    """Does the catalogue declare CLDR's six Welsh plural forms?"""
    assert report.plural_forms.startswith("nplurals=6;")


@pytest.mark.parametrize(
    "count, said",
    [(0, "0 gair"), (1, "1 gair"), (2, "2 air"), (3, "3 gair"), (6, "6 gair"), (5, "5 gair")],
)
def test_a_count_takes_its_welsh_form(count, said):
    """Does ngettext pick the Welsh form for each count (two mutates: "2 air")?"""
    assert translator("cy").ngettext("{n} word", "{n} words", count) == said


def test_english_is_the_message_itself():
    """Is English the message id itself, with fields filled and English plurals?"""
    en = translator("en")
    assert en._("Decision {number}", number=3) == "Decision 3"
    assert en.ngettext("{n} word", "{n} words", 1) == "1 word"
    assert en.ngettext("{n} word", "{n} words", 2) == "2 words"
