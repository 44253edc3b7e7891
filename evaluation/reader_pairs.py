"""The answer reader study's pairs: (question, candidate span) and whether the span holds the gold.

Made from the answer step's own examples (:mod:`evaluation.answer_examples`:
each question searched and read as ``ask`` does, its candidate spans with the
chooser's features). Training questions (SQuAD-sv's training articles, SweQUAD-MC
training) are split in two by a fixed hash: the reader learns from the first
part (every span holding the gold, and the spans the chooser ranks highest
that do not), the second (``fit``) chooses how the reader's score joins the
chooser's and the no-answer decision (each row also holds the confidence model's
probability for the chooser's first span: the gate that declines before the reader
reads). Held-out questions (SQuAD-sv's held-out articles, SweQUAD-MC dev) keep
the chooser's first SCORED_CANDIDATES spans and are only scored.

    python -m evaluation.reader_pairs --out var/eval/reader-pairs.jsonl
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from pathlib import Path

import numpy as np

from evaluation.answer_examples import SEED, Example, cached_examples, lexical_snapshot, squad_split
from evaluation.datasets import SHARED_DATA, SQUAD_HELD_OUT_FROM, squad_articles, swequad_mc
from evaluation.metrics import contains_answer
from evaluation.run import indexes
from indexer.semantic.units import section_sentences
from search_app.answer.answer_model import answer_model
from search_app.answer.reader import reader_passage
from search_app.answer.sentences import MARGIN_CAP, confidence_features, feature_rows, learned_confidence

#: Of the training questions, this share (by a hash of the question) is kept to fit the join and the threshold.
FIT_SHARE = 0.2
#: Negatives per training question: the chooser's highest-ranked spans without the gold, and random ones.
HARD_NEGATIVES = 5
#: Spans kept per fit or held-out question: the chooser's first ones (the reader reads at most these).
SCORED_CANDIDATES = 6
RANDOM_NEGATIVES = 2
#: Spans without the gold kept per question read straight from its SQuAD-sv paragraph.
PARAGRAPH_NEGATIVES = 4


def _part(question: str) -> str:
    digest = hashlib.sha256(f"{SEED}|{question}".encode()).digest()
    return "fit" if digest[0] < 256 * FIT_SHARE else "train"


def rows(name: str, examples: list[Example], split: str | None, pick: random.Random) -> list[dict]:
    """One row per (question, span) kept from ``examples``."""
    model = answer_model()
    out = []
    for number, example in enumerate(examples):
        if not example.found:
            continue
        scores = model.chooser.raw(feature_rows(example.found, model.chooser.names))
        order = [int(i) for i in np.argsort(-scores, kind="stable")]
        holds = [bool(example.gold) and contains_answer(c.text, example.gold) for c in example.found]
        # The confidence model's probability for the chooser's first span, as best_span computes it.
        margin = float(scores[order[0]] - scores[order[1]]) if len(order) > 1 else MARGIN_CAP
        first = example.found[order[0]]
        gate = learned_confidence(model.confidence, first,
                                  confidence_features(first, float(scores[order[0]]), margin, example.asked_terms))
        part = split or _part(example.question.text)
        if part == "train":
            positives = [i for i in order if holds[i]]
            negatives = [i for i in order if not holds[i]]
            rest = negatives[HARD_NEGATIVES:]
            kept = positives + negatives[:HARD_NEGATIVES] + pick.sample(rest, min(RANDOM_NEGATIVES, len(rest)))
        else:
            kept = order[:SCORED_CANDIDATES]
        for rank, index in enumerate(order):
            if index not in kept:
                continue
            candidate = example.found[index]
            out.append({"set": name, "part": part, "group": f"{name}/{number}", "question": example.question.searched,
                        "passage": reader_passage(candidate.passage, candidate.text), "label": int(holds[index]),
                        "chooser": float(scores[index]),
                        "chooser_rank": rank, "answerable": example.answerable, "gate": gate,
                        "missing_fact": candidate.features["missing_fact"], "gold": list(example.gold)})
    return out


def paragraph_rows(pick: random.Random, data: Path = SHARED_DATA) -> list[dict]:
    """Pairs straight from SQuAD-sv's training articles, every question of them (answerable or not) that the
    fit part does not hold: each sentence and each two sentences of its paragraph, as the answer step cuts them;
    every span holding the gold and up to PARAGRAPH_NEGATIVES others (spans on the paragraph's subject that do
    not answer: what the reader has to tell apart)."""
    out = []
    for index, article in enumerate(squad_articles(data)[:SQUAD_HELD_OUT_FROM]):
        title = article["title"].replace("_", " ")
        for paragraph in article["paragraphs"]:
            sentences = section_sentences(paragraph["context"])
            spans = [" ".join(sentences[first : first + size]) for size in (1, 2)
                     for first in range(len(sentences) - size + 1)]
            for qa in paragraph["qas"]:
                if _part(qa["question"]) != "train":
                    continue
                gold = () if qa.get("is_impossible") else tuple(answer["text"] for answer in qa["answers"])
                holds = [bool(gold) and contains_answer(span, gold) for span in spans]
                negatives = [i for i, held in enumerate(holds) if not held]
                kept = [i for i, held in enumerate(holds) if held]
                kept += pick.sample(negatives, min(PARAGRAPH_NEGATIVES, len(negatives)))
                for i in kept:
                    out.append({"set": "squad paragraphs", "part": "train", "group": f"paragraph {index}/{qa['id']}",
                                "question": qa["question"], "passage": f"{title}: {spans[i]}",
                                "label": int(holds[i]), "chooser": 0.0,
                                "chooser_rank": -1, "answerable": bool(gold), "gold": list(gold)})
    return out


def main() -> None:
    """Write the pairs of every training and held-out question."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("var/eval/reader-pairs.jsonl"))
    args = parser.parse_args()
    pick = random.Random(SEED)  # noqa: S311 (a fixed-seed sample, not a secret)
    documents, squad_train, squad_held = squad_split()
    squad = lexical_snapshot(documents)
    quad_train, quad_dev = swequad_mc("training"), swequad_mc("dev")
    quad, baseline = indexes(quad_train.documents)
    baseline.close()
    written = []
    written += rows("squad", cached_examples("squad train", squad, squad_train), None, pick)
    written += rows("quad", cached_examples("quad train", quad, quad_train.questions), None, pick)
    written += paragraph_rows(pick)
    written += rows("squad held", cached_examples("squad held", squad, squad_held), "held", pick)
    written += rows("quad dev", cached_examples("quad dev", quad, quad_dev.questions), "held", pick)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as file:
        for row in written:
            file.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(written)} pairs to {args.out}")


if __name__ == "__main__":
    main()
