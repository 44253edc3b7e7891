"""Answers: the sentence or sentences of the best passage that answer a question.

A question about a contact person is answered by the contact whose project
carries the question's words (:mod:`search_app.answer.contacts`), else by the
contact section its subject leads to (its person, or, when it names no one,
saying so), else by a passage that names a person, a body or a way to reach
someone (never by a sentence that names none); any other
by the span of sentences of the top passages that the learned chooser ranks
first (:mod:`search_app.answer.sentences`). The answer's confidence is the
span's coverage of the question's words (or its meaning share); below
``MIN_ANSWER_CONFIDENCE`` there is no answer, and a passage that shares no
word with the question is never an answer. An answer carries its exact fact,
the span of its text that answers the question
(:mod:`search_app.answer.fact`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from indexer.ranking_profile import PROFILE
from indexer.sections.contacts import Contact
from search_app.answer.contacts import (
    best_contact,
    best_contact_section,
    describe_contact,
    describe_missing_contact,
    names_a_contact,
)
from search_app.answer.crosslingual import crosslingual_answer
from search_app.answer.fact import Highlight, fact_at, find_highlight
from search_app.answer.fact.highlight import read_highlight
from search_app.answer.followups import with_context
from search_app.answer.matching import term_weights
from search_app.answer.reader import answer_reader
from search_app.answer.sentences import AskedQuestion, best_span
from search_app.query.labels import source_label
from search_app.query.language import SWEDISH, is_swedish
from search_app.query.links import deep_link
from search_app.query.question import Question, read_question
from search_app.query.search import Passage, search
from search_app.query.snapshot import OpenSnapshot

#: The default of the MIN_ANSWER_CONFIDENCE setting: below it no answer is given.
MIN_ANSWER_CONFIDENCE = PROFILE.answer.min_confidence
#: The default of the ANSWER_PASSAGES setting: passages returned with an answer.
ANSWER_PASSAGES = PROFILE.answer.passages
#: Question kinds that a contact person may answer (when no publisher is chosen).
CONTACT_KINDS = ("contact", "person", "who")


@dataclass(frozen=True)
class Answer:
    """The answering text and where it comes from."""

    text: str
    url: str
    title: str
    section: str
    confidence: float
    #: The span of ``text`` that answers the question, or None when no span clearly does.
    highlight: Highlight | None = None
    #: How readers see the source named: "page title › section" (``query.labels.source_label``).
    label: str = ""

    def as_dict(self) -> dict:
        """The JSON shape of an answer."""
        data = asdict(self)
        data["confidence"] = round(self.confidence, 3)
        return data


@dataclass(frozen=True)
class AskResult:
    """An answer (or None) and the passages it was drawn from."""

    question: str
    answer: Answer | None
    passages: list[Passage]
    partial: bool = False
    #: The engine's best score for the words alone (see ``SearchResult.lexical_best``).
    lexical_best: float = 0.0
    #: The language the question is asked in (``query.language.question_language``): "sv" unless clearly another.
    language: str = SWEDISH


def ask(
    snap: OpenSnapshot,
    question: str,
    history: list[str] | None = None,
    passages: int = ANSWER_PASSAGES,
    min_confidence: float = MIN_ANSWER_CONFIDENCE,
    publisher: str | None = None,
    time_limit_s: float | None = None,
) -> AskResult:
    """Answer ``question`` from the snapshot, with supporting passages.

    A follow-up that lacks its subject ("och när pågick det?", "vem är
    kontakt där?") borrows it from the latest earlier question that had one:
    both are searched together, the follow-up's own words weighing more.
    """
    read = read_question(question, snap.analyzer, history)
    result = search(snap, read.searched, limit=passages, publisher=publisher, time_limit_s=time_limit_s,
                     exact_total=False)
    language = result.language  # read once, by the search: retrieval and answer agree on it
    answer = None
    if read.kind in CONTACT_KINDS and not publisher:
        answer = contact_answer(snap, f"{question} {read.context}")
    if answer is None and read.kind == "contact":
        answer = contact_section_answer(snap, f"{question} {read.context}", result.passages)
    if answer is None:
        # The search encoded the question unless its time ran out: then the answer goes without meaning too.
        if snap.semantic is not None and not result.partial:
            read = read.with_vector(snap.semantic.query_vector(read.searched))
        if is_swedish(language):
            answer = passage_answer(snap, read, result.passages)
        else:
            answer = foreign_answer(snap, read, language, result.passages)
    if answer is not None and answer.confidence < min_confidence:
        answer = None
    return AskResult(question, answer, result.passages, result.partial, result.lexical_best, language)


def foreign_answer(snap: OpenSnapshot, question: Question, language: str, passages: list[Passage]) -> Answer | None:
    """The answer to a question in another language than Swedish, by meaning (:mod:`search_app.answer.crosslingual`)."""
    found = crosslingual_answer(snap, question.searched, language, question.vector, passages)
    if found is None:
        return None
    passage = found.passage
    fact = Highlight(found.text[found.fact[0] : found.fact[1]], *found.fact) if found.fact else None
    return Answer(found.text, deep_link(_page_url(passage), found.text, kind=passage.kind), passage.title,
                  passage.section, found.confidence, fact, passage.label)


def passage_answer(snap: OpenSnapshot, question: Question, passages: list[Passage]) -> Answer | None:
    """The best answering span of sentences among the top passages, or None."""
    span = best_span(snap, asked_question(snap, question), passages, question.vector, question=question.searched)
    if span is None:
        return None
    passage = span.passage
    link = deep_link(_page_url(passage), span.text[span.answer_start :], kind=passage.kind)
    fact = exact_fact(snap, question, span.text, span.answer_start, passage)
    if question.kind == "contact" and fact is None and not names_a_contact(span.text):
        return None  # asked whom to contact: a sentence naming no one, no body and no way to reach anyone is no answer
    return Answer(span.text, link, passage.title, passage.section, span.confidence, fact, passage.label)


def exact_fact(snap: OpenSnapshot, question: Question, text: str, answer_start: int,
               passage: Passage) -> Highlight | None:
    """The exact fact of an answer ``text`` from ``passage``: the words the answer reader's span head marks
    (:func:`read_highlight`); for a question about a contact, or without the reader, the best fact candidate
    (:func:`find_highlight`). A question that asks for no fact (how something is done, key words) has none."""
    reader = answer_reader() if question.kind != "contact" else None
    if reader is not None and reader.reads_facts:
        return read_highlight(reader, question, passage, text, answer_start) if question.asks_fact else None
    return find_highlight(question, text, snap.analyzer, answer_start, facts_only=question.kind == "contact",
                          known=passage.words)


def asked_question(snap: OpenSnapshot, question: Question) -> AskedQuestion:
    """What the sentences are scored against: the question's term weights in this snapshot, its kind and focus."""
    weights = with_context(term_weights(snap, list(question.terms)), term_weights(snap, list(question.context_terms)))
    return AskedQuestion(weights, question.kind, question.focus)


def contact_answer(snap: OpenSnapshot, question: str) -> Answer | None:
    """Answer "vem är kontaktperson för X" with the contact person of X."""
    found = best_contact(snap, question)
    if found is None:
        return None
    return _person_answer(*found)


def _person_answer(contact: Contact, share: float) -> Answer:
    """The contact person as an answer, their name the fact."""
    text = describe_contact(contact)
    return Answer(text, deep_link(contact.url, contact.name), contact.title, contact.project, share,
                  fact_at(text, contact.name), source_label(contact.title, [contact.title, contact.project]))


def contact_section_answer(snap: OpenSnapshot, question: str, passages: list[Passage]) -> Answer | None:
    """Answer "vem ska jag kontakta om X" from X's contact section: its person, or that it names no one (in Swedish)."""
    found = best_contact_section(snap, question, passages)
    if found is None:
        return None
    passage, share = found.passage, found.share
    if found.contact is not None:
        return _person_answer(found.contact, share)
    above = passage.heading_path[-2] if len(passage.heading_path) > 1 else passage.title
    link = deep_link(_page_url(passage), above, kind=passage.kind, until=passage.section)
    return Answer(describe_missing_contact(passage), link, passage.title, passage.section, share, None,
                  passage.label)


def _page_url(passage: Passage) -> str:
    """The passage's page address without a text fragment."""
    return passage.url.split("#:~:", 1)[0].split(":~:", 1)[0]
