"""Answer candidates: spans of consecutive sentences of the top passages, their features and the learned choice.

Each span of up to MAX_ANSWER_SENTENCES sentences of the top passages that
shares a word with the question, holds the kind of fact it asks for, or
means what it asks, is a candidate. Its features (``CHOOSER_FEATURES``) are
how much of the question's weight (IDF of its analysed terms) it covers, with
its passage's heading, its meaning share on a semantic snapshot, whether it
holds the kind of fact asked for (a date, an amount, a body, a list …), the
focus term, its length, its place in the passage and the passage's rank and
score. The chooser, trained on SQuAD-sv and SweQUAD-MC training
(:mod:`search_app.answer.answer_model`), ranks them; the confidence is the
chosen span's coverage of the question (``answer_confidence``). A span
whose first sentence points back ("Vi kallar det för J+.", "Projektet pågår
till …") is shown after the sentence it points to
(:mod:`indexer.language.reference`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from indexer.language.questions import holds_fact_of_kind
from indexer.language.reference import antecedent
from indexer.ranking_profile import PROFILE
from indexer.semantic.units import group_sentences, section_sentences, sentence_units
from search_app.answer.answer_model import AnswerModel, Linear, answer_model
from search_app.answer.matching import TermMatches
from search_app.answer.reader import AnswerReader, answer_reader, reader_passage
from search_app.query.search import Passage
from search_app.query.snapshot import OpenSnapshot
from search_app.query.snippets import passage_text
from search_app.query.vectors import similarity_share

#: How many top passages are read sentence by sentence.
SENTENCE_PASSAGES = PROFILE.answer.sentence_passages
#: The longest span, in sentences.
MAX_ANSWER_SENTENCES = PROFILE.answer.max_answer_sentences
#: Credit for a question word found in the heading only.
HEADING_SHARE = PROFILE.answer.heading_share
#: Question kinds whose answer must hold the fact asked for.
FACT_KINDS = ("person", "who", "time", "number", "amount")
#: What the confidence of a span without the kind of fact asked for keeps (a product rule kept from the hand-set
#: answer step: such a span may be the best there is, but it does not answer).
MISSING_FACT_FACTOR = PROFILE.answer.missing_fact_factor
#: A span whose sentences share no word with the question (only its heading does) keeps this share of its coverage.
HEADING_ONLY_FACTOR = PROFILE.answer.heading_only_factor
#: A span found by meaning alone is at most this confident.
MEANING_WEIGHT = PROFILE.answer.meaning_weight
#: Question kinds read together when the chooser weighs a fact of the asked kind.
KIND_GROUPS = {"time": ("time",), "quantity": ("number", "amount"), "who": ("person", "who", "contact"),
               "list": ("list",), "definition": ("definition",)}
#: Characters a card holds without feeling long; each LENGTH_STEP_CHARS more is one unit of the "long" feature.
SHORT_ANSWER_CHARS = PROFILE.answer.short_answer_chars
LENGTH_STEP_CHARS = PROFILE.answer.length_step_chars
#: A link line has fewer words than LINK_LINE_WORDS and no sentence punctuation.
LINK_LINE_WORDS = PROFILE.answer.link_line_words
#: Punctuation that ends a sentence (or introduces a list) rather than a link or a label.
SENTENCE_END = ".!?:"
#: A sentence that shares no word with the question and holds no fact asked for is a candidate only if its
#: meaning share is this high.
MEANING_USEFUL = PROFILE.answer.meaning_useful
#: The margin feature of a question with one candidate (no runner-up).
MARGIN_CAP = PROFILE.answer.margin_cap
#: At most this many earlier sentences are shown for a span that points back (one may point back again).
MAX_CONTEXT_SENTENCES = PROFILE.answer.max_context_sentences
#: Joins a context sentence to a later one that does not follow it directly.
GAP = " … "

#: The chooser's features of a candidate span, in the order the model file names them.
CHOOSER_FEATURES = (
    "lexical", "in_span", "heading", "no_word", "meaning", "offered", "missing_fact",
    *(f"offered_{group}" for group in KIND_GROUPS), "focus", "extra_sentences", "long", "link_lines",
    "rank", "position", "first", "passage_score", "words", "meaning_offered",
)
#: The confidence model's features: the chosen candidate's, its chooser score and its lead over the next.
CONFIDENCE_FEATURES = (
    "best", "margin", "lexical", "in_span", "no_word", "offered", "missing_fact",
    "question_terms", "rank", "passage_score", "passage_lexical", "missing_weight",
)


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


@dataclass(frozen=True)
class Candidate:
    """One span of consecutive sentences (``first`` to ``last``) of a passage, and its features."""

    passage: Passage
    sentences: list[str]
    first: int
    last: int
    features: dict[str, float]

    @property
    def text(self) -> str:
        """The span's sentences."""
        return " ".join(self.sentences[self.first : self.last + 1])


