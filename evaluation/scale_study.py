"""Why hybrid ranking loses its lead over the words alone among all 44k regeringen.se pages, and what fixes it.

Opens a snapshot of each haystack: the SweQUAD-MC passages alone and among the 44k regeringen.se
pages (so that its training questions can choose a rule at both sizes), SweFAQ dev alone, the 5k
distractor haystack, the everyday set's 2,000-page pool and all 44k pages. Each is ``make eval``'s
build when it has one of today's code (var/eval/), else the study's own, built once into var/study/
and keyed by documents, engine and encoder only: query-time variants need no rebuild. Then each
question's candidates are collected once (the engine's pool with its scores, the nearest sections by
vector as searches find them, the similarity of every lexical candidate) and every variant re-ranks
them as ``search_app.query.search.rank_sections`` would.

    python -m evaluation.scale_study [--misses] [--only TEXT]

``--misses`` says, for the everyday set over the 44k pages, how often the page at rank 1 instead of
the right one holds the same text, and how often the right page is among the nearest sections by
the approximate index and by the exact scan. Choose on SweQUAD-MC training; the other sets are
only reported. The first run builds the SweQUAD-MC + 44k snapshot (vectors from the embedding
cache: 24 minutes on the shared 2-core machine at load 8-20; the 44k pages alone took make eval about
6 minutes idle), and any other haystack make eval has not built; collecting and re-ranking then take
about 8 minutes under that load (SweQUAD-MC training: 962 questions, 1.5 minutes on its own pages, 2.5
among the 44k).
"""

from __future__ import annotations

import argparse
import math
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from evaluation.datasets import EVERYDAY_POOL, EVERYDAY_QUESTIONS, regeringen_sample, swefaq_dev, swequad_mc
from evaluation.fusion_study import lexical_candidates
from evaluation.metrics import DEPTH, Question, Ranked, first_hit, read_questions
from evaluation.run import CACHE as EVAL_CACHE
from evaluation.run import DISTRACTOR_PAGES, code_digest
from indexer.build import SemanticOptions, build_snapshot, corpus_hash
from indexer.corpus.model import Document
from indexer.engines.registry import configured_engine
from indexer.semantic.encoder import configured_encoder
from indexer.semantic.vectors import ExactVectorSearch
from indexer.snapshot.layout import CURRENT
from indexer.snapshot.reader import current_snapshot
from search_app.query.fusion import POOL, Fusion, fuse
from search_app.query.snapshot import OpenSnapshot, open_snapshot
from search_app.query.vectors import SemanticIndex

ROOT = Path(__file__).resolve().parent.parent
STUDY_CACHE = ROOT / "var" / "study"
EMBEDDING_CACHE = Path(os.environ.get("SOK_EMBEDDING_CACHE", "").strip() or ROOT / "var" / "embedding-cache")
ALL_PAGES = 10**6
#: Candidates collected from each side: twice the fusion's pool, so that larger pools can be tried.
COLLECTED = 100
#: Two pages whose smaller one shares at least this share of its 5-word runs with the other hold the same text.
NEAR_COPY = 0.5


def all_pages() -> list[Document]:
    """Every regeringen.se page, in the fixed shuffle's order."""
    return regeringen_sample(ALL_PAGES)


def study_snapshot(documents: list[Document]) -> OpenSnapshot:
    """A semantic snapshot of ``documents``, built once (vectors from the embedding cache) and opened: the study's
    own, else ``make eval``'s of the same documents and code, else a new one in var/study/."""
    engine_and_encoder = f"{configured_engine()}-{configured_encoder()}"
    root = STUDY_CACHE / f"{corpus_hash(documents)}-{engine_and_encoder}"
    made_by_eval = EVAL_CACHE / f"{corpus_hash(documents)}-{code_digest()}-{engine_and_encoder}-sok"
    if not (root / CURRENT).exists() and (made_by_eval / CURRENT).exists():  # make eval's build of today's code
        root = made_by_eval
    if not (root / CURRENT).exists():
        started = time.monotonic()
        build_snapshot(root, documents, language_dir=ROOT / "corpus",
                       semantic=SemanticOptions(enabled=True, cache_dir=EMBEDDING_CACHE))
        print(f"  built {len(documents)} documents in {time.monotonic() - started:.0f} s", flush=True)
    return open_snapshot(current_snapshot(root)).warm()


