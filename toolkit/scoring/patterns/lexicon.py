"""Word lists behind text folding, clause splitting and negation cues (data, not logic).

Each list is written as one space-separated string so that adding a word is a one-word
edit. The lists are closed and small on purpose: they only need to cover how practitioners
write short rationales, and every entry is exercised by ``tests/scoring/test_text.py``.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _phrases(text: str) -> frozenset[tuple[str, ...]]:
    """Phrases separated by ``|``, each as its tuple of words."""
    return frozenset(tuple(p.split()) for p in text.split("|"))


def _pairs(text: str) -> dict[str, str]:
    """``"a>b c>d"`` → ``{"a": "b", "c": "d"}``."""
    return dict(item.split(">") for item in text.split())


# --- spelling: US → UK, and misspellings common in free text ------------------------------
SPELLING = _pairs(
    "behavior>behaviour behaviors>behaviours behavioral>behavioural color>colour "
    "favor>favour favorite>favourite honor>honour neighbor>neighbour neighbors>neighbours "
    "labor>labour humor>humour rumor>rumour harbor>harbour endeavor>endeavour "
    "defense>defence offense>offence offenses>offences license>licence center>centre "
    "judgment>judgement judgments>judgements practise>practice practised>practiced "
    "mom>mum moms>mums fetus>foetus anesthetic>anaesthetic program>programme "
    "enrollment>enrolment fulfill>fulfil counseling>counselling counselor>counsellor "
    "traveling>travelling canceled>cancelled labeled>labelled modeling>modelling "
    "recieve>receive recieved>received concent>consent consant>consent consernt>consent "
    "safegaurding>safeguarding safegarding>safeguarding safeguading>safeguarding "
    "saftey>safety safty>safety imediately>immediately immediatly>immediately "
    "immediatley>immediately immidiately>immediately strait>straight becuase>because "
    "becasue>because beacuse>because bcause>because cos>because coz>because cuz>because "
    "neccessary>necessary necesary>necessary neccesary>necessary nessesary>necessary "
    "seperate>separate seperately>separately definately>definitely evidance>evidence "
    "confidentialty>confidentiality confidentiallity>confidentiality "
    "confidentality>confidentiality emergancy>emergency emergeny>emergency "
    "refered>referred reffer>refer refering>referring reffered>referred occured>occurred "
    "untill>until wich>which wether>whether socail>social proportianate>proportionate "
    "apropriate>appropriate appropiate>appropriate relevent>relevant relavant>relevant "
    "accross>across beleive>believe belive>believe thier>their tommorow>tomorrow "
    "tomorow>tomorrow infomation>information informaton>information pasword>password "
    "secuirty>security recored>recorded recrod>record wellfare>welfare til>till"
)
SPELLING_SUFFIXES = (
    ("izations", "isations"),
    ("ization", "isation"),
    ("izing", "ising"),
    ("ized", "ised"),
    ("izes", "ises"),
    ("izer", "iser"),
    ("ize", "ise"),
    ("yzing", "ysing"),
    ("yzed", "ysed"),
    ("yzes", "yses"),
    ("yze", "yse"),
)
IZE_KEEP = _words("capsize capsized capsizes capsizing downsize oversize oversized baize maize")

# --- contractions and compounds -------------------------------------------------------------
_NOT = "do does did would could should must need is are was were have has had"
CONTRACTIONS: dict[str, tuple[str, ...]] = {
    "won't": ("will", "not"),
    "can't": ("can", "not"),
    "cannot": ("can", "not"),
    "shan't": ("shall", "not"),
    "ain't": ("is", "not"),
    "let's": ("let", "us"),
    "wont": ("will", "not"),
    "cant": ("can", "not"),
    "im": ("i", "am"),
    "ive": ("i", "have"),
    "youre": ("you", "are"),
    "theyre": ("they", "are"),
    "thats": ("that", "is"),
    "theres": ("there", "is"),
    "whats": ("what", "is"),
    "shes": ("she", "is"),
    "hes": ("he", "is"),
    "gonna": ("going", "to"),
    "wanna": ("want", "to"),
    "gotta": ("got", "to"),
    "&": ("and",),
    **{f"{aux}nt": (aux, "not") for aux in _NOT.split()},
}
IS_SUBJECTS = _words("it that there he she what who where here this how when someone nobody")
COMPOUNDS: dict[str, tuple[str, ...]] = {
    "wellbeing": ("well", "being"),
    "straightaway": ("straight", "away"),
    "noone": ("no", "one"),
    "signoff": ("sign", "off"),
    "e.g.": ("eg",),
    "i.e.": ("ie",),
}
JOINED = _words("email emails emailed emailing cooperate cooperation coordinate reassess")

# --- clauses --------------------------------------------------------------------------------
BREAK_ALWAYS = _words(
    "but because since although though while whilst whereas which unless until till "
    "however therefore otherwise then if whether when"
)
ABBREVIATIONS = _words("dr mr mrs ms sch para art s reg ref approx incl cf st vs")
CONDITIONALS = _words("if")
# "see if", "check if", "even if": an embedded question or a concession, not a hypothesis
NOT_CONDITIONAL_AFTER = _words("see check ask know wonder sure find out decide even whether")
SUBORDINATORS = _words("as before after")  # open a clause only when a subject follows
CONTRAST = _words("but however yet although though whereas")
SO_INTENSIFIED = _words(
    "much many far long few little often soon quickly bad badly serious worried sure scared "
    "important clearly obviously"
)
AS_COMPARATIVE = _words("such well same soon much long far as just")
SUBJECTS = _words("i we he she it they you this that there someone somebody nobody everyone")
AUX = _words(
    "is am are was were be been being do does did have has had will would shall should can "
    "could may might must need needs ought"
)
CLAUSE_STARTERS = SUBJECTS | AUX | _words("not never then also still")
_IRREGULAR = (
    "told sent gave given got gotten went gone made kept said thought felt took taken rang "
    "rung spoke spoken wrote written held left put saw seen knew known let sought done did"
)
_VERB_BASES = (
    "share pass send tell ring refer inform notify speak talk discuss ask consult wait "
    "explain keep make give get go seek escalate follow let know think believe feel want put "
    "see say take rely consider decide raise hold leave assume agree mention ensure confirm "
    "verify listen sort complete fill sign arrange attend stop prevent allow protect treat "
    "avoid happen involve alert warn weigh prioritise minimise safeguard quote write suggest "
    "show indicate mean seem appear look apply outweigh matter come disclose hit threaten "
    "expect deal handle pick refuse accuse encourage try start change"
)
# Verbs that are also common nouns ("secure email", "phone call"): they make a clause a
# proposition only as its first word, i.e. as an imperative ("Email the DSL now").
AMBIGUOUS_VERBS = _words(
    "email phone call record note log check report contact document text message update "
    "complete visit monitor support review flag date ring"
)
FUNCTION_WORDS = _words(
    "a an the this that these those my your his her its our their some any no every each all "
    "both either neither of to in on at by for with from about into over under after before "
    "between through during without within against among than as and or but nor so if "
    "because while although though since until unless whether not never i we he she it they "
    "you me him us them who whom which what when where why how is am are was were be been "
    "being do does did have has had will would shall should can could may might must there "
    "here very just only also then too"
)


def _inflect(bases: str) -> frozenset[str]:
    forms: set[str] = set()
    for base in bases.split():
        stem = base[:-1] if base.endswith("e") else base
        forms |= {base, base + "s", base + "es", stem + "ed", base + "d"}
    return frozenset(forms)


# Words that make a clause a proposition rather than a list item: auxiliaries, subject and
# object pronouns, and action verbs that are rarely nouns. (-ing forms are left out because
# "information sharing" and "safeguarding" are nouns in a list of terms.)
VERBS = (
    AUX
    | _inflect(_VERB_BASES)
    | _words(_IRREGULAR)
    | _words("i we he she they you it them him me us")
)

# --- cues -----------------------------------------------------------------------------------
_REPORTERS = (
    "people staff colleagues officers practitioners teachers nurses professionals others "
    "someone somebody managers parents everyone some many they"
)
_REPORTING = (
    "think thinks say says said believe believes assume assumes claim claims feel feels reckon"
)


def _cues() -> dict[tuple[str, ...], str]:
    table: dict[tuple[str, ...], str] = {}
    for kind, phrases in {
        "neg": "not|no|never|without|nobody|nothing|none|neither|nor|no one|rather than|"
        "instead of|far from",
        "pseudo": "not only|not just|no doubt|without doubt|without a doubt|whether or not|"
        "or not|no matter|not hesitate|never hesitate|not to mention|no later than|"
        "not later than|no more than|no less than|without delay|without any delay|"
        "without undue delay|without hesitation|without question|without fail|no delay|"
        "no time to lose",
        "hedge": "not sure|not certain|unsure|do not know|no idea|whether|wonder|wondering",
        "myth": "myth|misconception|used to think|used to believe|wrongly|mistakenly",
        "refute": "wrong|untrue|false|incorrect|mistaken",
    }.items():
        table.update(dict.fromkeys(_phrases(phrases), kind))
    for who in _REPORTERS.split():
        for verb in _REPORTING.split():
            table[(who, verb)] = "report"
    return table


CUES = _cues()
CUE_FIRST = frozenset(phrase[0] for phrase in CUES)

# Someone's view the writer rebuts: from a reporting verb, to a later clause of its sentence
# that opens with a rebuttal ("my mate said wait for proof, but that's not how it works"), or
# to its end when the next sentence opens with one ("Our manager says GDPR stops us.
# Rubbish.").
REPORTING_VERBS = _words(
    "said says say saying told tells telling tell thinks think thought reckons reckoned "
    "reckon believes believed insisted insists claimed claims cited argued argues suggested "
    "view idea"
)


# A rebuttal opens its clause or sentence: a verdict, bare or said of the view ("Rubbish.",
# "that's not right", "which is nonsense"), or the writer's dissent ("I don't accept that").
# "It'd be wrong to…", "something's not right", "if I'm wrong" and "I was wrong" are not.
REBUTTAL_VERDICTS = _phrases(
    "wrong|untrue|false|incorrect|mistaken|nonsense|rubbish|havering|codswallop|tosh|"
    "baloney|myth|not true|not right|not the case|not correct|not how|"
    "not my understanding"
)
REBUTTAL_DISSENT = _phrases(
    "disagree|disagreed|not agree|not accept|not accepting|not buy|not buying|not having it"
)
REBUTTAL_VIEW = _words("that this it which they he she")  # what a verdict is said of
REBUTTAL_SELF = _words("i we")  # who dissents
REBUTTAL_FILLERS = _words(
    "is was are were be would will does do did just simply plain quite completely totally "
    "absolutely utter complete total a load of all really strongly"
)
REBUTTAL_NOT_AFTER = _words("to with about of")  # "wrong to repeat it", "wrong of me"
REBUTTAL_OPENERS = CONTRAST | _words("and so well honestly")  # may come first

# Words allowed between a span and a following "not" for that "not" to negate the span
# ("consent IS not needed", "waiting for proof WOULD not be right").
COPULAS = _words(
    "is are was were be been would will does do did can could should has have really just "
    "simply always actually certainly definitely"
)
