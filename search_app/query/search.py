"""Ranked passages for a query: sections from the engine, shaped for the API and pages."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, fields

import numpy as np

from indexer.engines.base import SectionRecord
from indexer.fields import StoredWords, SwedishAnalyzer
from indexer.language.sentences import split_sentences
from indexer.ranking_profile import PROFILE
from search_app.query.fusion import CROSSLINGUAL, POOL, Fusion, fuse
from search_app.query.labels import source_label
from search_app.query.language import SWEDISH, guess_language, is_swedish, names_and_numbers, question_language
from search_app.query.links import deep_link
from search_app.query.plan import plan_query
from search_app.query.snapshot import OpenSnapshot
from search_app.query.snippets import passage_text, snippet_html


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
    #: The page's date as ``YYYY-MM-DD`` (its last change where the corpus knows it), "" when unknown.
    published: str = ""
    #: What the section's record keeps of its analysis (None when it keeps none): snippets and the answer step
    #: look its words up there. Not part of the JSON shape.
    words: StoredWords | None = field(default=None, compare=False, repr=False)

    @property
    def label(self) -> str:
        """How readers see the source named: "page title › section" (:func:`source_label`)."""
        return source_label(self.title, self.heading_path)

    def as_dict(self) -> dict:
        """The JSON shape of a result."""
        data = {item.name: getattr(self, item.name) for item in fields(self)  # asdict() deep-copies: slow
                if item.name != "words"}
        data["heading_path"] = list(self.heading_path)
        data["score"] = round(self.score, 4)
        data["label"] = self.label
        return data


@dataclass(frozen=True)
class SearchResult:
    """A page of passages and the total number of matching sections."""

    query: str
    total: int
    passages: list[Passage]
    partial: bool = False
    #: False when ``total`` is an estimate (a question that matches very many sections) or a lower bound.
    total_exact: bool = True
    #: The engine's best score for the words alone (0 when no section shares a word): what
    #: spelling suggestions compare against.
    lexical_best: float = 0.0
    #: The language the query was read as (``language.question_language``): "sv" unless clearly another.
    language: str = SWEDISH


def link_target(record: SectionRecord, text: str | None = None) -> str:
    """The text a deep link should land on.

    The heading when the page shows it; otherwise the first sentence that
    names the section's derived title (boilerplate shared with other blocks
    comes before it), or simply the first sentence. ``text`` is the part of
    the section's text to read (all of it when not given).
    """
    if not record["untitled"] and record["heading"] != record["title"]:
        return record["heading"]
    text = record["text"] if text is None else text
    untitled, heading = record["untitled"], record["heading"]
    first = None
    for paragraph in text.split("\n\n"):  # read only as far as the sentence found
        for sentence in split_sentences(paragraph):
            if untitled and heading in sentence:
                return sentence
            if first is None:
                if not untitled:
                    return sentence
                first = sentence
    return text if first is None else first


def to_passage(record: SectionRecord, score: float, query_terms: list[str], analyzer: SwedishAnalyzer) -> Passage:
    """Shape a stored section record as a result: its text within PASSAGE_CHARS (``indexer.budgets``),
    which is all that the snippet, the deep link and the answer step read."""
    text = passage_text(record["text"])
    words = StoredWords.read(record["analysis"]) if "analysis" in record else None
    return Passage(
        id=record["id"],
        title=record["title"],
        section=record["heading"],
        heading_path=record["heading_path"],
        text=text,
        snippet=snippet_html(text, query_terms, analyzer, known=words),
        url=deep_link(record["url"], link_target(record, text), record.get("anchor", ""), record.get("kind", "page")),
        publisher=record["publisher"],
        score=score,
        kind=record.get("kind", "page"),
        published=record.get("published", ""),
        words=words,
    )


KIND_LABELS = {"page": "Webbsidor", "pdf": "PDF-dokument"}


def facets(snap: OpenSnapshot, query: str) -> dict:
    """Matching sections per publisher and per kind of document, for filters with counts.

    ``exact`` is false when the engine counted only its best candidates (a question
    that matches very many sections).
    """
    counts = snap.engine.facet_counts(plan_query(query, snap.analyzer, snap.synonyms))
    return {
        "publisher": [{"value": value, "count": count} for value, count in counts.publisher],
        "type": [{"value": value, "label": KIND_LABELS.get(value, value), "count": count}
                 for value, count in counts.kind],
        "exact": counts.exact,
    }


@dataclass(frozen=True)
class RankedSections:
    """Stored section records with their scores, best first, before they are shaped as results."""

    hits: list[tuple[SectionRecord, float]]
    total: int
    partial: bool
    lexical_best: float
    terms_to_mark: list[str]
    total_exact: bool = True
    language: str = SWEDISH


def rank_sections(snap: OpenSnapshot, query: str, limit: int = 10, offset: int = 0,
                  publisher: str | None = None, time_limit_s: float | None = None,
                  exact_total: bool = True, kind: str | None = None, fusion: Fusion | None = None) -> RankedSections:
    """The sections that answer ``query``, best first: fused on a semantic snapshot, lexical otherwise.

    A question in another language than Swedish is ranked mostly by meaning (``fusion.CROSSLINGUAL`` unless
    ``fusion`` is given), its words searched only for the names and numbers the Swedish pages may share
    (``language.names_and_numbers``; all of them on a lexical-only snapshot, where words are all there is)."""
    language = question_language(query)
    swedish = is_swedish(language)
    if fusion is None:
        fusion = Fusion() if swedish else CROSSLINGUAL
    searched = query if swedish or snap.semantic is None else names_and_numbers(query)
    plan = plan_query(searched, snap.analyzer, snap.synonyms)
    terms_to_mark = [item.term for item in plan.terms if item.field == "body"]
    if snap.semantic is None:
        page = snap.engine.search(plan, limit=limit, offset=offset, publisher=publisher, time_limit_s=time_limit_s,
                                  exact_total=exact_total, kind=kind)
        return RankedSections([(hit.fields, hit.score) for hit in page.hits], page.total, page.partial,
                              page.hits[0].score if page.hits else 0.0, terms_to_mark, page.total_exact, language)
    pool = max(POOL, offset + limit)
    started = time.monotonic()
    page = snap.engine.search(plan, limit=pool, offset=0, publisher=publisher, time_limit_s=time_limit_s,
                              exact_total=exact_total, kind=kind)
    records = {hit.fields["id"]: hit.fields for hit in page.hits}
    lexical = {hit.fields["id"]: hit.score for hit in page.hits}
    # The time limit covers the encoder too: once it is spent, the words' ranking is the result.
    out_of_time = page.partial or (time_limit_s is not None and time.monotonic() - started >= time_limit_s)
    semantic = {} if out_of_time else semantic_candidates(snap, query, pool, lexical, publisher, kind,
                                                              fusion.min_semantic_only)
    if not swedish and semantic and SAME_LANGUAGE_DISCOUNT:
        known = snap.semantic.section_languages  # each section's language is read once per snapshot
        unread = [key for key in semantic if key not in known]
        records.update(snap.engine.fetch([key for key in unread if key not in records]))
        known.update({key: text_language(records[key]["text"]) for key in unread if key in records})
        semantic = {key: value - SAME_LANGUAGE_DISCOUNT * (known.get(key) == language)
                    for key, value in semantic.items()}
    # A pool the engine could not fill is scaled from 0: its weakest candidate is not "no match".
    floor = 0.0 if len(lexical) < pool else None
    ranked = fuse(lexical, semantic, fusion, floor)[offset : offset + limit]
    records.update(snap.engine.fetch([key for key, _ in ranked if key not in records]))
    only_semantic = sum(key not in lexical for key in semantic)
    return RankedSections([(records[key], score) for key, score in ranked if key in records],
                          max(page.total, len(lexical)) + only_semantic, out_of_time,
                          page.hits[0].score if page.hits else 0.0, terms_to_mark, page.total_exact, language)


def search(snap: OpenSnapshot, query: str, limit: int = 10, offset: int = 0,
           publisher: str | None = None, time_limit_s: float | None = None,
           exact_total: bool = True, kind: str | None = None) -> SearchResult:
    """Sections that answer ``query``, best first (only ``publisher``'s, only of ``kind``, when given).

    On a semantic snapshot the engine's lexical candidates and the nearest
    sections by vector are fused into one ranking (``search_app.query.fusion``); on
    a lexical-only snapshot the engine's ranking is the result.
    ``exact_total=False`` lets the engine skip counting every match, for callers
    that show no total (answers).
    """
    ranked = rank_sections(snap, query, limit, offset, publisher, time_limit_s, exact_total, kind)
    passages = [to_passage(record, score, ranked.terms_to_mark, snap.analyzer) for record, score in ranked.hits]
    return SearchResult(query, ranked.total, passages, ranked.partial, ranked.total_exact, ranked.lexical_best,
                        ranked.language)


#: What a section written in the question's own language (not Swedish) loses of its similarity: the encoder puts
#: text in the question's language nearer to it than text that says the same in Swedish.
SAME_LANGUAGE_DISCOUNT = PROFILE.crosslingual.same_language_discount


def text_language(text: str) -> str:
    """The language ``text`` (its start) is written in."""
    return guess_language(text[:LANGUAGE_SAMPLE_CHARS])[0]


#: How much of a section's text its language is read from.
LANGUAGE_SAMPLE_CHARS = 400


#: A section that shares no word with the question must be at least this similar to it to be a result
#: (multilingual-e5-small gives unrelated text about 0.75-0.83; the answering FAQ entry 0.88-0.95).
MIN_SEMANTIC_ONLY = PROFILE.fusion.min_semantic_only


def semantic_candidates(snap: OpenSnapshot, query: str, pool: int, lexical: dict[str, float],
                        publisher: str | None, kind: str | None,
                        min_semantic_only: float = MIN_SEMANTIC_ONLY) -> dict[str, float]:
    """The similarity to ``query`` of the nearest sections (those at least ``min_semantic_only``) and of every
    lexical candidate."""
    semantic_index = snap.semantic
    if semantic_index is None:  # a lexical-only snapshot: no similarities
        return {}
    vector = semantic_index.query_vector(query)
    if vector is None:  # a question without letters: nothing to compare by meaning
        return {}
    store = semantic_index.vectors
    nearest = semantic_index.search.nearest(vector, pool, store.allowed(publisher, kind))
    found = {key: float(score) for key, score in zip(map(store.ids.__getitem__, nearest.sections), nearest.scores,
                                                     strict=True)}
    scores = {key: value for key, value in found.items() if key in lexical}
    rest = [key for key in lexical if key not in scores and key in store.number]
    if rest:
        numbers = np.array([store.number[key] for key in rest])
        scores.update(zip(rest, map(float, semantic_index.search.section_scores(vector, numbers)), strict=True))
    scores.update({key: value for key, value in found.items() if key not in scores and value >= min_semantic_only})
    return scores
