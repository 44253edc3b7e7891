"""The form a question is counted and stored in: personal details masked, spaces collapsed, cut short."""

from __future__ import annotations

from indexer.language.personal import mask_personal

MAX_QUERY_CHARS = 200


def normalise(query: str) -> str:
    """The form a query is counted and stored under: lowercased, spaces collapsed, personal details
    masked, at most 200 characters."""
    return mask_personal(" ".join(query.lower().split()))[:MAX_QUERY_CHARS]


