"""The exact fact: the span of an answer's text that answers the question.

With the answer reader's span head (:mod:`search_app.answer.reader`, trained
by ``make train-reader``) the fact is the run of words it marks in the
answering sentences (:func:`read_highlight`); it beat the candidates below on
the SweQUAD-MC training questions it did not learn from (docs/quality-studies.md).
The candidates stay for questions about a contact and where the reader is off.

The answer's sentences hold more than the fact; the highlight is the part a
reader looks for: the date or period for "när / hur länge / vilket år", the
amount with its unit for "hur mycket / hur många", the person or body for
"vem", the items for "vilka", the defining phrase for "vad är". Candidates
and their features are :mod:`search_app.answer.fact.candidates`'; the best by
the learned scorer (``make train-answers``; the answer model file's
``highlight``) is the highlight. There is none when no span is clearly the
answer: the question asks for no fact (how something is done, or it is only
key words), or no word of the answer is the question's (nothing shows where
the fact would stand).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from indexer.fields import StoredWords, SwedishAnalyzer
from indexer.language.facts import AMOUNT_RE, BODY_RE, COUNT_RE, LIST_RE, NAME_RE, TIME_RE, spans
from indexer.ranking_profile import PROFILE
from search_app.answer.answer_model import answer_model
from search_app.answer.fact.candidates import FEATURES, Candidate, candidates
from search_app.answer.fact.words import read_words
from search_app.answer.reader import AnswerReader
from search_app.query.question import Question
from search_app.query.search import Passage


@dataclass(frozen=True)
class Highlight:
    """The fact in an answer: its text and where it stands in the answer's text (in code points)."""

    text: str
    start: int
    end: int


#: Weight of each feature of a candidate (``candidates.FEATURES``) where the answer model file has no learned scorer:
#: the coordinate ascent of ``python -m evaluation.span_study --fit`` on SweQUAD-MC training, kept in
#: indexer/ranking_profile.json (the learned scorer beat it on both held-out sets: docs/quality-studies.md).
WEIGHTS: dict[str, float] = dict(PROFILE.highlight)


def find_highlight(question: Question, text: str, analyzer: SwedishAnalyzer, answer_start: int = 0,
                   facts_only: bool = False, known: StoredWords | None = None) -> Highlight | None:
    """The span of ``text`` that answers ``question``, or None.

    The words of the earlier question a follow-up borrows its subject from are
    known to the reader, so they are never the fact. The answering sentences
    start at ``answer_start`` (the sentences before it are what they point back
    to): a fact of the asked kind is looked for in them. With ``facts_only`` a
    span that is not a fact of the asked kind is no highlight. ``known``: the stored analysis of the section
    ``text`` comes from.
    """
    best = best_candidate(highlight_candidates(question, text, analyzer, answer_start, known))
    if best is None or (facts_only and not best.is_fact):
        return None
    return Highlight(text[best.start : best.end], best.start, best.end)


def highlight_candidates(question: Question, text: str, analyzer: SwedishAnalyzer,
                         answer_start: int = 0, known: StoredWords | None = None) -> list[Candidate]:
    """The candidate facts of ``text`` as an answer to ``question``; none when it asks for no fact or no word of
    the answer is the question's (nothing shows where the fact would stand)."""
    if not question.asks_fact:
        return []
    words = read_words(question.searched, text, analyzer, known)
    if not any(word.asked for word in words):
        return []
    return candidates(question.kind, text, words, question.slot, answer_start)


def best_candidate(found: list[Candidate], weights: dict[str, float] | None = None) -> Candidate | None:
    """The candidate the learned scorer (the answer model's ``highlight``) ranks first, or with ``weights`` (or
    without a learned scorer, the profile's ``WEIGHTS``) the one with the highest weighted features; a fact of the
    asked kind, if any, beats the others."""
    pool = [candidate for candidate in found if candidate.is_fact] or found
    if not pool:
        return None
    learned = answer_model().highlight if weights is None else None
    if learned is not None:
        scores = learned.raw(np.array([candidate.features for candidate in pool], dtype=np.float64))
        return pool[int(np.argmax(scores))]
    vector = [(weights or WEIGHTS)[name] for name in FEATURES]
    return max(pool, key=lambda candidate: sum(w * f for w, f in zip(vector, candidate.features, strict=True)))


def read_highlight(reader: AnswerReader, question: Question, passage: Passage, text: str,
                   answer_start: int = 0) -> Highlight | None:
    """The fact the answer reader's span head marks in ``text``'s answering sentences (from ``answer_start``; the
    span of ``passage`` it read), without the punctuation around it; None where the reader has no span head."""
    found = reader.fact(question.searched, passage.label, text[answer_start:])
    if found is None:
        return None
    answering = text[answer_start:]
    start, end = found
    for pattern in WHOLE_FACTS:  # "250 000" of "250 000 kronor"
        for fact_start, fact_end in spans(pattern, answering):
            if fact_start < end and fact_end > start:
                start, end = min(start, fact_start), max(end, fact_end)
    if question.kind == "list":  # "Flen" of "Flen, Gotland och Haninge", on only: a first item may hold asked words
        end = max([end, *(fact_end for fact_start, fact_end in spans(LIST_RE, answering) if start < fact_end
                          and fact_start < end)])
    start, end = start + answer_start, end + answer_start
    while end > start and text[end - 1] in _TRAILING:
        end -= 1
    while start < end and text[start] in _LEADING:
        start += 1
    for opening, closing in _PAIRS:  # a bracket or quotation mark the fact does not close (or open) is not its own
        if text[end - 1 : end] == closing and opening not in text[start : end - 1]:
            end -= 1
    return Highlight(text[start:end], start, end) if end > start else None


#: Facts whose whole a marked span covers where it overlaps one (:mod:`indexer.language.facts`): an amount with its
#: unit, a date or a period, a count with what it counts, a body's or a person's full name. Asked for a list
#: ("vilka …"), a list it overlaps it covers to its end (a reader trained on SQuAD often marks the first item only).
WHOLE_FACTS = (AMOUNT_RE, TIME_RE, COUNT_RE, BODY_RE, NAME_RE)
#: Punctuation a marked fact does not end with or begin with.
_TRAILING = ".,;:!?"
_LEADING = ",;:"
_PAIRS = (("(", ")"), ("[", "]"))


def fact_at(text: str, fact: str) -> Highlight | None:
    """``fact`` where it first stands in ``text`` (a contact's name in its answer), or None."""
    start = text.find(fact) if fact else -1
    return Highlight(fact, start, start + len(fact)) if start >= 0 else None
