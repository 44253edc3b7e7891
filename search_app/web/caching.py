"""Caching of answers, in the worker and in browsers and CDNs.

In the worker, ``ResultCache`` keeps finished JSON answers, least recently used
out first. Keys include the snapshot folder, so an answer is never served from
an index that has been replaced; when a new snapshot appears, the old entries
are dropped at once. Partial results (cut short by the time limit) are not
kept. Bodies are kept compressed (JSON shrinks about fivefold), so that a
search result page of ten long sections does not push everything else out; the
budget counts the keys too (a question and its chat history). ``cached_json``
answers through it: an entry is the JSON body, a newline, and a one-line
summary (the answer's ``total`` and whether it ``answered``), so that a cached
answer can be counted without parsing its body again.

Over HTTP, a GET answer depends only on the request and the snapshot it came
from, so its ETag is a digest of both: a browser or CDN that sends
``If-None-Match`` gets ``304 Not Modified`` (without the work of searching)
until a new snapshot is published. Answers may be reused for
``CACHE_MAX_AGE_S`` seconds before they are checked again; errors and POST
answers are never stored.
"""

from __future__ import annotations

import hashlib
import json
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from importlib import import_module
from pathlib import Path

from flask import Flask, Response, current_app, request

from indexer.language.memo import DICT_SLOT_BYTES, entry_bytes
from indexer.snapshot.layout import SnapshotError
from search_app.query.snapshot import OpenSnapshot
from search_app.web.problems import is_api_request


class ResultCache:
    """Serialized responses keyed by (snapshot, request), at most ``max_bytes`` of them in all."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(0, max_bytes)
        self._bytes = 0
        self._items: OrderedDict[Hashable, tuple[bytes, int]] = OrderedDict()
        self._snapshot: Path | None = None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, snapshot: Path, key: Hashable) -> bytes | None:
        """The stored body for ``key`` under ``snapshot``, or None."""
        if not self.max_bytes:
            return None
        with self._lock:
            self._switch_to(snapshot)
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
        return zlib.decompress(item[0])

    def put(self, snapshot: Path, key: Hashable, body: bytes) -> None:
        """Keep ``body`` for ``key`` (dropping the least recently used entries when full)."""
        body = zlib.compress(body, 1)
        cost = len(body) + entry_bytes(key) + DICT_SLOT_BYTES
        if not self.max_bytes or cost > self.max_bytes:
            return
        with self._lock:
            self._switch_to(snapshot)
            old = self._items.pop(key, None)
            self._bytes -= old[1] if old is not None else 0
            self._items[key] = (body, cost)
            self._bytes += cost
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    @property
    def size_bytes(self) -> int:
        """What the kept answers and their keys take, in bytes."""
        return self._bytes

    def _switch_to(self, snapshot: Path) -> None:
        if snapshot != self._snapshot:
            self._items.clear()
            self._bytes = 0
            self._snapshot = snapshot

    def cached(self, snapshot: Path, key: Hashable, compute: Callable[[], tuple[bytes, bool]]) -> tuple[bytes, bool]:
        """(body, was_cached): the stored body, or ``compute()``'s, kept when it says it may be."""
        body = self.get(snapshot, key)
        if body is not None:
            return body, True
        body, keep = compute()
        if keep:
            self.put(snapshot, key, body)
        return body, False


# JSON answers through the result cache.
def summary_of(payload: dict) -> dict:
    """What the statistics count of an answer: its ``total`` (else its passages) and ``answered`` (0 or 1)."""
    return {"total": payload.get("total", len(payload.get("passages", []))),
            "answered": int(bool(payload.get("answer")))}


def encode(payload: dict) -> bytes:
    """The cache entry for ``payload``: its JSON body, a newline, its summary."""
    return current_app.json.dumps(payload).encode() + b"\n" + json.dumps(summary_of(payload)).encode()


