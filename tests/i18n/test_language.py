"""Which language a page is in: locales read, and the order of the choices."""

from __future__ import annotations

import pytest

from toolkit.app.identity import parse_query
from toolkit.i18n import choose_language, language_of, translator


@pytest.mark.parametrize(
    "value, language",
    [
        ("cy", "cy"),
        ("cy-GB", "cy"),
        ("CY_gb", "cy"),
        ("en", "en"),
        ("en-GB", "en"),
        ("fr", None),
        ("", None),
        (None, None),
        ("cy<script>", None),
        ("cymraeg", None),
    ],
)
def test_a_locale_names_a_language_or_none(value, language):
    """Is a code or BCP 47 locale read as the language it names, and anything else as none?"""
    assert language_of(value) == language


@pytest.mark.parametrize(
    "candidates, chosen",
    [
        (["cy", "en", "en", "en"], "cy"),  # ?lang= wins
        ([None, "cy", "en", "en"], "cy"),  # then the attempt's remembered language
        ([None, None, "cy-GB", "en"], "cy"),  # then the LMS launch's locale
        ([None, None, None, "cy"], "cy"),  # then the cohort's default
        ([None, None, "de-DE", None], "en"),  # a locale we lack does not count
        ([], "en"),
    ],
)
def test_the_first_choice_that_names_a_language_wins(candidates, chosen):
    """Is the first of ?lang, attempt, LMS locale and cohort default that we have chosen?"""
    assert choose_language(candidates) == chosen


def test_the_query_carries_lang_and_locale():
    """Does the page's query give ?lang= and ?locale= as language codes, dropping others?"""
    query = parse_query("lang=cy&locale=cy-GB&scenario=sc-a")
    assert (query.lang, query.locale, query.scenario) == ("cy", "cy", "sc-a")
    assert parse_query("lang=klingon&locale=x").lang is None
    assert parse_query("lang=klingon&locale=x").locale is None


def test_an_unknown_language_gets_english():
    """Does asking for a language we lack give the English translator, not an error?"""
    assert translator("xx").language == "en"
