"""Tests for toolkit.scoring.text: folding, offsets, sentences, clauses, negation scope."""

from __future__ import annotations

import pytest

from toolkit.scoring.text import fold, normalise, parse, word_tags

FOLDING = [
    ("Wouldn't", ("would", "not")),
    ("wouldn’t", ("would", "not")),  # curly apostrophe
    ("can't", ("can", "not")),
    ("cannot", ("can", "not")),
    ("won't", ("will", "not")),
    ("isnt", ("is", "not")),  # apostrophe missing
    ("I'd", ("i", "would")),
    ("we've", ("we", "have")),
    ("it's", ("it", "is")),
    ("children's", ("children",)),
    ("parents'", ("parents",)),
    ("recognize", ("recognise",)),
    ("minimized", ("minimised",)),
    ("organizations", ("organisations",)),
    ("behavior", ("behaviour",)),
    ("analyze", ("analyse",)),
    ("pediatrician", ("paediatrician",)),
    ("size", ("size",)),  # too short to be an -ize verb
    ("capsize", ("capsize",)),
    ("wellbeing", ("well", "being")),
    ("safegaurding", ("safeguarding",)),
    ("imediately", ("immediately",)),
    ("SAFEGUARDING", ("safeguarding",)),
]


@pytest.mark.parametrize(("raw", "folded"), FOLDING)
def test_fold(raw: str, folded: tuple[str, ...]) -> None:
    """Does one raw word fold to its lowercase, UK-spelt, expanded form?"""
    assert fold(raw) == folded


NORMALISED = [
    ("Well-being matters", "well being matters"),
    ("Send it by secure e-mail", "send it by secure email"),
    ("A sign-off isn't needed", "a sign off is not needed"),
    ("Art 6(1)(e) applies", "art 6 1 e applies"),
    ("Safeguarding & welfare", "safeguarding and welfare"),
    ("e.g. the DSL", "eg the dsl"),
    ("Café “quotes” — dashes – too", "café quotes dashes too"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "folded"), NORMALISED)
def test_normalise(text: str, folded: str) -> None:
    """Are hyphens split (or joined for known compounds), punctuation dropped, quotes folded?"""
    assert normalise(text) == folded


@pytest.mark.parametrize(
    "text",
    [
        "I wouldn't tell the parents as it could put her at risk.",
        "Well-being; e-mail — “quoted” words, 6(1)(e).\n\nNew para?",
        "<script>alert('x')</script> &amp; 😊 Ünïcödé",
    ],
)
def test_word_offsets_point_into_the_original(text: str) -> None:
    """Does every word's span cover original text that folds back to that word?"""
    for word in parse(text).words:
        assert 0 <= word.start < word.end <= len(text)
        assert word.norm in normalise(text[word.start : word.end]).split()


SENTENCES = [
    ("One. Two! Three? Four", 4),
    ("Use e.g. the portal. Then ring.", 2),
    ("See nhs.net for mail. Done", 2),
    ("First paragraph\n\nSecond paragraph", 2),
    ("Under Sch. 1 para. 18 we share. Done", 2),
    ("Is it? Yes. Why?", 3),
    ("A line\nanother line", 1),
    ("", 0),
]


@pytest.mark.parametrize(("text", "count"), SENTENCES)
def test_sentences(text: str, count: int) -> None:
    """Do sentences end at . ! ? and blank lines, but not inside e.g. or nhs.net?"""
    assert len(parse(text).sentences) == count


def test_question_is_marked() -> None:
    """Is a sentence ending in '?' marked as a question, and the one before it not?"""
    parsed = parse("Share it. Do we need consent?")
    assert [s.question for s in parsed.sentences] == [False, True]
    assert [s.question for s in parse("Is it? Yes. Why?").sentences] == [True, False, True]


def _clauses(text: str) -> list[str]:
    parsed = parse(text)
    return [" ".join(w.norm for w in parsed.words[c.start : c.end]) for c in parsed.clauses]


CLAUSES = [
    (
        "I wouldn't tell the parents as it could put her at risk",
        ["i would not tell the parents", "as it could put her at risk"],
    ),
    ("Share it as soon as possible", ["share it as soon as possible"]),
    ("Tell the police and social care", ["tell the police and social care"]),
    ("Tell the DSL and record it", ["tell the dsl", "and record it"]),
    ("Not now, but later", ["not now", "but later"]),
    ("Risk of harm, public task; DSL", ["risk of harm", "public task", "dsl"]),
    ("If they refuse we can't share", ["if they refuse", "we can not share"]),
    ("Call before 9am", ["call before 9am"]),
    ("Don't wait before we call", ["do not wait", "before we call"]),
    ("So they can help", ["so they can help"]),
]


@pytest.mark.parametrize(("text", "clauses"), CLAUSES)
def test_clauses(text: str, clauses: list[str]) -> None:
    """Do clauses break at punctuation and at conjunctions that open a new proposition?"""
    assert _clauses(text) == clauses


@pytest.mark.parametrize(
    ("text", "predicated"),
    [
        ("risk of harm", False),
        ("secure email", False),
        ("record", False),
        ("Email the DSL now", True),
        ("she is at risk", True),
        ("share with MASH", True),
        ("referred today", True),
    ],
)
def test_predicated(text: str, predicated: bool) -> None:
    """Is a clause with a verb told apart from a bare term?"""
    assert parse(text).clauses[0].predicated is predicated


def _scope(text: str, phrase: str):
    parsed = parse(text)
    norms = [w.norm for w in parsed.words]
    target = phrase.split()
    for i in range(len(norms)):
        if norms[i : i + len(target)] == target:
            return parsed.scope(i, i + len(target) - 1)
    raise AssertionError(f"{phrase!r} not in {norms}")


