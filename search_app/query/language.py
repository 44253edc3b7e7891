"""The language a question is asked in: Swedish unless it clearly is another.

py3langid (a naive Bayes model over byte n-grams, shipped inside its wheel)
reads the question among ``CANDIDATES``, the languages questions to a Swedish
agency arrive in. A question is another language only when the model gives
that language at least ``MIN_PROBABILITY``; a question that opens with a
Swedish question word ("Vem", "När", "Hur" …) is always Swedish, whatever
names it holds ("När upptäcktes Schwarzwald?"), and Danish and Norwegian read
as Swedish: the Swedish analysis reads most of their words. How it was
measured (Swedish question sets, short questions in eight languages, cost per
question): docs/quality-studies.md, ``python -m evaluation.language_study``.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

from indexer.language.questions import QUESTION_OPENERS

SWEDISH = "sv"
#: Languages read as Swedish (Danish, Norwegian Bokmål and Nynorsk: the Swedish analysis reads most of their words).
READ_AS_SWEDISH = frozenset({"sv", "da", "no", "nb", "nn"})
#: The languages a question is told apart among: Swedish and its neighbours, the languages Swedish agencies most
#: often translate into, and other large languages of people living in Sweden (a question in none of them is
#: read as the nearest of these, which only matters for which strings its card gets).
CANDIDATES = (
    "sv", "da", "no", "nn", "en", "ar", "so", "fa", "pl", "uk", "fi", "de", "fr", "es", "ru", "tr", "ku", "ps",
    "ur", "zh", "th", "vi", "it", "pt", "nl", "et", "lt", "lv", "ro", "bs", "hr", "sr", "sq", "am", "hi", "bn",
    "ja", "ko", "sw", "he", "el", "hu", "cs", "sk", "bg", "tl",
)
#: The model's probability (among CANDIDATES) a question needs to be read as another language than Swedish.
MIN_PROBABILITY = 0.6
#: At least this many letters: a shorter text ("EU", "A-kassa") is Swedish.
MIN_LETTERS = 4

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _identifier() -> Any:
    """The model, loaded once (about 0.3 s) and restricted to CANDIDATES."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(CANDIDATES))
    return identifier


def guess_language(text: str) -> tuple[str, float]:
    """The model's most likely language of ``text`` among CANDIDATES, and its probability."""
    with _lock:  # set_languages swaps the model's tables: keep readers off it while it loads
        identifier = _identifier()
    language, probability = identifier.classify(text)
    return str(language), float(probability)


def question_language(text: str) -> str:
    """The ISO 639-1 code of the language ``text`` is asked in; "sv" unless it clearly is another."""
    stripped = text.strip()
    if sum(char.isalpha() for char in stripped) < MIN_LETTERS:
        return SWEDISH
    first = stripped.split(maxsplit=1)[0].strip("?!.,:;\"'«»”“").lower()
    if first in QUESTION_OPENERS:
        return SWEDISH
    language, probability = guess_language(stripped)
    if language in READ_AS_SWEDISH or probability < MIN_PROBABILITY:
        return SWEDISH
    return language


#: Languages' names in Swedish, as the statistics page shows them (any other by its code).
SWEDISH_NAMES = {
    "sv": "svenska", "en": "engelska", "ar": "arabiska", "so": "somaliska", "fa": "persiska", "pl": "polska",
    "uk": "ukrainska", "fi": "finska", "de": "tyska", "fr": "franska", "es": "spanska", "ru": "ryska",
    "tr": "turkiska", "ku": "kurdiska", "ps": "pashto", "ur": "urdu", "zh": "kinesiska", "th": "thailändska",
    "vi": "vietnamesiska", "it": "italienska", "pt": "portugisiska", "nl": "nederländska", "et": "estniska",
    "lt": "litauiska", "lv": "lettiska", "ro": "rumänska", "bs": "bosniska", "hr": "kroatiska", "sr": "serbiska",
    "sq": "albanska", "am": "amhariska", "hi": "hindi", "bn": "bengali", "ja": "japanska", "ko": "koreanska",
    "sw": "swahili", "he": "hebreiska", "el": "grekiska", "hu": "ungerska", "cs": "tjeckiska", "sk": "slovakiska",
    "bg": "bulgariska", "tl": "tagalog",
}


def swedish_name(language: str) -> str:
    """The name in Swedish of ``language`` (an ISO 639-1 code), or the code when it has none here."""
    return SWEDISH_NAMES.get(language, language)


def is_swedish(language: str) -> bool:
    """Whether a question in ``language`` is read as Swedish."""
    return language in READ_AS_SWEDISH


_WORD_RE = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*")


def names_and_numbers(text: str) -> str:
    """The words of a question in another language that the Swedish pages may share: numbers, names and
    abbreviations (a capitalised word that does not open a sentence, a word in capitals), and words in the
    Latin alphabet inside a question in another script ("Kriegers Flak" in an Arabic question)."""
    other_script = any(char.isalpha() and not _latin(char) for char in text)
    kept = []
    for found in _WORD_RE.finditer(text):
        word = found.group()
        before = text[: found.start()].rstrip()
        opens = not before or before[-1] in ".!?:;\"«“¿¡"
        if (any(char.isdigit() for char in word) or (word.isupper() and len(word) > 1)
                or (other_script and _latin(word[0])) or (word[0].isupper() and not opens and not other_script)):
            kept.append(word)
    return " ".join(kept)


def _latin(char: str) -> bool:
    return char.isascii() or "À" <= char <= "ɏ"
