"""Answer candidates: spans of consecutive sentences of the top passages, and their scores.

A span is scored by how much of the question's weight (IDF of its analysed
terms) it covers, together with its passage's heading, and by whether it
holds the kind of fact the question asks for (a year, a number, a list, a
person). Its confidence is that coverage, or its meaning share when the
snapshot has vectors and the meaning says more. A span whose first sentence
points back ("Vi kallar det för J+.", "Projektet pågår till …") is shown
after the sentence it points to (:mod:`indexer.language.reference`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from indexer.language.analysis import fold_term
from indexer.language.questions import offers
from indexer.language.reference import antecedent
from indexer.semantic.units import group_sentences, section_sentences, sentence_units
from search_app.answer.matching import coverage, match_share
from search_app.query.search import Passage
from search_app.query.snapshot import OpenSnapshot
from search_app.query.snippets import passage_text
from search_app.query.vectors import similarity_share

#: How many top passages are read sentence by sentence.
SENTENCE_PASSAGES = 3
#: The longest span, in sentences.
MAX_ANSWER_SENTENCES = 3
#: Credit for a question word found in the heading only.
HEADING_SHARE = 0.8
#: A span whose sentences share no word with the question (only its heading does) keeps this share.
HEADING_ONLY_FACTOR = 0.5
#: Question kinds whose answer must hold the fact asked for, and what a span without it keeps.
FACT_KINDS = ("person", "who", "time", "number", "amount")
MISSING_FACT_FACTOR = 0.5
KIND_BONUS = 0.15
#: Bonus for a span holding the question's focus term ("vilka *kommuner*"), times its match share.
FOCUS_BONUS = 0.1
#: Cost of each passage rank below the first, and of each sentence before the span in its passage.
RANK_PENALTY = 0.04
POSITION_PENALTY = 0.002
EXTRA_SENTENCE_COST = 0.1
#: A span longer than this many characters costs LENGTH_COST per LENGTH_STEP_CHARS more: the card stays short.
SHORT_ANSWER_CHARS = 250
LENGTH_COST = 0.1
LENGTH_STEP_CHARS = 100
#: Cost of a span made of link lines only; a link line has fewer words than LINK_LINE_WORDS.
LINK_LINE_PENALTY = 0.3
LINK_LINE_WORDS = 12
#: Punctuation that ends a sentence (or introduces a list) rather than a link or a label.
SENTENCE_END = ".!?:"
#: A span found by meaning alone is at most this confident (its words' coverage may give more).
MEANING_WEIGHT = 0.5
#: A sentence that shares no word with the question is read as an answer only if its meaning share is this high.
MEANING_USEFUL = 0.5
#: Weight of a span's meaning share in its ranking score, beside its confidence.
MEANING_RANK_WEIGHT = 0.2
#: At most this many earlier sentences are shown for a span that points back (one may point back again).
MAX_CONTEXT_SENTENCES = 2
#: Joins a context sentence to a later one that does not follow it directly.
GAP = " … "


@dataclass(frozen=True)
class AskedQuestion:
    """What the sentences are scored against: the question's term weights, its kind and its focus term."""

    weights: dict[str, float]
    kind: str
    focus: str


@dataclass(frozen=True)
class Span:
    """The best answering sentences, their confidence and the passage they come from.

    ``text`` begins with the sentences the answer points back to, if any;
    the answering sentences start at ``answer_start``.
    """

    text: str
    confidence: float
    passage: Passage
    answer_start: int = 0


def best_span(snap: OpenSnapshot, asked: AskedQuestion, passages: list[Passage],
              vector: np.ndarray | None = None) -> Span | None:
    """The best-scoring span of sentences among the top passages, or None.

    With ``vector`` (the question's, on a semantic snapshot) each sentence also
    carries the similarity of its answer unit to the question, so a sentence
    that says the asked-for thing in other words can win.
    """
    terms = snap.analyzer.terms
    best: tuple[float, float, Passage, list[str], int, int] | None = None
    for rank, passage in enumerate(passages[:SENTENCE_PASSAGES]):
        heading_terms = set(terms(" ".join(passage.heading_path)))
        sentences = section_sentences(passage_text(passage.text))  # at most PASSAGE_CHARS read
        meaning = _sentence_meaning(snap, vector, passage, sentences)
        sentence_terms = [set(terms(sentence)) for sentence in sentences]
        # Each sentence is matched against the question once; a span's share of
        # a term is the best of its sentences' (match_share levels are ordered).
        shares = [_Shares(asked, found) for found in sentence_terms]
        useful = [shares[i].any_word or offers(sentence, asked.kind) or meaning[i] >= MEANING_USEFUL
                  for i, sentence in enumerate(sentences)]
        for first in range(len(sentences)):
            for last in range(first, min(first + MAX_ANSWER_SENTENCES, len(sentences))):
                if not (useful[first] and useful[last]):
                    continue
                span_terms = set().union(*sentence_terms[first : last + 1])
                confidence, score = _score_span(sentences[first : last + 1], span_terms, heading_terms, asked,
                                                shares[first : last + 1], max(meaning[first : last + 1]))
                score -= RANK_PENALTY * rank + POSITION_PENALTY * first
                if best is None or score > best[0]:
                    best = (score, confidence, passage, sentences, first, last)
    if best is None:
        return None
    _, confidence, passage, sentences, first, last = best
    context = context_before(sentences, first)
    answer = " ".join(sentences[first : last + 1])
    return Span(context + answer, confidence, passage, len(context))


