"""The site owner's statistics page, /admin/stats, behind a token from configuration.

The token travels only in the ``Authorization`` header (``Bearer``, in any case), never in the
address, which access logs and browser histories keep. A client that sends wrong tokens gets
429 after ADMIN_FAILURES_PER_MINUTE of them (per worker), whatever the general rate limit.
"""

from __future__ import annotations

import hmac
import math
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask.blueprints import BlueprintSetupState

from indexer.budgets import ADMIN_FAILURES_PER_MINUTE
from search_app.web.analytics.stats import StatsUnavailable, read_stats
from search_app.web.security import RateLimiter, client_key

bp = Blueprint("admin", __name__)


@bp.record_once
def configure_analytics(state: BlueprintSetupState) -> None:
    """Give the app's analytics writer its retention (the writer is made before the blueprints), and the
    app its count of failed tokens per client (a bucket of ADMIN_FAILURES_PER_MINUTE, refilled at that rate)."""
    state.app.extensions["sok_admin_failures"] = RateLimiter(ADMIN_FAILURES_PER_MINUTE, ADMIN_FAILURES_PER_MINUTE)
    analytics = state.app.extensions.get("sok_analytics")
    if analytics is not None:
        analytics.retention_days = state.app.config["ANALYTICS_RETENTION_DAYS"]


def _failures() -> RateLimiter:
    return current_app.extensions["sok_admin_failures"]


def given_token() -> str:
    """The token of an ``Authorization: Bearer <token>`` header (the scheme in any case), or ""."""
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _authorised() -> bool:
    token = current_app.config["ADMIN_TOKEN"]
    if not token:
        abort(404)  # no token configured: there is no admin page
    if hmac.compare_digest(given_token().encode(), token.encode()):
        return True
    _failures().wait_s(client_key())  # one of this client's failures used up
    return False


def _too_many_failures() -> Response | None:
    """429 with Retry-After for a client that has sent too many wrong tokens lately, else None."""
    wait = _failures().wait_s(client_key(), consume=False)
    if not wait:
        return None
    response = _page("error.html", 429, status=429, message="För många felaktiga nycklar. Vänta en stund och "
                     "försök igen.")
    response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
    return response


def _page(template: str, code: int = 200, **context: Any) -> Response:
    response = current_app.make_response(render_template(template, **context))
    response.status_code = code
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/admin/stats")
def stats() -> Response:
    """The site owner's statistics: top searches, searches without results, unanswered questions."""
    if current_app.config["ADMIN_TOKEN"] and (refused := _too_many_failures()) is not None:
        return refused
    if not _authorised():
        response = _page("error.html", 401, status=401, message="Du behöver en giltig nyckel för att se statistiken.")
        response.headers["WWW-Authenticate"] = 'Bearer realm="sok-admin"'
        return response
    analytics = current_app.extensions.get("sok_analytics")
    if analytics is not None:
        analytics.flush()  # never raises: rows that cannot be written now stay buffered
    path = Path(current_app.config["ANALYTICS_DB"])
    try:
        summary = read_stats(path) if str(path) not in ("", ".") else None
    except StatsUnavailable as error:
        current_app.logger.warning("statistics unreadable: %s", error)
        response = _page("error.html", 503, status=503,
                         message="Statistiken går inte att läsa just nu. Försök igen om en stund.")
        response.headers["Retry-After"] = "10"
        return response
    return _page("stats.html", stats=summary)
