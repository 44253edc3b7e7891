"""The site owner's overview, read from the statistics file: top queries, misses, click-through and
what people could not find (:mod:`.missing`)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from search_app.query.language import swedish_name
from search_app.web.analytics.missing import Missing, read_missing


@dataclass(frozen=True)
class QueryStat:
    """One query with how often it was asked, its results and the searches of it followed by a click."""

    query: str
    searches: int
    #: The most matching sections a search of it found (the page's and /api/search's totals; None when it was
    #: only asked through /api/ask, whose passages are capped and say nothing of how many sections match).
    results: int | None
    #: Searches of this query followed by a click, each counted once: never more than ``searches``.
    clicks: int
    #: The language it was asked in (``search_app.query.language``; "sv" in a file from before languages).
    language: str = "sv"

    @property
    def language_name(self) -> str:
        """The language's name in Swedish ("engelska")."""
        return swedish_name(self.language)

    @property
    def click_through(self) -> float:
        """The share of searches followed by a click (0–1)."""
        return min(self.clicks, self.searches) / self.searches if self.searches else 0.0


@dataclass(frozen=True)
class Stats:
    """The site owner's overview."""

    searches: int
    #: Results opened (a search may be followed by several).
    clicks: int
    top: list[QueryStat]
    zero_results: list[QueryStat]
    #: Searches followed by at least one click, each counted once.
    clicked: int = 0
    #: What citizens could not find: unanswered questions and answers rated "Nej", per week.
    missing: Missing = field(default_factory=Missing)
    #: Searches per language asked in, most first: (Swedish name, count).
    languages: list[tuple[str, int]] = field(default_factory=list)

    @property
    def click_through(self) -> float:
        """The share of searches followed by a click (0–1): at most one click is counted per search."""
        return min(self.clicked, self.searches) / self.searches if self.searches else 0.0


class StatsUnavailable(RuntimeError):
    """The statistics file cannot be read right now (locked by another program, or not a database)."""


_CLICKED = ("SELECT COALESCE(SUM(MIN(s.n, c.n)), 0) FROM (SELECT query, COUNT(*) AS n FROM searches GROUP BY query) s "
            "JOIN (SELECT query, COUNT(*) AS n FROM clicks GROUP BY query) c ON c.query = s.query")


def read_stats(path: Path, limit: int = 20, today: date | None = None) -> Stats:
    """Top queries, queries without results, click-through, and what people could not find (weeks up to ``today``)."""
    if not path.is_file():
        return Stats(0, 0, [], [])
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=2)
    except sqlite3.Error as error:
        raise StatsUnavailable(str(error)) from None
    try:
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"searches", "clicks"} <= tables:
            return Stats(0, 0, [], [])
        expired = (0, 0, 0)
        if "expired" in tables:
            expired = connection.execute(
                "SELECT COALESCE(SUM(searches), 0), COALESCE(SUM(clicks), 0), COALESCE(SUM(clicked), 0) FROM expired"
            ).fetchone()
        total = connection.execute("SELECT COUNT(*) FROM searches").fetchone()[0] + expired[0]
        clicks = connection.execute("SELECT COUNT(*) FROM clicks").fetchone()[0] + expired[1]
        clicked = connection.execute(_CLICKED).fetchone()[0] + expired[2]

        # A file written before questions had a language has no such column: its searches were read as Swedish.
        has_language = any(row[1] == "language" for row in connection.execute("PRAGMA table_info(searches)"))
        language = "MAX(s.language)" if has_language else "'sv'"

        def rows(where: str) -> list[QueryStat]:
            # ``where`` is one of the two constants below, never user text.
            found = connection.execute(
                "SELECT s.query, COUNT(*), MAX(CASE WHEN s.surface != 'ask' THEN s.results END), "  # noqa: S608
                f"MIN(COUNT(*), (SELECT COUNT(*) FROM clicks c WHERE c.query = s.query)), {language} "
                f"FROM searches s {where} GROUP BY s.query ORDER BY COUNT(*) DESC, s.query LIMIT ?", (limit,))
            return [QueryStat(*row) for row in found]

        per_language = connection.execute(
            "SELECT language, COUNT(*) FROM searches GROUP BY language ORDER BY COUNT(*) DESC, language"
        ).fetchall() if has_language else ([("sv", total - expired[0])] if total > expired[0] else [])
        return Stats(total, clicks, rows(""), rows("WHERE s.results = 0"), clicked,
                     read_missing(connection, tables, limit, today),
                     [(swedish_name(code), count) for code, count in per_language])
    except sqlite3.Error as error:
        raise StatsUnavailable(str(error)) from None
    finally:
        connection.close()
