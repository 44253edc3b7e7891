"""Errors outside the endpoints' own checks: problem+json under /api/, a Swedish page elsewhere."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from search_app.problems import problem

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


def wants_json() -> bool:
    """Whether the failed request was made to the JSON API."""
    return request.path.startswith("/api/") or request.path == "/healthz"


def handle_http_error(error: HTTPException):
    status = error.code or 500
    message = MESSAGES.get(status, FALLBACK if status >= 500 else "Felaktig förfrågan.")
    if wants_json():
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


def handle_unexpected(error: Exception):
    current_app.logger.exception("unhandled error")
    if wants_json():
        return problem("server-error", FALLBACK, FALLBACK_EN)
    return render_template("error.html", status=500, message=FALLBACK), 500


def init_app(app: Flask) -> None:
    """Register the error handlers on ``app``."""
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
