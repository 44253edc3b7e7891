"""Search analytics for site owners: what people search for, what finds nothing, what they open.

Stored in SQLite (``ANALYTICS_DB``): the question, which surface asked it,
how many results it had, and the results people clicked. Never an address,
a cookie or anything else that tells people apart; times are kept to the
hour; personal identity numbers, e-mail addresses and phone numbers in a
question are masked before it is stored, and question texts are deleted after
``ANALYTICS_RETENTION_DAYS`` (only daily totals stay).

A search never waits for the file and never fails because of it: each worker
buffers its rows (at most :data:`MAX_BUFFERED_ROWS`, the oldest dropped and
counted) and a background flusher writes them in one transaction now and then.
When the file is locked, deleted or replaced the rows stay buffered and are
written once it can be written again; a deleted file is made anew with its schema.

A click counts only when its link is one of the results of its question in the
index being served (:class:`ResultPages`), at most once per search in the
click-through.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import sqlite3
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

from search_app.answer.contacts import find_contacts
from search_app.query.search import rank_sections
from search_app.web.index_handle import OpenSnapshot

log = logging.getLogger(__name__)

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
    url TEXT NOT NULL          -- the result's page as indexed, without fragment
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
"""
FLUSH_ROWS = 50
FLUSH_SECONDS = 5.0
#: Rows a worker keeps while the file cannot be written; beyond this the oldest are dropped.
MAX_BUFFERED_ROWS = 10_000
#: How long a write waits for a lock before it gives up and tries again later.
BUSY_TIMEOUT_S = 0.1
PURGE_EVERY_S = 3600.0
WARN_EVERY_S = 60.0
MAX_QUERY_CHARS = 200
MAX_URL_CHARS = 2000
HOUR_FORMAT = "%Y-%m-%dT%H:00"

_DAY = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])"  # MMDD; samordningsnummer: day + 60
_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
#: YYYYMMDD-XXXX, YYYYMMDDXXXX and YYMMDD-XXXX / YYMMDD+XXXX.
_PERSONAL_NUMBER = re.compile(rf"(?<!\d)(?:(?:18|19|20)\d\d{_DAY}[-+ ]?\d{{4}}|\d\d{_DAY}[-+ ]\d{{4}})(?!\d)")
_PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)46[\s-]*(?:\(0\)[\s-]*)?\d(?:[\s/-]*\d){6,9}"
                    r"|\(?0\d{1,3}\)?(?:[\s/-]*\d){5,8})(?!\d)")
#: YYMMDDXXXX without a separator (after phone numbers, which start with 0 and are masked as such).
_BARE_PERSONAL_NUMBER = re.compile(rf"(?<!\d)\d\d{_DAY}\d{{4}}(?!\d)")


