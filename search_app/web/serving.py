"""What every search surface (the API and the page) needs while it answers a request."""

from __future__ import annotations

from flask import current_app

from search_app.answer.followups import subject_context
from search_app.query.snapshot import OpenSnapshot
from search_app.web.index_handle import IndexHandle
from search_app.web.operations import note_question

#: The surfaces whose searches were also asked as questions (whether they got an answer counts).
QUESTION_SURFACES = ("ask", "page-ask")


def current_snapshot() -> OpenSnapshot:
    """The snapshot this worker serves from."""
    handle: IndexHandle = current_app.extensions["sok_index"]
    return handle.get()


def time_limit_s() -> float | None:
    """The per-query time limit from QUERY_TIMEOUT_MS (0 means none)."""
    milliseconds = current_app.config["QUERY_TIMEOUT_MS"]
    return milliseconds / 1000 if milliseconds > 0 else None


def question_in_context(snap: OpenSnapshot, question: str, history: list[str]) -> str:
    """The question as the statistics keep it: a follow-up ("och när pågick det?") with the earlier question
    it borrows its subject from, so that staff can read it."""
    context = subject_context(question, history, snap.analyzer) if history else ""
    return f"{question} (följdfråga till: {context})" if context else question


def searched_text(snap: OpenSnapshot, question: str, history: list[str]) -> str:
    """What /api/ask searched for ``question``: a follow-up together with the question it borrows from."""
    context = subject_context(question, history, snap.analyzer) if history else ""
    return f"{question} {context}" if context else question


def record_search(surface: str, query: str, results: int, answered: bool = False) -> None:
    """Count a search for the site owner's statistics (when analytics are on) and a question for /metrics.

    ``surface`` is "search" or "ask" (the API), "page" (a results page without an answer card: a later
    page or a type filter) or "page-ask" (the page's first results with the answer card, a question too).
    """
    if surface in QUESTION_SURFACES:
        note_question(answered)
    analytics = current_app.extensions.get("sok_analytics")
    if analytics is not None:
        analytics.search(surface, query, results, answered)
