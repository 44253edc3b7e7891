"""How well ``search_app.query.language`` tells a question's language, and what it costs.

Swedish questions must never be read as another language (they would be searched and answered by meaning only):
every question of the Swedish sets is read, and each one not read as Swedish is listed. Other languages: the
short questions of ``data/language_questions.tsv`` (15 in each of en, ar, so, fa, pl, uk, fi; some only two or
three words) and the cross-lingual dev set's questions. Prints a Markdown table.

    python -m evaluation.language_study
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

from evaluation.datasets import EVERYDAY_QUESTIONS, SHARED_DATA, squad_articles
from search_app.query.language import question_language

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parent.parent


def swedish_sets(data: Path = SHARED_DATA) -> dict[str, list[str]]:
    """The Swedish question sets: SweFAQ dev, SweQUAD-MC (all), SQuAD-sv dev, the everyday set, the seed questions."""
    def jsonl(path: Path) -> list[dict]:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    return {
        "SweFAQ dev": [row["question"] for row in jsonl(data / "swefaq" / "swefaq_dev.jsonl")],
        "SweQUAD-MC": [row["question"] for row in jsonl(data / "swequad-mc" / "swequad_mc_questions.jsonl")],
        "SQuAD-sv dev": [qa["question"] for article in squad_articles(data) for paragraph in article["paragraphs"]
                         for qa in paragraph["qas"]],
        "everyday words dev": [row["question"] for row in jsonl(EVERYDAY_QUESTIONS)],
        "seed pages": [row["question"] for row in jsonl(ROOT / "tests" / "data" / "seed_questions.jsonl")],
    }


def other_languages() -> dict[str, list[tuple[str, str]]]:
    """(language, question) of the short-question set and of the cross-lingual dev set."""
    short = [tuple(line.split("\t", 1)) for line in (DATA / "language_questions.tsv").read_text(encoding="utf-8")
             .splitlines() if line.strip() and not line.startswith("#")]
    dev = [json.loads(line) for line in (DATA / "crosslingual_dev.jsonl").read_text(encoding="utf-8").splitlines()]
    return {"short questions": [(lang, text) for lang, text in short],
            "cross-lingual dev": [(row["language"], row["question"]) for row in dev]}


def main() -> None:
    """Print the study's tables."""
    question_language("warm up")  # the model's first load (about 0.3 s) is not a question's cost
    print("| Swedish set | questions | read as Swedish | read as another language |\n|---|---|---|---|")
    misread: list[tuple[str, str]] = []
    timed, seconds = 0, 0.0
    for name, questions in swedish_sets().items():
        started = time.perf_counter()
        read = [question_language(text) for text in questions]
        seconds += time.perf_counter() - started
        timed += len(questions)
        others = [(language, text) for language, text in zip(read, questions, strict=True) if language != "sv"]
        misread += others
        counts = Counter(language for language, _ in others)
        print(f"| {name} | {len(questions)} | {len(questions) - len(others)} | {len(others)}"
              f"{' (' + ', '.join(f'{k} {v}' for k, v in counts.most_common()) + ')' if counts else ''} |")
    print(f"\nCost: {1e6 * seconds / timed:.0f} µs a question ({timed} questions).\n")
    for language, text in misread[:40]:
        print(f"- {language}: {text}")
    for name, rows in other_languages().items():
        print(f"\n| {name} | questions | right | read as Swedish | read as another |\n|---|---|---|---|---|")
        for language in dict.fromkeys(lang for lang, _ in rows):
            read = [question_language(text) for lang, text in rows if lang == language]
            right = sum(got == language for got in read)
            swedish = sum(got == "sv" for got in read)
            print(f"| {language} | {len(read)} | {right} | {swedish} | {len(read) - right - swedish} |")


if __name__ == "__main__":
    main()
