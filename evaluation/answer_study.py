"""How the answer step's weights move "the answer contains the gold answer".

The study behind the weights of ``search_app.answer.sentences``.

Each question's passages are retrieved once; then each variant of the
answer weights picks the answer from them. Choose on SweQUAD-MC training,
check on dev and on the everyday-words set.

    python -m evaluation.answer_study [--sets training,dev,everyday]
"""

from __future__ import annotations

import argparse
import itertools

from evaluation.datasets import everyday_dev, swequad_mc
from evaluation.metrics import contains_answer
from evaluation.run import indexes
from search_app.answer import sentences as answer_weights
from search_app.answer.ask import MIN_ANSWER_CONFIDENCE, passage_answer
from search_app.query.question import read_question
from search_app.query.search import search

GRID = {
    "MEANING_RANK_WEIGHT": (0.0, 0.2, 0.4),
    "EXTRA_SENTENCE_COST": (0.2, 0.1),
    "LENGTH_COST": (0.0, 0.1),
}

def main() -> None:
    """Print the share of answers that contain the gold answer for each variant of the answer weights."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="training,dev")
    args = parser.parse_args()
    sets = {"training": lambda: swequad_mc("training"), "dev": lambda: swequad_mc("dev"), "everyday": everyday_dev}
    names = args.sets.split(",")
    prepared = {}
    for name in names:
        dataset = sets[name]()
        snap, baseline = indexes(dataset.documents)
        baseline.close()
        rows = []
        for question in dataset.questions:
            if not question.answer_text:
                continue
            result = search(snap, question.question, limit=5, exact_total=False)
            vector = snap.semantic.query_vector(question.question) if snap.semantic is not None else None
            rows.append((question, result.passages, vector))
        bound = sum(any(contains_answer(p.text, q.answer_text) for p in passages[:3]) for q, passages, _ in rows)
        print(f"{name}: {len(rows)} questions; gold in the top 3 passages: {100 * bound / len(rows):.1f} %", flush=True)
        prepared[name] = (snap, rows)
    keys = list(GRID)
    print("| " + " | ".join(keys) + " | " + " | ".join(names) + " |")
    for values in itertools.product(*GRID.values()):
        for key, value in zip(keys, values, strict=True):
            setattr(answer_weights, key, value)
        cells = []
        for name in names:
            snap, rows = prepared[name]
            right = 0
            for question, passages, vector in rows:
                read = read_question(question.question, snap.analyzer).with_vector(vector)
                found = passage_answer(snap, read, passages)
                right += found is not None and found.confidence >= MIN_ANSWER_CONFIDENCE and contains_answer(
                    found.text, question.answer_text)
            cells.append(f"{100 * right / len(rows):.1f}")
        print("| " + " | ".join(map(str, values)) + " | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