def _hour(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime(HOUR_FORMAT)


def mask_personal(text: str) -> str:
    """``text`` with Swedish personal identity numbers, e-mail addresses and phone numbers replaced."""
    text = _EMAIL.sub("[e-post]", text)
    text = _PERSONAL_NUMBER.sub("[personnummer]", text)
    text = _PHONE.sub("[telefon]", text)
    return _BARE_PERSONAL_NUMBER.sub("[personnummer]", text)


def normalise(query: str) -> str:
    """The form a query is counted and stored under: lowercased, spaces collapsed, personal details
    masked, at most 200 characters."""
    return mask_personal(" ".join(query.lower().split()))[:MAX_QUERY_CHARS]


class Analytics:
    """Buffered writes of searches and clicks to one SQLite file (shared by all workers)."""

    def __init__(self, path: Path, retention_days: float = 90, max_rows: int = MAX_BUFFERED_ROWS):
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

    def search(self, surface: str, query: str, results: int, answered: bool = False) -> None:
        """Note one search (``surface``: search, ask or page)."""
        self._add("searches", (_hour(), surface, normalise(query), int(results), int(answered)))

    def click(self, query: str, url: str) -> None:
        """Note that ``url`` (a result page of ``query``) was opened."""
        self._add("clicks", (_hour(), normalise(query), url[:MAX_URL_CHARS]))

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
            written_to = _identity(self.path)
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany("INSERT INTO searches VALUES (?, ?, ?, ?, ?)",
                                   [row for table, row in rows if table == "searches"])
            connection.executemany("INSERT INTO clicks VALUES (?, ?, ?)",
                                   [row for table, row in rows if table == "clicks"])
            if purge:
                self._purge(connection)
            connection.execute("COMMIT")
        if _identity(self.path) != written_to:  # deleted or replaced while being written: write again
            raise sqlite3.OperationalError(f"{self.path} was replaced while it was written")

    def _purge(self, connection: sqlite3.Connection) -> None:
        """Delete question texts older than the retention, keeping their daily totals."""
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


def _identity(path: Path) -> tuple[int, int]:
    status = os.stat(path)
    return status.st_dev, status.st_ino


def page_key(url: str) -> str | None:
    """The page a link points to, written as browsers write it: no fragment, lower-case host,
    decoded path and query. None for anything but an http(s) address."""
    try:
        parts = urlsplit(url.strip())
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        return None
    try:
        host = host.encode("idna").decode("ascii")  # browsers send the punycode of a Swedish host name
    except UnicodeError:
        pass
    if port and port != {"http": 80, "https": 443}[scheme]:
        host = f"{host}:{port}"
    query = f"?{unquote(parts.query)}" if parts.query else ""
    return f"{scheme}://{host}{unquote(parts.path) or '/'}{query}"


class ResultPages:
    """Whether a link is one of the results of a question in the snapshot being served (one per worker).

    The page must be in the index; then the question is ranked again, limited to the
    page's own publisher and kind: a page is ranked there no lower than in any search a
    surface made, with or without those filters. The first :data:`SHALLOW` results of
    a question are kept; deeper pages (up to ``depth``) are ranked when asked for.
    """

    SHALLOW = 50

    def __init__(self, max_queries: int = 1024):
        self.max_queries = max_queries
        self._lock = threading.Lock()
        self._folder: Path | None = None
        self._pages: dict[str, tuple[str, str, str]] = {}
        self._shallow: OrderedDict[tuple, frozenset[str]] = OrderedDict()

    def find(self, snap: OpenSnapshot, query: str, url: str, depth: int,
             time_limit_s: float | None = None) -> str | None:
        """The indexed page ``url`` points to when it is one of the first ``depth`` results of
        ``query`` (or the page of a contact person it names), else None."""
        key = page_key(url)
        if key is None:
            return None
        page = self._page_index(snap).get(key)
        if page is None:
            return None
        indexed, publisher, kind = page
        if key in {page_key(contact.url) for contact in find_contacts(snap.contacts, query, snap.analyzer)}:
            return indexed
        for limit in sorted({min(self.SHALLOW, depth), depth}):
            if key in self._results(snap, query, publisher, kind, limit, time_limit_s):
                return indexed
        return None

    def _page_index(self, snap: OpenSnapshot) -> dict[str, tuple[str, str, str]]:
        with self._lock:
            if self._folder != snap.folder:
                pages = {}
                for record in snap.engine.records():
                    key = page_key(record["url"])
                    if key is not None:
                        pages[key] = (record["url"].split("#", 1)[0], record["publisher"], record.get("kind", "page"))
                self._folder, self._pages = snap.folder, pages
                self._shallow.clear()
            return self._pages

    def _results(self, snap: OpenSnapshot, query: str, publisher: str, kind: str, limit: int,
                 time_limit_s: float | None) -> frozenset[str]:
        cache_key = (" ".join(query.split()), publisher, kind)
        shallow = limit <= self.SHALLOW
        if shallow and cache_key in self._shallow:
            self._shallow.move_to_end(cache_key)
            return self._shallow[cache_key]
        ranked = rank_sections(snap, query, limit=limit, publisher=publisher, kind=kind, time_limit_s=time_limit_s,
                               exact_total=False)
        found = frozenset(key for key in (page_key(record["url"]) for record, _ in ranked.hits) if key)
        if shallow and not ranked.partial:
            self._shallow[cache_key] = found
            while len(self._shallow) > self.max_queries:
                self._shallow.popitem(last=False)
        return found


@dataclass(frozen=True)
class QueryStat:
    """One query with how often it was asked, its results and the searches of it followed by a click."""

    query: str
    searches: int
    results: int
    #: Searches of this query followed by a click, each counted once: never more than ``searches``.
    clicks: int

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
    unanswered: list[QueryStat]
    #: Searches followed by at least one click, each counted once.
    clicked: int = 0

    @property
    def click_through(self) -> float:
        """The share of searches followed by a click (0–1): at most one click is counted per search."""
        return min(self.clicked, self.searches) / self.searches if self.searches else 0.0


class StatsUnavailable(RuntimeError):
    """The statistics file cannot be read right now (locked by another program, or not a database)."""


_CLICKED = ("SELECT COALESCE(SUM(MIN(s.n, c.n)), 0) FROM (SELECT query, COUNT(*) AS n FROM searches GROUP BY query) s "
            "JOIN (SELECT query, COUNT(*) AS n FROM clicks GROUP BY query) c ON c.query = s.query")


def read_stats(path: Path, limit: int = 20) -> Stats:
    """Top queries, queries without results, questions without an answer, and click-through."""
    if not path.is_file():
        return Stats(0, 0, [], [], [])
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=2)
    except sqlite3.Error as error:
        raise StatsUnavailable(str(error)) from None
    try:
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"searches", "clicks"} <= tables:
            return Stats(0, 0, [], [], [])
        expired = (0, 0, 0)
        if "expired" in tables:
            expired = connection.execute(
                "SELECT COALESCE(SUM(searches), 0), COALESCE(SUM(clicks), 0), COALESCE(SUM(clicked), 0) FROM expired"
            ).fetchone()
        total = connection.execute("SELECT COUNT(*) FROM searches").fetchone()[0] + expired[0]
        clicks = connection.execute("SELECT COUNT(*) FROM clicks").fetchone()[0] + expired[1]
        clicked = connection.execute(_CLICKED).fetchone()[0] + expired[2]

        def rows(where: str) -> list[QueryStat]:
            found = connection.execute(
                "SELECT s.query, COUNT(*), MAX(s.results), "
                "MIN(COUNT(*), (SELECT COUNT(*) FROM clicks c WHERE c.query = s.query)) "
                f"FROM searches s {where} GROUP BY s.query ORDER BY COUNT(*) DESC, s.query LIMIT ?", (limit,))
            return [QueryStat(*row) for row in found]

        return Stats(total, clicks, rows(""), rows("WHERE s.results = 0"),
                     rows("WHERE s.surface = 'ask' AND s.answered = 0 AND s.results > 0"), clicked)
    except sqlite3.Error as error:
        raise StatsUnavailable(str(error)) from None
    finally:
        connection.close()
