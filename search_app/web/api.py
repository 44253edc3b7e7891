"""The JSON API: /api/search, /api/ask, /api/contacts and /healthz."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, jsonify, request

from indexer.snapshot.layout import SnapshotError
from search_app.answer.ask import ask
from search_app.answer.contacts import find_contacts
from search_app.query.search import facets, search
from search_app.query.spelling import suggest
from search_app.web.analytics.clicks import ResultPages
from search_app.web.errors import index_unavailable
from search_app.web.index_handle import IndexHandle, OpenSnapshot
from search_app.web.operations import note_question
from search_app.web.problems import problem
from search_app.web.queries import BadRequest, read_history, read_int, read_kind, read_publisher, read_query
from search_app.web.result_cache import ResultCache

bp = Blueprint("api", __name__)


def current_snapshot() -> OpenSnapshot:
    """The snapshot this worker serves from."""
    handle: IndexHandle = current_app.extensions["sok_index"]
    return handle.get()


@bp.errorhandler(BadRequest)
def bad_request(error: BadRequest):
    return problem("invalid-parameter", error.message, error.english, error.parameter)


@bp.errorhandler(SnapshotError)
def no_index(error: SnapshotError):
    """No snapshot can be served: 503 with Retry-After (the worker logs each reason once, not per request)."""
    return index_unavailable()


def cached_json(snap: OpenSnapshot, key: tuple, compute: Callable[[], dict]) -> tuple[Response, dict]:
    """A JSON response for ``key``: from this worker's result cache, or computed and kept.

    ``X-Sok-Cache`` says which (``hit`` or ``miss``); a partial result is not kept. Also
    returns the answer's ``total`` and ``answered`` for the statistics: they are kept in
    the cache entry after the body, so a cached answer need not be parsed again.
    """
    cache: ResultCache = current_app.extensions["sok_results"]

    def body() -> tuple[bytes, bool]:
        payload = compute()
        summary = {"total": payload.get("total", len(payload.get("passages", []))),
                   "answered": int(bool(payload.get("answer")))}
        return current_app.json.dumps(payload).encode() + b"\n" + json.dumps(summary).encode(), \
            not payload.get("partial", False)

    data, hit = cache.cached(snap.folder, key, body)
    data, _, summary_line = data.rpartition(b"\n")
    summary = json.loads(summary_line)
    response = Response(data, mimetype="application/json")
    response.headers["X-Sok-Cache"] = "hit" if hit else "miss"
    return response, summary


@bp.get("/api/v1/search")
@bp.get("/api/search")
def api_search():
    config = current_app.config
    query = read_query(request.args.get("q"))
    limit = read_int(request.args, "limit", int(config["DEFAULT_LIMIT"]), 1, int(config["MAX_LIMIT"]))
    offset = read_int(request.args, "offset", 0, 0, int(config["MAX_OFFSET"]))
    publisher = read_publisher(request.args)
    kind = read_kind(request.args)
    snap = current_snapshot()

    def compute() -> dict:
        result = search(snap, query, limit=limit, offset=offset, publisher=publisher, time_limit_s=time_limit_s(),
                        kind=kind)
        return {
            "query": result.query,
            "total": result.total,
            "partial": result.partial,
            "suggestion": suggest(snap, query, result.lexical_best),
            "results": [p.as_dict() for p in result.passages],
            "facets": facets(snap, query),
        }

    response, summary = cached_json(snap, ("search", query, limit, offset, publisher, kind), compute)
    record_search("search", query, summary["total"])
    return response


def time_limit_s() -> float | None:
    """The per-query time limit from QUERY_TIMEOUT_MS (0 means none)."""
    milliseconds = float(current_app.config["QUERY_TIMEOUT_MS"])
    return milliseconds / 1000 if milliseconds > 0 else None


@bp.route("/api/v1/ask", methods=["GET", "POST"])
@bp.route("/api/ask", methods=["GET", "POST"])
def api_ask():
    if request.method == "POST":
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise BadRequest("body", 'Skicka JSON: {"q": "din fråga", "history": []}.',
                             'Send JSON: {"q": "your question", "history": []}.')
        question = read_query(body.get("q"))
        history = read_history(body.get("history"))
        publisher = read_publisher(body)
    else:
        question = read_query(request.args.get("q"))
        history = []
        publisher = read_publisher(request.args)
    config = current_app.config
    snap = current_snapshot()

    def compute() -> dict:
        result = ask(
            snap,
            question,
            history=history,
            passages=int(config["ANSWER_PASSAGES"]),
            min_confidence=float(config["MIN_ANSWER_CONFIDENCE"]),
            publisher=publisher,
            time_limit_s=time_limit_s(),
        )
        return {
            "question": result.question,
            "answer": result.answer.as_dict() if result.answer else None,
            "partial": result.partial,
            "suggestion": suggest(snap, question, result.lexical_best),
            "passages": [p.as_dict() for p in result.passages],
        }

    response, summary = cached_json(snap, ("ask", question, tuple(history), publisher), compute)
    record_search("ask", question, summary["total"], bool(summary["answered"]))
    return response


@bp.post("/api/v1/click")
@bp.post("/api/click")
def api_click():
    """Note that a result was opened (sent by the page with navigator.sendBeacon); answers 204.

    Only from Sök's own pages and the origins ALLOWED_ORIGINS names (403 otherwise), and only
    when ``url`` is one of the results of ``q`` in the index being served (404 otherwise).
    """
    if not click_origin_allowed():
        return problem("forbidden", "Klick räknas bara från Söks egna sidor och de webbplatser som "
                       "får använda sökrutan.", "Clicks are counted only from Sök's own pages and the sites "
                       "allowed to embed the search box (ALLOWED_ORIGINS).", "Origin")
    body = request.get_json(force=True, silent=True)  # a beacon's body comes as text/plain
    if not isinstance(body, dict):
        raise BadRequest("body", 'Skicka JSON: {"q": "frågan", "url": "länken som öppnades"}.',
                         'Send JSON: {"q": "the question", "url": "the link that was opened"}.')
    query = read_query(body.get("q"))
    url = body.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")) or len(url) > 2000:
        raise BadRequest("url", "url måste vara en webbadress (http eller https).",
                         "url must be a web address (http or https).")
    analytics = current_app.extensions.get("sok_analytics")
    if analytics is None:
        return "", 204
    checker: ResultPages = current_app.extensions.setdefault("sok_click_check", ResultPages())
    config = current_app.config
    page = checker.find(current_snapshot(), query, url, int(config["MAX_OFFSET"]) + int(config["MAX_LIMIT"]),
                        time_limit_s())
    if page is None:
        return problem("not-found", "Länken finns inte bland träffarna för den sökningen, så klicket räknas inte.",
                       "The link is not one of the results of that search, so the click is not counted.", "url")
    analytics.click(query, page)
    return "", 204


CLICK_PATHS = ("/api/click", "/api/v1/click")


def named_origins() -> set[str]:
    """The origins ALLOWED_ORIGINS lists by name (``*`` is not a name)."""
    return {item.strip() for item in str(current_app.config["ALLOWED_ORIGINS"]).split(",")} - {"", "*"}


def click_origin_allowed() -> bool:
    """Whether a click comes from Sök's own pages, a named origin, or no web page at all (no Origin)."""
    origin = request.headers.get("Origin")
    if origin is None or request.headers.get("Sec-Fetch-Site") == "same-origin" or origin in named_origins():
        return True
    try:
        return urlsplit(origin).netloc.lower() == request.host.lower()
    except ValueError:
        return False


