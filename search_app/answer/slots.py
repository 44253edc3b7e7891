"""Where the fact stands in a question, and whether the question asks for one.

A Swedish question puts a question word where the fact would stand: "med
hjälp av *vad* analyserar …" is answered by "med hjälp av
värderingsmodeller analyserar …"; "vad är man ansvarig *för*?" by "… ansvarig
för att framföra fartyget"; "vilken *kemist* …" by "kemisten John Mayow". The
slot is the word before the question word, the preposition the question ends
with, and the noun the question word asks about.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer.fields import SwedishAnalyzer
from indexer.language.analysis import words

#: Question words: the fact stands where the question has one of them.
QUESTION_WORDS = frozenset({"vad", "vem", "vilka", "vilken", "vilket", "var", "vart", "när", "hur", "vems", "vilkas",
                            "varför"})
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
        if token == "hur":
            following = tokens[index + 1] if index + 1 < len(tokens) else ""
            return following in QUANTITY_AFTER_HUR or not (following in MODALS or following.endswith(("r", "s")))
        if token in QUESTION_WORDS:
            return True
    return False
