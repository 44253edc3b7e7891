"""``make eval``: Sök against the plain-BM25 baseline on the public Swedish data sets.

Runs SweFAQ dev, SweQUAD-MC dev and training, and the seed-page questions,
each alone and (SweFAQ and SweQUAD dev) with the 44k regeringen.se pages
added as distractors; prints the table and writes it to docs/quality.md.

Indexes are cached in var/eval/ by a hash of their documents and of the
indexer's code, so a second run only re-runs the questions.

    python -m evaluation.run [--quick] [--no-write]
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from evaluation.datasets import Dataset, regeringen_pages, swefaq_dev, swequad_mc
from indexer import engine
from indexer.build import build_snapshot, corpus_hash
from indexer.documents import Document, read_corpus
from indexer.snapshot import current_snapshot
from search_app.evaluation import (
    HEADER,
    Scores,
    baseline_ranker,
    build_baseline,
    read_questions,
    score_run,
    sok_answers,
    sok_ranker,
)
from search_app.index_handle import OpenSnapshot, open_snapshot

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "eval"
QUALITY_DOC = ROOT / "docs" / "quality.md"
TARGETS = {"SweFAQ dev": 10.0, "SweQUAD-MC dev": 8.0}
MAX_DISTRACTOR_LOSS = 3.0


#: Indexer modules used only at query time: changing them needs no new index.
QUERY_TIME_MODULES = ("query.py", "questions.py")


def code_digest() -> str:
    """A hash of everything that decides what an index holds."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "indexer").rglob("*")):
        if path.is_file() and path.suffix in (".py", ".txt") and path.name not in QUERY_TIME_MODULES:
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def indexes(documents: list[Document]) -> tuple[OpenSnapshot, engine.Engine]:
    """Sök's snapshot and the baseline index of ``documents``, built once and cached."""
    key = f"{corpus_hash(documents)}-{code_digest()}"
    sok_root, base_dir = CACHE / f"{key}-sok", CACHE / f"{key}-baseline"
    started = time.monotonic()
    if not (sok_root / "current").exists():
        build_snapshot(sok_root, documents, language_dir=ROOT / "corpus")
    if not (base_dir / "done").exists():
        build_baseline(base_dir, documents)
        (base_dir / "done").touch()
    if time.monotonic() - started > 1:
        print(f"  built indexes of {len(documents)} documents in {time.monotonic() - started:.0f} s", flush=True)
    return open_snapshot(current_snapshot(sok_root)), engine.open_index(base_dir)


def evaluate(name: str, dataset: Dataset, documents: list[Document] | None = None) -> tuple[Scores, Scores]:
    """(Sök, baseline) scores of a data set's questions over ``documents`` (its own by default)."""
    snap, baseline = indexes(documents or dataset.documents)
    started = time.monotonic()
    sok = score_run(f"Sök: {name}", dataset.questions, sok_ranker(snap), sok_answers(snap))
    base = score_run(f"baseline: {name}", dataset.questions, baseline_ranker(baseline))
    print(f"  {name}: {len(dataset.questions)} questions in {time.monotonic() - started:.0f} s", flush=True)
    snap.engine.close()
    baseline.close()
    return sok, base


def seed_dataset() -> Dataset:
    """The seed pages and the questions of tests/quality."""
    questions = read_questions(ROOT / "tests" / "quality" / "seed_questions.jsonl")
    return Dataset("seed pages", read_corpus(ROOT / "corpus").documents, questions)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the runs with 44k distractor pages")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/quality.md alone")
    args = parser.parse_args()

    faq, quad_dev, quad_train, seeds = swefaq_dev(), swequad_mc("dev"), swequad_mc("training"), seed_dataset()
    results: list[tuple[str, Scores, Scores]] = []
    for name, dataset in (("SweFAQ dev", faq), ("SweQUAD-MC dev", quad_dev),
                          ("SweQUAD-MC training", quad_train), ("seed pages", seeds)):
        results.append((name, *evaluate(name, dataset)))
    if not args.quick:
        haystack = faq.documents + quad_dev.documents + regeringen_pages()
        for name, dataset in (("SweFAQ dev", faq), ("SweQUAD-MC dev", quad_dev)):
            results.append((f"{name} + 44k regeringen.se", *evaluate(f"{name} + 44k", dataset, haystack)))

    table = render(results)
    print(table)
    if not args.no_write:
        QUALITY_DOC.parent.mkdir(exist_ok=True)
        QUALITY_DOC.write_text(table, encoding="utf-8")
    return 0 if targets_met(results) else 1


def render(results: list[tuple[str, Scores, Scores]]) -> str:
    """The Markdown report: table, gains over the baseline, targets."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=ROOT).stdout.strip()
    lines = [
        "# Retrieval and answer quality",
        "",
        f"Measured {date.today().isoformat()} at commit {commit or 'unknown'} by `make eval`"
        " (`python -m evaluation.run`). Baseline: plain BM25 (k1 1.2, b 0.75) over whole documents,"
        " lowercase + Swedish stop words + Snowball (Elasticsearch's `swedish` analyzer chain)."
        " Sök ranks sections; a page counts as found at the rank of its first section."
        " hit@k and MRR@10 in points/fractions over answerable questions; no-answer accuracy over"
        " questions without an answer in the corpus.",
        "",
        HEADER,
    ]
    for _name, sok, base in results:
        lines += [sok.row(), base.row()]
    lines += ["", "| data set | Sök hit@1 − baseline hit@1 |", "|---|---|"]
    for name, sok, base in results:
        lines.append(f"| {name} | {100 * (sok.hit_at_1 - base.hit_at_1):+.1f} |")
    lines += ["", "Targets: " + "; ".join(f"{name} ≥ +{gain:.0f}" for name, gain in TARGETS.items())
              + f"; at most {MAX_DISTRACTOR_LOSS:.0f} points of Sök's hit@1 lost with the distractors."]
    lines.append("Met: " + ("yes" if targets_met(results) else "no"))
    return "\n".join(lines) + "\n"


def targets_met(results: list[tuple[str, Scores, Scores]]) -> bool:
    by_name = {name: (sok, base) for name, sok, base in results}
    for name, gain in TARGETS.items():
        sok, base = by_name[name]
        if 100 * (sok.hit_at_1 - base.hit_at_1) < gain:
            return False
        with_distractors = by_name.get(f"{name} + 44k regeringen.se")
        if with_distractors and 100 * (sok.hit_at_1 - with_distractors[0].hit_at_1) > MAX_DISTRACTOR_LOSS:
            return False
    return True


if __name__ == "__main__":
    sys.exit(main())