def context_before(sentences: list[str], first: int) -> str:
    """The sentences that sentence ``first`` points back to (and they in turn), each followed by its joint."""
    numbers = [first]
    while len(numbers) <= MAX_CONTEXT_SENTENCES:
        earlier = antecedent(sentences, numbers[0])
        if earlier is None:
            break
        numbers.insert(0, earlier)
    return "".join(sentences[number] + (" " if numbers[i + 1] == number + 1 else GAP)
                   for i, number in enumerate(numbers[:-1]))


def _sentence_meaning(snap: OpenSnapshot, vector: np.ndarray | None, passage: Passage,
                      sentences: list[str]) -> list[float]:
    """Each sentence's meaning share: its answer unit's similarity to the question (0 without vectors)."""
    if vector is None or snap.semantic is None or not sentences:
        return [0.0] * len(sentences)
    scores = snap.semantic.unit_scores(vector, passage.id)
    spans = group_sentences(sentences)
    # A passage cut to PASSAGE_CHARS has the first of its section's units (units group sentences in order).
    if scores is None or len(scores) < len(spans):
        return [0.0] * len(sentences)
    return [similarity_share(float(scores[unit])) for unit in sentence_units(len(sentences), spans)]


class _Shares:
    """How much one sentence carries of each question term and of the focus term."""

    def __init__(self, asked: AskedQuestion, found: set[str]) -> None:
        folded = {fold_term(other) for other in found}
        self.terms = {term: match_share(term, found, folded) for term in asked.weights}
        self.focus = match_share(asked.focus, found, folded) if asked.focus else 0.0
        self.any_word = any(share > 0 for share in self.terms.values())


def _score_span(span: list[str], span_terms: set[str], heading_terms: set[str],
                asked: AskedQuestion, shares: list[_Shares], meaning: float = 0.0) -> tuple[float, float]:
    """(confidence, ranking score) of a span of consecutive sentences.

    ``meaning`` is the span's best meaning share (0 on a lexical-only snapshot,
    where the confidence is the words' coverage alone).
    """
    total = sum(asked.weights.values())
    in_span = sum(weight * max(s.terms[term] for s in shares) for term, weight in asked.weights.items()) / total \
        if total else 0.0
    in_heading = coverage(asked.weights, heading_terms - span_terms)
    lexical = min(1.0, in_span + HEADING_SHARE * in_heading)
    if not any(s.any_word for s in shares):
        lexical *= HEADING_ONLY_FACTOR
    # Meaning raises the floor: a span that says the asked-for thing in other words is an answer, but
    # being on the question's topic (which a sentence that lacks the fact also is) adds nothing to words.
    confidence = max(lexical, MEANING_WEIGHT * meaning)
    offered = any(offers(sentence, asked.kind) for sentence in span)
    if asked.kind in FACT_KINDS and not offered:
        confidence *= MISSING_FACT_FACTOR  # asked "when" and the span holds no time, say
        lexical *= MISSING_FACT_FACTOR
    length = sum(len(sentence) for sentence in span)
    # Spans are ranked by their words and their meaning side by side (where the floor would tie them).
    score = lexical + MEANING_RANK_WEIGHT * meaning + KIND_BONUS * offered - EXTRA_SENTENCE_COST * (len(span) - 1) \
        - LENGTH_COST * max(0, length - SHORT_ANSWER_CHARS) / LENGTH_STEP_CHARS
    if asked.focus:
        score += FOCUS_BONUS * max(s.focus for s in shares)
    if all(_is_link_line(sentence) for sentence in span):
        score -= LINK_LINE_PENALTY
    return confidence, score


def _is_link_line(sentence: str) -> bool:
    """A short line without sentence punctuation: a link or a label, not an answer."""
    return ("\n" not in sentence and sentence.rstrip()[-1:] not in SENTENCE_END
            and len(sentence.split()) < LINK_LINE_WORDS)
