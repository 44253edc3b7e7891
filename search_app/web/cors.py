"""Cross-origin access to the API, so that the widget works on other sites.

Reading the API is open to the origins ``ALLOWED_ORIGINS`` lists (or to all with
``*``); a click or a verdict on an answer is a write, so it is accepted only from
Sök's own pages and the origins named there, never from ``*``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, current_app, request

#: The API's writes (to the statistics), and whether a page may send them: only from Sök's own pages and
#: origins named in ALLOWED_ORIGINS (the views' names, under either of the API's prefixes).
WRITE_VIEWS = ("api_click", "api_feedback", "api_feedback_allowed")


def named_origins() -> set[str]:
    """The origins ALLOWED_ORIGINS lists by name (``*`` is not a name)."""
    return {item.strip() for item in current_app.config["ALLOWED_ORIGINS"].split(",")} - {"", "*"}


def write_origin_allowed() -> bool:
    """Whether a write comes from Sök's own pages, a named origin, or no web page at all (no Origin)."""
    origin = request.headers.get("Origin")
    if origin is None or request.headers.get("Sec-Fetch-Site") == "same-origin" or origin in named_origins():
        return True
    try:
        return urlsplit(origin).netloc.lower() == request.host.lower()
    except ValueError:
        return False


def allow_cross_origin(response: Response) -> Response:
    """After an API request (the API's blueprints run it): CORS headers for the origins allowed to read it."""
    allowed = current_app.config["ALLOWED_ORIGINS"].strip()
    if (request.endpoint or "").rpartition(".")[2] in WRITE_VIEWS:  # only origins named, never "*"
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
