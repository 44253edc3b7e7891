"""Each worker's writer of searches, clicks and verdicts into the statistics file (SQLite, ``ANALYTICS_DB``).

A search never waits for the file and never fails because of it: each worker
buffers its rows (at most :data:`MAX_BUFFERED_ROWS`, the oldest dropped and
counted) and a background flusher writes them in one transaction now and then.
When the file is locked, deleted or replaced the rows stay buffered and are
written once it can be written again; a deleted file is made anew with its schema.
Question texts older than the retention are deleted; the daily totals of searches and clicks stay.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from search_app.web.analytics.privacy import normalise

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (
    hour TEXT NOT NULL,        -- UTC, to the hour
    surface TEXT NOT NULL,     -- search, ask, page, page-ask
    query TEXT NOT NULL,
    results INTEGER NOT NULL,
    answered INTEGER NOT NULL, -- 1 when /api/ask or the page's card gave an answer
    language TEXT NOT NULL DEFAULT 'sv'  -- the question's language (search_app.query.language)
);
CREATE TABLE IF NOT EXISTS clicks (
    hour TEXT NOT NULL,
    query TEXT NOT NULL,
    url TEXT NOT NULL          -- the result's page as indexed, without fragment
);
CREATE TABLE IF NOT EXISTS feedback (  -- "Fick du svar på din fråga?" under an answer
    hour TEXT NOT NULL,
    query TEXT NOT NULL,
    helpful INTEGER NOT NULL   -- 1 for "Ja", 0 for "Nej"
);
CREATE TABLE IF NOT EXISTS expired (  -- daily totals of searches and clicks whose texts were deleted
    day TEXT PRIMARY KEY,
    searches INTEGER NOT NULL,
    clicks INTEGER NOT NULL,
    clicked INTEGER NOT NULL   -- searches followed by a click (at most one per search)
);
CREATE INDEX IF NOT EXISTS searches_query ON searches (query);
CREATE INDEX IF NOT EXISTS clicks_query ON clicks (query);
CREATE INDEX IF NOT EXISTS searches_hour ON searches (hour);
CREATE INDEX IF NOT EXISTS clicks_hour ON clicks (hour);
CREATE INDEX IF NOT EXISTS feedback_hour ON feedback (hour);
"""
FLUSH_ROWS = 50
FLUSH_SECONDS = 5.0
#: Rows a worker keeps while the file cannot be written; beyond this the oldest are dropped.
MAX_BUFFERED_ROWS = 10_000
#: How long a write waits for a lock before it gives up and tries again later.
BUSY_TIMEOUT_S = 0.1
PURGE_EVERY_S = 3600.0
WARN_EVERY_S = 60.0
MAX_URL_CHARS = 2000
HOUR_FORMAT = "%Y-%m-%dT%H:00"


