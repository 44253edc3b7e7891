"""The exact fact learned: the highlight's weights fitted on the answer step's training examples.

Each answerable training question whose chosen span (``evaluation.train_answers``'
chooser) holds the gold answer is a problem: the highlight's candidates
(``search_app.answer.fact.highlight.highlight_candidates``: fact spans of the
asked kind, else runs of words the question lacks) with their features and
their token F1 against the gold answers. The weights maximise the log of the
expected F1 under a softmax over each problem's pool (the conditional logit
with the F1s as soft labels). Held-out questions (SQuAD-sv's held-out
articles, SweQUAD-MC dev) are scored the same way, never fitted on: mean F1
and exact match over the questions whose chosen span holds the gold (a
question without a highlight scores 0).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from evaluation.answer_examples import Example
from evaluation.span_study import exact_match, token_f1
from search_app.answer.fact.candidates import FEATURES
from search_app.answer.fact.highlight import highlight_candidates
from search_app.answer.sentences import context_before
from search_app.query.snapshot import OpenSnapshot


@dataclass(frozen=True)
class Problem:
    """One answer's highlight candidates (the pool ``best_candidate`` chooses from): features, texts, F1s."""

    features: np.ndarray
    texts: list[str]
    f1: np.ndarray
    gold: tuple[str, ...]


def problems(snap: OpenSnapshot, rows: list[Example], picks: list[int | None]) -> tuple[list[Problem], int]:
    """The problems of ``rows`` whose pick (a candidate number, or None) holds the gold, and how many such rows
    there are (those without candidates count, and score 0)."""
    found: list[Problem] = []
    counted = 0
    for example, pick in zip(rows, picks, strict=True):
        if pick is None or not example.answerable or example.labels[pick] <= 0:
            continue
        counted += 1
        chosen = example.found[pick]
        context = context_before(chosen.sentences, chosen.first)
        text = context + chosen.text
        candidates = highlight_candidates(example.question, text, snap.analyzer, len(context))
        pool = [candidate for candidate in candidates if candidate.is_fact] or candidates
        if not pool:
            continue
        texts = [text[candidate.start : candidate.end] for candidate in pool]
        found.append(Problem(np.array([candidate.features for candidate in pool], dtype=np.float64), texts,
                             np.array([token_f1(fact, example.gold) for fact in texts]), example.gold))
    return found, counted


def highlight_scores(weights: np.ndarray, found: list[Problem], counted: int,
                     raw: Callable[[np.ndarray], np.ndarray] | None = None) -> dict[str, float]:
    """Mean token F1 and exact match of the top candidate by ``weights`` (or the scorer ``raw``)."""
    f1 = exact = 0.0
    for problem in found:
        scores = raw(problem.features) if raw is not None else problem.features @ weights
        best = int(np.argmax(scores))
        f1 += float(problem.f1[best])
        exact += exact_match(problem.texts[best], problem.gold)
    return {"questions": counted, "token F1": f1 / max(counted, 1), "exact match": exact / max(counted, 1)}


def training_blocks(found: list[Problem]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The problems with some F1 above 0, as the conditional logit's blocks and soft labels."""
    usable = [problem for problem in found if problem.f1.max() > 0]
    return [problem.features for problem in usable], [problem.f1 for problem in usable]


__all__ = ["FEATURES", "Problem", "highlight_scores", "problems", "training_blocks"]
