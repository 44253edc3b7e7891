"""The answer read word by word, for the highlight: which words are the question's, where sentences and
clauses end, and what each word's neighbourhood says.

Each word is the question's (it carries a question term, or it is a function
word the question also uses) or new; :mod:`search_app.answer.fact.candidates`
builds its candidates from the runs of new words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.fields import StoredWords, SwedishAnalyzer
from indexer.language.analysis import fold_term, stop_words, tokenize
from indexer.language.analysis import words as words_of
from indexer.language.sentences import ends_with_abbreviation
from indexer.ranking_profile import PROFILE
from search_app.answer.matching import match_share

#: A word counts as the question's when it carries a question term at least this loosely.
ASKED_SHARE = PROFILE.answer.asked_share
#: Words this common (Zipf frequency) say little on their own ("också", "ofta", "även").
COMMON_ZIPF = PROFILE.answer.common_zipf
_SENTENCE_END = re.compile(r"[.!?…]\s|\n")
_CLAUSE_END = re.compile(r"[;:()\[\]•\"”“»«]|\s[–—]\s")


@dataclass(frozen=True)
class Word:
    """One word of the answer: where it stands, whether the question has it, and what kind of word it is."""

    start: int
    end: int
    text: str
    asked: bool
    stop: bool
    sentence: int
    clause: int
    zipf: float


def read_words(question: str, text: str, analyzer: SwedishAnalyzer, known: StoredWords | None = None) -> list[Word]:
    """The answer's words, each marked with its sentence and clause and whether the question has it (a word in
    ``known``, its section's stored analysis, is looked up there)."""
    asked = set(analyzer.terms(question))
    folded = {fold_term(term) for term in asked}
    question_words = set(words_of(question))
    stops = stop_words()
    found: list[Word] = []
    sentence = clause = previous_end = 0
    for token in tokenize(text):
        gap = text[previous_end : token.start] + " "
        if found and _SENTENCE_END.search(gap) and not ends_with_abbreviation(text[: previous_end + 1]):
            sentence, clause = sentence + 1, clause + 1
        elif found and _CLAUSE_END.search(gap):
            clause += 1
        lower = token.text.lower()
        stored = known.terms.get(token.text) if known is not None else None
        terms = analyzer.word_terms(token.text) if stored is None else stored
        stop = not terms or lower in stops
        asked_word = any(match_share(term, asked, folded) >= ASKED_SHARE for term in terms) or (
            stop and lower in question_words)
        zipf = analyzer.lexicon.frequency(lower) if analyzer.lexicon is not None else 0.0
        found.append(Word(token.start, token.end, token.text, asked_word, stop, sentence, clause, zipf))
        previous_end = token.end
    return found


def beside(words: list[Word], index: int, step: int) -> bool:
    """Whether the nearest word that way in the clause, function words aside, is the question's."""
    other = index + step
    while 0 <= other < len(words) and words[other].clause == words[index].clause:
        if not words[other].stop or words[other].asked:
            return words[other].asked
        other += step
    return False


def distances(words: list[Word]) -> tuple[list[int], list[int]]:
    """For each word, the words between it and the nearest question word before it and after it in the same
    sentence (99: none)."""
    left, right = [99] * len(words), [99] * len(words)
    for order, found in ((range(len(words)), left), (range(len(words) - 1, -1, -1), right)):
        nearest: int | None = None
        for index in order:
            if nearest is not None and words[nearest].sentence == words[index].sentence:
                found[index] = abs(index - nearest) - 1
            if words[index].asked:
                nearest = index
    return left, right


def prefix_sums(words: list[Word]) -> list[list[int]]:
    """Running counts over the words: content words, content words with a capital, common content words;
    then words with a capital and common words among all."""
    flags = [(not word.stop, not word.stop and word.text[:1].isupper(), not word.stop and word.zipf >= COMMON_ZIPF,
              word.text[:1].isupper(), word.zipf >= COMMON_ZIPF) for word in words]
    sums = [[0] for _ in range(5)]
    for row in flags:
        for totals, flag in zip(sums, row, strict=True):
            totals.append(totals[-1] + flag)
    return sums
