"""Ranked passages for a query: sections from the engine, shaped for the API and pages."""

from __future__ import annotations

from dataclasses import dataclass, fields

from indexer.fields import SwedishAnalyzer
from indexer.query import plan_query
from indexer.text import split_sentences
from search_app.index_handle import OpenSnapshot
from search_app.links import deep_link
from search_app.snippets import snippet_html


@dataclass(frozen=True)
class Passage:
    """One search result: a section of a page, with snippet and deep link."""

    id: str
    title: str
    section: str
    heading_path: list[str]
    text: str
    snippet: str
    url: str
    publisher: str
    score: float
    kind: str = "page"

    def as_dict(self) -> dict:
        """The JSON shape of a result."""
        data = {item.name: getattr(self, item.name) for item in fields(self)}  # asdict() deep-copies: slow
        data["heading_path"] = list(self.heading_path)
        data["score"] = round(self.score, 4)
        return data


@dataclass(frozen=True)
class SearchResult:
    """A page of passages and the total number of matching sections."""

    query: str
    total: int
    passages: list[Passage]
    partial: bool = False


def link_target(record: dict) -> str:
    """The text a deep link should land on.

    The heading when the page shows it; otherwise the first sentence that
    names the section's derived title (boilerplate shared with other blocks
    comes before it), or simply the first sentence.
    """
    if not record["untitled"] and record["heading"] != record["title"]:
        return record["heading"]
    sentences = [s for paragraph in record["text"].split("\n\n") for s in split_sentences(paragraph)]
    naming = [s for s in sentences if record["untitled"] and record["heading"] in s]
    return (naming or sentences or [record["text"]])[0]


def to_passage(record: dict, score: float, query_terms: list[str], analyzer: SwedishAnalyzer) -> Passage:
    """Shape a stored section record as a result."""
    return Passage(
        id=record["id"],
        title=record["title"],
        section=record["heading"],
        heading_path=record["heading_path"],
        text=record["text"],
        snippet=snippet_html(record["text"], query_terms, analyzer),
        url=deep_link(record["url"], link_target(record), record.get("anchor", ""), record.get("kind", "page")),
        publisher=record["publisher"],
        score=score,
        kind=record.get("kind", "page"),
    )


KIND_LABELS = {"page": "Webbsidor", "pdf": "PDF-dokument"}


def facets(snap: OpenSnapshot, query: str) -> dict[str, list[dict]]:
    """Matching sections per publisher and per kind of document, for filters with counts."""
    counts = snap.engine.facet_counts(plan_query(query, snap.analyzer, snap.synonyms))
    return {
        "publisher": [{"value": value, "count": count} for value, count in counts["publisher"]],
        "type": [{"value": value, "label": KIND_LABELS.get(value, value), "count": count}
                 for value, count in counts["kind"]],
    }


def search(snap: OpenSnapshot, query: str, limit: int = 10, offset: int = 0,
           publisher: str | None = None, time_limit_s: float | None = None,
           exact_total: bool = True, kind: str | None = None) -> SearchResult:
    """Sections that match the words of ``query``, best first (only ``publisher``'s when given).

    ``exact_total=False`` lets the engine skip counting every match, for callers
    that show no total (answers).
    """
    plan = plan_query(query, snap.analyzer, snap.synonyms)
    page = snap.engine.search(plan, limit=limit, offset=offset, publisher=publisher, time_limit_s=time_limit_s,
                              exact_total=exact_total, kind=kind)
    marked = [item.term for item in plan.terms if item.field == "body"]
    passages = [to_passage(hit.fields, hit.score, marked, snap.analyzer) for hit in page.hits]
    return SearchResult(query, page.total, passages, page.partial)
