"""The engines' contract: what goes in, what comes out, and what every engine offers.

An engine indexes sections that arrive already analysed (:class:`IndexedSection`:
every field is space-separated terms made by the Swedish chain, ``indexer.fields``)
and answers query plans of already-analysed terms (:class:`QueryPlan`). Engines do
no language work of their own, and user text never reaches a query parser, so
nothing a user types is query syntax. Each hit carries the section's stored record
(:class:`SectionRecord`): everything the app needs to show it.

This module imports no engine. The engines (``indexer.engines.whoosh``,
``indexer.engines.tantivy``) import it; ``indexer.engines.registry`` picks one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NotRequired, Protocol, TypedDict

from indexer.ranking_profile import PROFILE
from indexer.sections.split import Section

#: Score factor of a section that is only a list of links or labels: such
#: short sections would otherwise outrank the prose they point to.
LINK_LIST_PRIOR = PROFILE.engine.link_list_prior
#: A query term more common than this share of sections is dropped from the
#: grams field: it would cost time and tell the sections apart hardly at all.
MAX_GRAM_DF_SHARE = PROFILE.engine.max_gram_df_share
PHRASE_SLOP = PROFILE.engine.phrase_slop
#: The analysed fields an indexed section carries (``indexer.fields`` makes them).
FIELDS = ("body", "head", "folded", "parts", "grams")
#: Candidates the first stage of a two-stage search passes to the second (more when paging deeper).
CANDIDATES = PROFILE.engine.first_stage_candidates
#: Matching sections counted exactly; beyond this many a two-stage search estimates the total.
TOTAL_BOUND = 1000
#: A term in more sections than this finds no candidates (it still scores them), unless the
#: question has no rarer term: at 51k sections a few such words made the first stage read
#: most of the index, and a section with none of the question's rarer words rarely ranks first.
COMMON_SECTIONS = PROFILE.engine.common_sections


#: The engines' input contract: a question already analysed into weighted terms per field
#: (made by ``search_app.query.plan``; the build's probe query makes one too).
@dataclass(frozen=True)
class WeightedTerm:
    """One term to look up in one field, with its weight.

    ``word`` is the body term of the question word that a looser form (folded, its
    grams) stands in for ("" for the question's own terms, in every field, its
    compound parts and synonyms): a two-stage search lets such a term find
    candidates only when the index does not know that word.
    """

    field: str
    term: str
    weight: float
    word: str = ""


@dataclass(frozen=True)
class QueryPlan:
    """Everything the engine needs to rank sections for a question."""

    stems: list[str]
    terms: list[WeightedTerm] = field(default_factory=list)
    phrases: list[tuple[str, tuple[str, ...], float]] = field(default_factory=list)


def first_stage(plan: QueryPlan, known: Callable[[str], bool],
                frequency: Callable[[WeightedTerm], int] | None = None) -> list[WeightedTerm]:
    """The terms of ``plan`` that find a two-stage search's candidates.

    The question's own terms (its words in body, headings and sections' compound
    parts, its own compound parts, synonyms), and the looser forms of each question word that ``known`` (is this
    body term in the index?) says is unknown: a typo or a word typed without å, ä
    and ö is found only through its folded form and grams. The other terms of the
    plan only rescore the candidates.
    """
    unknown: dict[str, bool] = {}

    def is_unknown(word: str) -> bool:
        if word not in unknown:
            unknown[word] = not known(word)
        return unknown[word]

    terms = [item for item in plan.terms if not item.word or is_unknown(item.word)]
    if frequency is None:
        return terms
    found = {item: frequency(item) for item in terms}
    rare = [item for item in terms if 0 < found[item] <= COMMON_SECTIONS]
    return rare or terms


def estimated_union(sections: int, frequencies: list[int]) -> int:
    """About how many of ``sections`` sections hold at least one of terms found in ``frequencies`` sections each.

    Assumes the terms occur independently; never less than the largest frequency.
    """
    total = max(sections, 1)
    missing = 1.0
    for frequency in frequencies:
        missing *= 1 - min(frequency, total) / total
    return max(round(total * (1 - missing)), max(frequencies, default=0))


class EngineError(RuntimeError):
    """The index cannot be opened or read, or no such engine."""


def bm25_idf(sections: int, frequency: int) -> float:
    """BM25's inverse document frequency of a term found in ``frequency`` of ``sections`` sections."""
    total = max(sections, 1)
    return math.log(1 + (total - frequency + 0.5) / (frequency + 0.5))


def section_prior(section: Section) -> float:
    """A query-independent factor on a section's score."""
    return LINK_LIST_PRIOR if section.links_only else 1.0


class SectionRecord(TypedDict):
    """Everything the app needs to show a section, stored in the index as JSON."""

    id: str
    doc_id: str
    title: str
    heading: str
    heading_path: list[str]
    text: str
    url: str
    publisher: str
    published: str
    position: int
    untitled: bool
    anchor: str
    kind: str
    #: The section's analysed words and compound parts as JSON text, read only for the results shown
    #: (``indexer.fields.StoredWords.read``; ``indexer.engines.writing`` stores it after the record).
    analysis: NotRequired[str | bytes]


def section_record(section: Section) -> SectionRecord:
    """The stored record of ``section``."""
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
class Hit:
    """One matching section with its stored record and score."""

    fields: SectionRecord
    score: float


@dataclass(frozen=True)
class Page:
    """One page of hits and the total number of matching sections.

    ``partial`` is true when the time limit cut the search short: the hits
    are the best of what was found in time, and the total counts only those.
    A search that did not ask for an exact total may leave ``total`` at the
    number of hits. ``total_exact`` is false when ``total`` is an estimate (more
    than :data:`TOTAL_BOUND` sections match a two-stage search) or only the hits.
    """

    total: int
    hits: list[Hit]
    partial: bool = False
    total_exact: bool = True


@dataclass(frozen=True)
class FacetCounts:
    """Matching sections per publisher and per kind ("page", "pdf"), most first.

    ``exact`` is false when the counts are of a two-stage search's candidates only
    (the best sections of a question that matches more than :data:`TOTAL_BOUND`).
    """

    publisher: list[tuple[str, int]]
    kind: list[tuple[str, int]]
    exact: bool = True


@dataclass(frozen=True)
class IndexedSection:
    """A section ready for the engine: the section (for its stored record), its analysed fields and what its
    record keeps of its analysis (``SwedishAnalyzer.stored_words``)."""

    section: Section
    fields: dict[str, str]
    stored: dict[str, dict[str, list[str]]] = field(default_factory=dict)


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

    def facet_counts(self, plan: QueryPlan) -> FacetCounts:
        """How many matching sections each publisher and each kind ("page", "pdf") has, most first."""

    def fetch(self, ids: list[str]) -> dict[str, SectionRecord]:
        """The stored records of the sections with these ids (ids not in the index are left out)."""

    def document_frequency(self, term: str, field: str = "body") -> int:
        """In how many sections ``term`` occurs in ``field``."""

    def idf(self, term: str, field: str = "body") -> float:
        """Inverse document frequency of an analysed term in ``field``."""

    def section_count(self) -> int:
        """The number of sections in the index."""

    def records(self) -> Iterator[SectionRecord]:
        """Every stored section record, in no particular order."""

    def close(self) -> None:
        """Release the index files."""
