"""The Whoosh engine's searches; with :mod:`indexer.engines.whoosh_files` the only modules that import Whoosh.

Implements the contract of :mod:`indexer.engines.base` with BM25F over
pre-analysed fields, each section's score multiplied by its prior.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from whoosh import collectors, scoring, sorting
from whoosh.query import And, ConstantScoreQuery, Or, Phrase, Term
from whoosh.searching import Searcher

from indexer.engines.base import (
    CANDIDATES,
    MAX_GRAM_DF_SHARE,
    PHRASE_SLOP,
    TOTAL_BOUND,
    EngineError,
    FacetCounts,
    Hit,
    Page,
    QueryPlan,
    SectionRecord,
    WeightedTerm,
    bm25_idf,
    estimated_union,
    first_stage,
)
from indexer.engines.whoosh_files import PlainFileStorage, lengths_in_memory
from indexer.engines.whoosh_files import build as build  # the engine's build, as the registry calls it
from indexer.engines.writing import read_record
from indexer.ranking_profile import PROFILE

BM25_K1 = PROFILE.bm25.k1
BM25_B = PROFILE.bm25.b
#: The first stage's collector without Whoosh's block-quality skipping and matcher replacement:
#: with terms in at most COMMON_SECTIONS sections each, the union is small, and at the 44k pages
#: the bookkeeping cost more than it skipped (measured in docs/benchmark-notes.md).
FIRST_STAGE_QUALITY = False
FIRST_STAGE_REPLACE = 0


class PriorBM25F(scoring.BM25F):
    """BM25F with each section's score multiplied by its stored prior."""

    use_final = True

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        #: The index's "prior" column, set once a searcher is open.
        self.priors: Any = None

    def final(self, searcher: Any, docnum: int, score: float) -> float:
        """``score`` times the prior of section ``docnum``."""
        return score * self.priors[docnum] if self.priors is not None else score


def _collect(searcher: Searcher, query: Any, collector: Any, time_limit_s: float | None) -> tuple[Any, bool]:
    """Run ``query`` into ``collector`` within ``time_limit_s``; (the collector, whether time ran out)."""
    if time_limit_s is not None:
        collector = collectors.TimeLimitCollector(collector, time_limit_s, use_alarm=False)
    try:
        searcher.search_with_collector(query, collector)
    except collectors.TimeLimit:
        return collector, True
    return collector, False


def two_stage_default() -> bool:
    """Whether a new engine searches in two stages: yes unless ``SOK_WHOOSH_QUERY=single`` (kept to compare)."""
    return os.environ.get("SOK_WHOOSH_QUERY", "").strip().lower() != "single"


