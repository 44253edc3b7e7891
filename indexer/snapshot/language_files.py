"""Language data that travels with a snapshot: protected words, the corpus vocabulary and its stems."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path

from indexer.language.analysis import stem_word, stop_words
from indexer.sections.split import Section
from indexer.snapshot.layout import NO_STEM

#: Vocabulary words kept for spelling suggestions: letters only, at least this long.
MIN_VOCABULARY_CHARS = 3


def read_protected_words(folder: Path) -> frozenset[str]:
    """Words never to stem, one per line in ``no_stem.txt`` (``#`` starts a comment)."""
    path = folder / NO_STEM
    if not path.exists():
        return frozenset()
    lines = (line.split("#", 1)[0].strip().lower() for line in path.read_text(encoding="utf-8").splitlines())
    return frozenset(line for line in lines if line)


def vocabulary_words(counts: Counter[str]) -> Counter[str]:
    """The words kept for spelling suggestions: letters only, at least MIN_VOCABULARY_CHARS long."""
    return Counter({word: count for word, count in counts.items()
                    if len(word) >= MIN_VOCABULARY_CHARS and word.isalpha()})


def stem_counts(vocabulary: Mapping[str, int], stems: Callable[[list[str]], list[str]] | None = None) -> Counter[str]:
    """How often each Snowball stem occurs, summed over the vocabulary's words.

    ``stems`` maps a list of words to their stems (default: one after the
    other); a build passes one that spreads the work over processes.
    """
    words = list(vocabulary)
    counts: Counter[str] = Counter()
    for word, stem in zip(words, (stems or _stem_list)(words), strict=True):
        counts[stem] += vocabulary[word]
    return counts


def _stem_list(words: list[str]) -> list[str]:
    return [stem_word(word) for word in words]


def write_vocabulary(counts: Counter[str], path: Path) -> None:
    """Save words (or stems) with their counts, most frequent first (gzipped ``word<TAB>count`` lines)."""
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for word, count in counts.most_common():
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


def write_compounds(compounds: dict[str, tuple[str, ...]], path: Path) -> None:
    """Save the corpus words that split into compound parts (gzipped ``word<TAB>part part`` lines)."""
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for word in sorted(compounds):
            handle.write(f"{word}\t{' '.join(compounds[word])}\n")


def read_compounds(path: Path) -> dict[str, tuple[str, ...]]:
    """Load what :func:`write_compounds` saved (empty if missing)."""
    if not path.exists():
        return {}
    compounds: dict[str, tuple[str, ...]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            word, _, parts = line.rstrip("\n").partition("\t")
            compounds[word] = tuple(parts.split())
    return compounds


class CorpusWords:
    """The corpus words that are not stop words: every one of them went through the build's compound splitter."""

    def __init__(self, vocabulary: Mapping[str, int]):
        self.vocabulary = vocabulary
        self.stops = stop_words()

    def __contains__(self, word: object) -> bool:
        return word in self.vocabulary and word not in self.stops


def section_headings(sections: list[Section]) -> list[tuple[str, str]]:
    """(heading, page URL) of every page title and every heading found in a page."""
    pairs: list[tuple[str, str]] = []
    for section in sections:
        pairs.append((section.doc.title, section.doc.url))
        if not section.untitled and section.heading != section.doc.title:
            pairs.append((section.heading, section.doc.url))
    return list(dict.fromkeys(pairs))


def write_headings(headings: list[tuple[str, str]], path: Path) -> None:
    """Save (heading, page URL) pairs, gzipped JSON Lines, for search-as-you-type."""
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for heading, url in headings:
            handle.write(json.dumps([heading, url], ensure_ascii=False) + "\n")


def read_headings(path: Path) -> list[tuple[str, str]]:
    """Load the (heading, page URL) pairs :func:`write_headings` saved (empty if missing)."""
    if not path.exists():
        return []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [tuple(json.loads(line)) for line in handle]
