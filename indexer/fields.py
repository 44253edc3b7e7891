"""What each indexed field holds, made by the one Swedish analysis chain.

=========  ==============================================================
body       stems of the section text (the chain in ``indexer.analysis``)
head       stems of the heading path (page title › headings)
folded     the body stems without diacritics ("överkalix" also as "overkalix")
parts      stems of compound parts ("samhällsplaneringen" → "samhäll", "planering")
grams      character 4-grams of the folded words, for inflections and typos
=========  ==============================================================

The same :class:`SwedishAnalyzer`, built from a snapshot's lexicon and
protected words, analyses documents at index time and questions at query
time (see ``indexer.query``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.analysis import (
    Filter,
    analyze,
    drop_definite_et,
    fold,
    lowercase,
    stem_word,
    stop_words,
    swedish_pipeline,
    tokenize,
)
from indexer.compounds import MIN_PART_CHARS, CompoundSplitter
from indexer.lexicon import Lexicon

GRAM_SIZE = 4
FIELDS = ("body", "head", "folded", "parts", "grams")


@dataclass
class SwedishAnalyzer:
    """The analysis chain with its data: lexicon (for compounds) and words never to stem."""

    lexicon: Lexicon | None = None
    protected: frozenset[str] = frozenset()
    pipeline: tuple[Filter, ...] = field(init=False)
    splitter: CompoundSplitter | None = field(init=False)

    def __post_init__(self) -> None:
        self.pipeline = swedish_pipeline(self.protected, self.lexicon)
        self.splitter = CompoundSplitter(self.lexicon) if self.lexicon is not None else None

    def stems(self, text: str) -> list[str]:
        """The analysed terms of ``text`` in order (repeats kept)."""
        return [token.text for token in analyze(text, self.pipeline)]

    def terms(self, text: str) -> list[str]:
        """The analysed terms of ``text`` in order, without repeats."""
        return list(dict.fromkeys(self.stems(text)))

    def stem(self, word: str) -> str:
        """The stem of one lowercased word (protected words stay whole)."""
        if word in self.protected or word[:1].isdigit():
            return word
        return stem_word(drop_definite_et(word, self.lexicon) if self.lexicon is not None else word)

    def content_words(self, text: str) -> list[str]:
        """Lowercased words that are not stop words."""
        stops = stop_words()
        return [token.text for token in lowercase(tokenize(text)) if token.text not in stops]

    def compound_parts(self, word: str) -> list[str]:
        """Stems of the parts of a compound word ([] when it is not one)."""
        if self.splitter is None:
            return []
        parts = self.splitter.split(word)
        if len(parts) < 2:
            return []
        return [self.stem(part) for part in parts if len(part) >= MIN_PART_CHARS]

    def index_fields(self, heading_path: tuple[str, ...] | list[str], text: str) -> dict[str, str]:
        """Space-separated terms of every field for one section.

        The looser fields (folded, parts, grams) cover the heading path too, so
        that a word in a heading is found as loosely as one in the text.
        """
        body = self.stems(text)
        head = self.stems(" ".join(heading_path))
        words = self.content_words(" ".join([*heading_path, text]))
        parts = [part for word in words for part in self.compound_parts(word)]
        return {
            "body": " ".join(body),
            "head": " ".join(head),
            "folded": " ".join(fold(term) for term in head + body),
            "parts": " ".join(parts),
            "grams": " ".join(gram for word in words for gram in word_grams(word)),
        }


def word_grams(word: str, size: int = GRAM_SIZE) -> list[str]:
    """Character n-grams of the letter runs of a folded word; shorter runs give none."""
    grams = []
    for run in re.findall(r"[^\W\d_]+", fold(word)):
        grams += [run[i : i + size] for i in range(len(run) - size + 1)]
    return grams
