"""The Whoosh engine: the only module that imports Whoosh.

Implements the contract of :mod:`indexer.engines.base` with BM25F over
pre-analysed fields, each section's score multiplied by its prior.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from whoosh import collectors, scoring, sorting
from whoosh import index as whoosh_index
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, NUMERIC, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.query import And, ConstantScoreQuery, Or, Phrase, Term

from indexer.engines.base import (
    MAX_GRAM_DF_SHARE,
    PHRASE_SLOP,
    EngineError,
    Hit,
    IndexedSection,
    Page,
    QueryPlan,
    SectionRecord,
    bm25_idf,
    section_prior,
)
from indexer.engines.writing import read_record, record_json, write_sections

BM25_K1 = 0.9
BM25_B = 0.75
WRITER_PROCESSES = 2


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


def _schema() -> Schema:
    terms = SpaceSeparatedTokenizer()
    return Schema(
        id=ID(stored=True, unique=True),
        doc_id=ID(stored=True),
        publisher_key=ID(stored=False),
        publisher=ID(stored=False),
        kind=ID(stored=False),
        body=TEXT(analyzer=terms, phrase=True),
        head=TEXT(analyzer=terms, phrase=False),
        folded=TEXT(analyzer=terms, phrase=False),
        parts=TEXT(analyzer=terms, phrase=False),
        grams=TEXT(analyzer=terms, phrase=False),
        position=NUMERIC(stored=True),
        prior=COLUMN(NumericColumn("f", default=1.0)),
        data=STORED(),
    )


class WhooshWriter:
    """A new Whoosh index in ``path`` being written (driven by ``write_sections``)."""

    def __init__(self, path: Path):
        self._index = whoosh_index.create_in(str(path), _schema())
        # Two processes: this machine has two cores, and Whoosh's own work is half the build.
        self._writer = self._index.writer(procs=WRITER_PROCESSES, limitmb=256, multisegment=True)

    def add(self, item: IndexedSection) -> None:
        """Add one analysed section, its prior and its stored record."""
        section = item.section
        self._writer.add_document(
            id=section.id,
            doc_id=section.doc.doc_id,
            publisher_key=section.doc.publisher.lower(),
            publisher=section.doc.publisher,
            kind=section.doc.kind,
            position=section.position,
            prior=section_prior(section),
            data=record_json(section),
            **item.fields,
        )

    def commit(self) -> None:
        """Write the segments and close the index."""
        self._writer.commit()
        self._index.close()

    def rollback(self) -> None:
        """Cancel the writer: nothing added reaches the index."""
        self._writer.cancel()


def build(path: Path, sections: Iterable[IndexedSection], on_section: Callable[[], None] | None = None) -> int:
    """Write analysed ``sections`` into a new Whoosh index in ``path``; returns the count."""
    return write_sections(WhooshWriter(path), sections, on_section)


class QuietFile(io.RawIOBase):
    """A read-only file with its own position, closed without a ResourceWarning when dropped unclosed."""

    def __init__(self, path: str):
        self._fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        self._position = 0
        self.name = path

    def readable(self) -> bool:
        """Always: the file is opened for reading."""
        return True

    def seekable(self) -> bool:
        """Always: reads are positioned (``pread``)."""
        return True

    def tell(self) -> int:
        """The current position."""
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        """Move the position as ``io`` does; returns the new one."""
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position}.get(whence)
        self._position = (os.fstat(self._fd).st_size if base is None else base) + offset
        return self._position

    def readinto(self, buffer: Any) -> int:
        """Read into ``buffer`` from the current position; returns the number of bytes read."""
        data = os.pread(self._fd, len(buffer), self._position)
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)

    def close(self) -> None:
        """Close the file descriptor (once)."""
        if not self.closed:
            os.close(self._fd)
        super().close()


class PlainFileStorage(FileStorage):
    """Whoosh's file storage with plain reads, never memory maps.

    A mapped segment file that is truncated under a running worker kills it with
    SIGBUS; a read past the end only raises an error, which the app turns into a
    503 and a switch to an intact snapshot. The files stay open while the index is
    (so a snapshot removed from disk keeps serving), and an index dropped without
    ``close()`` releases them quietly.
    """

    def open_file(self, name: str, **kwargs: Any) -> StructFile:
        """The file ``name`` of the index, read with plain reads."""
        return StructFile(io.BufferedReader(QuietFile(self._fpath(name))), name=name, **kwargs)


class WhooshEngine:
    """An open Whoosh index with one reused searcher."""

    honours_time_limit = True

    def __init__(self, path: Path):
        try:
            self._index = PlainFileStorage(str(path), supports_mmap=False, readonly=True).open_index()
            weighting = PriorBM25F(B=BM25_B, K1=BM25_K1)
            self._searcher = self._index.searcher(weighting=weighting)
            weighting.priors = self._searcher.reader().column_reader("prior")
        except Exception as error:  # Whoosh raises many kinds here
            raise EngineError(f"kan inte öppna indexet i {path} ({error}); bygg om det med 'sok index'") from error
        self.path = path

    def search(self, plan: QueryPlan, limit: int = 10, offset: int = 0, publisher: str | None = None,
               time_limit_s: float | None = None, exact_total: bool = True, kind: str | None = None) -> Page:
        """Sections matching any term of ``plan``, best first, within ``time_limit_s`` if given.

        The total is always exact: Whoosh's pruning is off anyway (see PriorBM25F).
        """
        query = self._query(plan)
        if query is None:
            return Page(0, [])
        # No matcher replacement: it would skip documents that cannot reach the
        # top N, which keeps the ranking right but makes the total count wrong.
        # Filters go in the query rather than a FilterCollector, which a time limit would bypass.
        if publisher:
            query = And([query, ConstantScoreQuery(Term("publisher_key", publisher.lower()), 0.0)])
        if kind:
            query = And([query, ConstantScoreQuery(Term("kind", kind), 0.0)])
        collector = collectors.TopCollector(limit=offset + limit, usequality=False, replace=0)
        partial = False
        if time_limit_s is not None:
            collector = collectors.TimeLimitCollector(collector, time_limit_s, use_alarm=False)
        try:
            self._searcher.search_with_collector(query, collector)
        except collectors.TimeLimit:
            partial = True
        results = collector.results()
        hits = [Hit(read_record(hit["data"]), float(hit.score)) for hit in results[offset : offset + limit]]
        return Page(len(results), hits, partial)

    def _query(self, plan: QueryPlan) -> Or | None:
        total = max(self._searcher.doc_count(), 1)
        clauses = []
        for item in plan.terms:
            if item.field == "grams" and self._searcher.doc_frequency("grams", item.term) > MAX_GRAM_DF_SHARE * total:
                continue
            clauses.append(Term(item.field, item.term, boost=item.weight))
        clauses += [Phrase(name, list(words), slop=PHRASE_SLOP, boost=weight) for name, words, weight in plan.phrases]
        return Or(clauses) if clauses else None

    def facet_counts(self, plan: QueryPlan) -> dict[str, list[tuple[str, int]]]:
        """How many matching sections each publisher and each kind has, most first."""
        query = self._query(plan)
        if query is None:
            return {"publisher": [], "kind": []}
        facets = sorting.Facets()
        for name in ("publisher", "kind"):
            facets.add_field(name, maptype=sorting.Count)
        results = self._searcher.search(query, groupedby=facets, limit=1)
        return {name: sorted(((value, count) for value, count in results.groups(name).items() if value),
                             key=lambda item: (-item[1], item[0])) for name in ("publisher", "kind")}

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
        """Release the searcher and the index files."""
        self._searcher.close()
        self._index.close()


def open_index(path: Path) -> WhooshEngine:
    """Open the Whoosh index in ``path`` for searching."""
    return WhooshEngine(path)
