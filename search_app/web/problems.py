"""API errors in one shape: ``application/problem+json`` (RFC 9457), and which requests get it.

Every error the JSON API gives has ``type`` (a link to its description in the
API documentation), ``title`` (the kind of problem, in English, stable for
programs), ``status``, ``detail`` (Swedish, for people), ``detail_en`` (the
same in English) and, when one request parameter is to blame, ``parameter``.

The API is everything under ``/api/`` and the health check ``/healthz`` (what
widgets, other sites and monitors read). The operators' endpoints ``/readyz``
and ``/metrics`` answer JSON or text for machines too, so their errors are
problem+json, but they are not offered to other web pages. Errors are decided
by path, not by blueprint, because a path no route has (a 404) has no blueprint.
"""

from __future__ import annotations

import json

from flask import Response, current_app, request

#: The API's paths outside /api/.
API_PATHS = ("/healthz",)
#: The operators' endpoints: machine-read, not part of the cross-origin API.
OPERATOR_PATHS = ("/readyz", "/metrics")
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


def is_api_request(*, operators: bool = False) -> bool:
    """Whether this request is for the JSON API; with ``operators``, for /readyz and /metrics too."""
    path = request.path
    return path.startswith("/api/") or path in API_PATHS or (operators and path in OPERATOR_PATHS)
