"""The site owner's statistics page, /admin/stats, behind a token from configuration."""

from __future__ import annotations

import hmac
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask.blueprints import BlueprintSetupState

from search_app.web.analytics.stats import StatsUnavailable, read_stats

bp = Blueprint("admin", __name__)


@bp.record_once
def configure_analytics(state: BlueprintSetupState) -> None:
    """Give the app's analytics writer its retention (the writer is made before the blueprints)."""
    analytics = state.app.extensions.get("sok_analytics")
    if analytics is not None:
        analytics.retention_days = state.app.config["ANALYTICS_RETENTION_DAYS"]


def _authorised() -> bool:
    token = current_app.config["ADMIN_TOKEN"]
    if not token:
        abort(404)  # no token configured: there is no admin page
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip() or request.args.get("token", "")
    return hmac.compare_digest(given.encode(), token.encode())


def _page(template: str, code: int = 200, **context):
    response = current_app.make_response(render_template(template, **context))
    response.status_code = code
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/admin/stats")
def stats() -> Response:
    """The site owner's statistics: top searches, searches without results, unanswered questions."""
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
