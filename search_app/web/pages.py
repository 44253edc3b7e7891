"""The Swedish web page: each turn rendered on the server, for the page's ``?q=`` and for the chat's ``POST /tur``."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, Response, current_app, render_template, request, send_from_directory
from flask.typing import ResponseReturnValue

from indexer.snapshot.layout import SnapshotError
from search_app.query.snapshot import OpenSnapshot
from search_app.web.cors import write_origin_allowed
from search_app.web.parameters import BadRequest, read_history, read_int, read_kind, read_publisher, read_query
from search_app.web.request_context import chat_question, current_snapshot
from search_app.web.turn import PAGE_SIZE, Turn, answer_turn
from search_app.wording import site_of

bp = Blueprint("pages", __name__)

UNAVAILABLE = "Sökindexet är inte tillgängligt just nu. Försök igen om en stund."
#: The publishers and sites of the snapshot being served (covered_sites), by snapshot folder.
_SEEN: dict[str, list[tuple[str, str]]] = {}


@bp.get("/")
def index() -> ResponseReturnValue:
    """The Swedish search page: empty, or the turn of ``q`` (``efter``: the question a follow-up borrows from;
    ``sida`` pages, ``utgivare`` and ``typ`` filter)."""
    raw = request.args.get("q", "")
    turn: Turn | None = None
    error, status = "", 200
    if raw.strip():
        try:
            turn = _turn(request.args, [request.args.get("efter", "")])
        except BadRequest as bad:
            error, status = bad.message, 400
        except SnapshotError:
            error, status = UNAVAILABLE, 503
    return render_template("index.html", q=raw, turn=turn, error=error, empty="q" in request.args and not raw.strip(),
                           **_help()), status


@bp.post("/tur")
def chat_turn() -> ResponseReturnValue:
    """One turn for the chat as HTML: JSON ``{"q", "history", "sida", "typ", "utgivare", "nr"}``."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        body = {}
    try:
        history = read_history(body.get("history"))
        turn = _turn(body, history)
    except BadRequest as bad:
        return render_template("turn_error.html", message=bad.message), 400
    except SnapshotError:
        return render_template("turn_error.html", message=UNAVAILABLE), 503
    return render_template("turn.html", turn=turn, **_help())


def _turn(args: Mapping[str, object], history: list[str]) -> Turn:
    """The turn the parameters ``args`` ask for (the page's names: ``q``, ``sida``, ``utgivare``, ``typ``, ``nr``)."""
    query = read_query(args.get("q"))
    page = read_int(_text(args), "sida", 1, 1, current_app.config["MAX_OFFSET"] // PAGE_SIZE)
    number = read_int(_text(args), "nr", 1, 1, 10_000)
    history = [item for item in history if item.strip()]
    return answer_turn(current_snapshot(), query, history, page, read_publisher(args, "utgivare"),
                       read_kind(args, "typ"), number)


def _text(args: Mapping[str, object]) -> dict[str, str]:
    """Parameters as text (a JSON body may send numbers)."""
    return {name: str(args.get(name) or "") for name in ("sida", "nr")}


def _help() -> dict:
    """What the page says around a turn: which sites it covers and where else to ask."""
    config = current_app.config
    try:
        sites = covered_sites(current_snapshot())
    except SnapshotError:
        sites = []
    return {"sites": sites, "contact_url": config["CONTACT_URL"], "contact_text": config["CONTACT_TEXT"]}


@bp.post("/svar")
def verdict() -> ResponseReturnValue:
    """The page's "Fick du svar på din fråga?" without JavaScript: a form posting ``q`` (and ``efter``) and ``svar``.

    Counted as ``POST /api/v1/feedback`` counts it (only from Sök's own pages, the question masked); the
    answer is a page that thanks and links back to the answer (not the answer again: that would count the
    question a second time).
    """
    raw, choice = request.form.get("q", ""), request.form.get("svar", "")
    if not write_origin_allowed():
        return render_template("thanks.html", q="", error="Svaret räknas bara från Söks egna sidor."), 403
    if choice not in ("ja", "nej") or not raw.strip():
        return render_template("thanks.html", q="", error="Välj Ja eller Nej under ett svar."), 400
    try:
        query = read_query(raw)
        history = read_history([request.form.get("efter", "")])
    except BadRequest as bad:
        return render_template("thanks.html", q="", error=bad.message), 400
    analytics = current_app.extensions.get("sok_analytics")
    if analytics is not None:
        analytics.feedback(chat_question(current_snapshot(), query, history).recorded, choice == "ja")
    return render_template("thanks.html", q=query, efter=history[0] if history else "", error="")


@bp.get("/tillganglighet")
def accessibility() -> ResponseReturnValue:
    """The accessibility statement (tillgänglighetsredogörelse), filled from settings."""
    config = current_app.config
    return render_template("accessibility.html", organisation=config["ORGANISATION"],
                           contact_url=config["CONTACT_URL"], contact_text=config["CONTACT_TEXT"],
                           reviewed=config["ACCESSIBILITY_REVIEWED"])


@bp.get("/favicon.ico")
def favicon() -> Response:
    """The browser's tab icon (browsers ask for it on every page)."""
    response = send_from_directory(current_app.static_folder or "static", "favicon.svg", mimetype="image/svg+xml")
    response.cache_control.max_age = 86400
    return response


def covered_sites(snap: OpenSnapshot) -> list[tuple[str, str]]:
    """(publisher, site) of every publisher in ``snap``, by name; read once per snapshot."""
    key = str(snap.folder)
    if key not in _SEEN:
        found: dict[str, str] = {}
        for record in snap.engine.records():
            publisher = record["publisher"] or site_of(record["url"])
            found.setdefault(publisher, site_of(record["url"]))
        _SEEN.clear()  # only the snapshot being served is kept
        _SEEN[key] = sorted(found.items(), key=lambda item: item[0].lower())
    return _SEEN[key]
