"""Word classes for the detector: words practitioners use interchangeably, one token per family.

"mum", "dad", "carers" and "the parents" differ as words and not as reasoning; so do
"GDPR", "DPA" and "privacy", or "Gateway", "the MASH" and "an IRD". The detector's ``k:``
and ``p:`` features replace each word that has a class by the class (``@family``), so a
phrasing the training corpus never used still shares features with one it did. Classes are
domain vocabulary, written once from the guidance's terms, the four nations' systems and
everyday English, not from any label's examples. Lookup is by folded word (see
:func:`toolkit.scoring.text.fold`), then by a crude stem (``-s``, ``-ed``, ``-ing``).
A word belongs to one class: the first that lists it.
"""

from __future__ import annotations

from functools import cache

_CLASSES = {
    "@family": "mum mums mam mammy mammies mom mother mothers dad dads daddy da father fathers "
    "parent parents parental carer carers stepdad stepfather stepmum stepmother nan nana nanna "
    "gran granny grandma grandad granda grandparent grandparents family families household "
    "guardian guardians partner boyfriend girlfriend aunt auntie aunty uncle relatives",
    "@child": "child children kid kids baby babies toddler toddlers infant infants newborn pupil "
    "pupils student students boy boys girl girls son daughter teenager teen teens youngster "
    "youngsters lad lads lass wean weans bairn bairns young learner learners",
    "@consent": "consent consents consented permission permissions blessing approval ok okay "
    "yes agree agrees agreed agreeing authorise authorised sign signed signs signature",
    "@refuse": "refuse refused refuses refusing decline declined declines object objected "
    "objects objection veto vetoed",
    "@agreement": "agreement agreements dsa isa accord waspi",
    "@dp": "gdpr dpa ico privacy ig",
    "@conf": "confidential confidentiality confidence secret secrets private privately sealed "
    "trust trusted promise promised discreet discretion",
    "@law": "law laws legal legally lawful unlawful illegal legislation rules regulations "
    "statutory allowed permitted",
    "@breach": "breach breaches breaching breached break breaking broke violate violating "
    "infringe contravene",
    "@trouble": "trouble sued fined disciplined sacked fired struck complaint liable prosecuted",
    "@proof": "proof prove proven evidence certain certainty sure definite definitely "
    "confirmed confirmation facts concrete conclusive hundred",
    "@wait": "wait waiting waited hold holding delay delaying hang pause monitor monitoring "
    "watch watching observe observing",
    "@later": "later tomorrow monday tuesday wednesday thursday friday saturday sunday "
    "weekend next eventually",
    "@now": "now immediately today tonight straightaway asap urgently urgent promptly quickly "
    "instantly",
    "@emergency": "emergency ambulance 999 paramedic paramedics",
    "@risk": "risk risks harm harmed danger dangerous hurt hurting unsafe injury injuries "
    "bruise bruises bruising abuse abused abusive neglect neglected violence violent assault "
    "assaulted",
    "@recipient": "dsl dsls ddsl dsp mash police psni lado gateway ird csc edt 101 hub "
    "socialworker socialworkers trust's council",
    "@advisor": "manager managers supervisor boss dpo caldicott head headteacher mentor senior "
    "lead slt sergeant sarge inspector principal",
    "@share": "share sharing shared pass passing passed send sending sent refer referring "
    "referred referral report reporting reported tell telling told inform informing informed "
    "disclose disclosing disclosed notify notified ring rang phone phoned call called email "
    "emailed flag flagged escalate escalated forward forwarded contact contacted alert alerted",
    "@record": "record recorded recording records note notes noted log logged write wrote "
    "written document documented cpoms chronology datix notebook diary minuted",
    "@form": "form forms paperwork signoff procedure procedures protocol protocols policy "
    "policies guidelines",
    "@secure": "secure securely encrypted egress cjsm password protected portal nhsmail",
    "@insecure": "whatsapp texted snapchat facebook messenger gmail hotmail personal",
    "@verify": "verify verified verifying genuine identity switchboard callback",
    "@fact": "fact facts opinion opinions accurate accuracy exact exactly verbatim quote "
    "quoted speculate speculation hearsay rumour gossip",
    "@minimum": "relevant necessary proportionate proportionately minimum enough strictly "
    "limited limit",
    "@everything": "everything whole entire full complete lot",
    "@voice": "wishes feelings views voice wants wanted wishes",
    "@advice": "advice advise advised steer consult consulted consulting guidance",
    "@because": "because since given reason due therefore so",
    "@must": "must need needs needed have has got should ought required require requires "
    "mandatory essential",
    "@can": "can could allowed able may",
    "@before": "before first until till unless prior beforehand",
    "@hedge": "maybe perhaps might possibly probably suppose guess unsure wondering",
    "@others": "someone somebody else everyone everybody",
    "@already": "already surely obviously bound",
    "@job": "job role place business responsibility remit",
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
