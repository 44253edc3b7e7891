"""From a user's question to a query plan: weighted terms per field, and phrases.

User text is only ever words: it is analysed like documents are, and the plan
is a list of terms; no query parser sees it, so ``AND``, ``"``, ``*``, ``:``
and ``?`` mean nothing.

Weights: an exact word in the body counts most, in a heading more; a match
without diacritics, a compound part, a synonym and the character 4-grams
count less, so that "Överkalix" typed with ö ranks a page with "Överkalix"
above one matched only through folding or grams. Adjacent question words that
stand near each other in a section add a proximity bonus.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path

from indexer.engines.base import QueryPlan, WeightedTerm
from indexer.fields import SwedishAnalyzer, word_grams
from indexer.language.analysis import fold
from indexer.ranking_profile import PROFILE

BODY_WEIGHT = PROFILE.fields.body
HEAD_WEIGHT = PROFILE.fields.head
FOLDED_WEIGHT = PROFILE.fields.folded
PARTS_WEIGHT = PROFILE.fields.parts
SYNONYM_WEIGHT = PROFILE.fields.synonym
#: Weight of one query word's 4-grams taken together (split among its grams).
GRAMS_WORD_WEIGHT = PROFILE.fields.grams_word
PROXIMITY_WEIGHT = PROFILE.fields.proximity


@dataclass
class Synonyms:
    """Groups of words or phrases that mean the same, from a plain file staff can edit.

    One group per line, entries separated by commas::

        landsting, region
        länsstyrelse, länsstyrelsen i stockholms län

    A question that contains every word of one entry is also searched with
    the words of the others.
    """

    groups: list[list[tuple[str, ...]]] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str, analyzer: SwedishAnalyzer) -> Synonyms:
        """Synonyms from the text of a synonyms file: one group of comma-separated entries a line, ``#`` comments."""
        groups = []
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            entries = [tuple(analyzer.stems(entry)) for entry in line.split(",")]
            entries = [entry for entry in entries if entry]
            if len(entries) > 1:
                groups.append(entries)
        return cls(groups)

    @classmethod
    def read(cls, path: Path, analyzer: SwedishAnalyzer) -> Synonyms:
        """Read a synonyms file; a missing file means no synonyms."""
        return cls.parse(path.read_text(encoding="utf-8"), analyzer) if path.exists() else cls()

    def expand(self, stems: list[str]) -> list[str]:
        """Stems of the entries that share a group with an entry found in ``stems``."""
        present = set(stems)
        added: list[str] = []
        for group in self.groups:
            if any(set(entry) <= present for entry in group):
                for entry in group:
                    added += [stem for stem in entry if stem not in present]
        return list(dict.fromkeys(added))


def plan_query(text: str, analyzer: SwedishAnalyzer, synonyms: Synonyms | None = None) -> QueryPlan:
    """The weighted terms and phrases that search for ``text``.

    Each looser form of a question word (folded, grams) names the word it stands in
    for (``WeightedTerm.word``), so that a two-stage search lets it find candidates
    only for a word the index does not know.
    """
    stems = analyzer.terms(text)
    weighted: dict[tuple[str, str], tuple[float, str]] = {}

    def add(field_name: str, term: str, weight: float, word: str = "") -> None:
        key = (field_name, term)
        known_weight, known_word = weighted.get(key, (0.0, word))
        weighted[key] = (max(known_weight, weight), known_word if known_word == word or not known_word else word)

    for stem in stems:
        add("body", stem, BODY_WEIGHT)
        add("head", stem, HEAD_WEIGHT)
        add("folded", fold(stem), FOLDED_WEIGHT, stem)
        add("parts", stem, PARTS_WEIGHT)  # the word as part of a section's compound finds sections too
    for word in analyzer.content_words(text):
        own = next(iter(analyzer.terms(word)), word)
        for part in analyzer.compound_parts(word):  # a compound's parts find sections, as its own words do
            add("body", part, PARTS_WEIGHT)
            add("parts", part, PARTS_WEIGHT)
        grams = word_grams(word)
        for gram in grams:
            add("grams", gram, GRAMS_WORD_WEIGHT / math.sqrt(len(grams)), own)
    for stem in synonyms.expand(stems) if synonyms else []:
        add("body", stem, SYNONYM_WEIGHT)
        add("head", stem, SYNONYM_WEIGHT * HEAD_WEIGHT)
    phrases: list[tuple[str, tuple[str, ...], float]] = [
        ("body", pair, PROXIMITY_WEIGHT) for pair in itertools.pairwise(stems)]
    return QueryPlan(
        stems=stems,
        terms=[WeightedTerm(f, t, w, word) for (f, t), (w, word) in weighted.items()],
        phrases=phrases,
    )
