"""HTTP caching of the read-only API: an ETag per index snapshot and request, and Cache-Control.

A GET answer depends only on the request and the snapshot it came from, so the
ETag is a digest of both: a browser or CDN that sends ``If-None-Match`` gets
``304 Not Modified`` (without the work of searching) until a new snapshot is
published. Answers may be reused for ``CACHE_MAX_AGE_S`` seconds before they
are checked again; errors and POST answers are never stored.
"""

from __future__ import annotations

import hashlib
from importlib import import_module
from pathlib import Path

from flask import Flask, Response, current_app, request

from indexer.snapshot.layout import SnapshotError
from search_app.web.api_paths import is_api_request

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
