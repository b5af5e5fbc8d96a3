"""Detectors for identifiers that make a fictional case look like a real one, keyed by kind.

Each detector reads text (a line, or a whole file: no pattern crosses a line break) and
returns what it found with the matched text, so the lint can say exactly what to change. A
new kind is one new entry in ``DETECTORS``. Patterns lean towards precision: an author who
wades through false alarms stops running the lint, so each detector checks structure
(postcode areas, check digits, number lengths, a cue word for dates of birth) rather than
flagging every run of digits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Match:
    """One finding: its kind, the text found and where it is (0-based offsets)."""

    kind: str
    text: str
    start: int
    end: int


Detector = Callable[[str], Iterator[Match]]
DETECTORS: dict[str, Detector] = {}
# Spaces and tabs only: a match never spans two lines, so each finding has one line number.
_SP = r"[ \t]"


def _first(chars: str, not_after: str) -> str:
    """A pattern's first character ``chars``, which must not follow a ``not_after`` character.

    The check sits after the class rather than as a leading lookbehind so that ``re`` can
    jump straight to candidate characters: three to five times faster on a whole file.
    """
    return f"{chars}(?<!{not_after}{chars})"


def detector(kind: str) -> Callable[[Detector], Detector]:
    """Register the decorated function as the detector for ``kind`` (the lint's field)."""

    def register(fn: Detector) -> Detector:
        DETECTORS[kind] = fn
        return fn

    return register


def scan(text: str) -> list[Match]:
    """Every detector's findings in ``text``, ordered by position.

    Overlapping findings of one kind are reported once (the leftmost, then the longest), so
    "born 3 March 2015 (DOB)" is one finding, not two.
    """
    found = sorted(
        (match for fn in DETECTORS.values() for match in fn(text)),
        key=lambda m: (m.start, -m.end, m.kind),
    )
    kept: list[Match] = []
    reached: dict[str, int] = {}
    for match in found:
        if reached.get(match.kind, -1) <= match.start:
            kept.append(match)
            reached[match.kind] = match.end
    return kept


# --- postcode -------------------------------------------------------------------------------

# Royal Mail postcode areas. Checking the area keeps guidance ids such as "T12 3AB" (there is
# no "T" area) from counting; "S10" alone never counts because the inward part is required.
POSTCODE_AREAS = frozenset(
    """AB AL B BA BB BD BF BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN
    DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L
    LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA
    SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS
    WV YO ZE""".split()
)
_POSTCODE = re.compile(
    rf"(?P<area>{_first('[A-Z]', '[A-Za-z0-9]')}[A-Z]?)"
    r"(?:[0-9]{1,2}|[0-9][A-HJKPSTUW]|(?<=[A-Z]{2})[0-9][ABEHMNPRVWXY])"  # outward code
    r" ?[0-9][ABD-HJLNP-UW-Z]{2}"  # inward code: its letters are never C I K M O V
    r"(?![A-Za-z0-9])"
)


@detector("postcode")
def postcodes(text: str) -> Iterator[Match]:
    """Full UK postcodes in capitals, with or without the space (``SW1A 1AA``, ``LS61AB``)."""
    for m in _POSTCODE.finditer(text):
        if m["area"] in POSTCODE_AREAS:
            yield Match("postcode", m.group(), m.start(), m.end())


# --- NHS number -----------------------------------------------------------------------------

_NHS_FIRST = _first(r"\d", r"[\w+/.-]")
_NHS = re.compile(
    rf"(?P<a>{_NHS_FIRST}\d\d)(?P<sep>[ -]?)(?P<b>\d{{3}})(?P=sep)(?P<c>\d{{4}})"
    r"(?![\w/-]|\.\d)"
)


def nhs_check_digit_ok(digits: str) -> bool:
    """Modulus 11: weights 10..2 on the first nine digits; 11 means 0, 10 means invalid.

    Numbers of one repeated digit pass the arithmetic but are placeholders, so they fail here.
    """
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


@detector("nhs-number")
def nhs_numbers(text: str) -> Iterator[Match]:
    """Ten digits, bare or as 3-3-4 with spaces or dashes, whose check digit is valid."""
    for m in _NHS.finditer(text):
        if nhs_check_digit_ok(m["a"] + m["b"] + m["c"]):
            yield Match("nhs-number", m.group(), m.start(), m.end())


# --- National Insurance number ----------------------------------------------------------------

# First letter never D F I Q U V; second never D F I O Q U V; suffix A-D.
_NINO = re.compile(
    rf"(?P<prefix>{_first('[A-CEGHJ-PR-TW-Z]', '[A-Za-z0-9]')}[A-CEGHJ-NPR-TW-Z])"
    r" ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])"
)
NINO_UNUSED_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


@detector("ni-number")
def ni_numbers(text: str) -> Iterator[Match]:
    """National Insurance numbers in capitals (``AB 12 34 56 C``), minus unissued prefixes."""
    for m in _NINO.finditer(text):
        if m["prefix"] not in NINO_UNUSED_PREFIXES:
            yield Match("ni-number", m.group(), m.start(), m.end())


# --- phone ----------------------------------------------------------------------------------

_SEP = r"[ -]?"
# The national number after the trunk 0 (or after +44), in the groupings people write.
_PHONE_BODY = (
    rf"(?:\d{{4}}\)?{_SEP}\d{{3}}{_SEP}\d{{3}}"  # 07700 900 123
    rf"|\d{{4}}\)?{_SEP}\d{{5,6}}"  # 01632 960001
    rf"|\d{{3}}\)?{_SEP}\d{{3}}{_SEP}\d{{4}}"  # 0161 496 0000
    rf"|\d{{2}}\)?{_SEP}\d{{4}}{_SEP}\d{{4}}"  # 020 7946 0958
    r"|\d{9,10})"
)
# Starts with "+44", "(0" or "0"; the first character is matched once, then told apart.
_PHONE_FIRST = _first("[+(0]", r"[\w+(]")
_PHONE = re.compile(
    rf"(?P<prefix>{_PHONE_FIRST}"
    rf"(?:(?<=\+)44{_SP}?(?:\(0\){_SP}?)?|(?<=\()0|(?<=0)))"
    rf"(?P<body>{_PHONE_BODY})(?![\w-])"
)


@detector("phone")
def phones(text: str) -> Iterator[Match]:
    """UK landlines and mobiles: 0 then ten digits (nine for a few 01 areas), or +44 forms.

    Short numbers (999, 101, 111, 116 123) never match: a full national number is required.
    """
    for m in _PHONE.finditer(text):
        body = re.sub(r"\D", "", m["body"])
        if body[0] in "1235789" and (len(body) == 10 or body[0] == "1" and len(body) == 9):
            yield Match("phone", m.group(), m.start(), m.end())


# --- e-mail ---------------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])"
)


