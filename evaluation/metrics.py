"""Retrieval and answer quality: hit@1, hit@3, MRR@10 and no-answer accuracy.

Questions come in JSON Lines, one per line::

    {"question": "...", "expect_urls": ["https://..."]}        a page that answers
    {"question": "...", "expect": ["exact text", ...]}          a passage that contains it
    {"question": "...", "expect": null, "kind": "no_answer"}    nothing in the corpus answers
    {"question": "...", "expect_urls": [...], "fact": "480 dagar"}  and the answer must contain the fact

The same questions can run through a baseline: plain BM25 with the configured
engine's parameters (Whoosh, which ``make eval`` uses: k1 0.9, b 0.75; tantivy:
k1 1.2) over whole documents analysed only with lowercase, Swedish stop words and
Snowball, the chain of Elasticsearch's built-in ``swedish`` analyzer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from indexer.corpus.model import Document
from indexer.engines import registry
from indexer.engines.base import Engine, IndexedSection, QueryPlan, WeightedTerm
from indexer.language.analysis import BASELINE_PIPELINE, analyze, terms
from indexer.sections.split import Section
from search_app.answer.ask import ask
from search_app.query.fusion import Fusion
from search_app.query.search import rank_sections
from search_app.query.snapshot import OpenSnapshot

DEPTH = 10
SECTIONS_FETCHED = 60


@dataclass(frozen=True)
class Question:
    """One evaluation question and what counts as a right result."""

    question: str
    expect_urls: tuple[str, ...] = ()
    expect_text: tuple[str, ...] = ()
    #: Texts of which the answer must contain one (empty: the answer is not scored).
    answer_text: tuple[str, ...] = ()

    @property
    def answerable(self) -> bool:
        """Whether some page answers the question: it names the pages or texts a right result has."""
        return bool(self.expect_urls or self.expect_text)


@dataclass(frozen=True)
class Ranked:
    """A ranked result as the metrics see it: its page and its text."""

    url: str
    text: str


@dataclass(frozen=True)
class Scores:
    """The measures of one run."""

    name: str
    questions: int
    hit_at_1: float
    hit_at_3: float
    mrr_at_10: float
    no_answer_accuracy: float | None
    hit_at_5: float = 0.0
    #: Share of questions with an expected answer text whose answer contains it (None: not measured).
    answer_contains: float | None = None

    def row(self) -> str:
        """One Markdown table row."""
        def percent(value: float | None) -> str:
            return "–" if value is None else f"{100 * value:.1f}"

        return (f"| {self.name} | {self.questions} | {100 * self.hit_at_1:.1f} | {100 * self.hit_at_3:.1f} "
                f"| {100 * self.hit_at_5:.1f} | {self.mrr_at_10:.3f} | {percent(self.answer_contains)} "
                f"| {percent(self.no_answer_accuracy)} |")


HEADER = ("| run | questions | hit@1 | hit@3 | hit@5 | MRR@10 | answer contains | no-answer accuracy |\n"
          "|---|---|---|---|---|---|---|---|")


def read_questions(path: Path) -> list[Question]:
    """Questions from a JSON Lines file (see the module docstring)."""
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        questions.append(Question(row["question"], tuple(row.get("expect_urls") or ()),
                                  tuple(row.get("expect") or ()), (row["fact"],) if row.get("fact") else ()))
    return questions


def _normalized(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def first_hit(question: Question, ranked: list[Ranked]) -> int | None:
    """0-based rank of the first right result among the first DEPTH pages or passages."""
    if question.expect_urls:
        pages = list(dict.fromkeys(item.url for item in ranked))[:DEPTH]
        ranks = [pages.index(url) for url in question.expect_urls if url in pages]
        return min(ranks) if ranks else None
    for rank, item in enumerate(ranked[:DEPTH]):
        if any(_normalized(expected) in _normalized(item.text) for expected in question.expect_text):
            return rank
    return None


def contains_answer(answer: str | None, expected: tuple[str, ...]) -> bool:
    """Whether an answer text holds one of the expected texts (case and spacing aside)."""
    if not answer:
        return False
    text = _normalized(answer).casefold()
    return any(_normalized(item).casefold().strip() in text for item in expected if item.strip())


def score_run(name: str, questions: list[Question], rank: Callable[[str], list[Ranked]],
              answers: Callable[[str], str | bool | None] | None = None) -> Scores:
    """Run every question through ``rank`` and ``answers`` (the answer's text, or None for no answer)."""
    firsts = [first_hit(q, rank(q.question)) for q in questions if q.answerable]
    count = max(len(firsts), 1)
    no_answer = [q for q in questions if not q.answerable]
    accuracy = contains = None
    if answers is not None and no_answer:
        accuracy = sum(not answers(q.question) for q in no_answer) / len(no_answer)
    with_text = [q for q in questions if q.answer_text]
    if answers is not None and with_text:
        contains = sum(contains_answer(_text(answers(q.question)), q.answer_text) for q in with_text) / len(with_text)
    return Scores(
        name=name,
        questions=len(questions),
        hit_at_1=sum(first == 0 for first in firsts) / count,
        hit_at_3=sum(first is not None and first < 3 for first in firsts) / count,
        mrr_at_10=sum(1 / (first + 1) for first in firsts if first is not None) / count,
        no_answer_accuracy=accuracy,
        hit_at_5=sum(first is not None and first < 5 for first in firsts) / count,
        answer_contains=contains,
    )


def _text(answer: str | bool | None) -> str | None:
    return answer if isinstance(answer, str) else None


def sok_ranker(snap: OpenSnapshot, fusion: Fusion | None = None) -> Callable[[str], list[Ranked]]:
    """Sök's own ranking of sections (as ``search_app.query.search.search``, without snippets)."""

    def rank(question: str) -> list[Ranked]:
        ranked = rank_sections(snap, question, limit=SECTIONS_FETCHED, exact_total=False, fusion=fusion)
        return [Ranked(record["url"], record["text"]) for record, _ in ranked.hits]

    return rank


def sok_answers(snap: OpenSnapshot) -> Callable[[str], str | None]:
    """Sök's answer text to a question (None when it gives none)."""

    def answer(question: str) -> str | None:
        found = ask(snap, question).answer
        return found.text if found is not None else None

    return answer


def lexical_only(snap: OpenSnapshot) -> OpenSnapshot:
    """The same snapshot without its vectors: Sök as a lexical-only build would rank and answer."""
    return replace(snap, semantic=None)


def build_baseline(path: Path, documents: list[Document]) -> None:
    """Index whole documents with the baseline chain into ``path``."""

    def indexed() -> Iterator[IndexedSection]:
        for position, doc in enumerate(documents):
            text = f"{doc.title}\n\n{doc.text}"
            section = Section(id=f"{doc.doc_id}-base", doc=doc, heading=doc.title, heading_path=(doc.title,),
                              text=text, position=position)
            body = " ".join(token.text for token in analyze(text, BASELINE_PIPELINE))
            yield IndexedSection(section, {"body": body})

    registry.build(path, indexed())


def baseline_ranker(searcher: Engine) -> Callable[[str], list[Ranked]]:
    """Plain BM25 over the baseline index."""

    def rank(question: str) -> list[Ranked]:
        stems = terms(question, BASELINE_PIPELINE)
        plan = QueryPlan(stems=stems, terms=[WeightedTerm("body", stem, 1.0) for stem in stems])
        page = searcher.search(plan, limit=DEPTH)
        return [Ranked(hit.fields["url"], hit.fields["text"]) for hit in page.hits]

    return rank
