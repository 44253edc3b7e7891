"""Sentences that point back: the Swedish words that need an earlier sentence to be understood.

"Vi kallar det för J+." says nothing without the sentence before it; nor does
"Projektet pågår till september 2020." without the one that introduced "ett
EU-finansierat projekt". Two rules, both about the opening words of a
sentence (later in a sentence a pronoun usually points to a word of the same
sentence):

- a pronoun or demonstrative that refers back: "detta", "dessa", "den här",
  "hon", "dess", and "det", "den", "de" when they stand for something rather
  than introduce a noun ("det nya projektet") or a clause ("det finns",
  "det är viktigt att");
- a definite noun ("projektet", "områdena") whose indefinite form ("projekt",
  "områden") an earlier sentence introduced: Swedish names a thing first in
  the indefinite and then refers back to it in the definite.
"""

from __future__ import annotations

import re

#: A sentence's opening words, where a word that points back points out of the sentence.
OPENING_WORDS = 6
#: Words that always refer back: demonstratives, third-person pronouns and possessives.
POINTING_WORDS = frozenset((
    "detta", "dessa", "denna", "denne", "dem", "dess", "deras", "han", "hon", "honom", "henne", "hans",
    "hennes", "sådan", "sådant", "sådana", "densamma", "detsamma", "desamma",
))
#: "det", "den" and "de": pronouns that refer back, unless a noun phrase or a clause follows.
AMBIGUOUS_PRONOUNS = frozenset(("det", "den", "de"))
#: After "det/den/de", these make a demonstrative ("det här projektet"): it refers back.
DEMONSTRATIVE_ADVERBS = frozenset(("här", "där"))
#: After "det/den/de", these begin a noun phrase ("de tre områdena", "det så kallade ansvaret").
DETERMINER_FOLLOWERS = frozenset((
    "så", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva", "tolv", "båda", "bägge",
    "egna", "enda", "övriga", "olika", "flesta", "senaste", "största", "bästa", "första", "sista",
))
#: Right after "det/den/de", these begin a clause: "det som krävs", "de som bor här" point forward.
FORWARD_WORDS = frozenset(("som", "att"))
#: "det är viktigt att …", "det går att …": a copula with a clause after it points forward too.
COPULAS = frozenset(("är", "var", "blir", "blev", "vore", "går", "gick", "gäller", "gällde", "räcker"))
CLAUSE_WORDS = frozenset(("att", "om", "hur", "vad", "när", "vilka", "vilken", "vilket"))
FORWARD_REACH = 4
#: Right after "det/den/de", a preposition makes it an object that refers back: "vi kallar det för …".
PREPOSITIONS = frozenset((
    "för", "till", "på", "i", "med", "av", "från", "efter", "under", "över", "genom", "utan", "vid", "mot",
    "inom", "enligt", "sedan",
))
#: Finite verbs that do not end in -r (present tense) or -de/-te (weak past tense).
IRREGULAR_FINITE = frozenset((
    "var", "hade", "kan", "kunde", "ska", "skall", "skulle", "måste", "vill", "ville", "blev", "gick", "kom",
    "fick", "gav", "tog", "innebar", "gjorde", "sa", "sade", "låg", "stod", "såg", "bör", "borde", "lät",
))
#: Endings of a definite noun after its indefinite form: (ending, what the indefinite form ends in).
DEFINITE_ENDINGS = (
    ("en", ""), ("et", ""), ("na", "r"), ("a", "n"), ("n", "e"), ("n", "a"), ("t", "e"),
    ("erna", ""), ("arna", ""),
)
MIN_NOUN_CHARS = 3
#: Words that introduce a new thing ("ett EU-finansierat projekt", "tolv pilotprojekt"), at most
#: INTRODUCTION_REACH words before its noun.
INDEFINITE_DETERMINERS = frozenset((
    "en", "ett", "någon", "något", "några", "flera", "många", "ytterligare", "två", "tre", "fyra", "fem", "sex",
    "sju", "åtta", "nio", "tio", "elva", "tolv",
))
INTRODUCTION_REACH = 3
_WORD_RE = re.compile(r"[^\W\d_]+")
_TOKEN_RE = re.compile(r"[^\W_]+")