@dataclass
class Row:
    """One question's candidates: the engine's pool (section id → score, best first), the similarity of the
    nearest sections and of every lexical candidate, each candidate's page, and the right pages."""

    question: Question
    lexical: dict[str, float]
    semantic: dict[str, float]
    nearest: list[str]
    urls: dict[str, str]
    #: How many answer units (vectors) each candidate with a vector has: its similarity is the best of them.
    units: dict[str, int]
    #: The share of the question's words (by idf) that the engine's best candidate holds.
    coverage: float = 1.0


def semantic_side(snap: OpenSnapshot) -> SemanticIndex:
    """The snapshot's vectors and encoder (the study needs them)."""
    if snap.semantic is None:
        raise SystemExit("the study needs a semantic snapshot")
    return snap.semantic


def collect(snap: OpenSnapshot, questions: list[Question], pool: int = COLLECTED) -> list[Row]:
    """Every answerable question's candidates, ``pool`` from each side (the nearest sections as the snapshot's
    vector search finds them: its approximate index where it has one, as searches do)."""
    semantic_index = semantic_side(snap)
    store, search = semantic_index.vectors, semantic_index.search
    rows = []
    for question in questions:
        if not question.expect_urls:
            continue
        lexical, urls, coverage = lexical_candidates(snap, question.question, pool)
        vector = semantic_index.query_vector(question.question)
        semantic: dict[str, float] = {}
        nearest: list[str] = []
        if vector is not None:
            found = search.nearest(vector, pool)
            nearest = [store.ids[number] for number in found.sections]
            semantic = dict(zip(nearest, map(float, found.scores), strict=True))
            rest = [key for key in lexical if key not in semantic and key in store.number]
            if rest:
                numbers = np.array([store.number[key] for key in rest])
                semantic.update(zip(rest, map(float, search.section_scores(vector, numbers)), strict=True))
        missing = [key for key in nearest if key not in urls]
        urls.update({key: record["url"] for key, record in snap.engine.fetch(missing).items()})
        units = {key: int(store.offsets[store.number[key] + 1] - store.offsets[store.number[key]])
                 for key in semantic}
        rows.append(Row(question, lexical, semantic, nearest, urls, units, coverage))
    return rows


def fused_sections(row: Row, fusion: Fusion, pool: int = POOL, per_unit_log: float = 0.0) -> list[str]:
    """Section ids best first, as ``search_app.query.search.rank_sections`` ranks them with ``fusion``
    (``per_unit_log``: a section's similarity minus this times the log of its number of units)."""
    lexical = dict(list(row.lexical.items())[:pool])
    nearest = set(row.nearest[:pool])
    semantic = {key: value - per_unit_log * math.log(row.units.get(key, 1)) for key, value in row.semantic.items()
                if key in lexical or (key in nearest and value >= fusion.min_semantic_only)}
    floor = 0.0 if len(lexical) < pool else None
    return [key for key, _ in fuse(lexical, semantic, fusion, floor)]


def first_page(row: Row, sections: list[str]) -> int | None:
    """The rank of the first right page among the pages of ``sections`` (None: not in the first ten)."""
    return first_hit(row.question, [Ranked(row.urls[key], "") for key in sections if key in row.urls])


def hit_at_1(rows: list[Row], rank: Callable[[Row], list[str]]) -> float:
    """Page hit@1, in %, of a ranking over collected rows."""
    return 100 * sum(first_page(row, rank(row)) == 0 for row in rows) / max(1, len(rows))


#: A named ranking of one row's candidates.
Variant = tuple[str, Callable[[Row], list[str]]]


def fused(fusion: Fusion, per_unit_log: float = 0.0,
          uncovered_weight: float | None = None) -> Callable[[Row], list[str]]:
    """A ranking by ``fusion`` (``per_unit_log``: see :func:`fused_sections`; ``uncovered_weight``: the semantic
    weight grows from the fusion's towards this as the engine's best candidate holds less of the question's words)."""
    def rank(row: Row) -> list[str]:
        weight = fusion.semantic_weight
        if uncovered_weight is not None:
            weight += (uncovered_weight - weight) * (1 - row.coverage)
        return fused_sections(row, replace(fusion, semantic_weight=weight), per_unit_log=per_unit_log)
    return rank


