"""One ranking from two: the engine's lexical scores and the encoder's similarities.

Both lists are normalised per question over the candidate pool (min-max: the
pool's best is 1, its weakest 0), then mixed as ``(1 − w) · lexical + w ·
semantic``. A section found by only one side gets 0 from the other. The
choice of rule and weight, and the alternatives tried (reciprocal rank
fusion, other weights), are in docs/quality.md; the weight was chosen on the
training splits and checked on the dev splits.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

#: The weight of the semantic side (0: lexical only, 1: semantic only).
SEMANTIC_WEIGHT = 0.6
#: Candidates taken from each side before fusing (at least; more when paging deeper).
POOL = 50


@dataclass(frozen=True)
class Fusion:
    """How two rankings are mixed."""

    semantic_weight: float = SEMANTIC_WEIGHT
    rule: str = "minmax"  # "minmax" or "rrf"
    rrf_k: float = 60.0


def _minmax(scores: dict[Hashable, float]) -> dict[Hashable, float]:
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    span = high - low
    return {key: (value - low) / span if span > 0 else 1.0 for key, value in scores.items()}


def fuse(lexical: dict[Hashable, float], semantic: dict[Hashable, float], fusion: Fusion = Fusion()) -> list[
        tuple[Hashable, float]]:
    """Candidates of both sides, best first, with their fused scores (0–1 for ``minmax``).

    ``lexical`` holds the engine's scores of its candidates; ``semantic`` the
    similarity of every candidate (of either side) that has a vector.
    """
    weight = fusion.semantic_weight
    keys = list(dict.fromkeys([*lexical, *semantic]))
    if fusion.rule == "rrf":
        lexical_rank = {key: rank for rank, key in enumerate(sorted(lexical, key=lexical.__getitem__, reverse=True))}
        semantic_rank = {key: rank for rank, key in enumerate(sorted(semantic, key=semantic.__getitem__,
                                                                     reverse=True))}

        def rrf(ranks: dict, key: Hashable) -> float:
            return 1.0 / (fusion.rrf_k + ranks[key] + 1) if key in ranks else 0.0

        fused = {key: (1 - weight) * rrf(lexical_rank, key) + weight * rrf(semantic_rank, key) for key in keys}
    else:
        lexical_norm, semantic_norm = _minmax(lexical), _minmax(semantic)
        fused = {key: (1 - weight) * lexical_norm.get(key, 0.0) + weight * semantic_norm.get(key, 0.0)
                 for key in keys}
    return sorted(fused.items(), key=lambda item: item[1], reverse=True)
