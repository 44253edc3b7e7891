"""The Swedish web page: search rendered on the server, chat through the JSON API."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue

from indexer.snapshot.layout import SnapshotError
from search_app.answer.ask import ask
from search_app.query.search import SearchResult, facets, search
from search_app.query.snapshot import OpenSnapshot
from search_app.query.spelling import suggest
from search_app.web.answer_card import AnswerCard, answer_card
from search_app.web.cors import write_origin_allowed
from search_app.web.queries import BadRequest, read_int, read_kind, read_publisher, read_query
from search_app.web.serving import current_snapshot, record_search, time_limit_s

bp = Blueprint("pages", __name__)

PAGE_SIZE = 10


@bp.get("/")
def index() -> ResponseReturnValue:
    """The Swedish search page: empty, or the results of ``q`` (``sida`` pages, ``utgivare`` and ``typ`` filter)."""
    raw = request.args.get("q", "")
    result: SearchResult | None = None
    suggestion = None
    error = ""
    status = 200
    page = 1
    publisher = kind = None
    counts: dict[str, list[dict]] = {}
    card: AnswerCard | None = None
    if raw.strip():
        try:
            query = read_query(raw)
            page = read_int(request.args, "sida", 1, 1, current_app.config["MAX_OFFSET"] // PAGE_SIZE)
            publisher = read_publisher(request.args, "utgivare")
            kind = read_kind(request.args, "typ")
            snap = current_snapshot()
            result = search(snap, query, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, time_limit_s=time_limit_s(),
                            publisher=publisher, kind=kind)
            suggestion = suggest(snap, query, result.lexical_best)
            counts = facets(snap, query)
            if page == 1 and kind is None:  # the chat's card knows no type filter: a PDF-only list gets none
                card = _answer(snap, query, publisher)
                # Asked as a question too, so an unanswered shared link reaches the statistics' list.
                record_search("page-ask", query, result.total, card is not None)
            else:
                record_search("page", query, result.total)
        except BadRequest as bad:
            error, status = bad.message, 400
        except SnapshotError:
            error, status = "Sökindexet är inte tillgängligt just nu. Försök igen om en stund.", 503
    return render_template("index.html", q=raw, result=result, error=error, page=page, page_size=PAGE_SIZE,
                           suggestion=suggestion, facets=counts, publisher=publisher, kind=kind,
                           filters=_filter_args(publisher, kind), card=card), status


@bp.post("/svar")
def verdict() -> ResponseReturnValue:
    """The page's "Fick du svar på din fråga?" without JavaScript: a form posting ``q`` and ``svar`` (ja / nej).

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
    except BadRequest as bad:
        return render_template("thanks.html", q="", error=bad.message), 400
    analytics = current_app.extensions.get("sok_analytics")
    if analytics is not None:
        analytics.feedback(query, choice == "ja")
    return render_template("thanks.html", q=query, error="")


def _answer(snap: OpenSnapshot, query: str, publisher: str | None) -> AnswerCard | None:
    """The card the chat would show for ``query`` as a first question, so a shared /?q= link answers it."""
    config = current_app.config
    result = ask(snap, query, passages=config["ANSWER_PASSAGES"], min_confidence=config["MIN_ANSWER_CONFIDENCE"],
                 publisher=publisher, time_limit_s=time_limit_s())
    return answer_card(result.answer)


def _filter_args(publisher: str | None, kind: str | None) -> str:
    """The active filters as query-string parameters to keep on paging links."""
    return urlencode({name: value for name, value in (("utgivare", publisher), ("typ", kind)) if value})
