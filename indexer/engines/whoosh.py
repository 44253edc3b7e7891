"""The Whoosh engine's searches; with ``whoosh_postings`` and ``whoosh_files`` the only modules that import Whoosh.

Implements the contract of :mod:`indexer.engines.base` with BM25F over
pre-analysed fields, each section's score multiplied by its prior.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
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
from indexer.engines.whoosh_postings import Postings, TermPostings, in_order_near, tree_sum
from indexer.engines.writing import read_record
from indexer.ranking_profile import PROFILE

BM25_K1 = PROFILE.bm25.k1
BM25_B = PROFILE.bm25.b
_NONE = np.zeros(0, dtype=np.int64)


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
    """An open Whoosh index with one reused searcher; the two-stage query reads its postings directly."""

    honours_time_limit = True

    def __init__(self, path: Path, two_stage: bool | None = None):
        try:
            self._index = PlainFileStorage(str(path), supports_mmap=False, readonly=True).open_index()
            weighting = PriorBM25F(B=BM25_B, K1=BM25_K1)
            self._searcher = self._index.searcher(weighting=weighting)
            weighting.priors = list(self._searcher.reader().column_reader("prior"))
            lengths_in_memory(self._searcher.reader())
            self._priors = np.array(weighting.priors, dtype=np.float64)
            self._postings = Postings(self._searcher, BM25_K1, BM25_B)
            self._body_format = self._index.schema["body"].format
            self._sections = self._searcher.doc_count()
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
        the words the index does not know) find the :data:`CANDIDATES` best sections;
        the whole plan then rescores only those. The total is exact up to
        :data:`TOTAL_BOUND` and estimated beyond.
        """
        if not self.two_stage:
            return self._search_every_match(plan, limit, offset, publisher, time_limit_s, kind)
        deadline = None if time_limit_s is None else time.monotonic() + time_limit_s
        matched, first_scores = self._first_stage_matches(plan, publisher, kind)
        wanted = offset + limit
        best = np.lexsort((matched, -first_scores))[: max(CANDIDATES, wanted)]
        candidates = np.sort(matched[best])
        scores, partial = self._rescore(plan, candidates, deadline)
        if partial:  # out of time: the first stage's ranking (times the prior) of what it found, and only that counted
            order = np.argsort(matched[best])
            scores = first_scores[best][order] * self._priors[candidates]
        order = np.lexsort((candidates, -scores))[offset:wanted]
        hits = [Hit(read_record(self._searcher.stored_fields(int(candidates[i]))["data"]), float(scores[i]))
                for i in order]
        if not exact_total or partial:
            return Page(len(candidates), hits, partial, total_exact=False)
        total, exact = self._total(len(matched), plan, publisher, kind)
        return Page(max(total, len(candidates)), hits, partial, total_exact=exact and not partial)

    def _first_stage_matches(self, plan: QueryPlan, publisher: str | None,
                             kind: str | None) -> tuple[np.ndarray, np.ndarray]:
        """The sections the first stage finds (sorted numbers) and their BM25F scores over its terms."""
        found, scored = [], []
        for item in self._first_stage(plan):
            if item.field == "grams" and self._common_gram(item.term):
                continue
            postings = self._postings.all(item.field, item.term)
            if len(postings.ids):
                found.append(postings.ids)
                scored.append(item.weight * self._postings.bm25(item.field, item.term, postings.weights, postings.ids))
        if not found:
            return _NONE, np.zeros(0)
        matched, inverse = np.unique(np.concatenate(found), return_inverse=True)
        scores = np.bincount(inverse, weights=np.concatenate(scored), minlength=len(matched))
        # Filters keep only the sections of one publisher and of one kind.
        for name, value in (("publisher_key", publisher.lower() if publisher else None), ("kind", kind)):
            if value:
                keep = np.isin(matched, self._postings.all(name, value).ids)
                matched, scores = matched[keep], scores[keep]
        return matched, scores

    def _first_stage(self, plan: QueryPlan) -> list[WeightedTerm]:
        return first_stage(plan, self._known, lambda item: self.document_frequency(item.term, item.field))

    def _known(self, word: str) -> bool:
        return bool(self.document_frequency(word, "body") or self.document_frequency(word, "head"))

    def _common_gram(self, gram: str) -> bool:
        return self.document_frequency(gram, "grams") > MAX_GRAM_DF_SHARE * max(self._sections, 1)

    def _rescore(self, plan: QueryPlan, candidates: np.ndarray, deadline: float | None) -> tuple[np.ndarray, bool]:
        """The full plan's score (BM25F over every term and phrase, times the prior) of each candidate.

        Terms are summed in the plan's order, as the single-stage query's clauses are; a
        phrase is looked for only in the candidates that hold all of its words.
        """
        scores = np.zeros(len(candidates))
        if not len(candidates):
            return scores, False
        body: dict[str, TermPostings] = {}
        for item in plan.terms:
            if deadline is not None and time.monotonic() > deadline:
                return scores * self._priors[candidates], True
            if item.field == "grams" and self._common_gram(item.term):
                continue
            postings = self._postings.at(item.field, item.term, candidates, values=item.field == "body")
            if item.field == "body":
                body[item.term] = postings
            if len(postings.ids):
                places = np.searchsorted(candidates, postings.ids)
                scores[places] += item.weight * self._postings.bm25(item.field, item.term, postings.weights,
                                                                     postings.ids)
        for name, words, weight in plan.phrases:
            if name != "body":
                continue
            for word in words:
                if word not in body:
                    body[word] = self._postings.at("body", word, candidates, values=True)
            for docnum, score in self._phrase_scores([(word, body[word]) for word in words]):
                scores[np.searchsorted(candidates, docnum)] += score * weight
        return scores * self._priors[candidates], False

    def _phrase_scores(self, words: list[tuple[str, TermPostings]]) -> list[tuple[int, float]]:
        """(section, summed BM25F of the words in ``body``) where ``words`` occur in order within PHRASE_SLOP.

        As Whoosh's ``Phrase`` (a ``SpanNear2``: in order, 1 to ``slop`` positions apart) matches
        and scores them: the words' own scores, added as its binary tree of matchers adds them.
        """
        shared = words[0][1].ids
        for _, postings in words[1:]:
            shared = shared[np.isin(shared, postings.ids)]
        found = []
        for docnum in shared.tolist():
            places = [int(np.searchsorted(postings.ids, docnum)) for _, postings in words]
            positions = [self._body_format.decode_positions(postings.values[place])  # type: ignore[index]
                         for (_, postings), place in zip(words, places, strict=True)]
            if in_order_near(positions, PHRASE_SLOP):
                scores = [float(self._postings.bm25("body", word, postings.weights[place : place + 1],
                                                    postings.ids[place : place + 1])[0])
                          for (word, postings), place in zip(words, places, strict=True)]
                found.append((docnum, tree_sum(scores)))
        return found

    def _total(self, matched: int, plan: QueryPlan, publisher: str | None, kind: str | None) -> tuple[int, bool]:
        """The first stage's ``matched`` sections when at most TOTAL_BOUND, else an estimate (and not exact)."""
        if matched <= TOTAL_BOUND:
            return matched, True
        sections = self._searcher.doc_count()
        frequencies = [self.document_frequency(item.term, item.field) for item in self._first_stage(plan)]
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

    def _filtered(self, query: Any, publisher: str | None, kind: str | None) -> Any:
        # Filters go in the query rather than a FilterCollector, which a time limit would bypass.
        if publisher:
            query = And([query, ConstantScoreQuery(Term("publisher_key", publisher.lower()), 0.0)])
        if kind:
            query = And([query, ConstantScoreQuery(Term("kind", kind), 0.0)])
        return query

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
        matched, first_scores = self._first_stage_matches(plan, None, None)
        if not len(matched):
            return FacetCounts([], [])
        exact = len(matched) <= TOTAL_BOUND
        docnums = matched if exact else matched[np.lexsort((matched, -first_scores))[:CANDIDATES]]
        counted = {name: Counter(map(self._field_values(name).__getitem__, docnums.tolist()))
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
        return self._postings.frequency(field, term)

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
        self._searcher.close()
        self._index.close()


def open_index(path: Path) -> WhooshEngine:
    """Open the Whoosh index in ``path`` for searching."""
    return WhooshEngine(path)
