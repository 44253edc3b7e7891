"""The search engine: the only module that imports Whoosh.

A narrow interface: :func:`build` writes sections into a new index folder,
:func:`open_index` opens one for searching, and :class:`Engine` answers
queries made of already-analysed terms (user text never reaches a query
parser, so nothing a user types is query syntax).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from whoosh import collectors, scoring
from whoosh import index as whoosh_index
from whoosh.analysis import Token as WhooshToken
from whoosh.analysis import Tokenizer
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, NUMERIC, STORED, TEXT, Schema
from whoosh.query import Or, Term

from indexer.analysis import INDEX_PIPELINE, analyze
from indexer.sections import Section

#: Weight of a match in the heading path (page title › headings) against the body.
HEADING_WEIGHT = 1.5
BM25_K1 = 1.2
BM25_B = 0.75
#: Score factor of a section that is only a list of links or labels: such
#: short sections would otherwise outrank the prose they point to.
LINK_LIST_PRIOR = 0.6


def section_prior(section: Section) -> float:
    """A query-independent factor on a section's score."""
    return LINK_LIST_PRIOR if section.links_only else 1.0


class PriorBM25F(scoring.BM25F):
    """BM25F with each section's score multiplied by its stored prior."""

    use_final = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.priors = None

    def final(self, searcher, docnum, score):
        return score * self.priors[docnum] if self.priors is not None else score


class SwedishTokenizer(Tokenizer):
    """Whoosh adapter for :func:`indexer.analysis.analyze` (index-time chain)."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = WhooshToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for item in analyze(value, INDEX_PIPELINE):
            token.text = item.text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = item.text
            if positions:
                token.pos = start_pos + item.pos
            if chars:
                token.startchar = start_char + item.start
                token.endchar = start_char + item.end
            yield token


def _schema() -> Schema:
    analyzer = SwedishTokenizer()
    return Schema(
        id=ID(stored=True, unique=True),
        doc_id=ID(stored=True),
        publisher_key=ID(stored=False),
        body=TEXT(analyzer=analyzer, phrase=True),
        head=TEXT(analyzer=analyzer, phrase=False),
        position=NUMERIC(stored=True),
        prior=COLUMN(NumericColumn("f", default=1.0)),
        data=STORED(),
    )


@dataclass(frozen=True)
class Hit:
    """One matching section with its stored fields and score."""

    fields: dict
    score: float


@dataclass(frozen=True)
class Page:
    """One page of hits and the total number of matching sections."""

    total: int
    hits: list[Hit]


def section_record(section: Section) -> dict:
    """Everything the app needs to show a section, stored in the index."""
    return {
        "id": section.id,
        "doc_id": section.doc.doc_id,
        "title": section.doc.title,
        "heading": section.heading,
        "heading_path": list(section.heading_path),
        "text": section.text,
        "url": section.doc.url,
        "publisher": section.doc.publisher,
        "published": section.doc.published,
        "position": section.position,
        "untitled": section.untitled,
    }


def build(path: Path, sections: Iterable[Section], on_section: Callable[[], None] | None = None) -> int:
    """Write ``sections`` into a new Whoosh index in ``path``; returns the count."""
    path.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(path), _schema())
    writer = ix.writer(limitmb=256)
    count = 0
    try:
        for section in sections:
            record = section_record(section)
            writer.add_document(
                id=section.id,
                doc_id=section.doc.doc_id,
                publisher_key=section.doc.publisher.lower(),
                body=section.text,
                head=" ".join(section.heading_path),
                position=section.position,
                prior=section_prior(section),
                data=json.dumps(record, ensure_ascii=False),
            )
            count += 1
            if on_section:
                on_section()
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    ix.close()
    return count


class EngineError(RuntimeError):
    """The index cannot be opened or read."""


class Engine:
    """An open index with one reused searcher."""

    def __init__(self, path: Path):
        try:
            self._index = whoosh_index.open_dir(str(path))
            weighting = PriorBM25F(B=BM25_B, K1=BM25_K1)
            self._searcher = self._index.searcher(weighting=weighting)
            weighting.priors = self._searcher.reader().column_reader("prior")
        except Exception as error:  # Whoosh raises many kinds here
            raise EngineError(f"kan inte öppna indexet i {path}: {error}") from error
        self.path = path

    def search(self, query_terms: Sequence[str], limit: int = 10, offset: int = 0,
               publisher: str | None = None) -> Page:
        """Sections matching any of the analysed ``query_terms``, best first."""
        if not query_terms:
            return Page(0, [])
        clauses = []
        for term in query_terms:
            clauses.append(Term("body", term))
            clauses.append(Term("head", term, boost=HEADING_WEIGHT))
        query = Or(clauses)
        # No matcher replacement: it would skip documents that cannot reach the
        # top N, which keeps the ranking right but makes the total count wrong.
        collector = collectors.TopCollector(limit=offset + limit, usequality=False, replace=0)
        if publisher:
            collector = collectors.FilterCollector(collector, allow=Term("publisher_key", publisher.lower()))
        self._searcher.search_with_collector(query, collector)
        results = collector.results()
        hits = [Hit(json.loads(hit["data"]), float(hit.score)) for hit in results[offset : offset + limit]]
        return Page(len(results), hits)

    def document_frequency(self, term: str) -> int:
        """In how many sections ``term`` occurs (body field)."""
        return self._searcher.doc_frequency("body", term)

    def idf(self, term: str) -> float:
        """Inverse document frequency of an analysed term in the body field."""
        total = max(self._searcher.doc_count(), 1)
        df = self.document_frequency(term)
        return math.log(1 + (total - df + 0.5) / (df + 0.5))

    def section_count(self) -> int:
        """The number of sections in the index."""
        return self._searcher.doc_count()

    def close(self) -> None:
        """Release the searcher and the index files."""
        self._searcher.close()
        self._index.close()


def open_index(path: Path) -> Engine:
    """Open the Whoosh index in ``path`` for searching."""
    return Engine(path)
