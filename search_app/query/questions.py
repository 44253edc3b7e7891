"""What kind of answer a Swedish question asks for, and what a sentence offers.

Question types: ``person`` (vem är rektor …: a name), ``who`` (other vem
questions: a person or a body), ``time`` (när, vilket år, hur länge),
``amount`` (hur mycket kostar/pengar …: a sum or a share), ``number`` (hur
många, hur mycket), ``list`` (vilka), ``definition`` (vad är,
vad innebär), ``contact`` (who to contact about something), else ``other``.
The *focus* of a question is the noun its question word asks about ("vilka
kommuner", "hur många pilotprojekt").
"""

from __future__ import annotations

import re

from indexer.fields import SwedishAnalyzer
from indexer.language.analysis import stop_words, words
from indexer.language.names import EMAIL, FIRST_LAST_NAME

_NUMBER_WORDS = {
    "en", "ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva", "tolv",
    "tretton", "fjorton", "femton", "tjugo", "trettio", "fyrtio", "femtio", "hundra", "tusen",
    "miljon", "miljoner", "miljard", "miljarder", "dussin",
}
_MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
    "oktober", "november", "december",
)
_TIME_UNITS = r"(?:sekund|minut|timm|dag|dygn|veck|månad|kvartal|år|termin)\w*"
# The number words above "one", longest first (so that "tretton" is not read as "tre").
_NUMBER_WORDS_RE = "|".join(sorted(_NUMBER_WORDS - {"en", "ett"}, key=len, reverse=True))
_COUNT = rf"(?:\d+(?:[,.]\d+)?|{_NUMBER_WORDS_RE}|ett|en|ett par)"
# A date or a period: "1 juli 2025", "2025-07-01", "480 dagar", "tre månader", "vecka 12", weekdays, seasons.
_TIME_RE = re.compile(
    rf"\b{_COUNT}\s+{_TIME_UNITS}\b|\b\d{{4}}-\d\d-\d\d\b|\b\d{{1,2}}/\d{{1,2}}\b|\bvecka \d+"
    r"|\b(?:måndag|tisdag|onsdag|torsdag|fredag|lördag|söndag)(?:en|ar)?\b"
    r"|\b(?:våren|hösten|sommaren|vintern|årsskiftet|halvåret|kvartalet)\b",
    re.IGNORECASE,
)
# A public body: "Skatteverket", "Länsstyrelsen i Skåne", "regeringen", "Socialstyrelsen".
_BODY_RE = re.compile(
    r"\b(?:[A-ZÅÄÖ]\w*(?:verket|myndigheten|styrelsen|nämnden|inspektionen|kollegiet|kontoret|rådet|institutet"
    r"|departementet|universitetet|kommun|region|kassan|banken|domstolen|ombudsmannen)"
    r"|[Rr]egeringen|[Rr]iksdagen|Regeringskansliet|EU-kommissionen|[Kk]ommissionen)\b"
)
# A question about money ("hur mycket kostar …", "hur mycket pengar …") and a sum of money or a share.
_MONEY_QUESTION_RE = re.compile(r"\b(?:pengar|kosta\w*|avgift\w*|bidrag\w*|ersättning\w*|betala\w*|stöd\w*"
                                r"|lön\w*|skatt\w*|belopp\w*|tjäna\w*|kronor|budget\w*|anslag\w*)\b")
_AMOUNT_RE = re.compile(
    r"\d[\d\s,.]*\s*(?:kr\b|kronor|miljoner|miljarder|mnkr|mdkr|tkr|euro|procent|%)"
    rf"|\b(?:{_NUMBER_WORDS_RE})\s+(?:miljoner|miljarder|kronor)",
    re.IGNORECASE,
)
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
    if re.search(r"\b(hur mycket|vilket belopp)\b", text) and _MONEY_QUESTION_RE.search(text):
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
               for token, following in zip(tokens, tokens[1:], strict=False))


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


_FOCUS_AFTER = ("vilka", "vilken", "vilket", "många", "mycket", "hur")
_DEFINITION_RE = re.compile(
    r"^(?:\S+\s+){0,6}?(?:är|var|innebär|betyder|avser)\s+(?:en|ett)\s", re.IGNORECASE
)


def focus_term(question: str, analyzer: SwedishAnalyzer) -> str:
    """The term, as ``analyzer`` (the snapshot's) makes it, of the word a question word asks about, or ""."""
    tokens = words(question)
    stops = stop_words()
    skip = stops | _NUMBER_WORDS | set(_FOCUS_AFTER)
    for index, token in enumerate(tokens):
        if token not in _FOCUS_AFTER:
            continue
        for following in tokens[index + 1 : index + 4]:
            if following in skip or following.isdigit():
                continue
            analysed = analyzer.terms(following)
            return analysed[0] if analysed else ""
    return ""


def offers(sentence: str, kind: str) -> bool:
    """Whether ``sentence`` has the kind of fact that a question of ``kind`` asks for."""
    lowered = sentence.lower()
    if kind == "time":
        return bool(_YEAR_RE.search(sentence) or _TIME_RE.search(sentence)) or any(m in lowered for m in _MONTHS)
    if kind == "amount":
        return bool(_AMOUNT_RE.search(sentence))
    if kind == "number":
        return bool(re.search(r"\d", sentence)) or bool(set(words(sentence)) & _NUMBER_WORDS - {"en", "ett"})
    if kind == "contact":
        return bool(_PERSON_RE.search(sentence))
    if kind == "person":
        return bool(_PERSON_RE.search(sentence) or _NAMED_ROLE_RE.search(sentence))
    if kind == "who":
        return bool(_PERSON_RE.search(sentence) or _BODY_RE.search(sentence) or _NAMED_ROLE_RE.search(sentence))
    if kind == "list":
        return "\n• " in sentence or sentence.count(",") >= 2
    if kind == "definition":
        return bool(_DEFINITION_RE.match(sentence))
    return False
