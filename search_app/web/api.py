"""The JSON API: search, ask, click, feedback, suggest and contacts, and /healthz.

``bp`` holds the API's endpoints without a prefix; the app registers it under
``/api/v1`` and again under ``/api`` (the unversioned alias). CORS comes with
the blueprints (``allow_cross_origin`` runs after their requests only).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from indexer.snapshot.layout import SnapshotError
from search_app.answer.ask import ask
from search_app.answer.contacts import find_contacts
from search_app.query.language import is_swedish
from search_app.query.search import facets, search
from search_app.query.spelling import suggest
from search_app.web.analytics.clicks import ResultPages
from search_app.web.caching import cached_json
from search_app.web.cors import allow_cross_origin, write_origin_allowed
from search_app.web.errors import index_unavailable
from search_app.web.index_handle import IndexHandle
from search_app.web.parameters import BadRequest, read_history, read_int, read_kind, read_publisher, read_query
from search_app.web.problems import problem
from search_app.web.request_context import chat_question, current_snapshot, record_search, time_limit_s

bp = Blueprint("api", __name__)
bp.after_request(allow_cross_origin)
#: /healthz: read by monitors and other sites like the API, but outside its prefixes.
health = Blueprint("health", __name__)
health.after_request(allow_cross_origin)


@bp.errorhandler(BadRequest)
def bad_request(error: BadRequest) -> Response:
    """A parameter is missing or out of range: 400 ``invalid-parameter`` naming it."""
    return problem("invalid-parameter", error.message, error.english, error.parameter)


@bp.errorhandler(SnapshotError)
def no_index(error: SnapshotError) -> Response:
    """No snapshot can be served: 503 with Retry-After (the worker logs each reason once, not per request)."""
    return index_unavailable()


@bp.get("/search")
def api_search() -> Response:
    """Ranked passages for ``q`` (with paging, filters, facets and a spelling suggestion)."""
    config = current_app.config
    query = read_query(request.args.get("q"))
    limit = read_int(request.args, "limit", config["DEFAULT_LIMIT"], 1, config["MAX_LIMIT"])
    offset = read_int(request.args, "offset", 0, 0, config["MAX_OFFSET"])
    publisher = read_publisher(request.args)
    kind = read_kind(request.args)
    snap = current_snapshot()

    def compute() -> dict:
        result = search(snap, query, limit=limit, offset=offset, publisher=publisher, time_limit_s=time_limit_s(),
                        kind=kind)
        return {
            "query": result.query,
            "total": result.total,
            "total_exact": result.total_exact,
            "partial": result.partial,
            "suggestion": suggest(snap, query, result.lexical_best),
            "results": [p.as_dict() for p in result.passages],
            "facets": facets(snap, query),
        }

    response, summary = cached_json(snap, ("search", query, limit, offset, publisher, kind), compute)
    if _counted():
        record_search("search", query, summary["total"])
    return response


@bp.route("/ask", methods=["GET", "POST"])
def api_ask() -> Response:
    """The answer to a question (GET, or POST with earlier questions as ``history``) and its passages."""
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
            passages=config["ANSWER_PASSAGES"],
            min_confidence=config["MIN_ANSWER_CONFIDENCE"],
            publisher=publisher,
            time_limit_s=time_limit_s(),
        )
        return {
            "question": result.question,
            "answer": result.answer.as_dict() if result.answer else None,
            "partial": result.partial,
            "suggestion": suggest(snap, question, result.lexical_best) if is_swedish(result.language) else None,
            "language": result.language,
            "passages": [p.as_dict() for p in result.passages],
        }

    response, summary = cached_json(snap, ("ask", question, tuple(history), publisher), compute)
    if _counted():
        asked = chat_question(snap, question, history)
        record_search("ask", asked.recorded, summary["total"], bool(summary["answered"]))
    return response


@bp.post("/click")
def api_click() -> ResponseReturnValue:
    """Note that a result was opened (sent by the page with navigator.sendBeacon); answers 204.

    Only from Sök's own pages and the origins ALLOWED_ORIGINS names (403 otherwise), and only
    when ``url`` is one of the results of ``q`` in the index being served (404 otherwise).
    """
    if not write_origin_allowed():
        return _other_origin("Klick räknas", "Clicks are counted")
    body, query, history = _beacon('"url": "länken som öppnades"', '"url": "the link that was opened"')
    url = body.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")) or len(url) > 2000:
        raise BadRequest("url", "url måste vara en webbadress (http eller https).",
                         "url must be a web address (http or https).")
    analytics = current_app.extensions.get("sok_analytics")
    if analytics is None:
        return "", 204
    checker: ResultPages = current_app.extensions.setdefault("sok_click_check", ResultPages())
    config = current_app.config
    snap = current_snapshot()
    asked = chat_question(snap, query, history)
    page = checker.find(snap, asked.searched, url, config["MAX_OFFSET"] + config["MAX_LIMIT"],
                        time_limit_s())
    if page is None:
        return problem("not-found", "Länken finns inte bland träffarna för den sökningen, så klicket räknas inte.",
                       "The link is not one of the results of that search, so the click is not counted.", "url")
    if body.get("searched") is False:  # typed in the widget and never submitted: the search counts now, once
        total = search(snap, asked.searched, limit=1, time_limit_s=time_limit_s()).total
        record_search("search", asked.recorded, total)
    analytics.click(asked.recorded, page)
    return "", 204


@bp.get("/feedback")
def api_feedback_allowed() -> Response:
    """Whether verdicts from the asking page's origin are taken (``{"allowed": true}``): the widget shows its
    "Fick du svar på din fråga?" buttons only then (origins are listed in ALLOWED_ORIGINS)."""
    return jsonify(allowed=write_origin_allowed())


def _counted() -> bool:
    """Whether this request counts in the statistics: not with ``count=0`` (the widget's search-as-you-type)."""
    return request.args.get("count", "").strip().lower() not in ("0", "false", "nej", "no")


@bp.post("/feedback")
def api_feedback() -> ResponseReturnValue:
    """Note whether an answer answered its question ("Fick du svar på din fråga?" Ja / Nej); answers 204.

    Only from Sök's own pages and the origins ALLOWED_ORIGINS names (403 otherwise). The question
    is stored masked (no identity numbers, e-mail addresses or phone numbers) and nothing else
    about who sent it.
    """
    if not write_origin_allowed():
        return _other_origin("Svar på frågan räknas", "Verdicts are counted")
    body, query, history = _beacon('"helpful": true eller false', '"helpful": true or false')
    helpful = body.get("helpful")
    if not isinstance(helpful, bool):
        raise BadRequest("helpful", "helpful måste vara true (Ja) eller false (Nej).",
                         "helpful must be true (yes) or false (no).")
    analytics = current_app.extensions.get("sok_analytics")
    if analytics is not None:
        analytics.feedback(chat_question(current_snapshot(), query, history).recorded, helpful)
    return "", 204


def _other_origin(counted_sv: str, counted_en: str) -> ResponseReturnValue:
    """403 for a click or a verdict from a web page that is neither Sök's own nor named in ALLOWED_ORIGINS."""
    return problem("forbidden", f"{counted_sv} bara från Söks egna sidor och de webbplatser som får använda "
                   "sökrutan.", f"{counted_en} only from Sök's own pages and the sites allowed to embed the search "
                   "box (ALLOWED_ORIGINS).", "Origin")


def _beacon(field_sv: str, field_en: str) -> tuple[dict, str, list[str]]:
    """The JSON body of a click or a verdict (a beacon sends it as text/plain), its question ``q`` and the
    ``history`` of earlier questions a chat's follow-up was asked after; 400 naming ``field_*`` otherwise."""
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise BadRequest("body", f'Skicka JSON: {{"q": "frågan", {field_sv}}}.',
                         f'Send JSON: {{"q": "the question", {field_en}}}.')
    return body, read_query(body.get("q")), read_history(body.get("history"))


@bp.get("/suggest")
def api_suggest() -> Response:
    """Search-as-you-type completions of ``q``, headings first."""
    query = read_query(request.args.get("q"))
    completions = current_snapshot().completer.complete(query)
    return jsonify(query=query, suggestions=[{"text": c.text, "kind": c.kind, "url": c.url} for c in completions])


@bp.get("/contacts")
def api_contacts() -> Response:
    """Contact persons named in the pages: those matching ``q``, all of them without it."""
    raw = request.args.get("q", "")
    query = read_query(raw) if raw.strip() else ""
    snap = current_snapshot()
    contacts = find_contacts(snap.contacts, query, snap.analyzer)
    fields = ("name", "role", "email", "phone", "publisher", "project", "url")
    return jsonify(contacts=[{name: getattr(c, name) for name in fields} for c in contacts])


@health.get("/healthz")
def healthz() -> Response:
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
