"""Answers: the sentence or sentences of the best passage that answer a question.

Sentences of the top passages are scored by how much of the question's
weight (IDF of its analysed terms) they cover, together with their heading,
and by whether they hold the kind of fact the question asks for (a year, a
number, a list, a person). The answer's confidence is that coverage; below
``MIN_ANSWER_CONFIDENCE`` there is no answer, and a passage that shares no
word with the question is never an answer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from indexer.analysis import terms
from indexer.contacts import Contact
from indexer.questions import offers, question_type
from indexer.text import split_sentences
from search_app.contacts import contact_terms, find_contacts
from search_app.index_handle import OpenSnapshot
from search_app.links import deep_link
from search_app.search import Passage, search

SENTENCE_PASSAGES = 3  # how many top passages are read sentence by sentence
HEADING_SHARE = 0.6  # credit for a question word found in the heading only
KIND_BONUS = 0.15
RANK_PENALTY = 0.04
SHORT_SENTENCE_WORDS = 7
CONTACT_COVERAGE = 0.6
GENERIC_CONTACT_WORDS = "kontakt kontakta kontaktperson kontaktpersoner ansvarig ansvariga person personen"


@dataclass(frozen=True)
class Answer:
    """The answering text and where it comes from."""

    text: str
    url: str
    title: str
    section: str
    confidence: float

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


def ask(
    snap: OpenSnapshot,
    question: str,
    history: list[str] | None = None,
    passages: int = 5,
    min_confidence: float = 0.3,
) -> AskResult:
    """Answer ``question`` from the snapshot, with supporting passages.

    When the question alone finds no answer and earlier questions are given,
    it is asked again together with the latest of them (a follow-up such as
    "och när pågick det?" borrows its subject from the question before).
    """
    result = answer_alone(snap, question, passages, min_confidence)
    if result.answer is None and history:
        combined = answer_alone(snap, f"{question} {history[-1]}", passages, min_confidence)
        if combined.answer is not None:
            return AskResult(question, combined.answer, combined.passages)
    return result


def answer_alone(snap: OpenSnapshot, question: str, passages: int, min_confidence: float) -> AskResult:
    """Answer one question without context."""
    result = search(snap, question, limit=passages)
    kind = question_type(question)
    answer = None
    if kind in ("contact", "person"):
        answer = contact_answer(snap, question)
    if answer is None:
        answer = passage_answer(snap, question, kind, result.passages)
    if answer is not None and answer.confidence < min_confidence:
        answer = None
    return AskResult(question, answer, result.passages)


def _weights(snap: OpenSnapshot, query_terms: list[str]) -> dict[str, float]:
    return {term: snap.engine.idf(term) for term in query_terms}


def coverage(weights: dict[str, float], found: set[str]) -> float:
    """The share of the question's weight that ``found`` terms carry."""
    total = sum(weights.values())
    return sum(weight for term, weight in weights.items() if term in found) / total if total else 0.0


def passage_answer(snap: OpenSnapshot, question: str, kind: str, passages: list[Passage]) -> Answer | None:
    """The best answering sentence among the top passages, or None."""
    weights = _weights(snap, terms(question))
    best: tuple[float, float, Passage, str] | None = None
    for rank, passage in enumerate(passages[:SENTENCE_PASSAGES]):
        heading_terms = set(terms(" ".join(passage.heading_path)))
        sentences = [s for paragraph in passage.text.split("\n\n") for s in split_sentences(paragraph)]
        for index, sentence in enumerate(sentences):
            sentence_terms = set(terms(sentence))
            if not sentence_terms & weights.keys() and not heading_terms & weights.keys():
                continue
            in_sentence = coverage(weights, sentence_terms)
            in_heading = coverage(weights, heading_terms - sentence_terms)
            confidence = min(1.0, in_sentence + HEADING_SHARE * in_heading)
            if not sentence_terms & weights.keys() and not offers(sentence, kind):
                confidence *= 0.5  # only the heading matches and the sentence adds nothing asked for
            score = confidence + KIND_BONUS * offers(sentence, kind) - RANK_PENALTY * rank - 0.002 * index
            if best is None or score > best[0]:
                text = _with_continuation(sentences, index)
                best = (score, confidence, passage, text)
    if best is None:
        return None
    _, confidence, passage, text = best
    return Answer(text, deep_link(_page_url(passage), text), passage.title, passage.section, confidence)


def _with_continuation(sentences: list[str], index: int) -> str:
    """A very short sentence is joined by the one that follows it."""
    text = sentences[index]
    if len(text.split()) < SHORT_SENTENCE_WORDS and index + 1 < len(sentences):
        text = f"{text} {sentences[index + 1]}"
    return text


def _page_url(passage: Passage) -> str:
    return passage.url.split("#:~:", 1)[0].split(":~:", 1)[0]


def contact_answer(snap: OpenSnapshot, question: str) -> Answer | None:
    """Answer "vem är kontaktperson för X" with the contact person of X."""
    generic = set(terms(GENERIC_CONTACT_WORDS))
    weights = _weights(snap, [term for term in terms(question) if term not in generic])
    for contact in find_contacts(snap.contacts, question):
        share = coverage(weights, contact_terms(contact)) if weights else 0.0
        if share >= CONTACT_COVERAGE:
            return Answer(describe_contact(contact), deep_link(contact.url, contact.name),
                          contact.title, contact.project, share)
    return None


def describe_contact(contact: Contact) -> str:
    """One Swedish sentence naming the person, role and how to reach them."""
    parts = [contact.name + (f", {contact.role}" if contact.role else "")]
    parts += [value for value in (contact.email, contact.phone) if value]
    about = f"Kontaktperson för {contact.project}: " if contact.project else "Kontaktperson: "
    return about + ", ".join(parts) + "."

