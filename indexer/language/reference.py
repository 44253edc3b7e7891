"""Sentences that point back: the Swedish words that need an earlier sentence to be understood.

"Vi kallar det för J+." says nothing without the sentence before it; nor does
"Projektet pågår till september 2020." without the one that introduced "ett
EU-finansierat projekt". Two rules, both about the opening words of a
sentence (later in a sentence a pronoun usually points to a word of the same
sentence):

- a pronoun or demonstrative that refers back: "detta", "dessa", "den här",
  "hon", "dess"; "det" when it stands for something rather than introduce a
  noun ("det nya projektet") or a clause ("det finns", "det är viktigt att");
  "de" and "den" only as a sentence's first word, where they are its subject
  ("De har …") unless a noun phrase follows ("De tre områdena …"), or
  before "här/där" ("den här överenskommelsen");
- a definite noun ("projektet", "områdena") whose indefinite form an earlier
  sentence introduced with an article or a number ("ett projekt", "tre
  områden"): Swedish names a thing first in the indefinite and then refers
  back to it in the definite. The article also gives the noun's gender, and
  so its definite ending ("ett arbete" → "arbetet", never "arbeten").
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
#: Pronouns that refer back only as a sentence's first word ("De har …"); later they mostly begin a noun phrase.
FIRST_WORD_PRONOUNS = frozenset(("de", "den"))
#: "det/den/de" and "här/där" make a demonstrative ("den här överenskommelsen"): it refers back.
AMBIGUOUS_PRONOUNS = frozenset(("det", "den", "de"))
DEMONSTRATIVES = (["här"], ["där"])
#: After "det/den/de", these begin a noun phrase ("de tre områdena", "det så kallade ansvaret"); so does a number.
DETERMINER_FOLLOWERS = frozenset((
    "så", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva", "tolv", "båda", "bägge",
    "egna", "enda", "övriga", "olika", "flesta", "senaste", "största", "bästa", "första", "sista",
))
#: A "det" right after these opens a subordinate clause, where it is mostly a formal subject ("om det uppstår").
SUBORDINATORS = frozenset(("att", "om", "när", "eftersom", "då", "innan", "medan", "som", "ifall", "så"))
#: Right after "det/den/de", these begin a clause: "det som krävs", "de som bor här" point forward.
FORWARD_WORDS = frozenset(("som", "att"))
#: "det är viktigt att …", "det går att …": a copula with a clause later in the sentence points forward too,
#: unless an article makes what follows a noun phrase ("det är ett projekt som …" refers back).
COPULAS = frozenset(("är", "var", "blir", "blev", "vore", "går", "gick", "gäller", "gällde", "räcker"))
CLAUSE_WORDS = frozenset(("att", "som", "om", "hur", "vad", "när", "vilka", "vilken", "vilket"))
ARTICLES = frozenset(("en", "ett"))
FORWARD_REACH = 8
#: Right after "det", a preposition makes it an object that refers back: "vi kallar det för …".
PREPOSITIONS = frozenset((
    "för", "till", "på", "i", "med", "av", "från", "efter", "under", "över", "genom", "utan", "vid", "mot",
    "inom", "enligt",
))
#: Finite verbs that do not end in -r (present tense) or -de/-te (weak past tense).
IRREGULAR_FINITE = frozenset((
    "var", "hade", "kan", "kunde", "ska", "skall", "skulle", "måste", "vill", "ville", "blev", "gick", "kom",
    "fick", "gav", "tog", "innebar", "gjorde", "sa", "sade", "låg", "stod", "såg", "bör", "borde", "lät",
))
#: Endings that look like a finite verb's but are not: superlatives ("senaste") and participles ("gällande").
NOT_FINITE_ENDINGS = ("aste", "este", "ande", "ende")
#: What introduces a noun, and the endings its definite form may add: (ending, what the noun ends in).
COMMON_DEFINITE = (("en", ""), ("n", "e"), ("n", "a"))
NEUTER_DEFINITE = (("et", ""), ("t", "e"))
PLURAL_DEFINITE = (("na", "r"), ("a", "n"), ("en", ""))
INDEFINITE_DETERMINERS = {
    "en": COMMON_DEFINITE, "någon": COMMON_DEFINITE, "ett": NEUTER_DEFINITE, "något": NEUTER_DEFINITE,
    **dict.fromkeys(("några", "flera", "många", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio",
                     "elva", "tolv"), PLURAL_DEFINITE),
}
#: An article or number introduces a noun at most this many words after it ("ett EU-finansierat projekt").
INTRODUCTION_REACH = 3
MIN_NOUN_CHARS = 3
_TOKEN_RE = re.compile(r"[^\W_]+")


def opening_words(sentence: str) -> list[str]:
    """The words (and numbers) that open ``sentence``, lowercased: enough to read the first OPENING_WORDS."""
    return [word.lower() for word in _TOKEN_RE.findall(sentence)[: OPENING_WORDS + FORWARD_REACH]]


def points_back(sentence: str) -> bool:
    """Whether ``sentence`` opens with a pronoun or demonstrative that refers to an earlier sentence."""
    words = opening_words(sentence)
    for position, word in enumerate(words[:OPENING_WORDS]):
        demonstrative = word in AMBIGUOUS_PRONOUNS and words[position + 1 : position + 2] in DEMONSTRATIVES
        if word in POINTING_WORDS or demonstrative:
            return True
        after_subordinator = position > 0 and words[position - 1] in SUBORDINATORS
        ambiguous = (word == "det" and not after_subordinator) or (word in FIRST_WORD_PRONOUNS and position == 0)
        if ambiguous and _stands_alone(words[position + 1 :], word):
            return True
    return False


def _stands_alone(following: list[str], pronoun: str) -> bool:
    """Whether "det/den/de" followed by ``following`` is a pronoun that refers back."""
    if not following:
        return True  # "… kallar vi det."
    after, rest = following[0], following[1:]
    if pronoun == "det" and after in PREPOSITIONS:
        return True
    if after in FORWARD_WORDS or after in DETERMINER_FOLLOWERS or after.isdigit() or after.endswith("s"):
        return False  # a clause, a noun phrase or an existential ("det finns", "det krävs") follows
    if rest[:1] == ["som"]:
        return False  # "de kommuner som …"
    if after in COPULAS and rest[:1] != [] and rest[0] not in ARTICLES and CLAUSE_WORDS.intersection(rest):
        return False  # "det är viktigt att …", "det är inte rektorn som …"
    return _is_finite_verb(after)


def _is_finite_verb(word: str) -> bool:
    """A guess from the ending: present tense (-r), weak past tense (-de, -te) or a common irregular form."""
    if word in IRREGULAR_FINITE:
        return True
    return word.endswith(("r", "de", "te")) and not word.endswith(NOT_FINITE_ENDINGS)


def definite_form_of(word: str, earlier: str, determiner: str = "en") -> bool:
    """Whether ``word`` is the definite form of ``earlier``, a noun that ``determiner`` introduced.

    "projektet" of "ett projekt", "områdena" of "tre områden", "hovslagaren" of "en hovslagare".
    """
    endings = INDEFINITE_DETERMINERS.get(determiner, ())
    if len(earlier) < MIN_NOUN_CHARS or not word.startswith(earlier) or word == earlier or not endings:
        return False
    ending = word[len(earlier) :]
    if endings is not PLURAL_DEFINITE and ending[:1] == earlier[-1] and ending[1:] == endings[0][0]:
        return True  # a doubled consonant: "ett program" → "programmet"
    return any(ending == suffix and earlier.endswith(final) for suffix, final in endings)


def introduced_nouns(sentence: str) -> dict[str, str]:
    """Words of ``sentence`` that an article or a number introduces, each with that word: "uppdrag": "ett"."""
    tokens = [token.lower() for token in _TOKEN_RE.findall(sentence)]
    introduced: dict[str, str] = {}
    for position, token in enumerate(tokens):
        before = tokens[max(0, position - INTRODUCTION_REACH) : position]
        determiner = next((word for word in reversed(before) if word in INDEFINITE_DETERMINERS), "")
        if not determiner and any(word.isdigit() for word in before):
            determiner = "två"  # "12 pilotprojekt": a number of them
        if determiner and token.isalpha():
            introduced.setdefault(token, determiner)
    return introduced


def repeats_earlier_noun(sentence: str, earlier: str) -> bool:
    """Whether an opening word of ``sentence`` is the definite form of a noun that ``earlier`` introduced."""
    introduced = introduced_nouns(earlier)
    for word in opening_words(sentence)[:OPENING_WORDS]:
        bare = word[:-1] if word.endswith("s") else word  # the genitive: "programmets"
        if any(definite_form_of(form, noun, determiner)
               for form in {word, bare} for noun, determiner in introduced.items()):
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
