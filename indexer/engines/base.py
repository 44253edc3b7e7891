"""The search engine behind one interface, with Whoosh or tantivy underneath.

A narrow contract: :func:`build` writes analysed sections into a new index
folder with the chosen engine, :func:`open_index` opens one for searching
(whichever engine wrote it), and the returned engine answers query plans of
already-analysed terms. The engines do no language work of their own: every
field arrives as space-separated terms made by the Swedish chain
(``indexer.fields``), and user text never reaches a query parser, so nothing a
user types is query syntax.

Whoosh (``indexer.engines.whoosh``) is the default; tantivy
(``indexer.engines.tantivy``) is chosen with ``SOK_ENGINE=tantivy`` at build
time. Only those two modules import their engine.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from indexer.sections.split import Section

ENGINES = ("whoosh", "tantivy")
DEFAULT_ENGINE = "whoosh"
#: The file in an engine folder that names the engine that wrote it.
ENGINE_MARKER = "engine.txt"
#: Score factor of a section that is only a list of links or labels: such
#: short sections would otherwise outrank the prose they point to.
LINK_LIST_PRIOR = 0.6
#: A query term more common than this share of sections is dropped from the
#: grams field: it would cost time and tell the sections apart hardly at all.
MAX_GRAM_DF_SHARE = 0.2
PHRASE_SLOP = 3


#: The engines' input contract: a question already analysed into weighted terms per field
#: (made by ``search_app.query.plan``; the build's probe query makes one too).
@dataclass(frozen=True)
class WeightedTerm:
    """One term to look up in one field, with its weight."""

    field: str
    term: str
    weight: float


@dataclass(frozen=True)
class QueryPlan:
    """Everything the engine needs to rank sections for a question."""

    stems: list[str]
    terms: list[WeightedTerm] = field(default_factory=list)
    phrases: list[tuple[str, tuple[str, ...], float]] = field(default_factory=list)



class EngineError(RuntimeError):
    """The index cannot be opened or read, or no such engine."""


def bm25_idf(sections: int, frequency: int) -> float:
    """BM25's inverse document frequency of a term found in ``frequency`` of ``sections`` sections."""
    total = max(sections, 1)
    return math.log(1 + (total - frequency + 0.5) / (frequency + 0.5))


def section_prior(section: Section) -> float:
    """A query-independent factor on a section's score."""
    return LINK_LIST_PRIOR if section.links_only else 1.0


@dataclass(frozen=True)
class Hit:
    """One matching section with its stored fields and score."""

    fields: dict
    score: float


@dataclass(frozen=True)
class Page:
    """One page of hits and the total number of matching sections.

    ``partial`` is true when the time limit cut the search short: the hits
    are the best of what was found in time, and the total counts only those.
    A search that did not ask for an exact total may leave ``total`` at the
    number of hits.
    """

    total: int
    hits: list[Hit]
    partial: bool = False


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
        "anchor": section.anchor,
        "kind": section.doc.kind,
    }


@dataclass(frozen=True)
class IndexedSection:
    """A section ready for the engine: its stored record and its analysed fields."""

    section: Section
    fields: dict[str, str]


class Engine(Protocol):
    """What every engine offers once an index is open."""

    path: Path
    #: Whether ``search`` stops at ``time_limit_s`` (and marks the page partial).
    honours_time_limit: bool

    def search(self, plan: QueryPlan, limit: int = 10, offset: int = 0, publisher: str | None = None,
               time_limit_s: float | None = None, exact_total: bool = True, kind: str | None = None) -> Page:
        """Sections matching any term of ``plan``, best first (only ``publisher``'s, only of ``kind``).

        With ``exact_total`` false the engine may skip counting every match
        (``Page.total`` is then at least the number of hits, not the count).
        """

    def facet_counts(self, plan: QueryPlan) -> dict[str, list[tuple[str, int]]]:
        """How many matching sections each publisher and each kind ("page", "pdf") has, most first."""

    def fetch(self, ids: list[str]) -> dict[str, dict]:
        """The stored records of the sections with these ids (ids not in the index are left out)."""

    def document_frequency(self, term: str, field: str = "body") -> int:
        """In how many sections ``term`` occurs in ``field``."""

    def idf(self, term: str, field: str = "body") -> float:
        """Inverse document frequency of an analysed term in ``field``."""

    def section_count(self) -> int:
        """The number of sections in the index."""

    def records(self) -> Iterator[dict]:
        """Every stored section record, in no particular order."""

    def close(self) -> None:
        """Release the index files."""


def configured_engine() -> str:
    """The engine that new builds use: ``SOK_ENGINE`` or the default."""
    return os.environ.get("SOK_ENGINE", "").strip().lower() or DEFAULT_ENGINE


def check_engine(name: str) -> str:
    """``name`` if it is a known engine, else EngineError."""
    if name not in ENGINES:
        raise EngineError(f"okänd sökmotor {name!r} (SOK_ENGINE kan vara {' eller '.join(ENGINES)})")
    return name


def _module(name: str):
    check_engine(name)
    if name == "whoosh":
        from indexer.engines import whoosh as whoosh_engine

        return whoosh_engine
    from indexer.engines import tantivy as tantivy_engine

    return tantivy_engine


def build(path: Path, sections: Iterable[IndexedSection], on_section: Callable[[], None] | None = None,
          engine: str | None = None) -> int:
    """Write analysed ``sections`` into a new index in ``path``; returns the count."""
    name = engine or configured_engine()
    module = _module(name)
    path.mkdir(parents=True, exist_ok=True)
    count = module.build(path, sections, on_section)
    (path / ENGINE_MARKER).write_text(name + "\n", encoding="utf-8")
    return count


def engine_name(path: Path) -> str:
    """The engine that wrote the index in ``path``."""
    marker = path / ENGINE_MARKER
    try:
        return marker.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise EngineError(f"kan inte läsa {marker} ({error}); bygg om indexet med 'sok index'") from None


def open_index(path: Path) -> Engine:
    """Open the index in ``path`` for searching, with the engine that wrote it."""
    return _module(engine_name(path)).open_index(path)
