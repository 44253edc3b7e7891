"""What every search surface (the API and the page) needs while it answers a request."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request

from search_app.query.language import question_language
from search_app.query.question import subject_context
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


@dataclass(frozen=True)
class ChatQuestion:
    """A chat's question and the earlier question a follow-up borrows its subject from ("" when it stands alone)."""

    question: str
    context: str = ""

    @property
    def recorded(self) -> str:
        """As the statistics keep it, readable for staff: "och när pågick det (följdfråga till: …)"."""
        question, context = question_form(self.question), question_form(self.context)
        return f"{question} (följdfråga till: {context})" if context else question

    @property
    def searched(self) -> str:
        """What /api/ask searched for it: a follow-up together with the question it borrows from."""
        return f"{self.question} {self.context}" if self.context else self.question


def question_form(text: str) -> str:
    """``text`` without the punctuation and spaces that end it: "…svenska städer?" is counted as "…svenska städer"."""
    return text.strip().rstrip("?!.…,;: \t") or text.strip()


def chat_question(snap: OpenSnapshot, question: str, history: list[str]) -> ChatQuestion:
    """``question`` asked after ``history`` (the earlier questions of a chat, the newest last)."""
    return ChatQuestion(question, subject_context(question, history, snap.analyzer) if history else "")


def record_search(surface: str, query: str, results: int, answered: bool = False) -> None:
    """Count a search for the site owner's statistics (when analytics are on) and a question for /metrics.

    ``surface`` is "search" or "ask" (the API), "page" (a results page without an answer card: a later
    page or a type filter) or "page-ask" (the page's first results with the answer card, a question too).
    """
    if request.method == "HEAD":  # a HEAD is a check of the address, not a search
        return
    query = question_form(query)
    if surface in QUESTION_SURFACES:
        note_question(answered)
    analytics = current_app.extensions.get("sok_analytics")
    if analytics is not None:
        analytics.search(surface, query, results, answered, question_language(query))
