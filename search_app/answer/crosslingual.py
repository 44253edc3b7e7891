"""Answers to a question in another language than Swedish, from the Swedish pages, by meaning.

The question shares few or no words with the page that answers it, so the
Swedish chooser (:mod:`search_app.answer.sentences`, whose features are the
question's Swedish words) cannot pick the answer. Here every answer unit (a
few consecutive sentences, as the snapshot's vectors hold them) of the top
passages is scored by its similarity to the question's vector, on the scale
of similarities across languages, with credit when it holds the kind of fact
the question's words ask for (a date for "when", an amount for "how much": see
:mod:`indexer.language.foreign`) and a small cost for each lower rank of its
passage. Similarities across languages sit at each language's own level, so a
unit's confidence is its lead over the crowd: its similarity less the mean of
the question's nearest sections' (``PROFILE.crosslingual``). The best unit is
the answer when its confidence reaches ``MIN_CONFIDENCE``; otherwise there is
none (honest no-answer). Its fact is the first span of the asked kind in it,
when it holds one.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexer.language.facts import AMOUNT_RE, BODY_RE, COUNT_RE, NAME_RE, TIME_RE
from indexer.language.foreign import foreign_question_kind
from indexer.language.questions import holds_fact_of_kind
from indexer.ranking_profile import PROFILE
from indexer.semantic.units import group_sentences, section_sentences
from search_app.query.search import Passage
from search_app.query.snapshot import OpenSnapshot
from search_app.query.snippets import passage_text
from search_app.query.vectors import similarity_share

WEIGHTS = PROFILE.crosslingual
#: Below this confidence (the answering unit's similarity share across languages) there is no answer.
MIN_CONFIDENCE = WEIGHTS.min_confidence
#: What the confidence of a unit without the kind of fact asked for keeps (the Swedish answer step's share).
MISSING_FACT_FACTOR = PROFILE.answer.missing_fact_factor
#: Where the fact of each kind is looked for in the answering unit, in order.
FACT_PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    "time": (TIME_RE,), "amount": (AMOUNT_RE, COUNT_RE), "number": (COUNT_RE, AMOUNT_RE),
    "who": (NAME_RE, BODY_RE),
}


@dataclass(frozen=True)
class UnitAnswer:
    """The answering unit of a passage: its text, its confidence and its fact (start, end in ``text``)."""

    text: str
    confidence: float
    passage: Passage
    fact: tuple[int, int] | None


def crosslingual_answer(snap: OpenSnapshot, question: str, language: str, vector: np.ndarray | None,
                        passages: list[Passage]) -> UnitAnswer | None:
    """The unit of the top passages that best answers ``question`` (asked in ``language``) by meaning, or None."""
    if vector is None or snap.semantic is None:
        return None
    kind = foreign_question_kind(question, language)
    crowd = max(float(np.mean(snap.semantic.search.nearest(vector, WEIGHTS.crowd).scores)),
                reference_crowd(snap, vector))
    best: tuple[float, UnitAnswer] | None = None
    for rank, passage in enumerate(passages[: WEIGHTS.passages]):
        sentences = section_sentences(passage_text(passage.text))
        scores = snap.semantic.unit_scores(vector, passage.id)
        spans = group_sentences(sentences)
        if scores is None or len(scores) < len(spans):
            continue  # no vectors for this section, or another cut of its text
        for unit, (first, last) in enumerate(spans):
            text = " ".join(sentences[first : last + 1])
            share = similarity_share(float(scores[unit]) - crowd, WEIGHTS.lead_low, WEIGHTS.lead_high)
            offered = kind != "other" and holds_fact_of_kind(text, kind)
            score = share + WEIGHTS.fact_bonus * offered - WEIGHTS.rank_step * rank
            # As in Swedish (sentences.MISSING_FACT_FACTOR): without the kind of fact asked for, it does not answer.
            confidence = share * (MISSING_FACT_FACTOR if kind != "other" and not offered else 1.0)
            if best is None or score > best[0]:
                best = (score, UnitAnswer(text, confidence, passage, fact_span(text, kind)))
    if best is None or best[1].confidence < MIN_CONFIDENCE:
        return None
    return best[1]


#: Ordinary Swedish sentences that answer no particular question: the crowd of a site too small for its own.
REFERENCE_FILE = Path(__file__).with_name("crosslingual_reference.txt")
_reference: dict[str, np.ndarray] = {}
_reference_lock = threading.Lock()


def reference_crowd(snap: OpenSnapshot, vector: np.ndarray) -> float:
    """The question's mean similarity to the reference sentences (embedded once per encoder): on a site of a few
    pages the crowd of its own nearest sections is every section, related or not, and an unrelated unit could
    lead it by enough to answer."""
    assert snap.semantic is not None  # noqa: S101 (crosslingual_answer checked it)
    encoder = snap.semantic.encoder
    with _reference_lock:
        if encoder.model_id not in _reference:
            lines = REFERENCE_FILE.read_text(encoding="utf-8").splitlines()
            _reference[encoder.model_id] = encoder.encode_passages(
                [line for line in lines if line.strip() and not line.startswith("#")])
        vectors = _reference[encoder.model_id]
    return float(np.mean(vectors @ vector))


def fact_span(text: str, kind: str) -> tuple[int, int] | None:
    """Where the first fact of ``kind`` stands in ``text`` (start, end), or None."""
    for pattern in FACT_PATTERNS.get(kind, ()):
        found = pattern.search(text)
        if found:
            return found.start(), found.end()
    return None