def variants() -> list[Variant]:
    """The rankings compared: each side alone, today's fusion, and the alternatives tried."""
    found: list[Variant] = [("lexical only", lambda row: list(row.lexical)[:POOL]),
                            ("semantic only", lambda row: row.nearest[:POOL]),
                            ("today: scaled w 0.6", fused(Fusion()))]
    for weight in (0.5, 0.7, 0.8, 0.9):
        found.append((f"scaled w {weight}", fused(Fusion(weight))))
    for weight in (0.6, 0.7, 0.8, 0.9):
        found.append((f"minmax w {weight}", fused(Fusion(weight, "minmax"))))
    for weight in (0.5, 0.6, 0.7, 0.8):
        found.append((f"ratio w {weight}", fused(Fusion(weight, "ratio"))))
    for per_unit in (0.002, 0.005, 0.01):  # the best of many units is higher by chance: long pages gain
        found.append((f"scaled w 0.6, similarity − {per_unit} · ln(units)", fused(Fusion(), per_unit)))
    for low, high in ((0.6, 0.8), (0.6, 0.9), (0.6, 1.0), (0.5, 1.0)):
        found.append((f"scaled w {low} → {high} as the words' best candidate covers less of the question",
                       fused(Fusion(low), uncovered_weight=high)))
    for weight in (0.5, 0.7):
        found.append((f"rrf w {weight}", fused(Fusion(weight, "rrf"))))
    return found


def shingles(document: Document, size: int = 5) -> set[int]:
    """Hashes of a page's runs of ``size`` words (title and text, lowercase)."""
    tokens = re.findall(r"\w+", f"{document.title} {document.text}".lower())
    return {hash(tuple(tokens[start : start + size])) for start in range(max(1, len(tokens) - size + 1))}


def near_copy(first: set[int], second: set[int]) -> float:
    """How much of the smaller page's text the other holds (0–1)."""
    return len(first & second) / max(1, min(len(first), len(second)))


#: Two pages whose larger one shares at least this share of its 5-word runs with the other say the same.
SAME_TEXT = 0.8


def _without_copies(urls: list[str], runs: Callable[[str], set[int]]) -> list[str]:
    kept: list[str] = []
    for url in urls:
        if not any(len(runs(url) & runs(other)) / max(1, len(runs(url)), len(runs(other))) >= SAME_TEXT
                   for other in kept):
            kept.append(url)
    return kept


#: A year as a question names it, and a page's date as regeringen.se's addresses carry it ("/2019/05/"). Read
#: only to measure how much of the loss is the wrong year; no ranking rule reads an address.
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_ADDRESS_DATE = re.compile(r"/((?:19|20)\d\d)/\d\d/")


def _same_year(row: Row, sections: list[str]) -> list[str]:
    """``sections`` without those of pages dated another year than one the question names (all when it names
    none, or none would be left)."""
    years = set(_YEAR.findall(row.question.question))

    def dated_otherwise(key: str) -> bool:
        found = _ADDRESS_DATE.search(row.urls.get(key, ""))
        return found is not None and found.group(1) not in years

    return [key for key in sections if not dated_otherwise(key)] or sections if years else sections


def _share(firsts: list[int | None], depth: int) -> str:
    return f"{100 * sum(first is not None and first < depth for first in firsts) / max(1, len(firsts)):.1f}"


def misses(snap: OpenSnapshot, rows: list[Row], pages: dict[str, Document]) -> None:
    """For each side and today's fusion: how often the page at rank 1 instead of the right one is a copy of its
    text (≥ 50 % of the smaller page's 5-word runs), and how often top-10 lists hold two such copies; then how
    often the right page is among the 50 nearest sections by the approximate index and by the exact scan."""
    cached: dict[str, set[int]] = {}

    def runs(url: str) -> set[int]:
        if url not in cached:
            cached[url] = shingles(pages[url])
        return cached[url]

    for name, rank in variants()[:3]:
        copies_first = lists_with_copies = 0
        for row in rows:
            top = list(dict.fromkeys(row.urls[key] for key in rank(row) if key in row.urls))[:DEPTH]
            gold = row.question.expect_urls[0]
            if top and top[0] != gold and near_copy(runs(gold), runs(top[0])) >= NEAR_COPY:
                copies_first += 1
            lists_with_copies += any(near_copy(runs(top[i]), runs(top[j])) >= NEAR_COPY
                                     for i in range(len(top)) for j in range(i))
        print(f"  {name}: rank 1 a copy of the right page's text {copies_first} times; "
              f"top-10 lists with two copies {lists_with_copies} of {len(rows)}")
        collapsed = [_without_copies(list(dict.fromkeys(row.urls[key] for key in rank(row) if key in row.urls)),
                                     runs) for row in rows]
        before = [first_page(row, rank(row)) for row in rows]
        after = [first_hit(row.question, [Ranked(url, "") for url in urls]) for row, urls in zip(rows, collapsed,
                                                                                                  strict=True)]
        dropped = sum(was is not None and now is None for was, now in zip(before, after, strict=True))
        print(f"    with pages holding the same text as a better-ranked one dropped (≥ {SAME_TEXT:.0%} of the larger"
              f" page's runs): hit@1 {_share(before, 1)} → {_share(after, 1)}, hit@3 {_share(before, 3)} → "
              f"{_share(after, 3)}; the right page dropped as a copy {dropped} times")
    for name, rank in variants()[:3]:
        same_year = 100 * sum(first_page(row, _same_year(row, rank(row))) == 0 for row in rows) / max(1, len(rows))
        print(f"  {name}, pages dated another year than one the question names left out: {same_year:.1f}")
    lexical_rank, semantic_rank = variants()[0][1], variants()[1][1]
    either = sum(first_page(row, lexical_rank(row)) == 0 or first_page(row, semantic_rank(row)) == 0 for row in rows)
    print(f"  right page at rank 1 by either side alone (the best any choice between them could do): {either}"
          f" of {len(rows)}")
    semantic_index = semantic_side(snap)
    store, exact, found_ann, found_exact = semantic_index.vectors, ExactVectorSearch(semantic_index.vectors), 0, 0
    for row in rows:
        vector = semantic_index.query_vector(row.question.question)
        if vector is None:
            continue
        for search, counter in ((semantic_index.search, "ann"), (exact, "exact")):
            ids = [store.ids[number] for number in search.nearest(vector, POOL).sections]
            urls = {record["url"] for record in snap.engine.fetch(ids).values()}
            hit = bool(urls & set(row.question.expect_urls))
            found_ann += hit and counter == "ann"
            found_exact += hit and counter == "exact"
    print(f"  right page among the {POOL} nearest sections: approximate index {found_ann}, exact scan {found_exact}"
          f" of {len(rows)}")


