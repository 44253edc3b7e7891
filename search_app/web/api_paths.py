"""Which requests belong to the JSON API: the one place that says so.

The API is everything under ``/api/`` and the health check ``/healthz`` (what
widgets, other sites and monitors read: CORS and ``Sok-Api-Version`` apply).
The operators' endpoints ``/readyz`` and ``/metrics`` answer JSON or text for
machines too, so their errors are problem+json, but they are not offered to
other web pages.
"""

from __future__ import annotations

from flask import request

#: The API's paths outside /api/.
API_PATHS = ("/healthz",)
#: The operators' endpoints: machine-read, not part of the cross-origin API.
OPERATOR_PATHS = ("/readyz", "/metrics")


def is_api_request(*, operators: bool = False) -> bool:
    """Whether this request is for the JSON API; with ``operators``, for /readyz and /metrics too."""
    path = request.path
    return path.startswith("/api/") or path in API_PATHS or (operators and path in OPERATOR_PATHS)
