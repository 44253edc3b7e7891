"""Search analytics for site owners: what people search for, what finds nothing, what they open.

Stored in SQLite (``ANALYTICS_DB``): the question, which surface asked it,
how many results it had, and the results people clicked. Never an address,
a cookie or anything else that tells people apart; times are kept to the
hour. Each worker buffers its rows and writes them in one transaction now
and then, so a search does not wait for the disk.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (
    hour TEXT NOT NULL,        -- UTC, to the hour
    surface TEXT NOT NULL,     -- search, ask, page
    query TEXT NOT NULL,
    results INTEGER NOT NULL,
    answered INTEGER NOT NULL  -- 1 when /api/ask gave an answer
);
CREATE TABLE IF NOT EXISTS clicks (
    hour TEXT NOT NULL,
    query TEXT NOT NULL,
    url TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS searches_query ON searches (query);
CREATE INDEX IF NOT EXISTS clicks_query ON clicks (query);
"""
FLUSH_ROWS = 50
FLUSH_SECONDS = 5.0
MAX_QUERY_CHARS = 200
MAX_URL_CHARS = 2000


def _hour() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:00")


def normalise(query: str) -> str:
    """The form a query is counted under: lowercased, spaces collapsed, at most 200 characters."""
    return " ".join(query.lower().split())[:MAX_QUERY_CHARS]


class Analytics:
    """Buffered writes of searches and clicks to one SQLite file (shared by all workers)."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = self._connect()
        try:
            connection.executescript(SCHEMA)
        finally:
            connection.close()
        self._searches: list[tuple] = []
        self._clicks: list[tuple] = []
        self._lock = threading.Lock()
        self._flushed = time.monotonic()

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=5)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        return connection

    def search(self, surface: str, query: str, results: int, answered: bool = False) -> None:
        """Note one search (``surface``: search, ask or page)."""
        with self._lock:
            self._searches.append((_hour(), surface, normalise(query), int(results), int(answered)))
        self._maybe_flush()

    def click(self, query: str, url: str) -> None:
        """Note that a result of ``query`` was opened."""
        with self._lock:
            self._clicks.append((_hour(), normalise(query), url[:MAX_URL_CHARS]))
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        if len(self._searches) + len(self._clicks) >= FLUSH_ROWS or time.monotonic() - self._flushed > FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows."""
        with self._lock:
            searches, clicks = self._searches, self._clicks
            self._searches, self._clicks = [], []
            self._flushed = time.monotonic()
        if not searches and not clicks:
            return
        connection = self._connect()
        try:
            with connection:  # one transaction
                connection.executemany("INSERT INTO searches VALUES (?, ?, ?, ?, ?)", searches)
                connection.executemany("INSERT INTO clicks VALUES (?, ?, ?)", clicks)
        finally:
            connection.close()


@dataclass(frozen=True)
class QueryStat:
    """One query with how often it was asked, its results and its clicks."""

    query: str
    searches: int
    results: int
    clicks: int

    @property
    def click_through(self) -> float:
        """Clicks per search (0–1, or more when people open several results)."""
        return self.clicks / self.searches if self.searches else 0.0


@dataclass(frozen=True)
class Stats:
    """The site owner's overview."""

    searches: int
    clicks: int
    top: list[QueryStat]
    zero_results: list[QueryStat]
    unanswered: list[QueryStat]

    @property
    def click_through(self) -> float:
        """Clicks per search over all searches."""
        return self.clicks / self.searches if self.searches else 0.0


def read_stats(path: Path, limit: int = 20) -> Stats:
    """Top queries, queries without results, questions without an answer, and click-through."""
    if not path.exists():
        return Stats(0, 0, [], [], [])
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        total = connection.execute("SELECT COUNT(*) FROM searches").fetchone()[0]
        clicks = connection.execute("SELECT COUNT(*) FROM clicks").fetchone()[0]

        def rows(where: str) -> list[QueryStat]:
            found = connection.execute(
                "SELECT s.query, COUNT(*), MAX(s.results), "
                "(SELECT COUNT(*) FROM clicks c WHERE c.query = s.query) "
                f"FROM searches s {where} GROUP BY s.query ORDER BY COUNT(*) DESC, s.query LIMIT ?", (limit,))
            return [QueryStat(*row) for row in found]

        return Stats(total, clicks, rows(""), rows("WHERE s.results = 0"),
                     rows("WHERE s.surface = 'ask' AND s.answered = 0 AND s.results > 0"))
    finally:
        connection.close()
