"""Whether a clicked link is one of the results of its search, so that made-up clicks are not counted.

A click counts only when its link is one of the results of its question in the
index being served (:class:`ResultPages`); the statistics count at most one
click per search in the click-through.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from pathlib import Path
from urllib.parse import unquote, urlsplit

from search_app.answer.contacts import find_contacts
from search_app.query.search import rank_sections
from search_app.query.snapshot import OpenSnapshot


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
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")  # browsers send the punycode of a Swedish host name
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

    def __init__(self, max_queries: int = 1024) -> None:
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
