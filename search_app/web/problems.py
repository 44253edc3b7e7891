"""API errors in one shape: ``application/problem+json`` (RFC 9457).

Every error the JSON API gives has ``type`` (a link to its description in the
API documentation), ``title`` (the kind of problem, in English, stable for
programs), ``status``, ``detail`` (Swedish, for people), ``detail_en`` (the
same in English) and, when one request parameter is to blame, ``parameter``.
"""

from __future__ import annotations

import json

from flask import Response, current_app

PROBLEM_TYPE_BASE = "/api/docs#problem-"
#: Each kind of problem: its status and title.
PROBLEMS: dict[str, tuple[int, str]] = {
    "invalid-parameter": (400, "Invalid request parameter"),
    # Refused by the server before the app reads the request (search_app/web/worker.py): a request
    # line that is not HTTP (raw non-ASCII bytes in the address), or over the size limits.
    "bad-request": (400, "Malformed request"),
    "uri-too-long": (414, "Request address too long"),
    "headers-too-large": (431, "Request headers too large"),
    "not-implemented": (501, "Not implemented"),
    "forbidden": (403, "Forbidden"),
    "not-found": (404, "Not found"),
    "method-not-allowed": (405, "Method not allowed"),
    "too-large": (413, "Request body too large"),
    "too-many-requests": (429, "Too many requests"),
    "server-error": (500, "Internal error"),
    "index-unavailable": (503, "Search index unavailable"),
}


def problem(kind: str, detail: str, detail_en: str, parameter: str | None = None,
            status: int | None = None) -> Response:
    """A problem+json response of ``kind`` with Swedish and English details."""
    default_status, title = PROBLEMS[kind]
    status = status or default_status
    body = {"type": PROBLEM_TYPE_BASE + kind, "title": title, "status": status,
            "detail": detail, "detail_en": detail_en}
    if parameter:
        body["parameter"] = parameter
    return current_app.response_class(json.dumps(body, ensure_ascii=False), status=status,
                                      mimetype="application/problem+json")