def _hour(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime(HOUR_FORMAT)


class Analytics:
    """Buffered writes of searches, clicks and verdicts to one SQLite file (shared by all workers)."""

    def __init__(self, path: Path, retention_days: float = 90, max_rows: int = MAX_BUFFERED_ROWS) -> None:
        self.path = path
        self.retention_days = retention_days
        self.max_rows = max_rows
        #: Rows dropped (oldest first) because the buffer was full while the file could not be written.
        self.dropped = 0
        self._rows: deque[tuple[str, tuple]] = deque()
        self._lock = threading.Lock()
        self._writing = threading.Lock()
        self._wake = threading.Event()
        self._flusher_pid = 0
        self._purged_at: float | None = None
        self._failing_since: float | None = None
        self._warned_at = -WARN_EVERY_S
        try:
            with self._connection() as connection:
                connection.executescript(SCHEMA)
        except (sqlite3.Error, OSError) as error:  # the flusher makes it later
            log.warning("analytics: %s cannot be opened yet (%s)", path, error)

    def search(self, surface: str, query: str, results: int, answered: bool = False, language: str = "sv") -> None:
        """Note one search (``surface``: search, ask, page or page-ask, see web.request_context.record_search) and
        the language it was asked in."""
        self._add("searches", (_hour(), surface, normalise(query), int(results), int(answered), language))

    def click(self, query: str, url: str) -> None:
        """Note that ``url`` (a result page of ``query``) was opened."""
        self._add("clicks", (_hour(), normalise(query), url[:MAX_URL_CHARS]))

    def feedback(self, query: str, helpful: bool) -> None:
        """Note whether the answer to ``query`` answered it ("Ja": True, "Nej": False)."""
        self._add("feedback", (_hour(), normalise(query), int(helpful)))

    @property
    def buffered(self) -> int:
        """Rows waiting to be written."""
        return len(self._rows)

    def _add(self, table: str, row: tuple) -> None:
        with self._lock:
            self._rows.append((table, row))
            self._trim()
            due = len(self._rows) >= FLUSH_ROWS
        self._start_flusher()
        if due:
            self._wake.set()

    def _trim(self) -> None:
        while len(self._rows) > self.max_rows:
            self._rows.popleft()
            self.dropped += 1

    def _start_flusher(self) -> None:
        """One background flusher per process (started in the worker, after gunicorn forked it)."""
        pid = os.getpid()
        if self._flusher_pid == pid:
            return
        with self._lock:
            if self._flusher_pid == pid:
                return
            self._flusher_pid = pid
        threading.Thread(target=self._run, name="sok-analytics", daemon=True).start()

    def _run(self) -> None:
        while True:
            self._wake.wait(FLUSH_SECONDS)
            self._wake.clear()
            self.flush()

    def flush(self) -> bool:
        """Write the buffered rows and delete expired question texts; never raises.

        False when the file could not be written: the rows are kept for the next try.
        """
        with self._writing:
            with self._lock:
                rows = list(self._rows)
                self._rows.clear()
            purge = self._purged_at is None or time.monotonic() - self._purged_at >= PURGE_EVERY_S
            if not rows and not purge:
                return True
            try:
                self._write(rows, purge)
            except (sqlite3.Error, OSError) as error:
                with self._lock:
                    self._rows.extendleft(reversed(rows))  # older than anything added meanwhile
                    self._trim()
                self._failed(error)
                return False
            if purge:
                self._purged_at = time.monotonic()
            self._recovered()
            return True

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A connection for writing, with the writers of every worker taking turns (a lock file).

        Taking turns means that a worker never opens a file anew while another still writes to
        one that was deleted, so no journal of an old file is ever played into a new one.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(f"{self.path}.lock", "a") as turn:
            deadline = time.monotonic() + BUSY_TIMEOUT_S
            while True:
                try:
                    fcntl.flock(turn, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise sqlite3.OperationalError("another worker is writing") from None
                    time.sleep(0.01)
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            try:
                # A rollback journal exists only during a write: a deleted file leaves nothing behind.
                connection.execute("PRAGMA journal_mode=DELETE")
                connection.execute("PRAGMA synchronous=NORMAL")
                yield connection
            finally:
                connection.close()

    def _write(self, rows: list[tuple[str, tuple]], purge: bool) -> None:
        with self._connection() as connection:
            connection.executescript(SCHEMA)  # a deleted or replaced file gets its tables back
            add_language_column(connection)
            written_to = _identity(self.path)
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany("INSERT INTO searches (hour, surface, query, results, answered, language) "
                                   "VALUES (?, ?, ?, ?, ?, ?)",
                                   [row for table, row in rows if table == "searches"])
            connection.executemany("INSERT INTO clicks VALUES (?, ?, ?)",
                                   [row for table, row in rows if table == "clicks"])
            connection.executemany("INSERT INTO feedback VALUES (?, ?, ?)",
                                   [row for table, row in rows if table == "feedback"])
            if purge:
                self._purge(connection)
            connection.execute("COMMIT")
        if _identity(self.path) != written_to:  # deleted or replaced while being written: write again
            raise sqlite3.OperationalError(f"{self.path} was replaced while it was written")

    def _purge(self, connection: sqlite3.Connection) -> None:
        """Delete question texts older than the retention, keeping the daily totals of searches and clicks."""
        cutoff = _hour(datetime.now(UTC) - timedelta(days=float(self.retention_days)))
        connection.execute(
            """INSERT INTO expired (day, searches, clicks, clicked)
               SELECT day, SUM(s), SUM(c), SUM(MIN(s, c)) FROM (
                   SELECT day, SUM(s) AS s, SUM(c) AS c FROM (
                       SELECT substr(hour, 1, 10) AS day, query, 1 AS s, 0 AS c FROM searches WHERE hour < :cutoff
                       UNION ALL
                       SELECT substr(hour, 1, 10), query, 0, 1 FROM clicks WHERE hour < :cutoff)
                   GROUP BY day, query)
               WHERE true GROUP BY day
               ON CONFLICT (day) DO UPDATE SET searches = searches + excluded.searches,
                   clicks = clicks + excluded.clicks, clicked = clicked + excluded.clicked""",
            {"cutoff": cutoff})
        connection.execute("DELETE FROM searches WHERE hour < ?", (cutoff,))
        connection.execute("DELETE FROM clicks WHERE hour < ?", (cutoff,))
        connection.execute("DELETE FROM feedback WHERE hour < ?", (cutoff,))

    def _failed(self, error: BaseException) -> None:
        now = time.monotonic()
        if self._failing_since is None:
            self._failing_since = now
        if now - self._warned_at >= WARN_EVERY_S:
            self._warned_at = now
            log.warning("analytics: cannot write %s (%s); %d rows kept in memory, %d dropped so far",
                        self.path, error, len(self._rows), self.dropped)

    def _recovered(self) -> None:
        if self._failing_since is not None:
            log.warning("analytics: %s written again after %.0f s; %d rows were dropped while it could not be",
                        self.path, time.monotonic() - self._failing_since, self.dropped)
            self._failing_since = None


def add_language_column(connection: sqlite3.Connection) -> None:
    """Give a statistics file written before questions had a language its ``language`` column (each old row
    "sv")."""
    columns = {row[1] for row in connection.execute("PRAGMA table_info(searches)")}
    if "language" not in columns:
        connection.execute("ALTER TABLE searches ADD COLUMN language TEXT NOT NULL DEFAULT 'sv'")


def _identity(path: Path) -> tuple[int, int]:
    status = os.stat(path)
    return status.st_dev, status.st_ino