def opening_words(sentence: str) -> list[str]:
    """The first OPENING_WORDS words of ``sentence``, lowercased."""
    return [word.lower() for word in _WORD_RE.findall(sentence)[:OPENING_WORDS + FORWARD_REACH]]


def points_back(sentence: str) -> bool:
    """Whether ``sentence`` opens with a pronoun or demonstrative that refers to an earlier sentence."""
    words = opening_words(sentence)
    for position, word in enumerate(words[:OPENING_WORDS]):
        if word in POINTING_WORDS:
            return True
        if word in AMBIGUOUS_PRONOUNS and _stands_alone(words[position + 1 :]):
            return True
    return False


def _stands_alone(following: list[str]) -> bool:
    """Whether "det/den/de" followed by ``following`` is a pronoun that refers back."""
    if not following:
        return True  # "… kallar vi det."
    after, rest = following[0], following[1 : 1 + FORWARD_REACH]
    if after in DEMONSTRATIVE_ADVERBS or after in PREPOSITIONS:
        return True
    if after in FORWARD_WORDS or after in DETERMINER_FOLLOWERS or after.endswith("s"):
        return False  # a clause, a noun phrase or an existential ("det finns", "det krävs") follows
    if rest[:1] == ["som"] or (after in COPULAS and CLAUSE_WORDS.intersection(rest)):
        return False  # "de kommuner som …", "det är viktigt att …"
    return _is_finite_verb(after)


def _is_finite_verb(word: str) -> bool:
    """A guess from the ending: present tense (-r), weak past tense (-de, -te) or a common irregular form."""
    if word in IRREGULAR_FINITE:
        return True
    if word.endswith(("aste", "este")):
        return False  # a superlative ("den senaste")
    return word.endswith(("r", "de", "te"))


def definite_form_of(word: str, earlier: str) -> bool:
    """Whether ``word`` is the definite form of the indefinite ``earlier`` ("projektet" of "projekt")."""
    if len(earlier) < MIN_NOUN_CHARS or not word.startswith(earlier) or word == earlier:
        return False
    ending = word[len(earlier) :]
    if ending[:1] == earlier[-1] and ending[1:] in ("en", "et"):
        return True  # a doubled consonant: "program" → "programmet"
    return any(ending == suffix and earlier.endswith(final) for suffix, final in DEFINITE_ENDINGS)


def introduced_nouns(sentence: str) -> set[str]:
    """Words of ``sentence`` that an indefinite determiner or a number introduces: "ett särskilt *uppdrag*"."""
    tokens = [token.lower() for token in _TOKEN_RE.findall(sentence)]
    return {token for position, token in enumerate(tokens) if token.isalpha() and any(
        word in INDEFINITE_DETERMINERS or word.isdigit()
        for word in tokens[max(0, position - INTRODUCTION_REACH) : position])}


def repeats_earlier_noun(sentence: str, earlier: str) -> bool:
    """Whether an opening word of ``sentence`` is the definite form of a noun that ``earlier`` introduced."""
    introduced = introduced_nouns(earlier)
    for word in opening_words(sentence)[:OPENING_WORDS]:
        bare = word[:-1] if word.endswith("s") else word  # the genitive: "programmets"
        if any(definite_form_of(form, noun) for form in {word, bare} for noun in introduced):
            return True
    return False


def antecedent(sentences: list[str], number: int) -> int | None:
    """The number of the earlier sentence that sentence ``number`` points back to, or None.

    A pronoun points to the sentence before; a definite noun to the nearest
    earlier sentence that introduced it.
    """
    if number <= 0:
        return None
    if points_back(sentences[number]):
        return number - 1
    for earlier in range(number - 1, -1, -1):
        if repeats_earlier_noun(sentences[number], sentences[earlier]):
            return earlier
    return None
