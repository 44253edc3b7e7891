"""Follow-up questions: a question that lacks its subject borrows it from an earlier one.

"och när pågick det?" after "hur länge pågår Kompetensarena Stockholm?" is
searched together with that question; its own words weigh more than the
borrowed ones.
"""

from __future__ import annotations

from indexer.fields import SwedishAnalyzer
from search_app.query.questions import is_follow_up

#: Weight of a follow-up's borrowed words, as a share of their own.
CONTEXT_SHARE = 0.3


def subject_context(question: str, history: list[str], analyzer: SwedishAnalyzer) -> str:
    """The earlier question a follow-up refers to, or "" when ``question`` stands alone."""
    if not is_follow_up(question, analyzer):
        return ""
    for earlier in reversed(history):
        if not is_follow_up(earlier, analyzer):
            return earlier
    return ""


def with_context(own: dict[str, float], borrowed: dict[str, float]) -> dict[str, float]:
    """The question's term weights, then those of the borrowed words it lacks at CONTEXT_SHARE."""
    weights = dict(own)
    for term, weight in borrowed.items():
        weights.setdefault(term, CONTEXT_SHARE * weight)
    return weights
