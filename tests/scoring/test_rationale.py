"""Tests for toolkit.scoring.rationale: detection rules, adversarial input, the JSONL helper.

Accuracy over the labelled corpus lives in test_rationale_eval.py; here each row pins one
behaviour, so a failure names the rule that broke.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.errors import ResponseError
from toolkit.guidance import vocabulary
from toolkit.scoring import rationale
from toolkit.scoring.patterns.registry import build, registry
from toolkit.scoring.rationale import RationaleResult, analyse, analyse_many, rationale_lines
from toolkit.scoring.text import parse


def known_miss(text: str, found: set[str], absent: set[str], why: str) -> Any:
    """A row the trained detector gets wrong today, kept as the behaviour we want.

    Strict: the day the detector gets it right the test fails, and the row moves back to
    the plain rows. Listed under "Known misses" in docs/scoring.md.
    """
    return pytest.param(
        text, found, absent, marks=pytest.mark.xfail(strict=True, reason=f"known miss: {why}")
    )


# (text, labels that must be found, labels that must not be found)
BEHAVIOUR = [
    # negation turns a misconception into its opposite, or into nothing
    ("I would not wait for proof.", {"C-timely"}, {"M-wait-for-proof"}),
    ("No need for consent here.", {"C-consent-not-basis"}, {"M-consent-always"}),
    ("Consent isn't required.", {"C-consent-not-basis"}, {"M-consent-always"}),
    ("We must get consent first.", {"M-consent-always"}, {"C-consent-not-basis"}),
    ("We can't share without consent.", {"M-consent-always"}, {"C-consent-not-basis"}),
    known_miss(
        "I would share without consent.",
        {"C-consent-not-basis"},
        {"M-consent-always"},
        "the belief edges out its denial, M-consent-always 0.994 against C-consent-not-basis "
        "0.81, and of such a pair the more probable is shown",
    ),
    # Risk named only as the reason not to tell the family: C-risk-of-harm is not asked for
    # (it needs the risk as the reason to act; most of the corpus's independent labellers
    # and its adjudicators read such short texts without it, 33 rows to 8)
    (
        "I wouldn't tell the parents as it could put her at risk.",
        {"C-withhold-notice-if-risk"},
        {"C-transparency", "M-tell-family-always"},
    ),
    ("I wouldn't tell the parents.", set(), {"C-withhold-notice-if-risk", "C-transparency"}),
    ("Confidentiality isn't absolute here.", set(), {"M-confidentiality-absolute"}),
    ("Confidentiality can never be broken.", {"M-confidentiality-absolute"}, set()),
    ("I wouldn't send the whole file.", {"C-minimum-necessary"}, {"M-share-everything"}),
    ("Send the whole file.", {"M-share-everything"}, {"C-minimum-necessary"}),
    ("There's no need to record it.", {"M-no-record"}, {"C-record-decision"}),
    known_miss(
        "I'd record it.",
        {"C-record-decision"},
        {"M-no-record"},
        "a bare three-word plan: C-record-decision 0.47",
    ),
    ("Data protection isn't a barrier.", set(), {"M-dp-barrier"}),
    ("Data protection doesn't let us share.", {"M-dp-barrier"}, set()),
    ("I wouldn't assume the GP knows.", set(), {"M-assume-others-know"}),
    # a negated construction is not re-read piecemeal ("until I'm sure" alone is the myth)
    known_miss(
        "I won't sit tight until I'm sure.",
        {"C-timely"},
        {"M-wait-for-proof"},
        "C-timely 0.62 against its threshold 0.75 (the belief, read as asserted past 'until' by "
        "earlier models, is no longer shown: 0.46)",
    ),
    # a mention, a question, a hedge or someone else's view is not a belief
    ("Some people think GDPR stops sharing but it doesn't.", set(), {"M-dp-barrier"}),
    ("It's a myth that GDPR stops sharing.", set(), {"M-dp-barrier"}),
    ("Some colleagues say we need consent.", set(), {"M-consent-always"}),
    (
        "I used to think we needed consent, but we don't.",
        {"C-consent-not-basis"},
        {"M-consent-always"},
    ),
    ("Do we need consent?", set(), {"M-consent-always"}),
    ("I'm not sure whether we need consent.", set(), {"M-consent-always", "C-consent-not-basis"}),
    ("If we waited for proof she could be hurt.", {"C-risk-of-harm"}, {"M-wait-for-proof"}),
    known_miss(
        "GDPR.",
        set(),
        {"M-dp-barrier"},
        "one term alone: the corpus has 'GDPR says no.' and the like as M-dp-barrier",
    ),
    ("Consent.", set(), {"M-consent-always", "C-consent-not-basis"}),
    # paraphrase and spelling
    ("I'd ring children's social care straight away.", {"C-right-recipient", "C-timely"}, set()),
    known_miss(
        "I'd recognize the risk and minimize what I share.",
        {"C-risk-of-harm", "C-minimum-necessary"},
        set(),
        "US spellings in a short plan: C-risk-of-harm 0.15, C-minimum-necessary 0.35",
    ),
    ("I wouldnt wait, she might be at risk", {"C-timely", "C-risk-of-harm"}, set()),
    known_miss(
        "Share it rather than wait for proof.",
        {"C-timely"},
        {"M-wait-for-proof"},
        "a bare imperative with 'rather than': C-timely 0.69 against its threshold 0.75 "
        "(read right by the model of 149 authors, missed before and after it)",
    ),
    # a belief in the second sentence, after another in the first
    (
        "We always need the parents' consent before we share anything about a child, so I "
        "would ask Mother first. I would also wait until we are certain it is abuse.",
        {"M-consent-always", "M-wait-for-proof"},
        set(),
    ),
    known_miss(
        "I’d pass it to the DSL — now.",
        {"C-right-recipient", "C-timely"},
        set(),
        "'now' alone after a dash or comma: C-timely 0.56 against its threshold 0.75",
    ),
    # keyword stuffing earns nothing
    (
        "risk of harm, public task, lawful basis, record, DSL, timely, minimum necessary, "
        "secure email",
        set(),
        {"C-risk-of-harm", "C-lawful-basis", "C-timely", "C-minimum-necessary"},
    ),
    (
        "I would consider risk of harm public task timely minimum necessary secure email.",
        set(),
        {"C-timely", "C-minimum-necessary", "C-secure-channel"},
    ),
    ("vital interests!!! 999!!! emergency!!!", set(), {"C-lawful-basis", "C-emergency-action"}),
    # …but terse genuine reasoning keeps its credit
    known_miss(
        "Risk of harm, so I'd ring the MASH now.",
        {"C-risk-of-harm", "C-right-recipient", "C-timely"},
        set(),
        "a verbless 'Risk of harm,' opening reads as a term, not reasoning: C-risk-of-harm 0.27",
    ),
    (
        "I'd share it now over the secure portal with the named DSL.",
        {"C-timely", "C-secure-channel", "C-right-recipient"},
        set(),
    ),
    # a belief stated with the exception its definition turns on is not the belief
    (
        "I will tell Mother first what we are sharing and why, because it is her right to "
        "know and telling her does not add to the risk.",
        {"C-transparency"},
        {"M-tell-family-always"},
    ),
    # …while the same plan without it, or against it, still is
    ("I will tell Mother first, because it is her right to know.", {"M-tell-family-always"}, set()),
    (
        "I will always tell the parents first, even if it puts the child at risk.",
        {"M-tell-family-always"},
        set(),
    ),
    # off-topic words that look like concepts
    ("My record for the half marathon is two hours.", set(), {"C-record-decision"}),
    ("The police gave a talk on road safety.", set(), {"C-right-recipient", "C-risk-of-harm"}),
]


@pytest.mark.parametrize(("text", "found", "absent"), BEHAVIOUR)
def test_behaviour(text: str, found: set[str], absent: set[str]) -> None:
    """Does each rule (negation, belief vs mention, paraphrase, stuffing) hold for its row?"""
    result = analyse(text)
    labels = set(result.concepts) | set(result.misconceptions)
    assert found <= labels, (found - labels, result.evidence)
    assert not (absent & labels), (absent & labels, result.evidence)


def test_negated_evidence_quotes_the_cue() -> None:
    """Does the evidence for a negated match include its negation ("not wait for proof")?"""
    (ev,) = [e for e in analyse("I would not wait for proof.").evidence if e.id == "C-timely"]
    assert ev.text == "not wait for proof"


def test_model_evidence_quotes_a_phrase_not_fragments() -> None:
    """When no rule held, are a label's top features in one sentence quoted as one phrase
    ("wait for more marks before I", not "wait", "more" and "before I"), and never across
    sentences?"""
    found = analyse("I would wait for more marks before I refer her.")
    assert [(e.id, e.text) for e in found.evidence] == [
        ("M-wait-for-proof", "wait for more marks before I")
    ]
    spans = rationale._joined(parse("One two three. Four five."), [(0, 0), (2, 2), (3, 4)])
    assert spans == [(0, 2), (3, 4)], "joined within the first sentence, not into the second"
    long = [(0, 0), (4, 4), (9, 9), (13, 13)]
    words = " ".join(f"w{i}" for i in range(20))
    assert rationale._joined(parse(words), long) == [(0, 9), (13, 13)], "at most 12 words"


def test_rule_evidence_quotes_a_phrase_not_fragments() -> None:
    """Are two rule matches for one label in one phrase quoted as that phrase ("at risk of
    significant harm"), while another label's words in the same sentence stay apart?"""
    found = analyse("She is at risk of significant harm, so I rang the MASH straight away.")
    quotes = {(e.id, e.text) for e in found.evidence}
    assert ("C-risk-of-harm", "at risk of significant harm") in quotes
    assert ("C-timely", "straight away") in quotes
    assert not any(
        e.id == "C-risk-of-harm" and e.text in ("at risk", "significant harm")
        for e in found.evidence
    )


def test_a_quote_never_ends_on_my_or_the() -> None:
    """Does a quote the rule cut off after a determiner ("record my") run on to the words it
    introduces, in its own clause, and no further ("record my decision", not "…and
    reasons")?"""
    found = analyse("I will refer today, and record my decision and reasons.")
    quotes = {(e.id, e.text) for e in found.evidence}
    assert ("C-record-decision", "record my decision") in quotes
    at_the_end = parse("We record the")
    assert rationale._completed(at_the_end, 2) == 2, "nothing after it: the quote stays"
    across = parse("I record my, then leave.")
    assert rationale._completed(across, 2) == 2, "never into the next clause"


def test_stuffed_text_keeps_what_it_withheld() -> None:
    """Are withheld matches kept aside (for moderators) but not credited?"""
    result = analyse("Public task, lawful basis, timely, secure email, DSL.")
    assert result.concepts == () and result.evidence == ()
    assert {e.id for e in result.withheld} >= {"C-lawful-basis", "C-secure-channel"}


def _evidence_is_exact(text: str, result: RationaleResult) -> None:
    for ev in (*result.evidence, *result.withheld):
        assert text[ev.start : ev.end] == ev.text and ev.text


ADVERSARIAL = [
    "",
    "   \n\t  ",
    "...!!!???",
    "N/A",
    "😊" * 50,
    "<script>alert('I would share with the DSL now')</script><b>risk</b>",
    "Ünïcödé wörds, ﬁ ligatures, ＦＵＬＬＷＩＤＴＨ, עברית, 中文, \u200b\u200d zero width",
    "I would\x00 not\x1f wait for proof\ufeff",
    "not " * 2000,
    "wait for proof " * 3000,
    "DSL, " * 5000,
    "Risk of harm. " * 7000,  # ~100k characters
    "a" * 100_000,
    "a? " * 33_000,  # 33,000 one-word questions
    "Dr. " * 25_000,
    "x " * 20_000 + "not " + "wait for proof " * 5_000,  # a negation far back in one clause
    "Some people think GDPR stops sharing, " * 2_500,  # 2,500 reported views in one sentence
    "Unless mum agrees we can't share, only share with her permission " * 1_500,
    "'-'-'-''--' ’’ ‘‘ `` ´´",
    "I'd\nshare\r\nwith\rthe\u2028DSL\u2029today",
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_adversarial_input_never_crashes(text: str) -> None:
    """Does odd input (empty, markup, control characters, 100k characters) give a valid,
    exact result quickly?"""
    started = time.perf_counter()
    result = analyse(text)
    assert time.perf_counter() - started < 10
    _evidence_is_exact(text, result)
    vocab = vocabulary()
    assert set(result.concepts) <= set(vocab.concepts)
    assert set(result.misconceptions) <= set(vocab.misconceptions)


def test_empty_text_shows_nothing() -> None:
    """Does an empty rationale give empty lists, not an error?"""
    assert analyse("").to_dict("r0") == {
        "id": "r0",
        "concepts": [],
        "misconceptions": [],
        "evidence": [],
    }


def test_non_string_is_a_type_error() -> None:
    """Is a non-string a programming error (TypeError), not a silent empty result?"""
    with pytest.raises(TypeError):
        analyse(None)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.text(max_size=40),
            st.sampled_from(
                [
                    "not",
                    "no need",
                    "wait for proof",
                    "consent",
                    "DSL",
                    "risk",
                    ",",
                    ".",
                    "?",
                    "isn't",
                    "GDPR stops",
                    "whole file",
                    "record it",
                    "some people think",
                    "if",
                    "’",
                    "-",
                    "\n",
                    "rather than",
                    "without delay",
                    "public task",
                ]
            ),
        ),
        max_size=30,
    ).map(" ".join)
)
def test_any_text_gives_exact_evidence(text: str) -> None:
    """For any text, is every evidence span an exact substring at its offsets, and is the
    result the same on a second run?"""
    result = analyse(text)
    _evidence_is_exact(text, result)
    assert analyse(text) == result


