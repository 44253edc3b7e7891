"""Errors outside the endpoints' own checks: problem+json under /api/, a Swedish page elsewhere."""

from __future__ import annotations

from flask import Flask, Response, current_app, g, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from indexer.engines.base import EngineError
from indexer.snapshot.layout import SnapshotError
from search_app.web.problems import is_api_request, problem

MESSAGES = {
    404: "Sidan finns inte.",
    405: "Den metoden stöds inte här.",
    413: "Förfrågan är för stor.",
}
#: The problem kind and English detail of each status the API can fail with here.
PROBLEM_KINDS = {
    404: ("not-found", "There is no such page."),
    405: ("method-not-allowed", "That method is not supported here."),
    413: ("too-large", "The request is too large."),
}
FALLBACK = "Något gick fel. Försök igen om en stund."
FALLBACK_EN = "Something went wrong. Try again in a while."
INDEX_UNAVAILABLE = ("Sökindexet är inte tillgängligt just nu. Försök igen om en stund.",
                     "The search index is not available right now. Try again in a while.")
#: Seconds a client is asked to wait (Retry-After) when the index cannot answer.
INDEX_RETRY_AFTER_S = 2


def handle_http_error(error: HTTPException) -> Response:
    """An HTTP error (404, 405, 413 …): problem+json for the API, the Swedish error page elsewhere."""
    status = error.code or 500
    message = MESSAGES.get(status, FALLBACK if status >= 500 else "Felaktig förfrågan.")
    if is_api_request(operators=True):
        kind, english = PROBLEM_KINDS.get(status, ("server-error", FALLBACK_EN) if status >= 500
                                          else ("invalid-parameter", "Bad request."))
        response = problem(kind, message, english, status=status)
    else:
        response = current_app.make_response((render_template("error.html", status=status, message=message),
                                              status))
    valid_methods = getattr(error, "valid_methods", None)
    if status == 405 and valid_methods:  # RFC 9110: a 405 says which methods the resource has
        response.headers["Allow"] = ", ".join(sorted(valid_methods))
    return response


def handle_unexpected(error: Exception) -> ResponseReturnValue:
    """Any other exception: logged with its traceback, answered as a 500 without details."""
    current_app.logger.exception("unhandled error")
    if is_api_request(operators=True):
        return problem("server-error", FALLBACK, FALLBACK_EN)
    return render_template("error.html", status=500, message=FALLBACK), 500


def index_unavailable() -> Response:
    """503 with Retry-After: problem+json for the API (and /readyz, /metrics), the Swedish page elsewhere."""
    if is_api_request(operators=True):
        response = problem("index-unavailable", *INDEX_UNAVAILABLE)
    else:
        response = current_app.make_response((render_template("error.html", status=503,
                                                               message=INDEX_UNAVAILABLE[0]), 503))
    response.headers["Retry-After"] = str(INDEX_RETRY_AFTER_S)
    return response


def handle_engine_error(error: EngineError) -> Response:
    """The search engine failed reading the index (a damaged file): never a 500.

    The worker has checked the snapshot again by now; when it moved to another
    snapshot, the request is answered once more from that one. Otherwise 503.
    """
    handle = current_app.extensions.get("sok_index")
    failed_on = getattr(error, "snapshot", None)
    if (handle is not None and failed_on is not None and handle.serving() not in (None, failed_on)
            and request.endpoint in current_app.view_functions and not g.get("sok_answered_again")):
        g.sok_answered_again = True
        current_app.logger.warning("search engine failed on %s; answering from %s", failed_on.name,
                                   handle.serving().name)
        try:
            view = current_app.view_functions[request.endpoint]
            return current_app.make_response(current_app.ensure_sync(view)(**(request.view_args or {})))
        except (EngineError, SnapshotError) as again:
            current_app.logger.error("search engine failed: %s", again)
            return index_unavailable()
    current_app.logger.error("search engine failed: %s", error)
    return index_unavailable()


def init_app(app: Flask) -> None:
    """Register the error handlers on ``app``."""
    app.register_error_handler(EngineError, handle_engine_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