NEGATION = [
    ("I would not wait for proof", "wait for proof", True),
    ("I wouldn't wait for proof", "wait for proof", True),
    ("I never wait for proof", "wait for proof", True),
    ("Share now rather than wait for proof", "wait for proof", True),
    ("Share it instead of waiting", "waiting", True),
    ("There is no need for consent", "need for consent", True),
    ("Consent isn't required", "consent is not required", True),
    ("Consent is not needed", "consent", True),  # a copula then "not" after the span
    ("I wouldn't tell them, but I'd record it", "record it", False),  # scope ends at "but"
    ("I won't wait and will call the police", "call the police", False),
    ("I would not hesitate to call the police", "call the police", False),  # pseudo-negation
    ("Not only would I call the police", "call the police", False),
    ("No doubt she is at risk", "at risk", False),
    ("I would not share without consent", "share", True),
    ("I would not share without consent", "consent", False),  # not … without: cancels
    ("I'd call the police not wait", "call the police", False),
]


@pytest.mark.parametrize(("text", "phrase", "negated"), NEGATION)
def test_negation_scope(text: str, phrase: str, negated: bool) -> None:
    """Is a phrase negated exactly when a cue covers it within its clause?"""
    assert _scope(text, phrase).negated is negated


def test_negation_cue_is_located() -> None:
    """Does the scope name the cue word, so evidence can quote "not wait for proof"?"""
    parsed = parse("I would not wait for proof")
    scope = parsed.scope(3, 5)
    assert scope.cue is not None and parsed.words[scope.cue].norm == "not"


@pytest.mark.parametrize(
    ("text", "phrase", "uncertain", "reported", "refuted"),
    [
        ("I'm not sure we need consent", "need consent", True, False, False),
        ("I wonder whether consent is needed", "consent is needed", True, False, False),
        ("Do we need consent?", "need consent", True, False, False),
        ("Some people think GDPR stops sharing", "gdpr stops sharing", False, True, False),
        ("Some people think GDPR stops sharing but it doesn't", "gdpr", False, True, True),
        ("It's a myth that GDPR stops sharing", "gdpr stops sharing", False, True, True),
        ("I used to think we needed consent", "needed consent", False, True, True),
        ("We need consent", "need consent", False, False, False),
    ],
)
def test_hedges_and_reported_views(
    text: str, phrase: str, uncertain: bool, reported: bool, refuted: bool
) -> None:
    """Are hedges, questions, others' views and their denials told apart from assertions?"""
    scope = _scope(text, phrase)
    assert (scope.uncertain, scope.reported, scope.refuted) == (uncertain, reported, refuted)


@pytest.mark.parametrize(
    ("text", "phrase", "conditional"),
    [
        ("If we waited for proof she could be hurt", "waited for proof", True),
        ("If we waited for proof she could be hurt", "she could be hurt", False),
        ("See if the bruises fade", "the bruises fade", False),
        ("Share even if mum objects", "mum objects", False),
        ("Unless mum agrees we can't share", "mum agrees", False),
    ],
)
def test_conditional_clauses(text: str, phrase: str, conditional: bool) -> None:
    """Is only a hypothetical 'if' clause conditional (not 'see if', 'even if', 'unless')?"""
    assert _scope(text, phrase).conditional is conditional


def _rebutted(text: str) -> str:
    parsed = parse(text)
    return " ".join(w.norm for w, r in zip(parsed.words, parsed.rebutted, strict=True) if r)


@pytest.mark.parametrize(
    ("text", "rebutted"),
    [
        # a view rebutted by the next sentence, bare or said of it, or by the writer's dissent
        ("Our manager says GDPR stops us. Rubbish. I rang CSC.", "says gdpr stops us"),
        ("The GP told me it was confidential. That's not right.", "told me it was confidential"),
        ("The head said we need consent. I don't accept that.", "said we need consent"),
        ("Colleague reckons we wait for proof. Load of nonsense.", "reckons we wait for proof"),
        # or by a later clause of its own sentence
        ("my mate said wait for proof but thats not how it works", "said wait for proof"),
        ("She said we need consent, which is wrong, so I rang.", "said we need consent"),
        # the view stops where the writer's own voice begins
        ("She says we must refer, I still think it's private, I disagree.", "says we must refer"),
        # not rebuttals: agreement, the writer's own error, a doubt, a verdict on something else
        ("The head said we need consent. That's right, so I'll wait.", ""),
        ("She said he fell. Something's not right.", ""),
        ("He said she was fine. I was wrong to believe him.", ""),
        ("Mum told me in confidence. It'd be wrong to repeat it.", ""),
        ("She told me as a friend, and it would be wrong of me to pass it on.", ""),
        ("She said he hit her. I don't think she's wrong.", ""),
        ("Mum said it's nothing. If I'm wrong it tears the family apart.", ""),
        ("I said I'd only pass it on if she agreed. She wasn't, so I haven't.", ""),
        ("Manager says we need consent. Is that wrong?", ""),
    ],
)
def test_rebutted_views(text: str, rebutted: str) -> None:
    """Is someone's view marked as rebutted only when the writer goes on to deny it?"""
    assert _rebutted(text) == rebutted


def test_a_rebutted_view_is_denied_in_scope_and_word_tags() -> None:
    """Do the rules' scope and the detector's word tags both read a rebutted view as denied?"""
    text = "Our business manager keeps telling staff GDPR means we can't. Rubbish."
    scope = _scope(text, "gdpr means")
    assert (scope.reported, scope.refuted) == (True, True)
    parsed = parse(text)
    tags = dict(zip((w.norm for w in parsed.words), word_tags(parsed), strict=True))
    assert tags["gdpr"] == "N" and tags["rubbish"] == ""
