"""The ranking profile: one typed place for every weight, its fitted values in a file the fitting script writes."""

from __future__ import annotations

import json

import pytest

from indexer.engines import whoosh
from indexer.ranking_profile import FITTED_FILE, PROFILE, load_profile, save_fitted
from search_app.answer.fact import highlight
from search_app.answer.fact.candidates import FEATURES
from search_app.query import fusion, plan
from search_app.settings import defaults


def test_the_fitted_file_weighs_every_highlight_feature_and_nothing_else():
    fitted = json.loads(FITTED_FILE.read_text(encoding="utf-8"))
    assert set(fitted["highlight"]) == set(FEATURES)
    assert highlight.WEIGHTS == dict(PROFILE.highlight)


def test_what_the_fitting_script_writes_is_what_every_stage_reads(tmp_path):
    path = tmp_path / "ranking_profile.json"
    changed = dict(PROFILE.highlight) | {"length": 1.5}
    save_fitted(changed, "a test", path)
    profile = load_profile(path)
    assert dict(profile.highlight) == changed
    assert profile.digest() != PROFILE.digest()  # make eval's line tells the two profiles apart
    save_fitted(PROFILE.highlight, "a test", path)
    assert load_profile(path).digest() == PROFILE.digest()


def test_the_stages_and_the_settings_take_their_weights_from_the_profile():
    assert (whoosh.BM25_K1, whoosh.BM25_B) == (PROFILE.bm25.k1, PROFILE.bm25.b)
    assert plan.HEAD_WEIGHT == PROFILE.fields.head and fusion.SEMANTIC_WEIGHT == PROFILE.fusion.semantic_weight
    config = defaults()
    assert config["MIN_ANSWER_CONFIDENCE"] == PROFILE.answer.min_confidence
    assert config["ANSWER_PASSAGES"] == PROFILE.answer.passages


def test_the_profile_cannot_be_changed_in_place():
    with pytest.raises(AttributeError):
        PROFILE.bm25.k1 = 1.2  # type: ignore[misc]
    with pytest.raises(TypeError):
        PROFILE.highlight["length"] = 0.0  # type: ignore[index]
    assert json.loads(json.dumps(PROFILE.to_dict()))["bm25"] == {"k1": 0.9, "b": 0.75}
