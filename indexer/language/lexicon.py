"""The Swedish lexicon: known words with their frequency, for compound splitting.

Built from wordfreq's Swedish list (a real, large word list with frequencies
from several corpora) plus the corpus's own vocabulary. A snapshot stores the
corpus words and names the word list's version in its manifest, so that index
time and query time split compounds with the same words.
"""

from __future__ import annotations

import gzip
import math
import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import metadata
from pathlib import Path

#: Words rarer than this Zipf frequency are mostly noise (typos, names).
MIN_ZIPF = 1.5
#: Zipf frequency given to corpus words that the word list lacks.
CORPUS_ZIPF = 1.0
_WORD_RE = re.compile(r"[a-zåäöéü]+")


class Lexicon:
    """Known lowercase words and their Zipf frequencies (log10 per billion words)."""

    def __init__(self, zipf: dict[str, float], corpus_words: frozenset[str] = frozenset()):
        # The word list is shared, not copied: a worker holds it once (~190k words).
        self.zipf = zipf
        self.corpus_words = corpus_words - zipf.keys()

    def __contains__(self, word: object) -> bool:
        """Whether ``word`` is a known word (a dictionary word or one of the corpus's)."""
        return word in self.zipf or word in self.corpus_words

    def __len__(self) -> int:
        return len(self.zipf) + len(self.corpus_words)

    def frequency(self, word: str) -> float:
        """The Zipf frequency of ``word`` (CORPUS_ZIPF for a corpus word the list lacks), 0 when unknown."""
        value = self.zipf.get(word)
        if value is not None:
            return value
        return CORPUS_ZIPF if word in self.corpus_words else 0.0

    def write(self, path: Path) -> None:
        """Save the corpus words the word list lacks, one per line, gzipped."""
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.writelines(f"{word}\n" for word in sorted(self.corpus_words))

    @classmethod
    def read(cls, path: Path) -> Lexicon:
        """The word list plus the corpus words saved by :meth:`write`."""
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            corpus_words = frozenset(line.rstrip("\n") for line in handle)
        return with_corpus_words(corpus_words)


def word_list_version() -> str:
    """Which word list (and version) the lexicon is built from, for the manifest."""
    return f"wordfreq {metadata.version('wordfreq')} sv large, zipf >= {MIN_ZIPF}"


@lru_cache(maxsize=1)
def swedish_word_list() -> dict[str, float]:
    """wordfreq's large Swedish list: lowercase letter-only words with Zipf ≥ MIN_ZIPF."""
    import wordfreq

    frequencies = wordfreq.get_frequency_dict("sv", wordlist="large")
    zipf = {}
    for word, frequency in frequencies.items():
        value = math.log10(frequency * 1e9)
        if value >= MIN_ZIPF and _WORD_RE.fullmatch(word):
            zipf[word] = round(value, 2)
    # wordfreq keeps every list it has read; only our filtered copy is needed.
    for cached in (wordfreq.get_frequency_dict, wordfreq.get_frequency_list):
        if hasattr(cached, "cache_clear"):
            cached.cache_clear()
    return zipf


def with_corpus_words(corpus_words: frozenset[str]) -> Lexicon:
    """The word list plus ``corpus_words`` at a low frequency."""
    return Lexicon(swedish_word_list(), corpus_words)


def build_lexicon(corpus_words: Iterable[str]) -> Lexicon:
    """The word list plus corpus words it lacks (letters only, at least four)."""
    known = swedish_word_list()
    extra = frozenset(w for w in corpus_words if len(w) >= 4 and w not in known and _WORD_RE.fullmatch(w))
    return with_corpus_words(extra)