def test_labels_come_in_vocabulary_order() -> None:
    """Are labels listed in CASE_FORMAT order and evidence in text order?"""
    result = analyse("I'd record it. She is at risk, so I'd tell the DSL now.")
    order = list(vocabulary().concepts)
    assert list(result.concepts) == sorted(result.concepts, key=order.index)
    starts = [e.start for e in result.evidence]
    assert starts == sorted(starts)


def test_to_dict_matches_the_contract() -> None:
    """Does to_dict give id, concepts, misconceptions and evidence with id and text, plus
    (an extension of CASE_FORMAT §4) the detector's confidence in each label it shows?"""
    out = analyse("I wouldn't wait for proof; I'd call the police.").to_dict("r1")
    assert list(out) == ["id", "concepts", "misconceptions", "evidence", "confidence"]
    assert set(out["confidence"]) == set(out["concepts"]) | set(out["misconceptions"])
    assert out["id"] == "r1" and "C-timely" in out["concepts"]
    assert all({"id", "text"} <= set(ev) for ev in out["evidence"])
    json.dumps(out)  # serialisable
    assert analyse("x").to_dict()["id"] is None


def test_analyse_many_keeps_order() -> None:
    """Does analyse_many return one result per text, in order?"""
    texts = ["Tell the DSL.", "", "We must get consent first."]
    assert analyse_many(texts) == [analyse(t) for t in texts]
    assert analyse_many(iter(texts))[2].misconceptions == ("M-consent-always",)


