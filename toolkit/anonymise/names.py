"""Real-looking personal names in text: titled names and common given names outside the cast.

A case file may only name people through its pseudonymised cast ("Child A", "Mother") and
its fictional agencies. Two signals suggest a real person slipped in: a title followed by a
capitalised word ("Mrs Patel", but not "Mr X"), or a common UK given name ("Jordan", "Emily
Walsh"). The given-name list leaves out names that double as everyday words, and a name
followed by a place word ("Victoria Road") or led by a saint or royal ("St Mary's") is a place,
not a person.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from functools import cache
from importlib import resources

from toolkit.anonymise.detectors import Match

KIND = "name"
TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr")

_UP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zß-öø-ÿ"
# Smith, McDonald, O'Brien, Smith-Jones, Climbié; a lone capital ("Mr X", "Child A") is not one.
_AFTER_CAPITAL = rf"(?:[{_LOW}]+(?:[{_UP}][{_LOW}]+)?|['’][{_UP}][{_LOW}]+)(?:-[{_UP}][{_LOW}]+)*"
_WORD = rf"[{_UP}]{_AFTER_CAPITAL}"
# The lookbehind follows the first capital so that re can skip to capitals quickly.
_CAPWORD = re.compile(rf"[{_UP}](?<![\w'’-][{_UP}]){_AFTER_CAPITAL}(?![\w-])")
_NEXT_WORD = re.compile(rf"[ \t]+({_WORD})(?![\w-])")
_TITLED = re.compile(
    rf"(?:{'|'.join(TITLES)})\.?[ \t]+(?P<first>{_WORD})(?:[ \t]+(?P<second>{_WORD}))?(?![\w-])"
)
_LETTERS = re.compile(r"[^\W\d_]+")

# Capitalised words that follow a given name or a title without being a surname.
NOT_SURNAMES = frozenset(
    """January February March April May June July August September October November December
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday And Or But If When Then The This
    That With Without From Into For Was Is Has Had Said Says Told Asked Child Children Mother
    Father Mum Dad Parent Parents Sibling Brother Sister Baby Carer Year Years Group Class Team
    Police Council Service Services Health Social Care Front Door""".split()
)
# A given name followed by one of these names a place or an institution, not a person.
PLACE_WORDS = frozenset(
    """Road Street Lane Avenue Close Drive Way Crescent Terrace Place Gardens Court Grove Square
    Mews Row Walk Parade Rise Hill Vale Park Estate Bridge Station Hall House Ward Wing Unit
    Building School Academy Primary Infants Juniors Nursery College University Hospital Centre
    Center Surgery Practice Clinic Church Chapel Mosque Trust Foundation Fund Inquiry Report
    Review Act Principle Line""".split()
)
PLACE_LEADERS = frozenset({"St", "St.", "Saint", "King", "Queen", "Prince", "Princess"})
_NOT_SECOND_WORD = NOT_SURNAMES | PLACE_WORDS


@cache
def given_names() -> frozenset[str]:
    """The built-in list of common UK given names (package data, read once)."""
    text = resources.files("toolkit.anonymise").joinpath("data/given-names.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def words_of(text: str) -> list[str]:
    """Casefolded letter runs: how cast labels and found names are compared."""
    return [word.casefold() for word in _LETTERS.findall(text)]


def known_words(phrases: Iterable[str]) -> frozenset[str]:
    """Every word of the cast labels, agency names or allowed strings given."""
    return frozenset(word for phrase in phrases for word in words_of(phrase))


def find_names(text: str, known: Collection[str] = frozenset()) -> list[Match]:
    """Likely personal names in ``text`` (a line or a file) whose words are not all ``known``.

    ``known`` holds casefolded words (see ``known_words``) of the cast and the allow-list.
    """
    titled = list(_titled_names(text, known))
    given = [
        match
        for match in _given_names(text, known)
        if not any(t.start < match.end and match.start < t.end for t in titled)
    ]
    return sorted(titled + given, key=lambda m: m.start)


def _titled_names(text: str, known: Collection[str]) -> Iterator[Match]:
    for m in _TITLED.finditer(text):
        if m["first"] in NOT_SURNAMES or _joined_to_previous(text, m.start()):
            continue
        end = m.end("first")
        if m["second"] and m["second"] not in _NOT_SECOND_WORD:
            end = m.end("second")
        if m["first"] in PLACE_WORDS or _all_known(text[m.start("first") : end], known):
            continue
        yield Match(KIND, text[m.start() : end], m.start(), end)


def _given_names(text: str, known: Collection[str]) -> Iterator[Match]:
    names, last_end = given_names(), 0
    for m in _CAPWORD.finditer(text):
        if m.start() < last_end or m.group().split("-")[0] not in names:
            continue
        following = _NEXT_WORD.match(text, m.end())
        if _previous_word(text, m.start()) in PLACE_LEADERS or (
            following and following[1] in PLACE_WORDS
        ):
            continue
        end = m.end()
        if following and following[1] not in NOT_SURNAMES:
            end = following.end(1)
        last_end = end
        if not _all_known(text[m.start() : end], known):
            yield Match(KIND, text[m.start() : end], m.start(), end)


def _joined_to_previous(text: str, start: int) -> bool:
    """Is ``start`` inside a word ("HMrs Smith", "ex-Mr")? Then no title begins there."""
    return start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_-")


def _previous_word(text: str, start: int) -> str:
    before = text[max(0, start - 16) : start].split()
    return before[-1] if before else ""


def _all_known(text: str, known: Collection[str]) -> bool:
    return all(word in known for word in words_of(text))
