"""Errors outside the endpoints' own checks: JSON under /api/, a Swedish page elsewhere."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

MESSAGES = {
    404: "Sidan finns inte.",
    405: "Den metoden stöds inte här.",
    413: "Förfrågan är för stor.",
}
FALLBACK = "Något gick fel. Försök igen om en stund."


def wants_json() -> bool:
    """Whether the failed request was made to the JSON API."""
    return request.path.startswith("/api/") or request.path == "/healthz"


def handle_http_error(error: HTTPException):
    status = error.code or 500
    message = MESSAGES.get(status, FALLBACK if status >= 500 else "Felaktig förfrågan.")
    if wants_json():
        return jsonify(error={"status": status, "message": message}), status
    return render_template("error.html", status=status, message=message), status


def handle_unexpected(error: Exception):
    from flask import current_app

    current_app.logger.exception("unhandled error")
    if wants_json():
        return jsonify(error={"status": 500, "message": FALLBACK}), 500
    return render_template("error.html", status=500, message=FALLBACK), 500


def init_app(app: Flask) -> None:
    """Register the error handlers on ``app``."""
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
