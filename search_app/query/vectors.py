"""A snapshot's semantic side at query time: the encoder, the vectors and their search."""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import numpy as np

from indexer.budgets import QUERY_VECTORS_KEPT, QUESTION_TOKENS
from indexer.language.analysis import words
from indexer.ranking_profile import PROFILE
from indexer.semantic.ann import open_search
from indexer.semantic.encoder import Encoder, EncoderError, check_same_encoder, encoder_id, load_encoder
from indexer.semantic.vectors import SnapshotVectors, VectorSearch
from indexer.snapshot.layout import Manifest

#: The encoder's similarity of unrelated text and of a clear match (multilingual-e5-small's range).
SIMILARITY_LOW = PROFILE.fusion.similarity_low
SIMILARITY_HIGH = PROFILE.fusion.similarity_high


def similarity_share(similarity: float, low: float = SIMILARITY_LOW, high: float = SIMILARITY_HIGH) -> float:
    """An encoder similarity on a 0–1 scale: ``low`` (unrelated text) → 0, ``high`` (a clear match) → 1.

    Used where absolute similarity matters (fusion, answers): near-equal
    similarities stay near-equal instead of being stretched apart.
    """
    return min(1.0, max(0.0, (similarity - low) / (high - low)))


#: Characters per encoder token of a word in the letters of an alphabet (Latin, Arabic, Cyrillic, Greek …)
#: and digits: XLM-R's pieces of Swedish words are longer, of Arabic and Ukrainian questions about 3-4
#: characters, of random letters shorter (about 1.6); any other character (CJK ideographs, syllabaries,
#: symbols) is counted as a token of its own, as it often is one.
CHARS_PER_TOKEN = 3
#: Code points from here on (CJK radicals, kana, ideographs, Hangul …) are counted one token each.
_FIRST_IDEOGRAPHIC = 0x2E80


def _common(char: str) -> bool:
    return char.isalnum() and ord(char) < _FIRST_IDEOGRAPHIC


def estimated_tokens(word: str) -> int:
    """Encoder tokens a lowercase ``word`` is expected to take (SweQUAD-MC's questions: at most 48 in all)."""
    common = sum(1 for char in word if _common(char))
    return math.ceil(common / CHARS_PER_TOKEN) + len(word) - common


def encoder_text(text: str, budget: int = QUESTION_TOKENS, count: Callable[[str], int] | None = None) -> str | None:
    """What of a question the encoder reads, or None when it has no letter (digits and punctuation
    alone carry no meaning to compare).

    Its words as the analysis chain splits them (lowercase, no punctuation), as many as fit in
    ``budget`` tokens: counted by ``count`` (the encoder's own tokenizer) when given, else estimated
    (:func:`estimated_tokens`; a longer word is cut).
    """
    kept: list[str] = []
    left = budget - 2  # the encoder's start and end tokens
    for word in words(text):
        cost = estimated_tokens(word)
        if cost > left:
            while word and estimated_tokens(word) > left:
                word = word[: len(word) * left // cost] if left > 0 else ""
                cost = estimated_tokens(word)
            kept += [word] if word else []
            break
        kept.append(word)
        left -= cost
    joined = " ".join(kept)
    if count is not None and joined and count(joined) > budget:
        joined = _longest_prefix(joined, lambda prefix: count(prefix) <= budget)
    return joined if any(char.isalpha() for char in joined) else None


def _longest_prefix(text: str, fits: Callable[[str], bool]) -> str:
    """The longest start of ``text`` that ``fits`` (which holds for shorter starts if for a longer one)."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(text[:middle]):
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip()


class SemanticIndex:
    """The vectors of one snapshot and the encoder that made them."""

    def __init__(self, folder: Path, manifest: Manifest, encoder: Encoder | None = None):
        # Checked before the model is loaded: opening a snapshot in a parent process (``sok serve``
        # checks the index before it forks its workers) must not start the encoder's threads there.
        check_same_encoder(manifest.encoder, encoder.model_id if encoder else encoder_id())
        self._encoder = encoder
        self.vectors = SnapshotVectors(folder)
        self.search: VectorSearch = open_search(folder, self.vectors)
        self._kept: OrderedDict[str, np.ndarray] = OrderedDict()
        #: The language each section is written in, by id, as a question in another language has read it
        #: (``search_app.query.search``; at most one short entry per section of the snapshot).
        self.section_languages: dict[str, str] = {}
        self._lock = threading.Lock()

    @property
    def encoder(self) -> Encoder:
        """The encoder, loaded on first use (in the worker process)."""
        if self._encoder is None:
            self._encoder = load_encoder()
        return self._encoder

    def query_vector(self, text: str) -> np.ndarray | None:
        """The encoder's vector of a question (recently asked ones are remembered), or None when it has
        no letter.

        The encoder reads the question's words as the analysis chain splits them
        (lowercase, no punctuation), within QUESTION_TOKENS (:func:`encoder_text`, counted
        by the encoder's tokenizer when it offers ``count_query_tokens``):
        characters that other search boxes treat as syntax (``"``, ``*``, ``(``,
        ``:``, ``?``) change nothing here either, and no question costs the encoder
        more than a short one.
        """
        with self._lock:  # the answer step asks again for the question the search encoded
            if text in self._kept:
                self._kept.move_to_end(text)
                return self._kept[text]
        read = encoder_text(text, count=getattr(self.encoder, "count_query_tokens", None))
        if read is None:
            return None
        with self._lock:
            vector = self._kept.get(read)
        if vector is None:
            vector = self.encoder.encode_queries([read])[0]
        with self._lock:  # by what was asked (no token count next time) and by what the encoder read
            for key in (read, text):
                self._kept[key] = vector
                self._kept.move_to_end(key)
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


__all__ = ["EncoderError", "SemanticIndex"]
