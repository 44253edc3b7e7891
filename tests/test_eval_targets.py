"""make eval's verdicts: the targets it checks are those the issues set."""

from __future__ import annotations

from evaluation.metrics import Scores
from evaluation.run import ALL_PAGES_RUN, targets


def scores(name: str, hit_at_1: float) -> Scores:
    return Scores(name=name, questions=50, hit_at_1=hit_at_1, hit_at_3=0.0, mrr_at_10=0.0, no_answer_accuracy=None)


def verdict(lexical: float, hybrid: float) -> tuple[str, bool]:
    result = (ALL_PAGES_RUN, scores("baseline", 0.1), scores("lexical", lexical), scores("hybrid", hybrid))
    return next((text, met) for text, met in targets([result]) if "44k" in text)


def test_the_44k_row_needs_hybrid_25_points_above_lexical_only_at_the_same_size() -> None:
    text, met = verdict(lexical=0.178, hybrid=0.200)
    assert not met
    assert "+2.2" in text
    assert verdict(lexical=0.178, hybrid=0.440)[1]