def main() -> None:
    """Print page hit@1 of every variant on each data set at its own size and among all regeringen.se pages."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--misses", action="store_true", help="also say what stands at rank 1 on the everyday set")
    parser.add_argument("--only", help="only the haystacks whose name contains this text (\"44k\", \"5k\", …)")
    args = parser.parse_args()
    quad_train, quad_dev, faq = swequad_mc("training"), swequad_mc("dev"), swefaq_dev()
    everyday = read_questions(EVERYDAY_QUESTIONS)
    pages = all_pages()
    haystacks: list[tuple[str, list[Document], list[tuple[str, list[Question]]]]] = [
        (" (own pages)", quad_train.documents, [("SweQUAD-MC training", quad_train.questions),
                                    ("SweQUAD-MC dev", quad_dev.questions)]),
        (" + 44k", quad_train.documents + pages, [("SweQUAD-MC training", quad_train.questions),
                                                  ("SweQUAD-MC dev", quad_dev.questions)]),
        (" (own pages)", faq.documents, [("SweFAQ dev", faq.questions)]),
        (" + 5k", faq.documents + quad_dev.documents + pages[:DISTRACTOR_PAGES],
         [("SweFAQ dev", faq.questions), ("SweQUAD-MC dev", quad_dev.questions)]),
        (" (2k pool)", pages[:EVERYDAY_POOL], [("everyday dev", everyday)]),
        (" (44k)", pages, [("everyday dev", everyday)]),
    ]
    columns: list[str] = []
    table: dict[str, list[str]] = {name: [] for name, _ in variants()}
    for suffix, documents, sets in haystacks:
        if args.only and args.only not in suffix:
            continue
        snap = study_snapshot(documents)
        for name, questions in sets:
            started = time.monotonic()
            rows = collect(snap, questions)
            columns.append(f"{name}{suffix}")
            print(f"  {columns[-1]}: {len(rows)} questions collected in {time.monotonic() - started:.0f} s", flush=True)
            for variant, rank in variants():
                table[variant].append(f"{hit_at_1(rows, rank):.1f}")
            if args.misses and name == "everyday dev" and suffix == " (44k)":
                misses(snap, rows, {page.url: page for page in pages})
        snap.engine.close()
    print("| variant | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for variant, cells in table.items():
        print(f"| {variant} | " + " | ".join(cells) + " |")
    training = [number for number, column in enumerate(columns) if column.startswith("SweQUAD-MC training")]
    if training:  # one rule for every size: the best mean over the training columns
        def mean(variant: str) -> float:
            return sum(float(table[variant][number]) for number in training) / len(training)
        fusions = [variant for variant in table if variant not in ("lexical only", "semantic only")]
        best = max(fusions, key=mean)
        print(f"best mean hit@1 over {', '.join(columns[number] for number in training)}: {best} ({mean(best):.1f})")


if __name__ == "__main__":
    main()
