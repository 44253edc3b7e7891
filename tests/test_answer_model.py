"""The learned answer step: its shipped parameters fit the code, and it reads a page as a person would."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from indexer.build import SemanticOptions, build_snapshot
from indexer.corpus.model import Document
from indexer.snapshot.reader import current_snapshot
from search_app.answer.answer_model import MODEL_FILE, Linear, answer_model
from search_app.answer.ask import Answer, ask
from search_app.answer.fact.candidates import FEATURES as HIGHLIGHT_FEATURES
from search_app.answer.sentences import CHOOSER_FEATURES, CONFIDENCE_FEATURES
from search_app.query.snapshot import open_snapshot


def answer_over(folder: Path, documents: list[Document], question: str) -> Answer | None:
    """The answer to ``question`` from a lexical-only snapshot of ``documents`` built in ``folder``."""
    build_snapshot(folder, documents, semantic=SemanticOptions(enabled=False))
    snap = open_snapshot(current_snapshot(folder))
    try:
        return ask(snap, question).answer
    finally:
        snap.engine.close()


def test_the_shipped_parameters_name_the_features_the_code_computes() -> None:
    model = answer_model()
    assert model.chooser.names == CHOOSER_FEATURES
    assert model.confidence.names == CONFIDENCE_FEATURES
    for linear in (model.chooser, model.confidence):
        assert isinstance(linear, Linear)
        assert np.isfinite(linear.weights).all() and (linear.scale > 0).all()
        assert len(linear.weights) == len(linear.names) == len(linear.mean)
    assert model.source.startswith("answer_model.json sha256:")
    assert model.highlight is not None and model.highlight.names == HIGHLIGHT_FEATURES
    assert model.gate is None or 0.0 < model.gate < 1.0


def test_the_learned_highlight_marks_the_amount_with_its_unit(tmp_path: Path) -> None:
    text = ("Bidraget till föreningar som arbetar med unga i glesbygd ökar nästa år. Varje förening kan "
            "söka högst 250 000 kronor per år för sin verksamhet. Ansökan görs hos länsstyrelsen.")
    answer = answer_over(tmp_path, [Document(url="https://example.se/bidrag", title="Bidrag till föreningar",
                                             text=text)], "Hur mycket bidrag kan en förening söka per år?")
    assert answer is not None and answer.highlight is not None
    assert "250 000 kronor" in answer.highlight.text, answer.highlight  # the amount with its unit, whole
    assert len(answer.highlight.text) < len(answer.text) / 2, answer.highlight  # not the sentence around it


def test_the_parameters_say_what_they_were_trained_on_and_how_they_scored_on_data_not_trained_on() -> None:
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert "SQuAD-sv" in data["trained_on"] and "SweQUAD-MC" in data["trained_on"]
    assert {"SQuAD-sv held-out articles", "SweQUAD-MC dev"} <= set(data["scores"])


def test_a_when_question_is_answered_by_the_sentence_with_the_date_though_it_shares_no_word(tmp_path: Path) -> None:
    text = ("Regeringen har gett en särskild utredare i uppdrag att se över hur hemtjänsten i kommunerna "
            "organiseras. Utredaren ska bland annat analysera hur äldre kan få större inflytande över "
            "sin vardag och hur personalens arbetsmiljö kan förbättras. Uppdraget ska redovisas senast den "
            "1 mars 2025.")
    other = "Hemtjänsten i kommunerna ger stöd i hemmet till äldre som behöver hjälp i vardagen."
    answer = answer_over(tmp_path, [Document(url="https://example.se/utredning", title="Utredning om hemtjänsten",
                                             text=text),
                                    Document(url="https://example.se/stod", title="Stöd i hemmet", text=other)],
                         "När ska utredningen om hemtjänsten vara klar?")
    assert answer is not None
    assert "1 mars 2025" in answer.text
    assert answer.highlight is not None and "1 mars 2025" in answer.highlight.text
    assert 0.0 <= answer.confidence <= 1.0

