"""Whatever a URL carries, the learner app reads only well-formed values from it.

The query string is the one input every visitor controls before any widget exists. Parsing
it must never fail, and every value it passes on must fit its pattern: a scenario id, a join
code, a resume code — or, for a resume code that cannot be one, the marker that makes the
app say so.
"""

from __future__ import annotations

from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.app.identity import CODE, SCENARIO_ID, UNREADABLE_CODE, Query, parse_query

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
NAMES = ["scenario", "session", "resume", "Scenario", "resume[]", "x", ""]
values = st.text(max_size=40) | st.sampled_from(
    [
        "sc-nursery-bruising",
        "ABCD-EFGH-JKMN-PQRS",
        "abc234",
        "../etc",
        "<script>",
        "%00",
        "é",
        "sc-nursery-bruising\n",
        "ABCD-EFGH-JKMN-PQRS\n",
    ]  # fmt: skip
)


def well_formed(query: Query) -> None:
    """fullmatch, not match: `$` also matches before a final newline ("sc-x\n" once passed)."""
    assert isinstance(query, Query)
    assert query.scenario is None or SCENARIO_ID.fullmatch(query.scenario)
    assert query.session is None or (
        CODE.fullmatch(query.session) and query.session == query.session.upper()
    )
    assert query.resume in {None, UNREADABLE_CODE} or (
        CODE.fullmatch(query.resume) and query.resume == query.resume.upper()
    )


@FUZZ
@given(st.text(max_size=200))
def test_any_text(text):
    """Does any query text parse into well-formed values only?"""
    well_formed(parse_query(text))


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(NAMES), values), max_size=6))
def test_encoded_parameters(pairs):
    """Do repeated, misnamed and hostile parameters give well-formed values only?"""
    query = parse_query(urlencode(pairs))
    well_formed(query)
    given_resume = [v for k, v in pairs if k == "resume" and v]
    if given_resume and not CODE.fullmatch(given_resume[0]):
        assert query.resume == UNREADABLE_CODE, "a bad resume code is flagged, not dropped"
