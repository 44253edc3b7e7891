"""What every search surface (the API and the page) needs while it answers a request."""

from __future__ import annotations

from flask import current_app

from search_app.query.snapshot import OpenSnapshot
from search_app.web.index_handle import IndexHandle
from search_app.web.operations import note_question


def current_snapshot() -> OpenSnapshot:
    """The snapshot this worker serves from."""
    handle: IndexHandle = current_app.extensions["sok_index"]
    return handle.get()


def time_limit_s() -> float | None:
    """The per-query time limit from QUERY_TIMEOUT_MS (0 means none)."""
    milliseconds = current_app.config["QUERY_TIMEOUT_MS"]
    return milliseconds / 1000 if milliseconds > 0 else None


def record_search(surface: str, query: str, results: int, answered: bool = False) -> None:
    """Count a search for the site owner's statistics (when analytics are on) and a question for /metrics."""
    if surface == "ask":
        note_question(answered)
    analytics = current_app.extensions.get("sok_analytics")
    if analytics is not None:
        analytics.search(surface, query, results, answered)