def candidates(snap: OpenSnapshot, asked: AskedQuestion, passages: list[Passage],
               vector: np.ndarray | None = None) -> list[Candidate]:
    """Every candidate span of the top SENTENCE_PASSAGES passages, with its chooser features.

    With ``vector`` (the question's, on a semantic snapshot) each sentence also
    carries the similarity of its answer unit to the question, so a sentence
    that says the asked-for thing in other words is a candidate.
    """
    terms = snap.analyzer.terms
    found: list[Candidate] = []
    top_score = max((passage.score for passage in passages[:SENTENCE_PASSAGES]), default=0.0)
    for rank, passage in enumerate(passages[:SENTENCE_PASSAGES]):
        known = passage.words  # the section's stored analysis: its words are looked up, not analysed again
        heading_terms = set(terms(" ".join(passage.heading_path), known))
        sentences = section_sentences(passage_text(passage.text))  # at most PASSAGE_CHARS read
        meaning = _sentence_meaning(snap, vector, passage, sentences)
        sentence_terms = [set(terms(sentence, known)) for sentence in sentences]
        matches = TermMatches([*asked.weights, asked.focus] if asked.focus else asked.weights,
                              set().union(heading_terms, *sentence_terms))
        # Each sentence is matched against the question once; a span's share of
        # a term is the best of its sentences' (match_share levels are ordered).
        shares = [_Shares(asked, found_terms, matches) for found_terms in sentence_terms]
        offered = [holds_fact_of_kind(sentence, asked.kind) for sentence in sentences]
        useful = [shares[i].any_word or offered[i] or meaning[i] >= MEANING_USEFUL for i in range(len(sentences))]
        where = {"rank": float(rank), "passage_score": passage.score / top_score if top_score > 0 else 0.0,
                 **_passage_features(asked, shares, heading_terms, matches)}
        for first in range(len(sentences)):
            for last in range(first, min(first + MAX_ANSWER_SENTENCES, len(sentences))):
                if not (useful[first] and useful[last]):
                    continue
                span_terms = set().union(*sentence_terms[first : last + 1])
                features = _features(sentences[first : last + 1], span_terms, heading_terms, asked,
                                     shares[first : last + 1], max(meaning[first : last + 1]),
                                     any(offered[first : last + 1]), matches)
                features.update(where, position=math.log1p(first), first=float(first == 0))
                found.append(Candidate(passage, sentences, first, last, features))
    return found


def best_span(snap: OpenSnapshot, asked: AskedQuestion, passages: list[Passage],
              vector: np.ndarray | None = None, model: AnswerModel | None = None,
              question: str = "", reader: AnswerReader | bool | None = True) -> Span | None:
    """The answering span among the candidates, with its confidence (``answer_confidence``), or None.

    The chooser ranks the candidates; when the confidence model finds its first
    span unlikely to answer (below the gate) there is no answer. With the answer
    reader (:mod:`search_app.answer.reader`; ``question`` is the question's
    text, ``reader`` True for the process's own, False or None for none) the
    chooser's first ``read_candidates`` spans are then read together with the
    question (:func:`reader_choice`).
    """
    found = candidates(snap, asked, passages, vector)
    if not found:
        return None
    model = model or answer_model()
    scores = model.chooser.raw(feature_rows(found, model.chooser.names))
    order = np.argsort(-scores, kind="stable")
    chosen: int | None = int(order[0])
    if model.gate is not None:
        margin = float(scores[order[0]] - scores[order[1]]) if len(order) > 1 else MARGIN_CAP
        read = confidence_features(found[int(order[0])], float(scores[order[0]]), margin, len(asked.weights))
        if learned_confidence(model.confidence, found[int(order[0])], read) < model.gate:
            return None  # the confidence model says the passages hold no answer
    if reader is True:
        reader = answer_reader() if question else None
    if reader:
        chosen = reader_choice(reader, question, found, scores, order)
    if chosen is None:
        return None
    best = found[chosen]
    context = context_before(best.sentences, best.first)
    return Span(context + best.text, answer_confidence(best), best.passage, len(context))


def reader_choice(reader: AnswerReader, question: str, found: list[Candidate], scores: np.ndarray,
                  order: np.ndarray) -> int | None:
    """The candidate the chooser and the reader together rank first: among the chooser's first
    ``read_candidates`` spans scoring within ``read_margin`` of its first (and, where the first holds the
    kind of fact asked for, holding it too: a span without it does not answer), the highest chooser score plus
    the reader's weight times its log-odds; None (no answer) when the reader's probability that it answers
    is below its threshold. When the chooser's first span stands alone it stays, unread (all fitted by
    :mod:`evaluation.reader_fit`, the margin within a cost budget)."""
    first = found[int(order[0])].features
    top = [int(i) for i in order[: reader.read_candidates] if scores[i] >= scores[order[0]] - reader.read_margin
           and found[int(i)].features["missing_fact"] <= first["missing_fact"]]
    if len(top) < 2:
        return int(order[0])
    odds = reader.log_odds(question, [reader_passage(found[i].passage, found[i].text) for i in top])
    joined = int(np.argmax(scores[top] + reader.weight * odds))
    if 1.0 / (1.0 + math.exp(-float(odds[joined]))) < reader.threshold:
        return None  # the reader finds no span that answers the question
    return top[joined]


