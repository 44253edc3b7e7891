"""One ranking from two: the engine's lexical scores and the encoder's similarities.

The engine's scores are normalised per question over the candidate pool
(min-max: the pool's best is 1, its weakest 0); the encoder's similarities
are put on a fixed scale (0.80 → 0, 0.90 → 1, see
``search_app.query.vectors.similarity_share``), so that similarities that differ
by a hair are not stretched into a full point. They are mixed as
``(1 − w) · lexical + w · semantic`` with w = 0.6. A section found by only
one side gets 0 from the other. The rule and weight were chosen on
SweQUAD-MC training; what else was tried (min-max on both sides, reciprocal
rank fusion, a weight that grows as the question's words are less covered)
and the dev numbers are in docs/quality-studies.md, and at 44k pages
(``evaluation.scale_study``, where "ratio" was tried too) in the same file.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer.ranking_profile import PROFILE
from search_app.query.vectors import similarity_share

#: The weight of the semantic side (0: lexical only, 1: semantic only).
SEMANTIC_WEIGHT = PROFILE.fusion.semantic_weight
#: Candidates taken from each side before fusing (at least; more when paging deeper).
POOL = PROFILE.fusion.pool


@dataclass(frozen=True)
class Fusion:
    """How two rankings are mixed."""

    semantic_weight: float = SEMANTIC_WEIGHT
    rule: str = "scaled"  # "scaled", "ratio", "minmax" or "rrf"
    rrf_k: float = 60.0
    #: The similarities that "scaled" puts at 0 and 1 (``vectors.similarity_share``).
    similarity_low: float = PROFILE.fusion.similarity_low
    similarity_high: float = PROFILE.fusion.similarity_high
    #: A section that shares no word with the question must be at least this similar to it to be a result.
    min_semantic_only: float = PROFILE.fusion.min_semantic_only


#: How a question in another language than Swedish is ranked: by meaning, on the scale of similarities across
#: languages (``PROFILE.crosslingual``).
CROSSLINGUAL = Fusion(semantic_weight=PROFILE.crosslingual.semantic_weight,
                      similarity_low=PROFILE.crosslingual.similarity_low,
                      similarity_high=PROFILE.crosslingual.similarity_high,
                      min_semantic_only=PROFILE.crosslingual.min_semantic_only)


def _minmax(scores: dict[str, float], floor: float | None = None) -> dict[str, float]:
    if not scores:
        return {}
    low, high = min(scores.values()) if floor is None else floor, max(scores.values())
    span = high - low
    return {key: (value - low) / span if span > 0 else 1.0 for key, value in scores.items()}


def _ratio(scores: dict[str, float], keys: list[str], floor: float | None) -> dict[str, float]:
    """Each score as a share of the best; a key without a score counts as the weakest that has one
    (``floor`` instead when given: 0 when the engine returned every match)."""
    if not scores:
        return {}
    high = max(scores.values())
    if high <= 0:
        return dict.fromkeys(keys, 0.0)
    missing = min(scores.values()) if floor is None else floor
    return {key: max(0.0, scores.get(key, missing)) / high for key in keys}


def _scaled(scores: dict[str, float], fusion: Fusion) -> dict[str, float]:
    return {key: similarity_share(value, fusion.similarity_low, fusion.similarity_high)
            for key, value in scores.items()}


def fuse(lexical: dict[str, float], semantic: dict[str, float], fusion: Fusion = Fusion(),
         lexical_floor: float | None = None) -> list[tuple[str, float]]:
    """Candidates of both sides, best first, with their fused scores (0–1 for ``minmax``).

    ``lexical`` holds the engine's scores of its candidates; ``semantic`` the
    similarity of every candidate (of either side) that has a vector.
    ``lexical_floor`` is the lexical score that counts as 0 (default: the pool's
    weakest); a pool that the engine could not fill passes 0, as if its weakest
    matches had scored next to nothing.
    """
    weight = fusion.semantic_weight
    keys = list(dict.fromkeys([*lexical, *semantic]))
    if fusion.rule == "rrf":
        lexical_rank = {key: rank for rank, key in enumerate(sorted(lexical, key=lexical.__getitem__, reverse=True))}
        semantic_rank = {key: rank for rank, key in enumerate(sorted(semantic, key=semantic.__getitem__,
                                                                     reverse=True))}

        def rrf(ranks: dict, key: str) -> float:
            return 1.0 / (fusion.rrf_k + ranks[key] + 1) if key in ranks else 0.0

        fused = {key: (1 - weight) * rrf(lexical_rank, key) + weight * rrf(semantic_rank, key) for key in keys}
    else:
        lexical_norm = (_ratio(lexical, keys, lexical_floor) if fusion.rule == "ratio"
                        else _minmax(lexical, lexical_floor))
        semantic_norm = _minmax(semantic) if fusion.rule == "minmax" else _scaled(semantic, fusion)
        fused = {key: (1 - weight) * lexical_norm.get(key, 0.0) + weight * semantic_norm.get(key, 0.0)
                 for key in keys}
    return sorted(fused.items(), key=lambda item: item[1], reverse=True)