def decode(entry: bytes) -> tuple[bytes, dict]:
    """(JSON body, summary) of a cache entry."""
    body, _, summary_line = entry.rpartition(b"\n")
    return body, json.loads(summary_line)


def cached_json(snap: OpenSnapshot, key: Hashable, compute: Callable[[], dict]) -> tuple[Response, dict]:
    """A JSON response for ``key``: from this worker's result cache, or computed and kept.

    ``X-Sok-Cache`` says which (``hit`` or ``miss``); a partial result is not kept. Also
    returns the answer's summary (``total`` and ``answered``) for the statistics.
    """
    cache: ResultCache = current_app.extensions["sok_results"]

    def entry() -> tuple[bytes, bool]:
        payload = compute()
        return encode(payload), not payload.get("partial", False)

    data, hit = cache.cached(snap.folder, key, entry)
    body, summary = decode(data)
    response = Response(body, mimetype="application/json")
    response.headers["X-Sok-Cache"] = "hit" if hit else "miss"
    return response, summary


# HTTP caching: ETag and Cache-Control.
API_VERSION = "1"


def code_digest() -> str:
    """A digest of Sök's installed code and data (both packages): it changes with every upgrade.

    A version number would not change for an upgrade between releases; the bytes do.
    """
    digest = hashlib.sha256()
    for package in ("indexer", "search_app"):
        root = Path(str(import_module(package).__file__)).parent
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


#: Sök's own code: an upgrade on the same snapshot may change answers, so it is part of the ETag.
SOFTWARE_VERSION = code_digest()
#: The GET endpoints whose answers depend only on the request and the snapshot.
CACHEABLE = ("search", "ask", "suggest", "contacts")
#: Paths besides the API whose answers must never be stored (/metrics says so itself when it answers).
NO_STORE_PATHS = ("/readyz", "/admin/stats")


def _cacheable() -> bool:
    if request.method not in ("GET", "HEAD"):  # HEAD answers with GET's headers
        return False
    path = request.path.removeprefix("/api/v1/").removeprefix("/api/")
    return is_api_request() and path in CACHEABLE


def etag() -> str | None:
    """The ETag of this request's answer under the serving snapshot (None when there is none)."""
    try:
        folder = current_app.extensions["sok_index"].get().folder
    except SnapshotError:
        return None
    path = request.path.replace("/api/v1/", "/api/", 1)
    query = request.query_string.decode("latin-1")
    key = f"{API_VERSION}\x1f{SOFTWARE_VERSION}\x1f{folder.name}\x1f{path}\x1f{query}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return f'"{digest}"'


def answer_not_modified() -> Response | None:
    """Before the work: 304 when the client already holds this answer."""
    if not _cacheable() or not request.if_none_match:
        return None
    tag = etag()
    # RFC 9110 13.1.2: If-None-Match compares weakly, so W/"…" (nginx's tag after compressing) matches too.
    if tag and request.if_none_match.contains_weak(tag.strip('"')):
        response = Response(status=304)
        _cache_headers(response, tag)
        return response
    return None


def add_cache_headers(response: Response) -> Response:
    """After the work: ETag and Cache-Control on cacheable answers, no-store on the rest of the API."""
    if is_api_request():
        response.headers["Sok-Api-Version"] = API_VERSION
    if response.status_code == 304:
        return response
    if _cacheable() and response.status_code == 200:
        tag = etag()
        if tag:
            _cache_headers(response, tag)
    elif is_api_request() or request.path in NO_STORE_PATHS:
        response.headers["Cache-Control"] = "no-store"
    return response


def _cache_headers(response: Response, tag: str) -> None:
    response.headers["ETag"] = tag
    response.headers["Cache-Control"] = f"public, max-age={current_app.config['CACHE_MAX_AGE_S']}"
    response.vary.add("Origin")


def init_app(app: Flask) -> None:
    """Install the conditional-request check and the caching headers."""
    app.before_request(answer_not_modified)
    app.after_request(add_cache_headers)
