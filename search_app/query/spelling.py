"""Spelling suggestions ("Menade du: …") from the corpus's own vocabulary.

Only a word that neither the corpus nor the general Swedish word list knows
is corrected. The word list is the snapshot's lexicon (wordfreq's Swedish
list at Zipf ≥ 1.5, the one compounds are split with, named in the
manifest): below that frequency wordfreq's words are mostly typos and names.
A real word the corpus lacks ("hände", "kostar") is therefore never
"corrected" into a corpus word ("vände", "kortar").

An unknown word is replaced by the most frequent corpus word one edit away
(a letter dropped, added, changed or two swapped; å/ä/ö count as letters).
Failing that, its stem is compared with the corpus's stems and the user's
own ending is kept: "pilotkomuner" becomes "pilotkommuner" although the page
only says "pilotkommunerna". The corrected question is suggested only when
it finds clearly better matches than the question as typed.
"""

from __future__ import annotations

import re
from collections.abc import Container

from indexer.budgets import LONGEST_WORD_CHARS
from indexer.language.analysis import stem_word, stop_words
from search_app.query.snapshot import OpenSnapshot

ALPHABET = "abcdefghijklmnopqrstuvwxyzåäöé"
MIN_WORD_CHARS = 4
#: The corrected question must score this much better to be suggested.
MIN_SCORE_GAIN = 1.2
_WORD_RE = re.compile(r"[^\W\d_]+")


def edits1(word: str) -> set[str]:
    """Every string one edit away from ``word``."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in ALPHABET}
    inserts = {a + c + b for a, b in splits for c in ALPHABET}
    return deletes | swaps | replaces | inserts


def correct_word(word: str, vocabulary: dict[str, int], stems: dict[str, int] | None = None,
                 known: Container[str] = frozenset()) -> str | None:
    """The most frequent corpus word one edit from ``word``, or None when ``word`` is known (or longer than
    LONGEST_WORD_CHARS: no typo of a word is that long, and its edits would be thousands).

    ``word`` is known when the corpus (``vocabulary``) or the general word list
    (``known``) holds it: a real Swedish word is left as typed.
    """
    lowered = word.lower()
    if not MIN_WORD_CHARS <= len(lowered) <= LONGEST_WORD_CHARS or lowered in vocabulary or lowered in known \
            or lowered in stop_words():
        return None
    candidates = [(vocabulary[w], w) for w in edits1(lowered) if w in vocabulary]
    if candidates:
        return max(candidates)[1]
    stem = stem_word(lowered)
    if stems is None or stem in stems or not lowered.startswith(stem):
        return None
    candidates = [(stems[s], s) for s in edits1(stem) if s in stems]
    return max(candidates)[1] + lowered[len(stem) :] if candidates else None


def corrected_query(query: str, vocabulary: dict[str, int], stems: dict[str, int] | None = None,
                    known: Container[str] = frozenset()) -> str | None:
    """``query`` with its unknown words corrected, or None when nothing changed (``known``: the word list)."""
    changed = False

    def replace(match: re.Match[str]) -> str:
        nonlocal changed
        correction = correct_word(match.group(), vocabulary, stems, known)
        if correction is None:
            return match.group()
        changed = True
        return correction

    corrected = _WORD_RE.sub(replace, query)
    return corrected if changed else None


def suggest(snap: OpenSnapshot, query: str, best_score: float) -> str | None:
    """A corrected query that finds clearly better matches than ``query`` (whose best score is given)."""
    from search_app.query.plan import plan_query

    known: Container[str] = snap.analyzer.lexicon if snap.analyzer.lexicon is not None else frozenset()
    corrected = corrected_query(query, snap.vocabulary, snap.stem_counts, known)
    if corrected is None:
        return None
    found = snap.engine.search(plan_query(corrected, snap.analyzer, snap.synonyms), limit=1, exact_total=False)
    if found.hits and found.hits[0].score >= MIN_SCORE_GAIN * max(best_score, 1e-9):
        return corrected
    return None
