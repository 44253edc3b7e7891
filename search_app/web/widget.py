"""The embeddable widget: /widget.js for other sites (and Sök's own page), /demo to try it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request

from indexer.language.questions import QUESTION_START

bp = Blueprint("widget", __name__)

#: Where widget.js stands for the words that open a question; the served script carries QUESTION_START there.
QUESTION_START_MARK = '"(?!)" /* sok:question-start */'
#: Seconds a browser or CDN may keep the script before asking again.
WIDGET_MAX_AGE_S = 300


@lru_cache(maxsize=2)
def widget_source(path: Path, modified_ns: int) -> bytes:
    """The widget's script at ``path`` (as last ``modified_ns``) with the question rule filled in."""
    source = path.read_text(encoding="utf-8")
    if QUESTION_START_MARK not in source:
        raise RuntimeError(f"{path} no longer marks where the question rule goes ({QUESTION_START_MARK})")
    return source.replace(QUESTION_START_MARK, json.dumps(QUESTION_START)).encode()


@bp.get("/widget.js")
def widget_js() -> Response:
    """The widget's script, for host sites to load (cached five minutes, answered 304 while unchanged)."""
    path = Path(str(current_app.static_folder)) / "widget.js"
    stat = path.stat()
    response = Response(widget_source(path, stat.st_mtime_ns), mimetype="text/javascript")
    response.cache_control.public = True
    response.cache_control.max_age = WIDGET_MAX_AGE_S
    response.last_modified = datetime.fromtimestamp(stat.st_mtime, UTC)
    response.add_etag()
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.make_conditional(request)
    return response


@bp.get("/demo")
def demo() -> str:
    """A page that shows how to embed the widget, with one to try."""
    origin = request.host_url.rstrip("/")
    return render_template("demo.html", origin=origin)
