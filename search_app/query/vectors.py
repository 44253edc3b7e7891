"""A snapshot's semantic side at query time: the encoder, the vectors and their search."""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from indexer.language.analysis import words
from indexer.semantic.encoder import Encoder, EncoderError, check_same_encoder, encoder_id, load_encoder
from indexer.semantic.vectors import ExactVectorSearch, SnapshotVectors, VectorSearch
from indexer.snapshot.layout import Manifest

#: The encoder's similarity of unrelated text and of a clear match (multilingual-e5-small's range).
SIMILARITY_LOW = 0.80
SIMILARITY_HIGH = 0.90


def similarity_share(similarity: float) -> float:
    """An encoder similarity on a 0–1 scale: SIMILARITY_LOW (unrelated text) → 0, SIMILARITY_HIGH → 1.

    Used where absolute similarity matters (fusion, answers): near-equal
    similarities stay near-equal instead of being stretched apart.
    """
    return min(1.0, max(0.0, (similarity - SIMILARITY_LOW) / (SIMILARITY_HIGH - SIMILARITY_LOW)))


#: Question vectors kept per worker (a follow-up, paging and facets reuse the question's).
QUERY_VECTORS_KEPT = 256


class SemanticIndex:
    """The vectors of one snapshot and the encoder that made them."""

    def __init__(self, folder: Path, manifest: Manifest, encoder: Encoder | None = None):
        # Checked before the model is loaded: opening a snapshot in a parent process (``sok serve``
        # checks the index before it forks its workers) must not start the encoder's threads there.
        check_same_encoder(manifest.encoder, encoder.model_id if encoder else encoder_id())
        self._encoder = encoder
        self.vectors = SnapshotVectors(folder)
        self.search: VectorSearch = ExactVectorSearch(self.vectors)
        self._kept: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def encoder(self) -> Encoder:
        """The encoder, loaded on first use (in the worker process)."""
        if self._encoder is None:
            self._encoder = load_encoder()
        return self._encoder

    def query_vector(self, text: str) -> np.ndarray:
        """The encoder's vector of a question (recently asked ones are remembered).

        The encoder reads the question's words as the analysis chain splits them
        (lowercase, no punctuation): characters that other search boxes treat as
        syntax (``"``, ``*``, ``(``, ``:``, ``?``) change nothing here either.
        """
        text = " ".join(words(text)) or text.strip()
        with self._lock:
            if text in self._kept:
                self._kept.move_to_end(text)
                return self._kept[text]
        vector = self.encoder.encode_queries([text])[0]
        with self._lock:
            self._kept[text] = vector
            while len(self._kept) > QUERY_VECTORS_KEPT:
                self._kept.popitem(last=False)
        return vector

    def section_number(self, section_id: str) -> int | None:
        """The row of a section in the vector store."""
        return self.vectors.number.get(section_id)

    def unit_scores(self, query: np.ndarray, section_id: str) -> np.ndarray | None:
        """The similarity of each answer unit of a section to the question (None if it has no vectors)."""
        number = self.section_number(section_id)
        return None if number is None else self.search.unit_scores(query, number)


__all__ = ["SemanticIndex", "EncoderError"]