def test_rationale_lines_yields_one_dict_per_line() -> None:
    """Are JSONL lines analysed in order, blank lines and a BOM skipped, ids kept as given?"""
    lines = [
        '\ufeff{"id": "r1", "text": "Tell the DSL now."}\n',
        "\n",
        '{"id": 2, "text": "We must get consent first.", "extra": true}',
    ]
    out = list(rationale_lines(lines))
    assert [o["id"] for o in out] == ["r1", 2]
    assert out[0]["concepts"] == ["C-timely", "C-right-recipient"]
    assert out[1]["misconceptions"] == ["M-consent-always"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 2: not valid JSON"),
        ('["r1", "text"]', "line 2: expected an object"),
        ('{"text": "x"}', 'line 2: missing "id"'),
        ('{"id": "r2"}', 'line 2: missing "text"'),
        ('{"id": "r2", "text": 5}', 'line 2: "text" must be a string'),
        ('{"id": true, "text": "x"}', 'line 2: "id" must be'),
        ('{"id": "", "text": "x"}', 'line 2: "id" must be'),
        ('{"id": "r1", "text": "again"}', "line 2: duplicate id 'r1' (first on line 1)"),
    ],
)
def test_rationale_lines_names_the_bad_line(line: str, message: str) -> None:
    """Does a malformed line raise ResponseError "line N: …" after the good lines before it?"""
    good = '{"id": "r1", "text": "Tell the DSL."}'
    out = rationale_lines([good, line, good])
    assert next(out)["id"] == "r1"
    with pytest.raises(ResponseError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        next(out)


def test_every_vocabulary_id_has_cues() -> None:
    """Does the bundled registry cover each concept and misconception, in vocabulary order?"""
    vocab = vocabulary()
    assert [r.label for r in registry().rules] == [*vocab.concepts, *vocab.misconceptions]
    assert all(rule.cues for rule in registry().rules)


def _entries(**override: list) -> dict[str, list]:
    vocab = vocabulary()
    entries: dict[str, list] = {
        label: ["zzz"] for label in [*vocab.concepts, *vocab.misconceptions]
    }
    entries.update(override)
    return entries


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (_entries(**{"C-unknown": ["x"]}), "unknown ids"),
        (_entries(**{"C-timely": []}), "without cues"),
        (_entries(**{"C-timely": ["{nope}"]}), "unknown macro"),
        (_entries(**{"C-timely": ["(now)"]}), "capturing groups"),
        (_entries(**{"C-timely": [{"re": "now", "when": "sometimes"}]}), "'when' must be"),
        (_entries(**{"C-timely": [{"re": "now", "colour": "red"}]}), "unknown keys"),
    ],
)
def test_registry_rejects_bad_entries(entries: dict, message: str) -> None:
    """Does a faulty pattern file fail loudly at load, naming what is wrong?"""
    with pytest.raises(ValueError, match=message):
        build({}, entries)


