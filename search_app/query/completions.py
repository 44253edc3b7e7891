"""Search-as-you-type completions from section headings and the corpus vocabulary."""

from __future__ import annotations

import bisect
import re
from array import array
from dataclasses import dataclass
from pathlib import Path

from indexer.snapshot.language_files import read_headings

MAX_COMPLETIONS = 8
MAX_HEADINGS = 5
_WORD_RE = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Completion:
    """One completion: the text to search for, and the page when it is a heading."""

    text: str
    kind: str  # "heading" or "word"
    url: str = ""


class Completer:
    """Finds headings whose words start with the typed words, and completes the last word."""

    def __init__(self, headings: list[tuple[str, str]], vocabulary: dict[str, int]):
        self.headings = headings
        # Each distinct heading word once, sorted, with the numbers of the headings
        # that hold it in a compact array (a tuple per word and heading took ~80 MB
        # per worker at 44k pages).
        postings: dict[str, array] = {}
        for index, (heading, _) in enumerate(headings):
            for word in set(_words(heading)):
                postings.setdefault(word, array("I")).append(index)
        self._heading_words = sorted(postings)
        self._postings = [postings[word] for word in self._heading_words]
        self._vocabulary = vocabulary
        self._sorted_words = sorted(vocabulary)

    @classmethod
    def read(cls, path: Path, vocabulary: dict[str, int]) -> Completer:
        """Load the headings written by ``indexer.snapshot.language_files.write_headings``."""
        return cls(read_headings(path), vocabulary)

    def complete(self, query: str, limit: int = MAX_COMPLETIONS) -> list[Completion]:
        """Completions for what has been typed so far, headings first."""
        typed = _words(query)
        if not typed:
            return []
        found = [Completion(self.headings[i][0], "heading", self.headings[i][1]) for i in self._headings_for(typed)]
        found = found[:MAX_HEADINGS]
        prefix = " ".join(query.split()[:-1])
        for word in self._words_starting(typed[-1], limit):
            text = f"{prefix} {word}".strip()
            if len(found) >= limit:
                break
            if text.lower() != query.strip().lower() and all(c.text != text for c in found):
                found.append(Completion(text, "word"))
        return found[:limit]

    def _headings_for(self, typed: list[str]) -> list[int]:
        first = typed[0]
        start = bisect.bisect_left(self._heading_words, first)
        candidates: dict[int, None] = {}
        for position in range(start, len(self._heading_words)):
            if not self._heading_words[position].startswith(first):
                break
            candidates.update(dict.fromkeys(self._postings[position]))
        matches = [i for i in candidates if _all_typed_words_start(typed, _words(self.headings[i][0]))]
        return sorted(matches, key=lambda i: (len(self.headings[i][0]), self.headings[i][0]))

    def _words_starting(self, prefix: str, limit: int) -> list[str]:
        start = bisect.bisect_left(self._sorted_words, prefix)
        matches = []
        for word in self._sorted_words[start : start + 5000]:
            if not word.startswith(prefix):
                break
            matches.append(word)
        return sorted(matches, key=lambda w: -self._vocabulary[w])[:limit]


def _words(text: str) -> list[str]:
    return [word.lower() for word in _WORD_RE.findall(text)]


def _all_typed_words_start(typed: list[str], words: list[str]) -> bool:
    return all(any(word.startswith(t) for word in words) for t in typed)