class WhooshEngine:
    """An open Whoosh index with one reused searcher (and one for the unweighted first stage)."""

    honours_time_limit = True

    def __init__(self, path: Path, two_stage: bool | None = None):
        try:
            self._index = PlainFileStorage(str(path), supports_mmap=False, readonly=True).open_index()
            weighting = PriorBM25F(B=BM25_B, K1=BM25_K1)
            self._searcher = self._index.searcher(weighting=weighting)
            weighting.priors = list(self._searcher.reader().column_reader("prior"))
            lengths_in_memory(self._searcher.reader())
            # The first stage ranks without the prior: a final() would switch off Whoosh's block-quality skipping.
            self._plain = Searcher(self._searcher.reader(), weighting=scoring.BM25F(B=BM25_B, K1=BM25_K1),
                                   closereader=False)
        except Exception as error:  # Whoosh raises many kinds here
            raise EngineError(f"kan inte öppna indexet i {path} ({error}); bygg om det med 'sok index'") from error
        self.path = path
        #: Two stages (a pruned first stage, the full query on its candidates) or the full query on every match.
        self.two_stage = two_stage_default() if two_stage is None else two_stage
        self._labels: dict[str, list[str]] = {}

    def search(self, plan: QueryPlan, limit: int = 10, offset: int = 0, publisher: str | None = None,
               time_limit_s: float | None = None, exact_total: bool = True, kind: str | None = None) -> Page:
        """Sections matching any term of ``plan``, best first, within ``time_limit_s`` if given.

        In two stages (the default): the question's own words (and the looser forms of
        the words the index does not know) find the :data:`CANDIDATES` best sections with
        Whoosh's pruning; the whole plan then rescores only those. The total is exact up
        to :data:`TOTAL_BOUND` and estimated beyond.
        """
        if not self.two_stage:
            return self._search_every_match(plan, limit, offset, publisher, time_limit_s, kind)
        first = self._first_stage_query(plan)
        if first is None:
            return Page(0, [])
        first = self._filtered(first, publisher, kind)
        wanted = offset + limit
        collector: Any = collectors.TopCollector(limit=max(CANDIDATES, wanted), usequality=FIRST_STAGE_QUALITY,
                                                replace=FIRST_STAGE_REPLACE)
        collector, partial = _collect(self._plain, first, collector, time_limit_s)
        candidates = sorted(hit.docnum for hit in collector.results())
        scored = sorted(self._rescore(plan, candidates).items(), key=lambda item: (-item[1], item[0]))
        hits = [Hit(read_record(self._searcher.stored_fields(docnum)["data"]), score)
                for docnum, score in scored[offset:wanted]]
        if not exact_total:
            return Page(len(scored), hits, partial, total_exact=False)
        total, exact = self._total(first, plan, publisher, kind)
        return Page(max(total, len(scored)), hits, partial, total_exact=exact and not partial)

    def _filtered(self, query: Any, publisher: str | None, kind: str | None) -> Any:
        # Filters go in the query rather than a FilterCollector, which a time limit would bypass.
        if publisher:
            query = And([query, ConstantScoreQuery(Term("publisher_key", publisher.lower()), 0.0)])
        if kind:
            query = And([query, ConstantScoreQuery(Term("kind", kind), 0.0)])
        return query

    def _first_stage_query(self, plan: QueryPlan) -> Or | None:
        clauses = [Term(item.field, item.term, boost=item.weight) for item in self._first_stage(plan)
                   if item.field != "grams" or not self._common_gram(item.term)]
        return Or(clauses) if clauses else None

    def _first_stage(self, plan: QueryPlan) -> list[WeightedTerm]:
        return first_stage(plan, self._known, lambda item: self._searcher.doc_frequency(item.field, item.term))

    def _known(self, word: str) -> bool:
        return bool(self._searcher.doc_frequency("body", word) or self._searcher.doc_frequency("head", word))

    def _common_gram(self, gram: str) -> bool:
        return self._searcher.doc_frequency("grams", gram) > MAX_GRAM_DF_SHARE * max(self._searcher.doc_count(), 1)

    def _rescore(self, plan: QueryPlan, candidates: list[int]) -> dict[int, float]:
        """The full plan's score (BM25F over every term and phrase, times the prior) of each candidate."""
        scores = dict.fromkeys(candidates, 0.0)
        if not candidates:
            return scores
        query = self._query(plan)
        clauses = query.subqueries if query is not None else []
        context = self._searcher.context()
        for clause in clauses:
            matcher = clause.matcher(self._searcher, context)
            for docnum in candidates:
                if not matcher.is_active():
                    break
                if matcher.id() < docnum:
                    matcher.skip_to(docnum)
                    if not matcher.is_active():
                        break
                if matcher.id() == docnum:
                    scores[docnum] += matcher.score()
        priors = self._searcher.weighting.priors
        return {docnum: score * priors[docnum] for docnum, score in scores.items()}

    def _total(self, first: Any, plan: QueryPlan, publisher: str | None, kind: str | None) -> tuple[int, bool]:
        """The first stage's matches: counted when at most TOTAL_BOUND, else estimated (and not exact)."""
        sections = self._searcher.doc_count()
        frequencies = [self._searcher.doc_frequency(item.field, item.term) for item in self._first_stage(plan)]
        if max(frequencies, default=0) <= TOTAL_BOUND:
            matcher = first.matcher(self._plain, self._plain.context())
            counted = sum(1 for _ in itertools.islice(matcher.all_ids(), TOTAL_BOUND + 1))
            if counted <= TOTAL_BOUND:
                return counted, True
        estimate = estimated_union(sections, frequencies)
        for name, value in (("publisher_key", publisher.lower() if publisher else None), ("kind", kind)):
            if value:
                estimate = round(estimate * self._searcher.doc_frequency(name, value) / max(sections, 1))
        return max(estimate, TOTAL_BOUND + 1), False

    def _search_every_match(self, plan: QueryPlan, limit: int, offset: int, publisher: str | None,
                            time_limit_s: float | None, kind: str | None) -> Page:
        """The single-stage search: every section matching any term of the plan scored (exact total)."""
        query = self._query(plan)
        if query is None:
            return Page(0, [])
        # No matcher replacement: it would skip documents that cannot reach the
        # top N, which keeps the ranking right but makes the total count wrong.
        query = self._filtered(query, publisher, kind)
        collector: Any = collectors.TopCollector(limit=offset + limit, usequality=False, replace=0)
        collector, partial = _collect(self._searcher, query, collector, time_limit_s)
        results = collector.results()
        hits = [Hit(read_record(hit["data"]), float(hit.score)) for hit in results[offset : offset + limit]]
        return Page(len(results), hits, partial)

    def _query(self, plan: QueryPlan) -> Or | None:
        clauses = [Term(item.field, item.term, boost=item.weight) for item in plan.terms
                   if item.field != "grams" or not self._common_gram(item.term)]
        clauses += [Phrase(name, list(words), slop=PHRASE_SLOP, boost=weight) for name, words, weight in plan.phrases]
        return Or(clauses) if clauses else None

    def facet_counts(self, plan: QueryPlan) -> FacetCounts:
        """How many matching sections each publisher and each kind has, most first.

        Two-stage: every first-stage match counted when there are at most
        :data:`TOTAL_BOUND`, else the candidates only (``exact`` false).
        """
        if not self.two_stage:
            return self._facets_of_every_match(plan)
        first = self._first_stage_query(plan)
        if first is None:
            return FacetCounts([], [])
        _total, exact = self._total(first, plan, None, None)
        if exact:
            matcher = first.matcher(self._plain, self._plain.context())
            docnums = list(matcher.all_ids())
        else:
            collector = collectors.TopCollector(limit=CANDIDATES, usequality=FIRST_STAGE_QUALITY,
                                                replace=FIRST_STAGE_REPLACE)
            self._plain.search_with_collector(first, collector)
            docnums = [hit.docnum for hit in collector.results()]
        counted = {name: Counter(self._field_values(name)[docnum] for docnum in docnums)
                   for name in ("publisher", "kind")}
        publisher, kind = (sorted(((value, count) for value, count in counted[name].items() if value),
                                  key=lambda item: (-item[1], item[0])) for name in ("publisher", "kind"))
        return FacetCounts(publisher, kind, exact)

    def _field_values(self, name: str) -> list[str]:
        """Each section's value of the one-term field ``name`` ("" where it has none), read once."""
        if name not in self._labels:
            values = [""] * self._searcher.doc_count_all()
            reader = self._searcher.reader()
            for term in list(reader.lexicon(name)):
                value = term.decode("utf-8") if isinstance(term, bytes) else term
                for docnum in reader.postings(name, term).all_ids():
                    values[docnum] = value
            self._labels[name] = values
        return self._labels[name]

    def _facets_of_every_match(self, plan: QueryPlan) -> FacetCounts:
        query = self._query(plan)
        if query is None:
            return FacetCounts([], [])
        facets = sorting.Facets()
        for name in ("publisher", "kind"):
            facets.add_field(name, maptype=sorting.Count)
        results = self._searcher.search(query, groupedby=facets, limit=1)
        publisher, kind = (sorted(((value, count) for value, count in results.groups(name).items() if value),
                                  key=lambda item: (-item[1], item[0])) for name in ("publisher", "kind"))
        return FacetCounts(publisher, kind)

    def fetch(self, ids: list[str]) -> dict[str, SectionRecord]:
        """The stored records of the sections with these ids."""
        found = {}
        for section_id in ids:
            stored = self._searcher.document(id=section_id)
            if stored is not None:
                found[section_id] = read_record(stored["data"])
        return found

    def document_frequency(self, term: str, field: str = "body") -> int:
        """In how many sections ``term`` occurs in ``field``."""
        return self._searcher.doc_frequency(field, term)

    def idf(self, term: str, field: str = "body") -> float:
        """Inverse document frequency of an analysed term in ``field``."""
        return bm25_idf(self._searcher.doc_count(), self.document_frequency(term, field))

    def section_count(self) -> int:
        """The number of sections in the index."""
        return self._searcher.doc_count()

    def records(self) -> Iterator[SectionRecord]:
        """Every stored section record."""
        for _, fields in self._searcher.reader().iter_docs():
            yield read_record(fields["data"])

    def close(self) -> None:
        """Release the searchers and the index files."""
        self._plain.close()
        self._searcher.close()
        self._index.close()


def open_index(path: Path) -> WhooshEngine:
    """Open the Whoosh index in ``path`` for searching."""
    return WhooshEngine(path)
