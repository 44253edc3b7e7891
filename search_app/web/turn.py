"""One turn of the conversation as the page shows it: the question, its answer card and its full result list.

The page without JavaScript renders the turn of its ``?q=`` (and ``efter``, the earlier question a follow-up
borrows its subject from); the chat asks ``POST /tur`` for each new turn and gets the same template's HTML,
so both modes show one result view, with filters and paging.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import current_app

from search_app.answer.ask import ask
from search_app.query.language import is_swedish
from search_app.query.search import SearchResult, facets, search
from search_app.query.snapshot import OpenSnapshot
from search_app.query.spelling import suggest
from search_app.web.answer_card import AnswerCard, answer_card, question_shape, shows_card
from search_app.web.card_strings import SWEDISH, card_language, card_strings
from search_app.web.request_context import ChatQuestion, chat_question, record_search, time_limit_s

PAGE_SIZE = 10


@dataclass
class Turn:
    """What one turn shows; ``number`` makes its element ids unique in a conversation."""

    asked: ChatQuestion
    number: int = 1
    page: int = 1
    publisher: str | None = None
    kind: str | None = None
    result: SearchResult | None = None
    card: AnswerCard | None = None
    shape: str = "question"
    suggestion: str | None = None
    facets: dict[str, list[dict]] = field(default_factory=dict)
    #: The question's language ("sv" unless clearly another): the card and the no-answer line speak it.
    language: str = SWEDISH

    @property
    def no_answer(self) -> str:
        """That no sure answer was found, in the question's language."""
        return card_strings(self.language)["no_answer"]

    @property
    def lang(self) -> str:
        """The language of the turn's own words about a question in another language."""
        return card_language(self.language)

    @property
    def dir(self) -> str:
        """Their direction ("rtl" for Arabic and Persian)."""
        return card_strings(self.language)["dir"]

    @property
    def question(self) -> str:
        """The question as it was typed."""
        return self.asked.question

    @property
    def context(self) -> str:
        """The earlier question this follow-up borrows its subject from ("" for none)."""
        return self.asked.context

    def link(self, **changes: object) -> str:
        """The page's address of this turn with ``changes`` (``sida``, ``typ``, ``utgivare``; None drops one)."""
        params: dict[str, object] = {"q": self.question, "efter": self.context, "sida": self.page,
                                     "typ": self.kind, "utgivare": self.publisher}
        params.update(changes)
        if params["sida"] == 1:
            params["sida"] = None
        return "/?" + urlencode({name: value for name, value in params.items() if value})

    @property
    def first_rank(self) -> int:
        """The rank of this page's first result (11 on page 2)."""
        return (self.page - 1) * PAGE_SIZE + 1

    @property
    def has_next(self) -> bool:
        """Whether results follow after this page."""
        return self.result is not None and self.result.total > self.page * PAGE_SIZE

    @property
    def filtered(self) -> bool:
        """Whether a publisher or type filter narrows the results."""
        return bool(self.publisher or self.kind)


def answer_turn(snap: OpenSnapshot, question: str, history: list[str], page: int = 1, publisher: str | None = None,
                kind: str | None = None, number: int = 1) -> Turn:
    """The turn for ``question`` asked after ``history``: its results page and, on the first page, its card."""
    asked = chat_question(snap, question, history)
    turn = Turn(asked, number, page, publisher, kind, shape=question_shape(question, asked.context, snap.analyzer))
    turn.result = search(snap, asked.searched, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE,
                         time_limit_s=time_limit_s(), publisher=publisher, kind=kind)
    # A question in another language is not misspelt Swedish: no "Menade du".
    turn.suggestion = suggest(snap, question, turn.result.lexical_best) if is_swedish(turn.result.language) else None
    turn.facets = facets(snap, asked.searched)
    if page == 1 and kind is None:  # the card knows no type filter: a PDF-only list gets none
        config = current_app.config
        found = ask(snap, question, history=[asked.context] if asked.context else [],
                    passages=config["ANSWER_PASSAGES"], min_confidence=config["MIN_ANSWER_CONFIDENCE"],
                    publisher=publisher, time_limit_s=time_limit_s())
        turn.language = found.language
        if found.answer is not None and shows_card(found.answer.confidence, turn.shape):
            turn.card = answer_card(found.answer, found.passages, turn.shape, found.language)
        # Asked as a question too, so an unanswered question reaches the statistics' list.
        record_search("page-ask", asked.recorded, turn.result.total, turn.card is not None)
    else:
        record_search("page", asked.recorded, turn.result.total)
    return turn
