"""The ranking profile: one typed place for every weight, its fitted values in a file the fitting script writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tantivy

from indexer.engines import base, whoosh
from indexer.engines import tantivy as tantivy_engine
from indexer.ranking_profile import FITTED_FILE, PROFILE, Bm25, load_profile, save_fitted
from search_app.answer import ask, contacts, followups, matching, sentences
from search_app.answer.fact import highlight
from search_app.answer.fact.candidates import FEATURES
from search_app.query import fusion, plan, search, vectors
from search_app.settings import defaults


def test_the_fitted_file_weighs_every_highlight_feature_and_nothing_else() -> None:
    fitted = json.loads(FITTED_FILE.read_text(encoding="utf-8"))
    assert set(fitted["highlight"]) == set(FEATURES)
    assert dict(PROFILE.highlight) == highlight.WEIGHTS


def test_what_the_fitting_script_writes_is_what_every_stage_reads(tmp_path: Path) -> None:
    path = tmp_path / "ranking_profile.json"
    changed = dict(PROFILE.highlight) | {"length": 1.5}
    save_fitted(changed, "a test", path)
    profile = load_profile(path)
    assert dict(profile.highlight) == changed
    assert profile.digest() != PROFILE.digest()  # make eval's line tells the two profiles apart
    save_fitted(PROFILE.highlight, "a test", path)
    assert load_profile(path).digest() == PROFILE.digest()


#: (the value a stage uses, the profile's value): one row per stage, the hand-set and the fitted alike.
STAGES = [
    ((whoosh.BM25_K1, whoosh.BM25_B), (PROFILE.bm25.k1, PROFILE.bm25.b)),
    (plan.HEAD_WEIGHT, PROFILE.fields.head),
    (base.LINK_LIST_PRIOR, PROFILE.engine.link_list_prior),
    (base.CANDIDATES, PROFILE.engine.first_stage_candidates),
    (base.COMMON_SECTIONS, PROFILE.engine.common_sections),
    (fusion.SEMANTIC_WEIGHT, PROFILE.fusion.semantic_weight),
    (vectors.SIMILARITY_LOW, PROFILE.fusion.similarity_low),
    (search.MIN_SEMANTIC_ONLY, PROFILE.fusion.min_semantic_only),
    (matching.NEAR_SHARE, PROFILE.answer.near_share),
    ((matching.MIN_HEAD_CHARS, matching.NEAR_MIN_PREFIX),
     (PROFILE.answer.compound_head_min_chars, PROFILE.answer.near_min_prefix)),
    (sentences.MARGIN_CAP, PROFILE.answer.margin_cap),
    (sentences.SHORT_ANSWER_CHARS, PROFILE.answer.short_answer_chars),
    (sentences.MAX_CONTEXT_SENTENCES, PROFILE.answer.max_context_sentences),
    (followups.CONTEXT_SHARE, PROFILE.answer.context_share),
    (contacts.QUOTED_CHARS, PROFILE.answer.contact_quote_chars),
    (ask.MIN_ANSWER_CONFIDENCE, PROFILE.answer.min_confidence),
    (highlight.WEIGHTS, dict(PROFILE.highlight)),
]


@pytest.mark.parametrize(("used", "profiled"), STAGES)
def test_each_stage_uses_the_profiles_value(used: object, profiled: object) -> None:
    assert used == profiled


def test_tantivy_offers_no_bm25_parameters_so_only_whoosh_takes_the_profiles() -> None:
    """tantivy 0.27's Python API has no k1 or b (its Rust BM25 fixes 1.2 / 0.75); should a release add them,
    this fails so that the tantivy engine takes PROFILE.bm25 as Whoosh does."""
    names = {name.lower() for cls in vars(tantivy).values() if isinstance(cls, type) for name in dir(cls)}
    names |= {name.lower() for name in dir(tantivy)}
    assert not {name for name in names if "bm25" in name or name in ("k1", "b")}
    assert Bm25(k1=1.2, b=0.75) == tantivy_engine.LIBRARY_BM25


def test_the_settings_take_the_answer_defaults_from_the_profile() -> None:
    config = defaults()
    assert config["MIN_ANSWER_CONFIDENCE"] == PROFILE.answer.min_confidence
    assert config["ANSWER_PASSAGES"] == PROFILE.answer.passages


def test_the_profile_cannot_be_changed_in_place() -> None:
    with pytest.raises(AttributeError):
        PROFILE.bm25.k1 = 1.2  # type: ignore[misc]
    with pytest.raises(TypeError):
        PROFILE.highlight["length"] = 0.0  # type: ignore[index]
    assert json.loads(json.dumps(PROFILE.to_dict()))["bm25"] == {"k1": 0.9, "b": 0.75}
