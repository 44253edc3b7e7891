"""Whoosh's two-stage query: the same best sections as the single-stage query, totals exact up to a bound."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient

import indexer.engines.base as base
import indexer.engines.whoosh as whoosh_engine
import indexer.engines.whoosh_postings as whoosh_postings
from indexer.build import SemanticOptions, build_snapshot
from indexer.corpus.readers import read_corpus
from indexer.engines.base import QueryPlan, WeightedTerm
from indexer.snapshot.reader import current_snapshot
from search_app.query.search import facets, search
from search_app.query.snapshot import OpenSnapshot, open_snapshot
from tests.conftest import CORPUS

#: Questions as users type them: right, with a typo, without å/ä/ö, with a compound the pages split.
QUESTIONS = ["pilotkommuner", "pilotkomuner", "vilka kommuner var pilotkommuner?", "overkalix",
             "samhallsplanering", "jämställdhet", "jamstalldhet", "kompetensarna", "hur ansöker jag om bygglov",
             "vem är kontaktperson för Kompetensarena Stockholm", "när pågick satsningen"]


@pytest.fixture(scope="module")
def whoosh_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenSnapshot]:
    """A lexical-only Whoosh snapshot of the seed pages (the words' own ranking, no vectors)."""
    root = tmp_path_factory.mktemp("two-stage")
    build_snapshot(root, read_corpus(CORPUS).documents, language_dir=CORPUS, engine_name="whoosh",
                   semantic=SemanticOptions(enabled=False))
    snap = open_snapshot(current_snapshot(root))
    yield replace(snap, semantic=None)
    snap.engine.close()


def _ranked(snap: OpenSnapshot, question: str, two_stage: bool) -> list[tuple[str, float]]:
    engine = snap.engine
    assert isinstance(engine, whoosh_engine.WhooshEngine)
    engine.two_stage = two_stage
    try:
        return [(p.id, round(p.score, 6)) for p in search(snap, question, limit=5).passages]
    finally:
        engine.two_stage = True


@pytest.mark.parametrize("question", QUESTIONS)
def test_two_stages_find_what_one_stage_finds(whoosh_snapshot: OpenSnapshot, question: str) -> None:
    single = _ranked(whoosh_snapshot, question, two_stage=False)
    double = _ranked(whoosh_snapshot, question, two_stage=True)
    # The best sections, with the very same scores: the second stage scores as the single stage did.
    assert double[:3] == single[:3]
    assert double or question == "hur ansöker jag om bygglov"  # no seed page has either word


@pytest.mark.parametrize("question", ["vilka kommuner var pilotkommuner", "kontaktperson för kompetensarena stockholm",
                                      "samhällsplanering i kommunen", "när pågick satsningen i kommunerna"])
def test_every_section_both_queries_rank_has_the_same_score(whoosh_snapshot: OpenSnapshot, question: str) -> None:
    # Beyond the best three: each of twenty sections, phrases and grams included, scores alike both ways.
    engine = whoosh_snapshot.engine
    assert isinstance(engine, whoosh_engine.WhooshEngine)
    engine.two_stage = False
    try:
        single = {p.id: round(p.score, 6) for p in search(whoosh_snapshot, question, limit=20).passages}
    finally:
        engine.two_stage = True
    double = {p.id: round(p.score, 6) for p in search(whoosh_snapshot, question, limit=20).passages}
    shared = single.keys() & double.keys()
    assert len(shared) >= min(5, len(single))  # the rest the single stage found through grams alone
    assert {key: double[key] for key in shared} == {key: single[key] for key in shared}


def test_a_phrase_needs_its_words_in_order_and_near() -> None:
    from indexer.engines.whoosh_postings import in_order_near
    assert in_order_near([[3], [4]], 3) and in_order_near([[3], [6]], 3)
    assert not in_order_near([[3], [7]], 3)  # too far apart
    assert not in_order_near([[5], [3]], 3)  # the wrong order
    assert not in_order_near([[3], [3]], 3)  # one word is not a phrase of two
    assert in_order_near([[1, 9], [2, 40], [4]], 3)


def test_a_typo_and_missing_diacritics_find_the_sections_of_the_right_word(whoosh_snapshot: OpenSnapshot) -> None:
    for typed, right in [("pilotkomuner", "pilotkommuner"), ("overkalix", "överkalix"),
                         ("jamstalldhet", "jämställdhet")]:
        assert _ranked(whoosh_snapshot, typed, True)[0][0] == _ranked(whoosh_snapshot, right, True)[0][0]


def test_a_total_beyond_the_bound_is_an_estimate(whoosh_snapshot: OpenSnapshot,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    exact = search(whoosh_snapshot, "kommun")
    assert exact.total_exact and exact.total > 2
    monkeypatch.setattr(whoosh_engine, "TOTAL_BOUND", 2)
    estimated = search(whoosh_snapshot, "kommun")
    assert not estimated.total_exact and estimated.total > 2
    assert [p.id for p in estimated.passages] == [p.id for p in exact.passages]
    counts = facets(whoosh_snapshot, "kommun")
    assert counts["exact"] is False and sum(item["count"] for item in counts["type"]) >= 1
    few = search(whoosh_snapshot, "överkalix")
    assert 0 < few.total <= 2 and few.total_exact  # a rare word is still counted


def test_the_page_says_more_than_the_bound(app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whoosh_engine, "TOTAL_BOUND", 2)
    monkeypatch.setitem(app.jinja_env.globals, "total_bound", 2)
    body = client.get("/api/search", query_string={"q": "kommun", "limit": 3}).get_json()
    if body["total_exact"]:  # the tantivy engine counts every match exactly
        assert body["total"] >= len(body["results"])
        return
    assert body["total"] > 2
    html = client.get("/", query_string={"q": "kommun"}).get_data(as_text=True)
    assert "Fler än 2 träffar" in html


def test_a_question_of_common_words_only_still_finds_sections(whoosh_snapshot: OpenSnapshot,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # Every word common (here: in more than one section): the first stage must not fall back to
    # the plan's terms that occur nowhere (the serving probe asks the corpus's most common word).
    monkeypatch.setattr(base, "COMMON_SECTIONS", 1)
    by_count = sorted(whoosh_snapshot.vocabulary.items(), key=lambda item: -item[1])
    common = next(word for word, _ in by_count if whoosh_snapshot.analyzer.terms(word))
    assert search(whoosh_snapshot, common).passages
    whoosh_snapshot.probe()


def test_terms_found_nowhere_do_not_stand_for_a_rarer_word() -> None:
    plan = QueryPlan(stems=["ska"], terms=[WeightedTerm("body", "ska", 1.0), WeightedTerm("parts", "ska", 0.5)])
    frequency = {"body": 24_000, "parts": 0}
    chosen = base.first_stage(plan, lambda word: True, lambda item: frequency[item.field])
    assert [item.field for item in chosen] == ["body", "parts"]  # all of them: nothing rarer occurs
    frequency["parts"] = 10
    assert [item.field for item in base.first_stage(plan, lambda word: True, lambda item: frequency[item.field])] \
        == ["parts"]


def test_the_postings_cache_stays_within_its_bytes(whoosh_snapshot: OpenSnapshot,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # Each worker keeps the posting lists it decoded; questions of ever new words must not grow it past its budget.
    monkeypatch.setattr(whoosh_postings, "CACHE_BYTES", 20_000)
    postings = whoosh_postings.live_postings()
    for postings_reader in postings:
        postings_reader.clear()
    before = _ranked(whoosh_snapshot, "vilka kommuner var pilotkommuner", True)
    for words in ["kommun satsning", "stockholm kompetens", "jämställdhet arbete", "samhällsplanering region",
                  "bygglov ansökan", "överkalix pilot"]:
        search(whoosh_snapshot, words)
    assert all(0 < reader.cached_bytes <= 20_000 for reader in postings if reader.cached_bytes)
    assert _ranked(whoosh_snapshot, "vilka kommuner var pilotkommuner", True) == before  # the same, cached or not
