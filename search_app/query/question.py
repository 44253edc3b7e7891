"""One reading of a question, made once per request and passed to search, answer and highlight.

The rules it applies are Swedish and live in :mod:`indexer.language.questions`;
this module only gathers what they say about one question: its kind, the slot
around its question word, its focus term, its analysed terms, the earlier
question a follow-up borrows its subject from, and (on a semantic snapshot)
its vector.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from indexer.fields import SwedishAnalyzer
from indexer.language.questions import Slot, asks_for_fact, focus_term, is_follow_up, question_slot, question_type

#: Question kinds whose focus term ("vilka *kommuner*", "hur många *pilotprojekt*") the answer should hold.
FOCUS_KINDS = ("list", "number", "amount")


@dataclass(frozen=True)
class Question:
    """What a question asks, read once."""

    #: The question as asked.
    text: str
    #: The kind of answer it asks for (``indexer.language.questions.question_type``).
    kind: str
    #: The words around its question word.
    slot: Slot
    #: The analysed term of the noun its question word asks about, for FOCUS_KINDS ("" otherwise).
    focus: str
    #: Whether it asks for a fact (a highlight may mark one), not how something is done.
    asks_fact: bool
    #: Its analysed terms, as the snapshot's analyzer makes them.
    terms: tuple[str, ...]
    #: The earlier question a follow-up borrows its subject from ("" when it stands alone), and its terms.
    context: str = ""
    context_terms: tuple[str, ...] = ()
    #: The encoder's vector of ``searched`` (None on a lexical-only snapshot).
    vector: np.ndarray | None = None

    @property
    def searched(self) -> str:
        """What is searched for: a follow-up together with the question it borrows from."""
        return f"{self.text} {self.context}" if self.context else self.text

    def with_vector(self, vector: np.ndarray | None) -> Question:
        """The same reading with the question's vector."""
        return replace(self, vector=vector)


def read_question(text: str, analyzer: SwedishAnalyzer, history: list[str] | None = None) -> Question:
    """Read ``text`` asked after ``history`` (earlier questions of a chat, newest last) with ``analyzer``."""
    context = subject_context(text, history or [], analyzer)
    kind = question_type(text)
    slot = question_slot(text, analyzer)
    if (kind == "other" and slot.asks_who) or (kind == "list" and slot.subject_who):
        kind = "who"  # "vilken myndighet beslutar …", "vilka ska bevaka …": a person or a body
    return Question(
        text=text,
        kind=kind,
        slot=slot,
        focus=focus_term(text, analyzer) if kind in FOCUS_KINDS else "",
        asks_fact=asks_for_fact(text),
        terms=tuple(analyzer.terms(text)),
        context=context,
        context_terms=tuple(analyzer.terms(context)) if context else (),
    )


def subject_context(question: str, history: list[str], analyzer: SwedishAnalyzer) -> str:
    """The earlier question a follow-up refers to, or "" when ``question`` stands alone."""
    if not history or not is_follow_up(question, analyzer):
        return ""
    for earlier in reversed(history):
        if not is_follow_up(earlier, analyzer):
            return earlier
    return ""
