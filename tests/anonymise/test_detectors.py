"""Detectors: what each kind finds, and the near misses it must leave alone."""

from __future__ import annotations

import pytest

from toolkit.anonymise.detectors import DETECTORS, nhs_check_digit_ok, scan

# (kind, line, the texts it should find) — an empty tuple means "finds nothing".
CASES = [
    # postcode
    ("postcode", "lives near SW1A 1AA", ("SW1A 1AA",)),
    ("postcode", "M1 1AE and B33 8TH", ("M1 1AE", "B33 8TH")),
    ("postcode", "EC1A 1BB, W1A 0AX, DN55 1PT", ("EC1A 1BB", "W1A 0AX", "DN55 1PT")),
    ("postcode", "written without a space: LS61AB.", ("LS61AB",)),
    ("postcode", "S10 2TN", ("S10 2TN",)),
    ("postcode", "BT7 1NN (Belfast-style)", ("BT7 1NN",)),
    ("postcode", "steps: [S1, S2, S5, S9, S10]", ()),
    ("postcode", "S1 S2 S3 S4 S5 S6 S7 S8 S9 S10", ()),
    ("postcode", "themes: [T1, T6, T10, T12, T20]", ()),
    ("postcode", "T12 3AB is a theme then a code, and there is no T area", ()),
    ("postcode", "at 08:50, then 09:40 and 16:45", ()),
    ("postcode", "see S5 9AM notes", ()),  # M is never in an inward code
    ("postcode", "SW1A 1CA", ()),  # nor is C
    ("postcode", "XX1 1AA", ()),  # no XX area
    ("postcode", "sw1a 1aa", ()),  # capitals only, by design
    # NHS number
    ("nhs-number", "NHS no. 943 476 5919", ("943 476 5919",)),
    ("nhs-number", "943-476-5919", ("943-476-5919",)),
    ("nhs-number", "9434765919.", ("9434765919",)),
    ("nhs-number", "083 016 6130 and 186 091 3903", ("083 016 6130", "186 091 3903")),
    ("nhs-number", "943 476 5918", ()),  # wrong check digit
    ("nhs-number", "526 018 1590", ()),  # check digit would be 10: never issued
    ("nhs-number", "943 476-5919", ()),  # mixed separators
    ("nhs-number", "943 4765 919", ()),  # not 3-3-4
    ("nhs-number", "94347659191", ()),  # eleven digits
    ("nhs-number", "1111111111", ()),  # placeholder
    ("nhs-number", "ref 20220314-0001", ()),
    # National Insurance number
    ("ni-number", "NI AB 12 34 56 C", ("AB 12 34 56 C",)),
    ("ni-number", "AB123456C", ("AB123456C",)),
    ("ni-number", "JK 98 76 54 D and ZX 11 22 33 A", ("JK 98 76 54 D", "ZX 11 22 33 A")),
    ("ni-number", "QQ 12 34 56 C", ()),  # Q never starts one
    ("ni-number", "DA 12 34 56 A", ()),  # nor D
    ("ni-number", "AO 12 34 56 A", ()),  # O is never second
    ("ni-number", "GB 12 34 56 A", ()),
    ("ni-number", "BG 12 34 56 A", ()),
    ("ni-number", "NK 12 34 56 A", ()),
    ("ni-number", "KN 12 34 56 A", ()),
    ("ni-number", "TN 12 34 56 A", ()),
    ("ni-number", "NT 12 34 56 A", ()),
    ("ni-number", "ZZ 12 34 56 A", ()),
    ("ni-number", "AB 12 34 56 E", ()),  # suffix is A-D
    ("ni-number", "AB 12 34 56", ()),
    ("ni-number", "is 123456 a number", ()),
    # phone
    ("phone", "mobile 07700 900123", ("07700 900123",)),
    ("phone", "07700 900 123 or 07700900123", ("07700 900 123", "07700900123")),
    ("phone", "+44 7700 900123 or +447700900123", ("+44 7700 900123", "+447700900123")),
    ("phone", "+44 (0)20 7946 0958", ("+44 (0)20 7946 0958",)),
    ("phone", "020 7946 0958", ("020 7946 0958",)),
    ("phone", "0161 496 0000 and 0113-496-0000", ("0161 496 0000", "0113-496-0000")),
    ("phone", "01632 960001 or (01632) 960001", ("01632 960001", "(01632) 960001")),
    ("phone", "0300 123 4567", ("0300 123 4567",)),
    ("phone", "call 999 now", ()),
    ("phone", "ring 101 or 111", ()),
    ("phone", "Samaritans on 116 123", ()),
    ("phone", "Childline 0800 1111", ()),
    ("phone", "day 0 09:40", ()),
    ("phone", "date: 2022-03-14", ()),
    ("phone", "the 0-19 service", ()),
    ("phone", "07700 90012", ()),  # too short
    ("phone", "+33 1 23 45 67 89", ()),
    # e-mail
    ("email", "write to jo.bloggs@example.org.", ("jo.bloggs@example.org",)),
    ("email", "duty.team@council.gov.uk", ("duty.team@council.gov.uk",)),
    ("email", "a+b@x.co", ("a+b@x.co",)),
    ("email", "send it by secure email", ()),
    ("email", "@nursery on the group chat", ()),
    ("email", "user@localhost", ()),
    # date of birth
    ("date-of-birth", "Child A was born 3 March 2015.", ("born 3 March 2015",)),
    ("date-of-birth", "DOB 03/03/2015", ("DOB 03/03/2015",)),
    ("date-of-birth", "DOB: 03/03/2015", ("DOB: 03/03/2015",)),
    ("date-of-birth", "d.o.b. 3.3.15", ("d.o.b. 3.3.15",)),
    ("date-of-birth", "date of birth: 2015-03-03", ("date of birth: 2015-03-03",)),
    ("date-of-birth", "Date of Birth 3rd March 2015", ("Date of Birth 3rd March 2015",)),
    ("date-of-birth", "born on March 3, 2015", ("born on March 3, 2015",)),
    ("date-of-birth", "born on the 3rd of March, 2015", ("born on the 3rd of March, 2015",)),
    ("date-of-birth", "03/03/2015 (DOB)", ("03/03/2015 (DOB)",)),
    ("date-of-birth", "date: 2022-03-14", ()),
    ("date-of-birth", "- {id: ev1, date: 2022-03-14, event: Child B born at 32 weeks}", ()),
    ("date-of-birth", "- {event: Child B born, date: 2022-03-14}", ()),
    ("date-of-birth", '- {event: "Child B born", date: 2022-03-14}', ()),
    ("date-of-birth", "Sibling B was born in 2015", ()),
    ("date-of-birth", "born in March", ()),
    ("date-of-birth", "a newborn seen on 3 March 2015", ()),
    ("date-of-birth", "seen on 3 March 2015", ()),
    # street address
    ("street-address", "lives at 14 Oak Road", ("14 Oak Road",)),
    ("street-address", "3a Mill Lane", ("3a Mill Lane",)),
    (
        "street-address",
        "12 High Street, 221B Baker Street",
        ("12 High Street", "221B Baker Street"),
    ),
    ("street-address", "Flat 2, 14 Oak Road.", ("14 Oak Road",)),
    ("street-address", "7 Church St.", ("7 Church St.",)),
    ("street-address", "5 Primrose Hill, 1 Willow Close", ("5 Primrose Hill", "1 Willow Close")),
    ("street-address", "2 Family Court hearings", ()),
    ("street-address", "3 Magistrates' Court", ()),
    ("street-address", "4 St Mary's Primary", ()),
    ("street-address", "S5 Assess the Risks and Share", ()),
    ("street-address", "Step 2 Identify Your Objective", ()),
    ("street-address", "Article 6 basis; Schedule 1 paragraph 18", ()),
    ("street-address", "the Oak Road bus", ()),
    ("street-address", "14 oak road", ()),
]


