"""The site owner's statistics page, /admin/stats, behind a token from configuration."""

from __future__ import annotations

import hmac
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request

from search_app.analytics import read_stats

bp = Blueprint("admin", __name__)


def _authorised() -> bool:
    token = str(current_app.config["ADMIN_TOKEN"] or "")
    if not token:
        abort(404)  # no token configured: there is no admin page
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip() or request.args.get("token", "")
    return hmac.compare_digest(given.encode(), token.encode())


@bp.get("/admin/stats")
def stats():
    if not _authorised():
        response = current_app.make_response(render_template(
            "error.html", status=401, message="Du behöver en giltig nyckel för att se statistiken."))
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="sok-admin"'
        return response
    analytics = current_app.extensions.get("sok_analytics")
    if analytics is not None:
        analytics.flush()
    path = Path(str(current_app.config["ANALYTICS_DB"] or ""))
    summary = read_stats(path) if str(path) not in ("", ".") else None
    response = current_app.make_response(render_template("stats.html", stats=summary))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
