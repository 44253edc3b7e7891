"""The answer card as the page renders it: the sentence around its fact, the source, and honest confidence words.

The confidence wording lives here only: the page and the chat (which shows turns the server renders, see
``templates/turn.html``) word the card from this table, and the widget shows no confidence words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from indexer.fields import SwedishAnalyzer
from indexer.language.analysis import words
from indexer.language.questions import is_follow_up, opens_question
from search_app.answer.ask import Answer
from search_app.query.search import Passage
from search_app.web.card_strings import SWEDISH, card_language, card_strings, from_page
from search_app.wording import site_of, swedish_date

#: (lowest confidence, words) from the surest down. The steps rest on how often an answer held the gold
#: answer on SweQUAD-MC training (``evaluation/confidence_study.py``; the table, with dev, in docs/quality.md).
CONFIDENCE_WORDING = (
    (0.9, "Svaret passar frågan väl."),
    (0.5, "Svaret passar troligen frågan. Kontrollera gärna i källan."),
    (0.0, "Osäkert svar. Kontrollera i källan."),
)
#: The surest step each shape of question may be worded at: a search of a word or two says too little about
#: what is asked to be "well" answered (on SweQUAD-MC training, hybrid, its answers from 0.9 held the gold
#: answer 62 % of the time, a question's 84 %; docs/quality.md), and a follow-up with no earlier question to
#: borrow from even less.
SUREST_STEP = {"question": 0, "keywords": 1, "orphan": 2}
#: A keyword search shows the card above its results only from this confidence (it "clearly answers"): on
#: training (hybrid) its answers held the gold answer 62 % of the time from 0.9, 48 % from 0.5 and 27 % below.
KEYWORD_CARD_MIN = 0.9
#: At most this many words without a question word or "?" make a keyword search.
KEYWORD_WORDS = 2



def question_shape(question: str, context: str, analyzer: SwedishAnalyzer) -> str:
    """``keywords`` (a word or two, no question word, no "?"), ``orphan`` (a follow-up with no subject to
    borrow: ``context`` is empty) or ``question``."""
    text = question.strip()
    if not opens_question(text) and len(words(text)) <= KEYWORD_WORDS:
        return "keywords"
    if not context and is_follow_up(text, analyzer):
        return "orphan"
    return "question"


def confidence_wording(confidence: float, shape: str = "question") -> str:
    """The confidence in words a reader can act on, never surer than ``shape`` allows."""
    step = next((i for i, (lowest, _) in enumerate(CONFIDENCE_WORDING) if confidence >= lowest),
                len(CONFIDENCE_WORDING) - 1)
    return CONFIDENCE_WORDING[max(step, SUREST_STEP.get(shape, 0))][1]


def shows_card(confidence: float, shape: str) -> bool:
    """Whether the card goes above the results: always for questions, for a keyword search when it clearly answers."""
    return shape != "keywords" or confidence >= KEYWORD_CARD_MIN


@dataclass(frozen=True)
class AnswerCard:
    """What the page shows of an answer: the sentence cut around its fact (``fact`` may be empty)."""

    before: str
    fact: str
    after: str
    url: str | None
    source: str
    confidence: str
    publisher: str = ""
    site: str = ""
    #: "3 maj 2024", the page's date in Swedish ("" when the corpus does not know it).
    date: str = ""
    #: The question's language: the card's own words are in it (``card_strings``), the answer stays Swedish.
    language: str = SWEDISH

    @property
    def lang(self) -> str:
        """The language of the card's own words (``lang`` on the card)."""
        return card_language(self.language)

    @property
    def dir(self) -> str:
        """The direction of the card's own words: "rtl" for Arabic and Persian (``dir`` on the card)."""
        return card_strings(self.language)["dir"]

    @property
    def label(self) -> str:
        """The card's accessible name ("Svar", "Answer", "الإجابة" …)."""
        return card_strings(self.language)["label"]

    @property
    def source_word(self) -> str:
        """"Källa:" in the card's language."""
        return card_strings(self.language)["source"]

    @property
    def from_page(self) -> str:
        """For a question in another language: that the answer is in Swedish, and whose page it is from."""
        return "" if self.language == SWEDISH else from_page(self.language, self.publisher)


def answer_card(answer: Answer | None, passages: Sequence[Passage] = (), shape: str = "question",
                language: str = SWEDISH) -> AnswerCard | None:
    """The card for ``answer`` (None for none) to a question in ``language``; its publisher and date come from its
    passage among ``passages``. A card for a question in another language says so in that language and
    ``card_strings``' check line stands for the Swedish confidence words."""
    if answer is None:
        return None
    data = answer.as_dict()
    before, fact, after = split_at_fact(answer.text, data.get("highlight"))
    page = answer.url.split("#", 1)[0]
    passage = next((p for p in passages if p.url.split("#", 1)[0] == page), None)
    wording = confidence_wording(answer.confidence, shape) if language == SWEDISH else card_strings(language)["check"]
    return AnswerCard(before, fact, after, safe_url(answer.url), answer.label, wording,
                      passage.publisher if passage else "", site_of(answer.url),
                      swedish_date(passage.published) if passage else "", language)


def split_at_fact(text: str, highlight: Mapping | None) -> tuple[str, str, str]:
    """``text`` as (before, fact, after) by the highlight's offsets in code points; ("text", "", "") without one."""
    if not highlight:
        return text, "", ""
    start, end = highlight.get("start"), highlight.get("end")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        return text, "", ""
    if text[start:end] != highlight.get("text"):
        return text, "", ""
    return text[:start], text[start:end], text[end:]


def safe_url(url: str) -> str | None:
    """``url`` when it is a web address (http or https), else None: the card shows no link then."""
    return url if url.startswith(("http://", "https://")) else None
