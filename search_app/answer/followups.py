"""Follow-up questions: a question that lacks its subject borrows it from an earlier one
(``search_app.query.question.subject_context`` finds it).

"och när pågick det?" after "hur länge pågår Kompetensarena Stockholm?" is
searched together with that question; its own words weigh more than the
borrowed ones.
"""

from __future__ import annotations

from indexer.ranking_profile import PROFILE

#: Weight of a follow-up's borrowed words, as a share of their own.
CONTEXT_SHARE = PROFILE.answer.context_share


def with_context(own: dict[str, float], borrowed: dict[str, float]) -> dict[str, float]:
    """The question's term weights, then those of the borrowed words it lacks at CONTEXT_SHARE."""
    weights = dict(own)
    for term, weight in borrowed.items():
        weights.setdefault(term, CONTEXT_SHARE * weight)
    return weights
