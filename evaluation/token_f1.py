"""SQuAD's token F1 for Swedish answers: the words two texts share (lowercase, no punctuation, no "en"/"ett").

Needs nothing beyond the standard library, so the training scripts (their own environment) score as the
studies do.
"""

from __future__ import annotations

import re
from collections import Counter

_ARTICLES = {"en", "ett"}


def normalized_tokens(text: str) -> list[str]:
    """Lowercased words without punctuation and without "en" and "ett" (SQuAD drops English articles)."""
    return [token for token in re.sub(r"[^\w\s]", " ", text.lower()).split() if token not in _ARTICLES]


def token_f1(prediction: str | None, gold: tuple[str, ...]) -> float:
    """The best token F1 of ``prediction`` against any gold answer (0 without a prediction)."""
    if prediction is None:
        return 0.0
    predicted = normalized_tokens(prediction)
    best = 0.0
    for answer in gold:
        expected = normalized_tokens(answer)
        same = sum((Counter(predicted) & Counter(expected)).values())
        if same:
            precision, recall = same / len(predicted), same / len(expected)
            best = max(best, 2 * precision * recall / (precision + recall))
        elif not predicted and not expected:
            best = 1.0
    return best