def record_search(surface: str, query: str, results: int, answered: bool = False) -> None:
    """Count a search for the site owner's statistics (when analytics are on)."""
    if surface == "ask":
        note_question(answered)
    analytics = current_app.extensions.get("sok_analytics")
    if analytics is not None:
        analytics.search(surface, query, results, answered)


@bp.get("/api/v1/suggest")
@bp.get("/api/suggest")
def api_suggest():
    query = read_query(request.args.get("q"))
    completions = current_snapshot().completer.complete(query)
    return jsonify(query=query, suggestions=[{"text": c.text, "kind": c.kind, "url": c.url} for c in completions])


@bp.after_app_request
def allow_cross_origin(response):
    """CORS for the read-only JSON API, so that the widget works on other sites."""
    if not (request.path.startswith("/api/") or request.path == "/healthz"):
        return response
    allowed = str(current_app.config["ALLOWED_ORIGINS"]).strip()
    if request.path in CLICK_PATHS:  # a write: only origins named in ALLOWED_ORIGINS, never "*"
        allowed = ",".join(named_origins())
    origin = request.headers.get("Origin", "")
    if allowed == "*":
        response.headers["Access-Control-Allow-Origin"] = "*"
    elif origin and origin in {item.strip() for item in allowed.split(",")}:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.vary.add("Origin")
    else:
        return response
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
    return response


@bp.get("/api/v1/contacts")
@bp.get("/api/contacts")
def api_contacts():
    raw = request.args.get("q", "")
    query = read_query(raw) if raw.strip() else ""
    snap = current_snapshot()
    contacts = find_contacts(snap.contacts, query, snap.analyzer)
    fields = ("name", "role", "email", "phone", "publisher", "project", "url")
    return jsonify(contacts=[{name: getattr(c, name) for name in fields} for c in contacts])


@bp.get("/healthz")
def healthz():
    """200 while a snapshot is served (``degraded`` and ``problems`` when not the newest or not intact), else 503."""
    handle: IndexHandle = current_app.extensions["sok_index"]
    try:
        snap = handle.get()
    except SnapshotError:
        return index_unavailable()
    manifest = snap.manifest
    return jsonify(
        status="ok",
        documents=manifest.documents,
        sections=manifest.sections,
        index_built_at=manifest.built_at,
        mode="hybrid" if snap.semantic is not None else "lexical",
        encoder=manifest.encoder or None,
        **handle.health(),
    )