def test_macros_and_gaps_expand() -> None:
    """Do {macros} and the ~ gap work in a freshly built registry?"""
    reg = build({"who": ["dsl|mash"]}, _entries(**{"C-right-recipient": ["tell ~ {who}"]}))
    (rule,) = [r for r in reg.rules if r.label == "C-right-recipient"]
    assert rule.regex.search("tell the safeguarding dsl") and not rule.regex.search("tell mum")


def _alternation_and_gated(reg: Any, folded: str) -> tuple[list, list]:
    """Every label's matches in one sentence: by its whole alternation, and by the gated cues."""
    from toolkit.scoring.rules import candidates, matches

    gated = candidates(reg, folded)
    whole, merged = [], []
    for r, rule in enumerate(reg.rules):
        whole += [(r, int(m.lastgroup[1:]), m.span()) for m in rule.regex.finditer(folded)]
        merged += [(r, c, m.span()) for c, m in matches(rule, gated.get(r, ()), folded)]
    return whole, merged


def test_gated_cues_match_what_each_labels_alternation_matches() -> None:
    """Running only the cues whose literals a sentence holds, merged in cue order: the same
    matches, cue by cue and span by span, as each label's whole alternation, on every
    sentence of every fourth corpus text? (All of them were checked when it was written.)"""
    from toolkit.training.corpus import bundled_corpus

    reg = registry()
    checked = 0
    for e in bundled_corpus()[::4]:
        parsed = parse(e.text)
        for i in range(len(parsed.sentences)):
            whole, merged = _alternation_and_gated(reg, parsed.sentence_string(i)[0])
            assert whole == merged, (e.id, i)
            checked += len(whole)
    assert checked > 2_000


@given(
    st.lists(
        st.sampled_from(
            [
                "consent",
                "proof",
                "share",
                "not",
                "the",
                "risk",
                "mum",
                "dsl",
                "wait",
                "without",
                "gdpr",
                "record",
                "now",
                "x",
            ]
        ),
        max_size=30,
    )
)
@settings(max_examples=300, deadline=None)
def test_gated_cues_match_the_alternation_on_made_up_sentences(words: list[str]) -> None:
    """The same on word salads built from cue words, where several cues of a label overlap."""
    whole, merged = _alternation_and_gated(registry(), " ".join(words))
    assert whole == merged
