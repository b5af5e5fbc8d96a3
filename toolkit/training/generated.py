"""Rows made by rule, not by an author: lists of guidance terms, which show nothing.

CASE_FORMAT §1, rule 3: nothing is earned from a list of terms without reasoning. The
authored corpus holds hundreds of such lists, but few of the shortest kind a rushed learner
types ("GDPR.", "consent / DSL"), and a model that has seen "GDPR" mostly beside the belief
that it forbids sharing reads the bare word as that belief. These rows teach it otherwise:
every term, alone or listed with others, labelled with nothing. They are deterministic (a
seeded shuffle), carry the author ``generated:lists`` and are held out like any author in
the evaluation, where they can only ever count against the detector (as false positives).
"""

from __future__ import annotations

import random

from toolkit.training.corpus import Example

AUTHOR = "generated:lists"
SEED = 20261206
LISTS = 360

# Noun phrases from the guidance and the four nations' systems: no verbs, no reasoning.
TERMS = (
    "GDPR, UK GDPR, data protection, the Data Protection Act, DPA 2018, the ICO, privacy, "
    "consent, explicit consent, parental consent, confidentiality, duty of confidence, "
    "patient confidentiality, public task, legal obligation, vital interests, "
    "legitimate interests, lawful basis, Article 6, Article 9, special category data, "
    "Schedule 1 para 18, safeguarding, child protection, significant harm, risk of harm, "
    "welfare, wellbeing, the DSL, the DDSL, MASH, the police, 999, 101, social services, "
    "children's social care, the front door, early help, Gateway, the Trust, IRD, "
    "named person, GIRFEC, LADO, the health visitor, the GP, the school nurse, "
    "proportionate, necessary, relevant, adequate, accurate, up to date, timely, secure, "
    "secure email, encryption, need to know, minimum necessary, data minimisation, "
    "transparency, fairness, accountability, record keeping, documentation, chronology, "
    "information sharing agreement, data sharing agreement, DSA, protocol, policy, "
    "procedure, WASPI, Wales Safeguarding Procedures, Working Together, KCSIE, "
    "Caldicott guardian, DPO, information governance, the seven golden rules, "
    "the child's voice, wishes and feelings, fact not opinion, evidence, proof, "
    "paperwork, forms, sign-off, the family, the parents, mum, dad, emergency, "
    "professional curiosity, multi-agency working, escalation, threshold"
).split(", ")
SEPARATORS = (", ", " / ", "; ", " - ", "\n", " | ", " + ", ". ", " ", " • ", " > ")
PREFIXES = ("", "", "", "", "Keywords: ", "Key points: ", "- ", "Reasons: ", "Think: ")


def _styled(term: str, rng: random.Random) -> str:
    roll = rng.random()
    return term.upper() if roll < 0.1 else term.lower() if roll < 0.4 else term


def generated_lists() -> list[Example]:
    """Every term alone, then ``LISTS`` lists of 2–7 terms, each labelled with nothing."""
    rng = random.Random(SEED)
    texts = [f"{term}{rng.choice(('', '.', '?', '!'))}" for term in TERMS]
    for _ in range(LISTS):
        terms = [_styled(t, rng) for t in rng.sample(TERMS, rng.randint(2, 7))]
        end = rng.choice(("", ".", "", "!"))
        texts.append(rng.choice(PREFIXES) + rng.choice(SEPARATORS).join(terms) + end)
    unique = list(dict.fromkeys(texts))
    return [
        Example(f"gen-{i:04d}", AUTHOR, text, frozenset(), frozenset(), {"tags": ["list", "none"]})
        for i, text in enumerate(unique, start=1)
    ]
