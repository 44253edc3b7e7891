"""Language data that travels with a snapshot: protected words and the corpus vocabulary."""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

from indexer.snapshot import NO_STEM

#: Vocabulary words kept for spelling suggestions: letters only, at least this long.
MIN_VOCABULARY_CHARS = 3


def read_protected_words(folder: Path) -> frozenset[str]:
    """Words never to stem, one per line in ``no_stem.txt`` (``#`` starts a comment)."""
    path = folder / NO_STEM
    if not path.exists():
        return frozenset()
    lines = (line.split("#", 1)[0].strip().lower() for line in path.read_text(encoding="utf-8").splitlines())
    return frozenset(line for line in lines if line)


def write_vocabulary(counts: Counter[str], path: Path) -> None:
    """Save the corpus's surface words with their counts (gzipped ``word<TAB>count`` lines)."""
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for word, count in counts.most_common():
            if len(word) >= MIN_VOCABULARY_CHARS and word.isalpha():
                handle.write(f"{word}\t{count}\n")


def read_vocabulary(path: Path) -> dict[str, int]:
    """Load a vocabulary written by :func:`write_vocabulary` (empty if missing)."""
    if not path.exists():
        return {}
    vocabulary: dict[str, int] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            word, _, count = line.rstrip("\n").partition("\t")
            vocabulary[word] = int(count)
    return vocabulary
