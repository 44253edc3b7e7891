"""The embeddable widget: /widget.js for other sites, /demo to try it."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request, send_from_directory

bp = Blueprint("widget", __name__)


@bp.get("/widget.js")
def widget_js() -> Response:
    """The widget's script, for host sites to load (cached five minutes)."""
    response = send_from_directory(str(current_app.static_folder), "widget.js", mimetype="text/javascript",
                                   max_age=300)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/demo")
def demo() -> str:
    """A page that shows how to embed the widget, with one to try."""
    origin = request.host_url.rstrip("/")
    return render_template("demo.html", origin=origin)
