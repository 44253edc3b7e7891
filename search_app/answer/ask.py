"""Answers: the sentence or sentences of the best passage that answer a question.

Sentences of the top passages are scored by how much of the question's
weight (IDF of its analysed terms) they cover, together with their heading,
and by whether they hold the kind of fact the question asks for (a year, a
number, a list, a person). The answer's confidence is that coverage; below
``MIN_ANSWER_CONFIDENCE`` there is no answer, and a passage that shares no
word with the question is never an answer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from indexer.fields import SwedishAnalyzer
from indexer.language.analysis import fold_term
from indexer.sections.contacts import Contact
from indexer.semantic.units import group_sentences, section_sentences, sentence_units
from search_app.answer.contacts import GENERIC_CONTACT_WORDS, contact_terms, find_contacts
from search_app.query.links import deep_link
from search_app.query.questions import focus_term, is_follow_up, offers, question_type
from search_app.query.search import Passage, search
from search_app.query.snapshot import OpenSnapshot
from search_app.query.vectors import similarity_share

SENTENCE_PASSAGES = 3  # how many top passages are read sentence by sentence
HEADING_SHARE = 0.8  # credit for a question word found in the heading only
KIND_BONUS = 0.15
RANK_PENALTY = 0.04
CONTEXT_SHARE = 0.3  # weight of a follow-up's borrowed words
FACT_KINDS = ("person", "who", "time", "number", "amount")
MISSING_FACT_FACTOR = 0.5
COMPOUND_HEAD_SHARE = 0.7
FOLDED_SHARE = 0.9
NEAR_SHARE = 0.7
NEAR_MIN_PREFIX = 5
MIN_HEAD_CHARS = 4
MAX_ANSWER_SENTENCES = 3
EXTRA_SENTENCE_COST = 0.1
#: An answer longer than this many characters costs LENGTH_COST per 100 more: the card stays short.
SHORT_ANSWER_CHARS = 250
LENGTH_COST = 0.1
FOCUS_BONUS = 0.1
LINK_LINE_PENALTY = 0.3
CONTACT_COVERAGE = 0.6
#: An answer found by meaning alone is at most this confident (its words' coverage may give more).
MEANING_WEIGHT = 0.5
#: A sentence that shares no word with the question is read as an answer only if its meaning share is this high.
MEANING_USEFUL = 0.5
#: Weight of a span's meaning share in its ranking score, beside its confidence.
MEANING_RANK_WEIGHT = 0.2


@dataclass(frozen=True)
class Answer:
    """The answering text and where it comes from."""

    text: str
    url: str
    title: str
    section: str
    confidence: float

    def as_dict(self) -> dict:
        """The JSON shape of an answer."""
        data = asdict(self)
        data["confidence"] = round(self.confidence, 3)
        return data


@dataclass(frozen=True)
class AskResult:
    """An answer (or None) and the passages it was drawn from."""

    question: str
    answer: Answer | None
    passages: list[Passage]
    partial: bool = False
    #: The engine's best score for the words alone (see ``SearchResult.lexical_best``).
    lexical_best: float = 0.0


def ask(
    snap: OpenSnapshot,
    question: str,
    history: list[str] | None = None,
    passages: int = 5,
    min_confidence: float = 0.3,
    publisher: str | None = None,
    time_limit_s: float | None = None,
) -> AskResult:
    """Answer ``question`` from the snapshot, with supporting passages.

    A follow-up that lacks its subject ("och när pågick det?", "vem är
    kontakt där?") borrows it from the latest earlier question that had one:
    both are searched together, the follow-up's own words weighing more.
    """
    context = subject_context(question, history or [], snap.analyzer)
    asked = f"{question} {context}" if context else question
    result = search(snap, asked, limit=passages, publisher=publisher, time_limit_s=time_limit_s, exact_total=False)
    kind = question_type(question)
    answer = None
    if kind in ("contact", "person", "who") and not publisher:
        answer = contact_answer(snap, f"{question} {context}")
    if answer is None:
        vector = snap.semantic.query_vector(asked) if snap.semantic is not None else None
        answer = passage_answer(snap, question, kind, result.passages, context, vector)
    if answer is not None and answer.confidence < min_confidence:
        answer = None
    return AskResult(question, answer, result.passages, result.partial, result.lexical_best)


def subject_context(question: str, history: list[str], analyzer: SwedishAnalyzer) -> str:
    """The earlier question a follow-up refers to, or "" when ``question`` stands alone."""
    if not is_follow_up(question, analyzer):
        return ""
    for earlier in reversed(history):
        if not is_follow_up(earlier, analyzer):
            return earlier
    return ""


def _weights(snap: OpenSnapshot, query_terms: list[str]) -> dict[str, float]:
    return {term: snap.engine.idf(term) for term in query_terms}


def coverage(weights: dict[str, float], found: set[str]) -> float:
    """The share of the question's weight that ``found`` terms carry.

    A compound whose last part is a question term counts for most of it: the
    head of a Swedish compound names what it is ("pilotkommun" is a "kommun").
    """
    total = sum(weights.values())
    if not total:
        return 0.0
    folded = {fold_term(other) for other in found}
    return sum(weight * match_share(term, found, folded) for term, weight in weights.items()) / total


def match_share(term: str, found: set[str], folded: set[str] | None = None) -> float:
    """How much of a question term ``found`` terms carry.

    1 when found as it is; FOLDED_SHARE when found without diacritics
    ("overkalix"); COMPOUND_HEAD_SHARE when it ends a found compound
    ("kommun" in "pilotkommun"); NEAR_SHARE when a found term differs only at
    its end, as a typo or another inflection does ("pilotkomun",
    "kompetensarenan"); else 0.
    """
    if term in found:
        return 1.0
    if fold_term(term) in (folded if folded is not None else {fold_term(other) for other in found}):
        return FOLDED_SHARE
    if len(term) >= MIN_HEAD_CHARS and any(len(other) > len(term) + 2 and other.endswith(term) for other in found):
        return COMPOUND_HEAD_SHARE
    # _near needs the first NEAR_MIN_PREFIX letters in common: test that cheaply first.
    start = term[:NEAR_MIN_PREFIX]
    if len(term) >= NEAR_MIN_PREFIX and any(other.startswith(start) and _near(term, other) for other in found):
        return NEAR_SHARE
    return 0.0


def _near(term: str, other: str) -> bool:
    """Whether two terms share all but their last two letters (and at least five)."""
    shortest = min(len(term), len(other))
    prefix = 0
    while prefix < shortest and term[prefix] == other[prefix]:
        prefix += 1
    return prefix >= max(NEAR_MIN_PREFIX, shortest - 2) and abs(len(term) - len(other)) <= 2


@dataclass(frozen=True)
class _Question:
    weights: dict[str, float]
    kind: str
    focus: str


def passage_answer(snap: OpenSnapshot, question: str, kind: str, passages: list[Passage],
                   context: str = "", vector: np.ndarray | None = None) -> Answer | None:
    """The best answering span of sentences among the top passages, or None.

    With ``vector`` (the question's, on a semantic snapshot) each sentence also
    carries the similarity of its answer unit to the question, so a sentence
    that says the asked-for thing in other words can win.
    """
    focus = focus_term(question, snap.analyzer) if kind in ("list", "number", "amount") else ""
    terms = snap.analyzer.terms
    weights = _weights(snap, terms(question))
    for term, weight in _weights(snap, terms(context)).items():
        weights.setdefault(term, CONTEXT_SHARE * weight)
    asked = _Question(weights, kind, focus)
    best: tuple[float, float, Passage, str] | None = None
    for rank, passage in enumerate(passages[:SENTENCE_PASSAGES]):
        heading_terms = set(terms(" ".join(passage.heading_path)))
        sentences = section_sentences(passage.text)
        meaning = _sentence_meaning(snap, vector, passage, sentences)
        sentence_terms = [set(terms(sentence)) for sentence in sentences]
        # Each sentence is matched against the question once; a span's share of
        # a term is the best of its sentences' (match_share levels are ordered).
        shares = [_Shares(asked, found) for found in sentence_terms]
        useful = [shares[i].any_word or offers(sentence, kind) or meaning[i] >= MEANING_USEFUL
                  for i, sentence in enumerate(sentences)]
        for first in range(len(sentences)):
            for last in range(first, min(first + MAX_ANSWER_SENTENCES, len(sentences))):
                if not (useful[first] and useful[last]):
                    continue
                span_terms = set().union(*sentence_terms[first : last + 1])
                confidence, score = _score_span(sentences[first : last + 1], span_terms, heading_terms, asked,
                                                shares[first : last + 1], max(meaning[first : last + 1]))
                score -= RANK_PENALTY * rank + 0.002 * first
                if best is None or score > best[0]:
                    best = (score, confidence, passage, " ".join(sentences[first : last + 1]))
    if best is None:
        return None
    _, confidence, passage, text = best
    return Answer(text, deep_link(_page_url(passage), text, kind=passage.kind), passage.title, passage.section,
                  confidence)


def _sentence_meaning(snap: OpenSnapshot, vector: np.ndarray | None, passage: Passage,
                      sentences: list[str]) -> list[float]:
    """Each sentence's meaning share: its answer unit's similarity to the question (0 without vectors)."""
    if vector is None or snap.semantic is None or not sentences:
        return [0.0] * len(sentences)
    scores = snap.semantic.unit_scores(vector, passage.id)
    spans = group_sentences(sentences)
    if scores is None or len(scores) != len(spans):
        return [0.0] * len(sentences)
    return [similarity_share(float(scores[unit])) for unit in sentence_units(len(sentences), spans)]


class _Shares:
    """How much one sentence carries of each question term and of the focus term."""

    def __init__(self, asked: _Question, found: set[str]):
        folded = {fold_term(other) for other in found}
        self.terms = {term: match_share(term, found, folded) for term in asked.weights}
        self.focus = match_share(asked.focus, found, folded) if asked.focus else 0.0
        self.any_word = any(share > 0 for share in self.terms.values())


def _score_span(span: list[str], span_terms: set[str], heading_terms: set[str],
                asked: _Question, shares: list[_Shares], meaning: float = 0.0) -> tuple[float, float]:
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
        lexical *= 0.5  # only the heading matches the question
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
        - LENGTH_COST * max(0, length - SHORT_ANSWER_CHARS) / 100
    if asked.focus:
        score += FOCUS_BONUS * max(s.focus for s in shares)
    if all(_is_link_line(sentence) for sentence in span):
        score -= LINK_LINE_PENALTY
    return confidence, score


def _is_link_line(sentence: str) -> bool:
    """A short line without sentence punctuation: a link or a label, not an answer."""
    return "\n" not in sentence and sentence.rstrip()[-1:] not in ".!?:" and len(sentence.split()) < 12


def _page_url(passage: Passage) -> str:
    return passage.url.split("#:~:", 1)[0].split(":~:", 1)[0]


def contact_answer(snap: OpenSnapshot, question: str) -> Answer | None:
    """Answer "vem är kontaktperson för X" with the contact person of X."""
    terms = snap.analyzer.terms
    generic = set(terms(GENERIC_CONTACT_WORDS))
    weights = _weights(snap, [term for term in terms(question) if term not in generic])
    for contact in find_contacts(snap.contacts, question, snap.analyzer):
        share = coverage(weights, contact_terms(contact, snap.analyzer)) if weights else 0.0
        if share >= CONTACT_COVERAGE:
            return Answer(describe_contact(contact), deep_link(contact.url, contact.name),
                          contact.title, contact.project, share)
    return None


def describe_contact(contact: Contact) -> str:
    """One Swedish sentence naming the person, role and how to reach them."""
    parts = [contact.name + (f", {contact.role}" if contact.role else "")]
    parts += [value for value in (contact.email, contact.phone) if value]
    about = f"Kontaktperson för {contact.project}: " if contact.project else "Kontaktperson: "
    return about + ", ".join(parts) + "."

