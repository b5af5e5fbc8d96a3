"""Word classes for the detector: words practitioners use interchangeably, one token per family.

"mum", "dad", "carers" and "the parents" differ as words and not as reasoning; so do
"GDPR", "DPA" and "privacy". The detector's ``k:`` features replace each word that has a
class by the class (``@family``), so a phrasing the training corpus never used still shares
features with one it did. Classes are domain vocabulary, written once from the guidance's
terms and the four nations' systems, not from any label's examples. Lookup is by folded word
(see :func:`toolkit.scoring.text.fold`), then by a crude stem (``-s``, ``-ed``, ``-ing``).
"""

from __future__ import annotations

from functools import cache

_CLASSES = {
    "@family": "mum mums mam mammy mom mother mothers dad dads daddy father fathers parent "
    "parents parental carer carers stepdad stepfather stepmum stepmother nan nana gran granny "
    "grandma grandad grandparent grandparents family families household guardian guardians "
    "partner boyfriend girlfriend aunt auntie uncle",
    "@child": "child children kid kids baby babies toddler toddlers infant infants pupil pupils "
    "student students boy boys girl girls son daughter teenager teen teens youngster lad lass "
    "wean weans bairn bairns wean young",
    "@consent": "consent consents consented permission permissions agreement blessing approval "
    "ok okay yes agree agrees agreed",
    "@dp": "gdpr dpa ico privacy",
    "@recipient": "dsl ddsl mash police psni lado gateway ird csc edt 999 101 hub "
    "socialworker socialworkers",
    "@advisor": "manager managers supervisor boss dpo caldicott head headteacher mentor senior "
    "lead slt",
    "@proof": "proof proven prove evidence certain certainty sure definite definitely confirmed "
    "confirmation facts concrete conclusive",
    "@wait": "wait waiting waited hold holding delay delaying hang monitor monitoring watch "
    "watching later",
    "@share": "share sharing shared pass passing passed send sending sent refer referring "
    "referred referral report reporting reported tell telling told inform informing informed "
    "disclose disclosing disclosed notify notified ring rang phone phoned call called email "
    "emailed flag flagged escalate escalated",
    "@record": "record recorded recording records note notes noted log logged write wrote "
    "written document documented cpoms chronology",
    "@risk": "risk risks harm harmed danger dangerous hurt hurting unsafe injury injuries "
    "bruise bruises bruising abuse abused neglect neglected violence violent assault",
    "@now": "now immediately today straightaway asap urgently urgent promptly quickly "
    "tonight instantly",
    "@secure": "secure securely encrypted egress cjsm password protected portal nhsmail",
    "@conf": "confidential confidentiality secret secrets private sealed trust promise promised",
    "@form": "form forms paperwork dsa isa protocol protocols signoff signature procedure "
    "procedures policy policies",
    "@law": "law laws legal lawful unlawful illegal allowed permitted legislation rules",
    "@emergency": "emergency ambulance 999",
    "@voice": "wishes feelings views voice",
    "@fact": "fact facts opinion opinions accurate accuracy exact exactly verbatim",
    "@minimum": "relevant necessary proportionate minimum enough",
}

_TABLE: dict[str, str] = {}
for _cls, _words in _CLASSES.items():
    for _w in _words.split():
        _TABLE.setdefault(_w, _cls)

_SUFFIXES = ("ing", "ed", "es", "s")


@cache
def word_class(word: str) -> str | None:
    """The class token of one folded word, or None."""
    found = _TABLE.get(word)
    if found is not None:
        return found
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            found = _TABLE.get(stem) or _TABLE.get(stem + "e")
            if found is not None:
                return found
    return None
