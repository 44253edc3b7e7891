"""How Swedish questions are read: what kind of answer one asks for, where the fact stands, which fact a sentence holds.

Every Swedish rule about questions lives here once (question words, the
words around them, follow-up openers); the facts themselves (months, number
words, bodies, amounts) are :mod:`indexer.language.facts`'.

Question types: ``person`` (vem är rektor …: a name), ``who`` (other vem
questions: a person or a body), ``time`` (när, vilket år, hur länge),
``amount`` (hur mycket kostar/pengar …: a sum or a share), ``number`` (hur
många, hur mycket), ``list`` (vilka), ``definition`` (vad är,
vad innebär), ``contact`` (who to contact about something), else ``other``.
The *focus* of a question is the noun its question word asks about ("vilka
kommuner", "hur många pilotprojekt").
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from indexer.language.analysis import stop_words, words
from indexer.language.facts import AMOUNT_RE, BODY_RE, MONTHS, NUMBER_WORDS, TIME_RE
from indexer.language.names import EMAIL, FIRST_LAST_NAME

if TYPE_CHECKING:
    from indexer.fields import SwedishAnalyzer

#: Number words, "en" and "ett" too (the facts' list holds those above one).
_NUMBER_WORDS = frozenset(NUMBER_WORDS) | {"en", "ett"}
# A question about money ("hur mycket kostar …", "hur mycket pengar …").
_MONEY_QUESTION_RE = re.compile(r"\b(?:pengar|kosta\w*|avgift\w*|bidrag\w*|ersättning\w*|betala\w*|stöd\w*"
                                r"|lön\w*|skatt\w*|belopp\w*|tjäna\w*|kronor|budget\w*|anslag\w*)\b")
_CONTACT_WORDS = re.compile(r"kontakt|ansvarig|projektledare|handläggare|samordnare|ringa|mejla|e-post")
# Verbs that ask whom to reach ("vilka ska jag kontakta", "vem ringer jag"): with any of vem / vilka / vilken.
_CONTACT_VERB_RE = re.compile(r"\b(?:kontakta\w*|ring\w*|mejla\w*|maila\w*)\b")
# After "vilken / vilka", the noun that asks for a contact ("vilken handläggare"); "vilken terapimetod kräver
# intensiv kontakt" asks for a method, and "vilken inriktning innebär patientkontakt" for a specialty.
_CONTACT_NOUN_RE = re.compile(r"(?:kontakt\w*|person\w*|\w*ansvarig\w*|\w*ledare|\w*handläggare|\w*samordnare"
                              r"|myndighet\w*|förvaltning\w*|enhet\w*|avdelning\w*)$")
_YEAR_RE = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
# A person: "Förnamn Efternamn, roll", a role word before a name, or an e-mail address.
# Words that name a role; "generaldirektör", "projektledare" end in one of them.
_ROLES = (r"ledare|ansvarig|handläggare|chef|direktör|minister|ministern|sekreterare|samordnare|ordförande"
          r"|rektor|kontaktperson|talesperson|ambassadör|landshövding")
_PERSON_RE = re.compile(
    rf"\b{FIRST_LAST_NAME},"
    rf"|\b(?:\w*(?:{_ROLES}))\s+{FIRST_LAST_NAME}\b"
    rf"|{EMAIL}"
)


_ROLE_WORD_RE = re.compile(rf"\b\w*(?:{_ROLES})\b")
# What public bodies do: a "vem" question about it may be answered by a body ("vem beslutar om bygglov?").
_BODY_ACTION_RE = re.compile(
    r"\b(?:ansvar\w*|beslut\w*|bestäm\w*|betala\w*|finansier\w*|handlägg\w*|fördela\w*|utred\w*|pröva\w*"
    r"|granska\w*|tillsyn|uppdrag\w*|myndighet\w*|organisation\w*|utser|utsåg|delar ut|driver)\b"
)
# A name given a role: "… utser Anna Block Mazoyer till ny ambassadör", "Eva Ek som ordförande".
_NAMED_ROLE_RE = re.compile(
    rf"{FIRST_LAST_NAME}(?: [A-ZÅÄÖ][a-zåäöé]+)?,? (?:till|som) (?:ny |nya )?{_ROLE_WORD_RE.pattern}"
)


def question_type(question: str) -> str:
    """The kind of answer ``question`` asks for."""
    tokens = words(question)
    text = " ".join(tokens)
    if _asks_for_contact(tokens, text):
        return "contact"
    if text.startswith(("vem ", "vilka personer")) or " vem " in f" {text} ":
        # "vem är rektor …" asks for a person's name; "vem beslutar …" may be answered by a body too.
        return "who" if _BODY_ACTION_RE.search(text) and not _ROLE_WORD_RE.search(text) else "person"
    if re.search(r"\b(när|hur länge|vilket år|vilka år|vilken tid|hur lång tid|sedan när|till när)\b", text):
        return "time"
    if re.search(r"\b(hur mycket|vilket belopp|vad kostar)\b", text) and _MONEY_QUESTION_RE.search(text):
        return "amount"
    if re.search(r"\b(hur många|hur mycket|vilket antal|hur stor)\b", text):
        return "number"
    if tokens[:1] == ["vilka"] or " vilka " in f" {text} ":
        return "list"
    definition = re.match(r"vad (är|innebär|betyder|menas med|avses med) (.+)", text)
    if definition and len(definition.group(2).split()) <= MAX_DEFINED_WORDS:
        return "definition"
    return "other"


def _asks_for_contact(tokens: list[str], text: str) -> bool:
    """Whether the question asks whom to contact: "vem" with a contact word, "vem / vilka" with a verb of reaching
    someone, or "vilken / vilka" followed by a contact noun ("vilken handläggare", "vilka kontaktpersoner")."""
    if not _CONTACT_WORDS.search(text):
        return False
    if "vem" in tokens or (_CONTACT_VERB_RE.search(text) and ("vilka" in tokens or "vilken" in tokens)):
        return True
    return any(token in ("vilka", "vilken") and bool(_CONTACT_NOUN_RE.match(following))
               for token, following in itertools.pairwise(tokens))


MAX_DEFINED_WORDS = 4
_FOLLOW_UP_OPENERS = ("och", "men", "samt", "än", "också", "då")
_ANAPHORA = {"det", "den", "dem", "där", "dit", "därifrån", "denna", "detta", "dessa", "dess", "deras", "de",
             "han", "hon", "hen", "honom", "henne", "dom", "samma"}
MAX_FOLLOW_UP_TERMS = 2


def is_follow_up(question: str, analyzer: SwedishAnalyzer) -> bool:
    """Whether ``question`` leans on an earlier one for its subject.

    It opens with "och", "men" …, or it points back ("det", "där", "dem" …)
    with at most two words of its own, or it has at most one word of its own
    (its terms as ``analyzer``, the snapshot's, reads them).
    """
    tokens = words(question)
    own = analyzer.terms(question)
    if not tokens:
        return False
    if tokens[0] in _FOLLOW_UP_OPENERS and len(own) <= MAX_FOLLOW_UP_TERMS + 1:
        return True
    return len(own) <= 1 or (bool(_ANAPHORA & set(tokens)) and len(own) <= MAX_FOLLOW_UP_TERMS)


_DEFINITION_RE = re.compile(
    r"^(?:\S+\s+){0,6}?(?:är|var|innebär|betyder|avser)\s+(?:en|ett)\s", re.IGNORECASE
)


def focus_term(question: str, analyzer: SwedishAnalyzer) -> str:
    """The term, as ``analyzer`` (the snapshot's) makes it, of the word a question word asks about, or ""."""
    tokens = words(question)
    stops = stop_words()
    skip = stops | _NUMBER_WORDS | _FOCUS_AFTER
    for index, token in enumerate(tokens):
        if token not in _FOCUS_AFTER:
            continue
        for following in tokens[index + 1 : index + 4]:
            if following in skip or following.isdigit():
                continue
            analysed = analyzer.terms(following)
            return analysed[0] if analysed else ""
    return ""


def holds_fact_of_kind(sentence: str, kind: str) -> bool:
    """Whether ``sentence`` has the kind of fact that a question of ``kind`` asks for."""
    lowered = sentence.lower()
    if kind == "time":
        return bool(_YEAR_RE.search(sentence) or TIME_RE.search(sentence)) or any(m in lowered for m in MONTHS)
    if kind == "amount":
        return bool(AMOUNT_RE.search(sentence))
    if kind == "number":
        return bool(re.search(r"\d", sentence)) or bool(set(words(sentence)) & set(NUMBER_WORDS))
    if kind == "contact":
        return bool(_PERSON_RE.search(sentence))
    if kind == "person":
        return bool(_PERSON_RE.search(sentence) or _NAMED_ROLE_RE.search(sentence))
    if kind == "who":
        return bool(_PERSON_RE.search(sentence) or BODY_RE.search(sentence) or _NAMED_ROLE_RE.search(sentence))
    if kind == "list":
        return "\n• " in sentence or sentence.count(",") >= 2
    if kind == "definition":
        return bool(_DEFINITION_RE.match(sentence))
    return False


#: Question words: the fact stands where the question has one of them.
QUESTION_WORDS = frozenset({"vad", "vem", "vilka", "vilken", "vilket", "var", "vart", "när", "hur", "vems", "vilkas",
                            "varför"})
#: Words that open a question rather than a search: a question word, or a verb that opens a yes/no question
#: ("kan jag …", "finns det …"). The page words its answer card by them; the widget, served them in
#: /widget.js, sends such text to /api/ask rather than /api/search.
QUESTION_OPENERS = QUESTION_WORDS | {"kan", "får", "måste", "ska", "finns", "behöver", "går", "är", "har"}
#: The same for a visitor who writes English in the widget or on the page.
ENGLISH_QUESTION_OPENERS = frozenset({"what", "who", "when", "where", "why", "how", "which", "can", "do", "does",
                                      "is", "are"})
#: A question's first word: one of the openers, then a space, punctuation or the end. Written so that Python's
#: and JavaScript's regular expressions read it alike (no ``\b``: JavaScript's knows no "å", "ä" or "ö").
QUESTION_START = ("^(?:" + "|".join(sorted(QUESTION_OPENERS | ENGLISH_QUESTION_OPENERS, key=lambda w: (-len(w), w)))
                  + r")(?=[\s?!.,:;]|$)")
_QUESTION_START_RE = re.compile(QUESTION_START, re.IGNORECASE)


#: The question marks that end a question, whatever its language.
QUESTION_MARKS = ("?", "\u061f", "\uff1f")


def opens_question(text: str) -> bool:
    """Whether ``text`` reads as a question, not a search: it ends with one of QUESTION_MARKS (the Latin, the
    Arabic and Persian, the full-width) or opens with a question's first word."""
    text = text.strip()
    return text.endswith(QUESTION_MARKS) or bool(_QUESTION_START_RE.match(text))


#: Question words followed by the noun they ask about ("vilka *kommuner*", "hur många *pilotprojekt*").
FOCUS_WORDS = frozenset({"vilka", "vilken", "vilket", "vilkas", "hur"})
#: Words after "hur" that ask for a fact (a quantity, a time), though some end like a verb.
QUANTITY_AFTER_HUR = frozenset({"mycket", "många", "länge", "lång", "långt", "stor", "stora", "gammal", "gamla",
                                "ofta", "tidigt", "sent", "hög", "höga", "dyr", "dyrt", "svår", "svårt", "tid"})
#: Nouns after "vilken / vilka" that ask for a person or a body, as "vem" does.
WHO_NOUNS = frozenset({
    "myndighet", "myndigheter", "organisation", "organisationer", "aktör", "aktörer", "person", "personer",
    "instans", "instanser", "departement", "förvaltning", "nämnd", "kommun", "kommuner", "region", "regioner",
    "landsting", "länsstyrelse", "domstol", "yrkesgrupp", "yrkesgrupper", "yrke", "befattning",
})
#: Modal verbs: "hur ska jag …" asks how something is done.
MODALS = frozenset({"ska", "skall", "kan", "får", "bör", "måste", "gör", "vill", "brukar"})
#: Verbs that follow "vilka" when it is the subject ("vilka ska …", "vilka har …"): modals and auxiliaries, not
#: "är / var" ("vilka är medverkande aktörer" asks for the list).
AUXILIARIES = MODALS | {"har", "hade", "blir", "blev"}
#: Prepositions a question may end with, the fact following them in the answer.
PREPOSITIONS = frozenset({"i", "hos", "vid", "på", "med", "av", "genom", "från", "till", "under", "om", "för", "mot",
                          "efter", "åt", "inom", "över"})


@dataclass(frozen=True)
class Slot:
    """The words around a question's question word."""

    #: The word before the question word ("med hjälp *av* vad").
    before: str = ""
    #: The preposition the question ends with ("vad är man ansvarig *för*?").
    stranded: str = ""
    #: The terms of the noun the question word asks about ("vilken *kemist*").
    focus: frozenset[str] = frozenset()
    #: The question word itself ("vad", "när", "hur" …).
    word: str = ""
    #: The noun the question word asks about, as written ("myndighet" in "vilken myndighet …").
    noun: str = ""

    @property
    def asks_who(self) -> bool:
        """Whether it asks for a person or a body ("vilken myndighet", "vilka personer")."""
        return self.noun in WHO_NOUNS

    @property
    def subject_who(self) -> bool:
        """Whether "vilka" is the subject of a verb, so it asks who ("vilka *ska* bevaka avtalet", "vilka *har* …"),
        not for a list of things."""
        return self.word == "vilka" and self.noun in AUXILIARIES


def question_slot(question: str, analyzer: SwedishAnalyzer) -> Slot:
    """The slot of the question's first question word (an empty slot when it has none)."""
    tokens = words(question)
    stranded = tokens[-1] if tokens and tokens[-1] in PREPOSITIONS else ""
    for index, token in enumerate(tokens):
        if token in QUESTION_WORDS:
            after = index + 1
            while after < len(tokens) and tokens[after] in QUANTITY_AFTER_HUR:
                after += 1
            following = tokens[after] if after < len(tokens) and token in FOCUS_WORDS else ""
            focus = frozenset(analyzer.word_terms(following)) if following else frozenset()
            return Slot(tokens[index - 1] if index else "", stranded, focus, token, following)
    return Slot(stranded=stranded)


def asks_for_fact(question: str) -> bool:
    """Whether ``question`` asks for a fact: it has a question word, and a "hur" asks how much, not how to.

    "hur" followed by a verb ("hur ansöker jag", "hur regleras …", "hur ska …": a present tense or a passive
    ends in -r or -s) asks how something is done: the whole answer says that, no one span of it.
    """
    tokens = words(question)
    for index, token in enumerate(tokens):
        if token == "hur":  # noqa: S105 (a word, not a password)
            following = tokens[index + 1] if index + 1 < len(tokens) else ""
            return following in QUANTITY_AFTER_HUR or not (following in MODALS or following.endswith(("r", "s")))
        if token in QUESTION_WORDS:
            return True
    return False


#: The words after which focus_term looks for the noun asked about.
_FOCUS_AFTER = FOCUS_WORDS | {"många", "mycket"}