@pytest.mark.parametrize(("kind", "line", "expected"), CASES, ids=[c[1] for c in CASES])
def test_detector(kind: str, line: str, expected: tuple[str, ...]):
    """Does the detector find exactly these texts in the line, and nothing else?"""
    assert tuple(m.text for m in DETECTORS[kind](line)) == expected


def test_match_offsets_point_at_the_text():
    """Do a match's start and end slice its own text out of the line?"""
    line = "Call 07700 900123 today"
    (match,) = DETECTORS["phone"](line)
    assert line[match.start : match.end] == match.text == "07700 900123"


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("9434765919", True),
        ("0830166130", True),  # remainder 0: check digit 0
        ("6281948211", True),
        ("9434765918", False),
        ("5260181590", False),  # check digit would be 10
        ("0000000000", False),
        ("943476591", False),
        ("943476591X", False),
    ],
)
def test_nhs_check_digit(digits: str, valid: bool):
    """Is the Modulus 11 check applied exactly, with 10 never valid?"""
    assert nhs_check_digit_ok(digits) is valid


def test_every_contract_kind_is_registered():
    """Is there a detector for every kind CASE_FORMAT §4 names (names live in names.py)?"""
    assert set(DETECTORS) == {
        "postcode",
        "nhs-number",
        "ni-number",
        "phone",
        "email",
        "date-of-birth",
        "street-address",
    }


def test_scan_reports_one_finding_per_overlap():
    """Is "born 3 March 2015 (DOB)" one date of birth, not two?"""
    found = scan("born 3 March 2015 (DOB)")
    assert [(m.kind, m.text) for m in found] == [("date-of-birth", "born 3 March 2015")]


def test_scan_never_crosses_a_line_break():
    """Does a cue on one line and a date on the next stay apart, as do street parts?"""
    assert scan("born\n3 March 2015\n14\nOak Road") == []