@detector("email")
def emails(text: str) -> Iterator[Match]:
    """E-mail addresses of any domain: even a made-up one may belong to someone."""
    if "@" in text:
        for m in _EMAIL.finditer(text):
            yield Match("email", m.group(), m.start(), m.end())


# --- date of birth --------------------------------------------------------------------------

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_ORD = r"(?:st|nd|rd|th)?"
# An exact date needs day, month and year; "born in 2015" or "born in March" does not count.
_DATE = (
    rf"(?:\d{{1,2}}{_ORD}{_SP}+(?:of{_SP}+)?{_MONTH}\.?,?{_SP}+\d{{4}}"
    rf"|{_MONTH}\.?{_SP}+\d{{1,2}}{_ORD},?{_SP}+\d{{4}}"
    r"|(?<!\d)\d{1,2}(?P<sep>[/.-])\d{1,2}(?P=sep)(?:\d{4}|\d{2})"
    r"|(?<!\d)\d{4}-\d{1,2}-\d{1,2})(?![\d/.-]\d)"
)
_CUE = (
    rf"(?<![\w.])(?:born|d\.{_SP}?o\.{_SP}?b\.?|dob|date{_SP}+of{_SP}+birth|birth{_SP}?date)"
    r"(?!\w)"
)
_DOB_AFTER_CUE = re.compile(
    rf"(?P<cue>{_CUE})(?P<gap>[^{{}}\[\]\"]{{0,30}}?)(?P<date>{_DATE})", re.IGNORECASE
)
_DOB_BEFORE_CUE = re.compile(
    rf"(?P<date>{_DATE})[ \t,(\[-]{{0,3}}(?P<cue>{_CUE})[)\]]?", re.IGNORECASE
)
# Between the cue and the date there must be no other YAML key: in a chronology line such as
# `{event: Child B born, date: 2022-03-14}` the date belongs to the event, not to the birth.
_KEY_IN_GAP = re.compile(r"\w[ \t]*:[ \t]")
# Searched in lower-cased text to find the few lines worth the full patterns.
_CUE_HINT = re.compile(r"born|dob|d\.[ \t]?o|birth")


@detector("date-of-birth")
def dates_of_birth(text: str) -> Iterator[Match]:
    """An exact date next to a birth cue: "born 3 March 2015", "DOB: 03/03/2015"."""
    for start in sorted({_line_start(text, m.start()) for m in _CUE_HINT.finditer(text.lower())}):
        end = text.find("\n", start)
        line = text[start : end if end >= 0 else len(text)]
        for m in _DOB_AFTER_CUE.finditer(line):
            if not _KEY_IN_GAP.search(m["gap"]):
                yield Match("date-of-birth", m.group(), start + m.start(), start + m.end())
        for m in _DOB_BEFORE_CUE.finditer(line):
            yield Match("date-of-birth", m.group(), start + m.start(), start + m.end())


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


# --- street address -------------------------------------------------------------------------

STREET_SUFFIXES = (
    "Road Street Lane Avenue Close Drive Way Crescent Terrace Place Gardens Court Grove "
    "Square Mews Row Walk Parade Rise Hill Vale Park Wynd Brae"
).split()
# Abbreviations may carry a full stop; "St" before a capital is "Saint" ("4 St Mary's").
_ABBREVIATED = r"(?:Rd|Ave|St(?!\.?[ \t]+[A-Z]))\.?"
# "2 Family Court hearings" is about courts, not an address.
COURTS = frozenset({"Family", "Youth", "Crown", "County", "High", "Magistrates", "Juvenile"})
_HOUSE_NUMBER = r"\d{0,3}[A-Za-z]?(?:[-–][1-9]\d{0,3}[A-Za-z]?)?"
_HOUSE_FIRST = _first("[1-9]", r"[\w:./,-]")
_STREET = re.compile(
    rf"(?P<number>{_HOUSE_FIRST}{_HOUSE_NUMBER}),?[ \t]+"
    r"(?P<words>(?:[A-Z][a-zA-Z'’-]+[ \t]+){1,3})"
    rf"(?P<suffix>{'|'.join(STREET_SUFFIXES)}|{_ABBREVIATED})(?![\w-])"
)


@detector("street-address")
def street_addresses(text: str) -> Iterator[Match]:
    """A house number then a capitalised street name: "14 Oak Road", "3a Mill Lane"."""
    for m in _STREET.finditer(text):
        last_word = m["words"].split()[-1].rstrip("'’")
        if m["suffix"] == "Court" and last_word in COURTS:
            continue
        yield Match("street-address", m.group(), m.start(), m.end())
