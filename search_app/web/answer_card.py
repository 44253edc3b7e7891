"""The answer card as the page renders it on the server: the sentence around its fact, the source, the confidence.

The chat (``static/chat.js``) builds the same card from /api/ask's JSON, with the DOM helpers of
``static/widget.js``; the confidence wording here and in chat.js's ``CONFIDENCE_WORDING`` are one
table (``tests/test_answer_card.py`` compares the page's card with the chat's).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from search_app.answer.ask import Answer

#: (lowest confidence, words) from the surest down: the confidence is the share of the question's
#: weight the answer covers, and no answer is given below MIN_ANSWER_CONFIDENCE. The steps follow how
#: often an answer held the gold answer on SweQUAD-MC training: 84 % from 0.9, 74 % from 0.5, 55 % below
#: (dev, not fitted on: 81 %, 70 %, 57 %); between 0.5 and 0.9 it hardly rises, so no step there.
CONFIDENCE_WORDING = (
    (0.9, "Svaret passar frågan väl."),
    (0.5, "Svaret passar troligen frågan. Kontrollera gärna i källan."),
    (0.0, "Osäkert svar. Kontrollera i källan."),
)


@dataclass(frozen=True)
class AnswerCard:
    """What the page shows of an answer: the sentence cut around its fact (``fact`` may be empty)."""

    before: str
    fact: str
    after: str
    url: str | None
    source: str
    confidence: str


def answer_card(answer: Answer | None) -> AnswerCard | None:
    """The card for ``answer`` (None for none); its ``highlight``, when missing or wrong, is left out."""
    if answer is None:
        return None
    data = answer.as_dict()
    before, fact, after = split_at_fact(answer.text, data.get("highlight"))
    return AnswerCard(before, fact, after, safe_url(answer.url), answer.label,
                      confidence_wording(answer.confidence))


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


def confidence_wording(confidence: float) -> str:
    """The confidence in words a reader can act on."""
    return next((words for lowest, words in CONFIDENCE_WORDING if confidence >= lowest), CONFIDENCE_WORDING[-1][1])


def safe_url(url: str) -> str | None:
    """``url`` when it is a web address (http or https), else None: the card shows no link then."""
    return url if url.startswith(("http://", "https://")) else None
