"""The answer step's training examples: questions searched and read as ``ask`` does, their candidate spans labelled.

SQuAD-sv is split by article (from SQUAD_HELD_OUT_FROM on: held out) and sampled
with a fixed seed; each question's candidates (``search_app.answer.sentences
.candidates``) are labelled by whether they hold the gold answer and no shorter
span of them does. Examples are cached in var/eval/ (:func:`cached_examples`).
Used by :mod:`evaluation.train_answers`.
"""

from __future__ import annotations

import hashlib
import pickle
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evaluation.datasets import SHARED_DATA, SQUAD_HELD_OUT_FROM, squad_articles
from evaluation.metrics import Question as EvalQuestion
from evaluation.metrics import contains_answer
from evaluation.run import CACHE, code_digest
from indexer.build import SemanticOptions, build_snapshot, corpus_hash
from indexer.corpus.model import Document
from indexer.engines.registry import configured_engine
from indexer.snapshot.layout import CURRENT
from indexer.snapshot.reader import current_snapshot
from search_app.answer.ask import asked_question
from search_app.answer.sentences import (
    Candidate,
    candidates,
)
from search_app.query.question import Question, read_question
from search_app.query.search import Passage, search
from search_app.query.snapshot import OpenSnapshot, open_snapshot

ROOT = Path(__file__).resolve().parent.parent
#: Passages searched per question, as ``ask`` does by default.
PASSAGES = 5
SEED = 20261207
#: Questions sampled (fixed seed, half of them unanswerable) from SQuAD-sv's training and held-out articles: the
#: machine this was made on was shared, and a few thousand questions already fit the few dozen weights.
SQUAD_TRAIN_QUESTIONS = 2400
SQUAD_HELD_QUESTIONS = 1000


@dataclass
class Example:
    """One question's candidates, their labels, and whether some page answers it."""

    question: Question
    gold: tuple[str, ...]
    answerable: bool
    found: list[Candidate]
    labels: np.ndarray
    vectors: bool
    asked_terms: int


def squad_split(data: Path = SHARED_DATA) -> tuple[list[Document], list[EvalQuestion], list[EvalQuestion]]:
    """SQuAD-sv's paragraphs, and its questions of the training articles and of the held-out ones."""
    documents: list[Document] = []
    train: list[EvalQuestion] = []
    held: list[EvalQuestion] = []
    for index, article in enumerate(squad_articles(data)):
        for number, paragraph in enumerate(article["paragraphs"]):
            url = f"https://eval.invalid/squad/{article['title']}/{number}".replace(" ", "_")
            documents.append(Document(url=url, title=article["title"].replace("_", " "), text=paragraph["context"]))
            for qa in paragraph["qas"]:
                if qa.get("is_impossible"):
                    question = EvalQuestion(qa["question"])
                else:
                    texts = tuple(dict.fromkeys(answer["text"] for answer in qa["answers"]))
                    question = EvalQuestion(qa["question"], expect_urls=(url,), answer_text=texts)
                (train if index < SQUAD_HELD_OUT_FROM else held).append(question)
    return documents, _sample(train, SQUAD_TRAIN_QUESTIONS), _sample(held, SQUAD_HELD_QUESTIONS)


def _sample(questions: list[EvalQuestion], count: int) -> list[EvalQuestion]:
    """A fixed-seed sample of ``count`` questions, half answerable and half not (as many as there are)."""
    pick = random.Random(SEED)  # noqa: S311 (a fixed-seed sample, not a secret)
    yes = [question for question in questions if question.answerable]
    no = [question for question in questions if not question.answerable]
    return pick.sample(yes, min(count // 2, len(yes))) + pick.sample(no, min(count // 2, len(no)))


def lexical_snapshot(documents: list[Document]) -> OpenSnapshot:
    """A snapshot of ``documents`` without vectors, built once and cached in var/eval/."""
    root = CACHE / f"{corpus_hash(documents)}-{code_digest()}-{configured_engine()}-lexical"
    if not (root / CURRENT).exists():
        build_snapshot(root, documents, language_dir=ROOT / "corpus", semantic=SemanticOptions(enabled=False))
    return open_snapshot(current_snapshot(root)).warm()


def cached_examples(name: str, snap: OpenSnapshot, questions: list[EvalQuestion]) -> list[Example]:
    """Each question's candidate spans, labelled: the searches (passages and question vectors) are kept in
    var/eval/ under a hash of the questions, the snapshot and the code that makes them (retrieval and the
    question's reading); the candidates and their features are made afresh (a few seconds), so a change of
    features needs no new search."""
    digest = hashlib.sha256(f"{name}|{snap.semantic is not None}|{len(questions)}".encode())
    for question in questions:
        digest.update(question.question.encode())
    for path in sorted([*(ROOT / "search_app" / "query").rglob("*.py"), *(ROOT / "indexer").rglob("*.py")]):
        digest.update(path.read_bytes())
    path = CACHE / f"answer-searches-{digest.hexdigest()[:16]}.pickle"
    if path.exists():
        with path.open("rb") as file:
            searched = pickle.load(file)  # noqa: S301 -- written by this script, in this checkout's var/
    else:
        searched = searches(snap, questions)
        with path.open("wb") as file:
            pickle.dump(searched, file)
    return [example(snap, item) for item in searched]


@dataclass
class Searched:
    """One question read and searched as ``ask`` does: its passages and (on a semantic snapshot) its vector."""

    item: EvalQuestion
    question: Question
    passages: list[Passage]
    vector: np.ndarray | None


def searches(snap: OpenSnapshot, questions: list[EvalQuestion]) -> list[Searched]:
    """Each question read and searched as ``ask`` does."""
    rows = []
    started = time.monotonic()
    for number, item in enumerate(questions):
        if number % 500 == 499:
            print(f"  {number + 1} of {len(questions)} questions, {time.monotonic() - started:.0f} s", flush=True)
        question = read_question(item.question, snap.analyzer)
        passages = search(snap, question.searched, limit=PASSAGES, exact_total=False).passages
        vector = snap.semantic.query_vector(question.searched) if snap.semantic is not None else None
        rows.append(Searched(item, question, passages, vector))
    return rows


def example(snap: OpenSnapshot, searched: Searched) -> Example:
    """A searched question's candidate spans, labelled."""
    item, question = searched.item, searched.question
    asked = asked_question(snap, question)
    found = candidates(snap, asked, searched.passages, searched.vector)
    labels = np.array([_holds(candidate, item.answer_text) for candidate in found], dtype=np.float64)
    return Example(question.with_vector(searched.vector), item.answer_text, item.answerable, found, labels,
                   searched.vector is not None, len(asked.weights))


def _holds(candidate: Candidate, gold: tuple[str, ...]) -> bool:
    """Whether the span holds the gold answer and neither of its shorter ends does (the card stays short)."""
    if not gold or not contains_answer(candidate.text, gold):
        return False
    if candidate.first == candidate.last:
        return True
    inner = candidate.sentences
    without_last = " ".join(inner[candidate.first : candidate.last])
    without_first = " ".join(inner[candidate.first + 1 : candidate.last + 1])
    return not (contains_answer(without_last, gold) or contains_answer(without_first, gold))


