"""The tantivy engine: the only module that imports tantivy.

Implements the contract of :mod:`indexer.engines.base` on tantivy (Rust, through its
PyPI bindings). The fields hold the same space-separated terms that the
Swedish chain made for Whoosh, split by tantivy's ``whitespace`` tokenizer
(which changes nothing), so both engines index exactly the same terms. Scores
are tantivy's BM25 summed over the weighted term and phrase clauses, as in
Whoosh; the section prior is applied through a fast field.

Searches are fast enough that no time limit is needed: ``partial`` is never set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import tantivy

from indexer.engines.base import (
    FIELDS,
    LINK_LIST_PRIOR,
    MAX_GRAM_DF_SHARE,
    PHRASE_SLOP,
    EngineError,
    FacetCounts,
    Hit,
    IndexedSection,
    Page,
    QueryPlan,
    SectionRecord,
    bm25_idf,
    section_prior,
)
from indexer.engines.writing import read_record, record_json, write_sections
from indexer.ranking_profile import Bm25

WRITER_THREADS = 1
FACET_VALUES = 50
WRITER_HEAP_BYTES = 256_000_000
TERMS = "whitespace"
#: Fields searched by phrase need positions; the others only frequencies.
POSITIONS = {"body"}
#: BM25 as tantivy fixes it inside the library (0.27 offers no way to set k1 or b): the ranking profile's
#: ``bm25`` reaches Whoosh only (indexer/ranking_profile.py).
LIBRARY_BM25 = Bm25(k1=1.2, b=0.75)


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=False, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("publisher_key", stored=False, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("publisher", stored=False, tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_text_field("kind", stored=False, tokenizer_name="raw", index_option="basic", fast=True)
    for name in FIELDS:
        builder.add_text_field(name, stored=False, tokenizer_name=TERMS,
                               index_option="position" if name in POSITIONS else "freq")
    # tantivy multiplies a score by log2(2 + weight); see _weight.
    builder.add_float_field("weight", stored=False, fast=True, indexed=False)
    builder.add_bytes_field("data", stored=True)
    return builder.build()


def _weight(prior: float) -> float:
    """The fast-field value that makes tantivy scale a score by ``prior / LINK_LIST_PRIOR``.

    tantivy's ``weight_by_field`` multiplies by ``log2(2 + value)`` and never by
    less than 1, so priors are stored relative to the smallest one and scores
    are scaled back by ``LINK_LIST_PRIOR`` after the search.
    """
    return 2 ** (prior / LINK_LIST_PRIOR) - 2


class TantivyWriter:
    """A new tantivy index in ``path`` being written (driven by ``write_sections``)."""

    def __init__(self, path: Path):
        self._index = tantivy.Index(_schema(), path=str(path), reuse=False)
        self._writer = self._index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=WRITER_THREADS)

    def add(self, item: IndexedSection) -> None:
        """Add one analysed section, its prior and its stored record."""
        section = item.section
        document = tantivy.Document()
        document.add_text("id", section.id)
        document.add_text("publisher_key", section.doc.publisher.lower())
        document.add_text("publisher", section.doc.publisher)
        document.add_text("kind", section.doc.kind)
        for name, terms in item.fields.items():
            document.add_text(name, terms)
        document.add_float("weight", _weight(section_prior(section)))
        document.add_bytes("data", record_json(item).encode())
        self._writer.add_document(document)

    def commit(self) -> None:
        """Commit the documents and wait for the segment merges to finish."""
        self._writer.commit()
        self._writer.wait_merging_threads()

    def rollback(self) -> None:
        """Drop every document added since the index was created."""
        self._writer.rollback()


def build(path: Path, sections: Iterable[IndexedSection], on_section: Callable[[], None] | None = None) -> int:
    """Write analysed ``sections`` into a new tantivy index in ``path``; returns the count."""
    return write_sections(TantivyWriter(path), sections, on_section)


class TantivyEngine:
    """An open tantivy index with one reused searcher."""

    honours_time_limit = False

    def __init__(self, path: Path):
        try:
            self._index = tantivy.Index.open(str(path))
            self._schema = self._index.schema
            self._searcher = self._index.searcher()
            self._total = self._searcher.num_docs
        except Exception as error:  # the bindings raise ValueError and OSError
            raise EngineError(f"kan inte öppna indexet i {path} ({error}); bygg om det med 'sok index'") from error
        self.path = path

    def search(self, plan: QueryPlan, limit: int = 10, offset: int = 0, publisher: str | None = None,
               time_limit_s: float | None = None, exact_total: bool = True, kind: str | None = None) -> Page:
        """Sections matching any term of ``plan``, best first (``time_limit_s`` is not needed)."""
        query = self._query(plan)
        if query is None:
            return Page(0, [])
        for field, value in (("publisher_key", publisher.lower() if publisher else None), ("kind", kind)):
            if value:
                only = tantivy.Query.const_score_query(tantivy.Query.term_query(self._schema, field, value), 0.0)
                query = tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, only)])
        try:
            result = self._searcher.search(query, limit=limit, offset=offset, count=exact_total,
                                           weight_by_field="weight")
        except ValueError as error:
            raise EngineError(f"sökningen misslyckades ({error})") from error
        hits = [Hit(read_record(self._searcher.doc(address)["data"][0]), score * LINK_LIST_PRIOR)
                for score, address in result.hits]
        total = result.count if exact_total else offset + len(hits)  # type: ignore[attr-defined]  # not in the stubs
        return Page(total, hits, total_exact=exact_total)

    def _query(self, plan: QueryPlan) -> tantivy.Query | None:
        clauses = []
        for item in plan.terms:
            if item.field == "grams" and self.document_frequency(item.term, "grams") > MAX_GRAM_DF_SHARE * self._total:
                continue
            term = tantivy.Query.term_query(self._schema, item.field, item.term)
            clauses.append((tantivy.Occur.Should, tantivy.Query.boost_query(term, item.weight)))
        for name, words, weight in plan.phrases:
            phrase = tantivy.Query.phrase_query(self._schema, name, list(words), slop=PHRASE_SLOP)
            clauses.append((tantivy.Occur.Should, tantivy.Query.boost_query(phrase, weight)))
        return tantivy.Query.boolean_query(clauses) if clauses else None

    def facet_counts(self, plan: QueryPlan) -> FacetCounts:
        """How many matching sections each publisher and each kind has, most first (always exact)."""
        query = self._query(plan)
        if query is None:
            return FacetCounts([], [])
        aggregations = {name: {"terms": {"field": name, "size": FACET_VALUES}} for name in ("publisher", "kind")}
        result = self._searcher.aggregate(query, aggregations)
        publisher, kind = (sorted(((str(bucket["key"]), int(bucket["doc_count"])) for bucket in result[name]["buckets"]
                                   if bucket["key"]), key=lambda item: (-item[1], item[0]))
                           for name in ("publisher", "kind"))
        return FacetCounts(publisher, kind)

    def fetch(self, ids: list[str]) -> dict[str, SectionRecord]:
        """The stored records of the sections with these ids."""
        found = {}
        for section_id in ids:
            query = tantivy.Query.term_query(self._schema, "id", section_id)
            for _, address in self._searcher.search(query, limit=1, count=False).hits:
                found[section_id] = read_record(self._searcher.doc(address)["data"][0])
        return found

    def document_frequency(self, term: str, field: str = "body") -> int:
        """In how many sections ``term`` occurs in ``field``."""
        return self._searcher.doc_freq(field, term)

    def idf(self, term: str, field: str = "body") -> float:
        """Inverse document frequency of an analysed term in ``field``."""
        return bm25_idf(self._total, self.document_frequency(term, field))

    def section_count(self) -> int:
        """The number of sections in the index."""
        return self._total

    def records(self) -> Iterator[SectionRecord]:
        """Every stored section record."""
        if not self._total:
            return
        everything = self._searcher.search(tantivy.Query.all_query(), limit=self._total, count=False)
        for _, address in everything.hits:
            yield read_record(self._searcher.doc(address)["data"][0])

    def close(self) -> None:
        """Drop the searcher; tantivy releases its memory maps when they are no longer used."""
        # Dropped, not typed as optional: an engine is never searched after close().
        self._searcher = None  # type: ignore[assignment]
        self._index = None  # type: ignore[assignment]


def open_index(path: Path) -> TantivyEngine:
    """Open the tantivy index in ``path`` for searching."""
    return TantivyEngine(path)
