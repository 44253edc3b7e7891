"""JSON answers through the worker's result cache, with the summary the statistics need.

A cache entry is the JSON body, a newline, and a one-line summary (the answer's
``total`` and whether it ``answered``), so that a cached answer can be counted
without parsing its body again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable

from flask import Response, current_app

from search_app.query.snapshot import OpenSnapshot
from search_app.web.result_cache import ResultCache


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
