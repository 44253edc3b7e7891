"""What citizens could not find: questions without an answer and answers rated "Nej", counted per week.

Two lists for the site owner, each the most frequent questions first with their counts in
the last :data:`WEEKS` calendar weeks (Monday to Sunday, UTC): the questions that got no
answer (``/api/ask`` or the page's answer card found nothing sure enough) and those whose answer people rated "Nej"
under "Fick du svar på din fråga?". Both point at pages that are missing or unclear.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

#: Calendar weeks shown per question (the total counts every week still kept).
WEEKS = 8

#: The Monday of the week an hour ("2026-11-23T05:00") falls in.
_WEEK = "date(substr({hour}, 1, 10), 'weekday 0', '-6 days')"
#: Questions without an answer: asked in the chat, the widget or the API, or through a /?q= link whose
#: page found no answer card ("page" rows are later pages and type filters, never asked).
_UNANSWERED = "surface IN ('ask', 'page-ask') AND answered = 0"
_UNHELPFUL = "helpful = 0"


@dataclass(frozen=True)
class WeeklyQuestion:
    """A question, how often it counted in all, and how often in each week of :attr:`Missing.weeks`."""

    query: str
    total: int
    per_week: tuple[int, ...]
    #: The most results a search of it had (unanswered questions only: 0 means no page matched at all).
    results: int | None = None


@dataclass(frozen=True)
class Missing:
    """The questions people could not find answered, and how the answers were rated."""

    #: The Mondays of the weeks counted, oldest first.
    weeks: tuple[date, ...] = ()
    unanswered: list[WeeklyQuestion] = field(default_factory=list)
    unhelpful: list[WeeklyQuestion] = field(default_factory=list)
    #: Answers rated "Ja" and "Nej" (as long as their question texts are kept).
    helpful: int = 0
    not_helpful: int = 0

    @property
    def week_labels(self) -> list[str]:
        """The weeks as Swedish calendars name them: "v. 48"."""
        return [f"v. {monday.isocalendar().week}" for monday in self.weeks]


def read_missing(connection: sqlite3.Connection, tables: set[str], limit: int = 20,
                 today: date | None = None) -> Missing:
    """The most frequent unanswered and unhelpful questions with weekly counts, from an open statistics file."""
    has_feedback = "feedback" in tables
    oldest = [_oldest(connection, "searches", _UNANSWERED)] + (
        [_oldest(connection, "feedback", _UNHELPFUL)] if has_feedback else [])
    weeks = _weeks([monday for monday in oldest if monday is not None], today or datetime.now(UTC).date())
    unanswered = _weekly(connection, "searches", _UNANSWERED, "MAX(results)", weeks, limit)
    if not has_feedback:
        return Missing(weeks, unanswered)
    unhelpful = _weekly(connection, "feedback", _UNHELPFUL, "NULL", weeks, limit)
    yes, no = connection.execute("SELECT COALESCE(SUM(helpful), 0), COALESCE(SUM(1 - helpful), 0) "
                                 "FROM feedback").fetchone()
    return Missing(weeks, unanswered, unhelpful, yes, no)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weeks(oldest: list[date], today: date) -> tuple[date, ...]:
    """The Mondays from the oldest week counted to this week, at most the last :data:`WEEKS` of them."""
    if not oldest:
        return ()
    this_week = _monday(today)
    first = max(min(oldest), this_week - timedelta(weeks=WEEKS - 1))
    return tuple(first + timedelta(weeks=n) for n in range((this_week - first).days // 7 + 1))


def _oldest(connection: sqlite3.Connection, table: str, where: str) -> date | None:
    # Table and condition are this module's constants, never user text (likewise in _weekly).
    (hour,) = connection.execute(f"SELECT MIN(hour) FROM {table} WHERE {where}").fetchone()  # noqa: S608
    return _monday(date.fromisoformat(hour[:10])) if hour else None


def _weekly(connection: sqlite3.Connection, table: str, where: str, results: str, weeks: tuple[date, ...],
            limit: int) -> list[WeeklyQuestion]:
    """The ``limit`` most frequent questions of ``table`` matching ``where``, with their counts per week."""
    top = (f"SELECT query, COUNT(*) AS total, {results} AS results FROM {table} WHERE {where} "  # noqa: S608
           "GROUP BY query ORDER BY total DESC, query LIMIT :limit")
    rows = connection.execute(top, {"limit": limit}).fetchall()
    counts = {(query, monday): count for query, monday, count in connection.execute(
        f"WITH top AS ({top}) SELECT query, {_WEEK.format(hour='hour')}, COUNT(*) "  # noqa: S608
        f"FROM {table} JOIN top USING (query) WHERE {where} GROUP BY 1, 2", {"limit": limit})}
    return [WeeklyQuestion(query, total, tuple(counts.get((query, monday.isoformat()), 0) for monday in weeks),
                           most)
            for query, total, most in rows]