def answer_confidence(best: Candidate) -> float:
    """How sure the answer is: the span's coverage of the question's weight (with its heading; halved when no
    sentence of it has a question word), or its meaning share's MEANING_WEIGHT when the meaning says more; halved
    (MISSING_FACT_FACTOR) when it lacks the kind of fact asked for. The learned confidence model (the model file's
    ``confidence``) did not yet decline the seed pages' questions without an answer: docs/quality-studies.md."""
    features = best.features
    lexical = features["lexical"] * (HEADING_ONLY_FACTOR if features["no_word"] else 1.0)
    confidence = max(lexical, MEANING_WEIGHT * features["meaning"])
    return min(1.0, confidence) * (MISSING_FACT_FACTOR if features["missing_fact"] else 1.0)


def learned_confidence(confidence: Linear, best: Candidate, read: dict[str, float]) -> float:
    """The confidence model's probability that the chosen span holds the answer (``read``: its
    ``confidence_features``): 0 for a span sharing no word with the question and not near it in meaning, and
    MISSING_FACT_FACTOR of it without the kind of fact asked for, as ``answer_confidence`` has them."""
    features = best.features
    if features["lexical"] == 0 and features["meaning"] < MEANING_USEFUL:
        return 0.0
    factor = MISSING_FACT_FACTOR if features["missing_fact"] else 1.0
    return factor * float(confidence.probability(feature_rows([read], confidence.names))[0])


def feature_rows(found: list[Candidate] | list[dict[str, float]], names: tuple[str, ...]) -> np.ndarray:
    """The features ``names`` of each candidate (or feature dict), one row each."""
    dicts = [item.features if isinstance(item, Candidate) else item for item in found]
    return np.array([[features[name] for name in names] for features in dicts], dtype=np.float64)


def confidence_features(best: Candidate, score: float, margin: float, question_terms: int) -> dict[str, float]:
    """What the confidence model reads of the chosen candidate (not whether the snapshot has vectors: the training
    sets with unanswerable questions have none, so that would only tell the data sets apart)."""
    return {**best.features, "best": score, "margin": min(margin, MARGIN_CAP),
            "question_terms": math.log1p(question_terms)}


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

    def __init__(self, asked: AskedQuestion, found: set[str], matches: TermMatches) -> None:
        self.terms = {term: matches.share(term, found) for term in asked.weights}
        self.focus = matches.share(asked.focus, found) if asked.focus else 0.0
        self.any_word = any(share > 0 for share in self.terms.values())


def _features(span: list[str], span_terms: set[str], heading_terms: set[str], asked: AskedQuestion,
              shares: list[_Shares], meaning: float, offered: bool, matches: TermMatches) -> dict[str, float]:
    """The features of a span of consecutive sentences that depend on its text alone.

    ``meaning`` is the span's best meaning share (0 on a lexical-only snapshot); ``matches``: the question
    terms' matches among the passage's terms.
    """
    total = sum(asked.weights.values())
    in_span = sum(weight * max(s.terms[term] for s in shares) for term, weight in asked.weights.items()) / total \
        if total else 0.0
    in_heading = matches.coverage(asked.weights, heading_terms, without=span_terms)
    length = sum(len(sentence) for sentence in span)
    features = {
        "lexical": min(1.0, in_span + HEADING_SHARE * in_heading),
        "in_span": in_span,
        "heading": in_heading,
        "no_word": float(not any(s.any_word for s in shares)),
        "meaning": meaning,
        "offered": float(offered),
        "missing_fact": float(asked.kind in FACT_KINDS and not offered),
        "focus": max(s.focus for s in shares) if asked.focus else 0.0,
        "extra_sentences": float(len(span) - 1),
        "long": max(0, length - SHORT_ANSWER_CHARS) / LENGTH_STEP_CHARS,
        "link_lines": float(all(_is_link_line(sentence) for sentence in span)),
        "words": math.log1p(sum(len(sentence.split()) for sentence in span)),
        "meaning_offered": meaning * offered,
    }
    for group, kinds in KIND_GROUPS.items():
        features[f"offered_{group}"] = float(offered and asked.kind in kinds)
    return features


def _passage_features(asked: AskedQuestion, shares: list[_Shares], heading_terms: set[str],
                      matches: TermMatches) -> dict[str, float]:
    """What the whole passage holds of the question: its coverage of the question's weight (sentences and heading),
    and the largest share of that weight carried by one term it lacks altogether (a question about something the
    passage never names is often one it cannot answer)."""
    total = sum(asked.weights.values())
    if not total:
        return {"passage_lexical": 0.0, "missing_weight": 0.0}
    held = {term: max([matches.share(term, heading_terms), *(s.terms[term] for s in shares)])
            for term in asked.weights}
    return {"passage_lexical": sum(asked.weights[term] * share for term, share in held.items()) / total,
            "missing_weight": max((asked.weights[term] / total for term, share in held.items() if share == 0),
                                  default=0.0)}


def _is_link_line(sentence: str) -> bool:
    """A short line without sentence punctuation: a link or a label, not an answer."""
    return ("\n" not in sentence and sentence.rstrip()[-1:] not in SENTENCE_END
            and len(sentence.split()) < LINK_LINE_WORDS)
