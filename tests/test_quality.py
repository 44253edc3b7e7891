"""Retrieval and answer quality on questions about the seed pages, as citizens and staff ask them.

The questions (tests/data/seed_questions.jsonl) name a passage that answers
them, or none when the corpus holds no answer. Floors, not exact values: the
measured numbers are in the README.
"""

import json
import re
from pathlib import Path
from typing import Any

import pytest

from search_app.answer.ask import ask
from search_app.query.snapshot import OpenSnapshot

QUESTIONS = Path(__file__).parent / "data" / "seed_questions.jsonl"
HIT_AT_3_FLOOR = 0.9
HIT_AT_1_FLOOR = 0.8
ANSWER_FLOOR = 0.7


def normalized(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def contains_expected(text: str, expected: list[str]) -> bool:
    return any(normalized(e) in normalized(text) for e in expected)


def load_questions() -> list[dict[str, Any]]:
    return [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def evaluation(seed_snapshot: OpenSnapshot) -> list[tuple[dict[str, Any], Any, int | None]]:
    rows = []
    for item in load_questions():
        result = ask(seed_snapshot, item["question"])
        rank = None
        if item["expect"]:
            ranks = [i for i, p in enumerate(result.passages) if contains_expected(p.text, item["expect"])]
            rank = ranks[0] if ranks else None
        rows.append((item, result, rank))
    return rows


def test_there_are_enough_varied_questions() -> None:
    questions = load_questions()
    assert len(questions) >= 30
    assert sum(q["kind"] == "no_answer" for q in questions) >= 8
    assert len({q["question"].split()[0].lower() for q in questions}) >= 8


def test_hit_at_1_and_3(evaluation: list[tuple[dict[str, Any], Any, int | None]]) -> None:
    answerable = [(item, rank) for item, _, rank in evaluation if item["expect"]]
    hit1 = sum(rank == 0 for _, rank in answerable) / len(answerable)
    hit3 = sum(rank is not None and rank < 3 for _, rank in answerable) / len(answerable)
    print(f"hit@1 {hit1:.3f} hit@3 {hit3:.3f} over {len(answerable)} questions")
    misses = [item["question"] for item, rank in answerable if rank is None or rank >= 3]
    assert hit3 >= HIT_AT_3_FLOOR, misses
    assert hit1 >= HIT_AT_1_FLOOR


def test_answers_quote_the_expected_passage(evaluation: list[tuple[dict[str, Any], Any, int | None]]) -> None:
    answerable = [(item, result) for item, result, _ in evaluation if item["expect"]]
    good = [item for item, result in answerable if result.answer and contains_expected(result.answer.text,
                                                                                       item["expect"])]
    print(f"answer accuracy {len(good) / len(answerable):.3f}")
    assert len(good) / len(answerable) >= ANSWER_FLOOR


def test_no_answer_where_none_exists(evaluation: list[tuple[dict[str, Any], Any, int | None]]) -> None:
    wrong = [(item["question"], result.answer.text) for item, result, _ in evaluation
             if item["kind"] == "no_answer" and result.answer is not None]
    assert not wrong
