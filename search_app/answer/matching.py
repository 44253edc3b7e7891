"""How much of a question's weighted words a text carries, word by word and loosely.

A question term counts in full when a text has it as it is, and for less when
the text has it without diacritics, as the head of a compound, or with
another ending (a typo or another inflection).
"""

from __future__ import annotations

from collections.abc import Collection, Container, Iterable

from indexer.language.analysis import fold, fold_term
from indexer.ranking_profile import PROFILE
from search_app.query.snapshot import OpenSnapshot

#: Share of a term found without diacritics ("overkalix" for "överkalix").
FOLDED_SHARE = PROFILE.answer.folded_share
#: Share of a term that ends a longer found word: the head of a compound ("kommun" in "pilotkommun").
COMPOUND_HEAD_SHARE = PROFILE.answer.compound_head_share
#: A compound head is at least this long, and the compound this much longer.
MIN_HEAD_CHARS = PROFILE.answer.compound_head_min_chars
COMPOUND_EXTRA_CHARS = PROFILE.answer.compound_extra_chars
#: Share of a term found with another ending ("pilotkomun", "kompetensarenan").
NEAR_SHARE = PROFILE.answer.near_share
#: Near terms share at least this many first letters, and all but their last NEAR_END_CHARS.
NEAR_MIN_PREFIX = PROFILE.answer.near_min_prefix
NEAR_END_CHARS = PROFILE.answer.near_end_chars


def term_weights(snap: OpenSnapshot, terms: list[str]) -> dict[str, float]:
    """Each analysed term's weight: its IDF in the snapshot's index."""
    return {term: snap.engine.idf(term) for term in terms}


def coverage(weights: dict[str, float], found: set[str]) -> float:
    """The share of the question's weight that ``found`` terms carry.

    A compound whose last part is a question term counts for most of it: the
    head of a Swedish compound names what it is ("pilotkommun" is a "kommun").
    """
    total = sum(weights.values())
    if not total:
        return 0.0
    folded = {fold_term(other) for other in found}
    return sum(weight * match_share(term, found, folded) for term, weight in weights.items()) / total


def match_share(term: str, found: set[str], folded: set[str] | None = None) -> float:
    """How much of a question term ``found`` terms carry.

    1 when found as it is; FOLDED_SHARE when found without diacritics
    ("overkalix"); COMPOUND_HEAD_SHARE when it ends a found compound
    ("kommun" in "pilotkommun"); NEAR_SHARE when a found term differs only at
    its end, as a typo or another inflection does ("pilotkomun",
    "kompetensarenan"); else 0. ``folded`` is ``found`` without diacritics,
    when the caller has it already.
    """
    if term in found:
        return 1.0
    if fold_term(term) in (folded if folded is not None else {fold_term(other) for other in found}):
        return FOLDED_SHARE
    if len(term) >= MIN_HEAD_CHARS and any(
        len(other) > len(term) + COMPOUND_EXTRA_CHARS and other.endswith(term) for other in found
    ):
        return COMPOUND_HEAD_SHARE
    # _near needs the first NEAR_MIN_PREFIX letters in common: test that cheaply first.
    start = term[:NEAR_MIN_PREFIX]
    if len(term) >= NEAR_MIN_PREFIX and any(other.startswith(start) and _near(term, other) for other in found):
        return NEAR_SHARE
    return 0.0


def _near(term: str, other: str) -> bool:
    """Whether two terms share all but their last NEAR_END_CHARS letters (and at least NEAR_MIN_PREFIX)."""
    shortest = min(len(term), len(other))
    prefix = 0
    while prefix < shortest and term[prefix] == other[prefix]:
        prefix += 1
    return prefix >= max(NEAR_MIN_PREFIX, shortest - NEAR_END_CHARS) and abs(len(term) - len(other)) <= NEAR_END_CHARS


#: match_share's levels, strictest first, and the share each gives (the last: no match).
LEVEL_SHARES = (1.0, FOLDED_SHARE, COMPOUND_HEAD_SHARE, NEAR_SHARE, 0.0)
_NO_MATCH = len(LEVEL_SHARES) - 1


class TermMatches:
    """Which of a passage's terms carry each question term, and how loosely, worked out once per passage.

    :func:`match_share` of a term against a set of terms is the strictest level at which any one of them
    carries it (as it is, folded, as a compound's head, near); so with each term's matching passage terms
    and their levels known, a sentence's or a span's share of it is a few set lookups instead of a scan of
    its terms for every question term.
    """

    def __init__(self, terms: Iterable[str], passage_terms: Collection[str]) -> None:
        asked = list(dict.fromkeys(terms))
        ordered = list(passage_terms)
        # One pass over the passage's terms per kind of match keeps the few that may carry a question term.
        wanted_folds = {fold_term(term) for term in asked}
        folds = fold("\n".join(ordered)).split("\n")  # terms hold no whitespace: one translate for them all
        same_fold = [(other, folded) for other, folded in zip(ordered, folds, strict=True) if folded in wanted_folds]
        prefixes = {term[:NEAR_MIN_PREFIX] for term in asked if len(term) >= NEAR_MIN_PREFIX}
        same_prefix = [other for other in ordered if other[:NEAR_MIN_PREFIX] in prefixes]
        heads = tuple(term for term in asked if len(term) >= MIN_HEAD_CHARS)
        ending = [other for other in ordered if other.endswith(heads)] if heads else []
        self.levels = {term: _levels(term, passage_terms, same_fold, same_prefix, ending) for term in asked}

    def share(self, term: str, found: Container[str], without: Container[str] = ()) -> float:
        """:func:`match_share` of ``term`` against the passage terms in ``found`` and not in ``without``."""
        best = _NO_MATCH
        for other, level in self.levels[term].items():
            if level < best and other in found and other not in without:
                best = level
        return LEVEL_SHARES[best]

    def coverage(self, weights: dict[str, float], found: Container[str], without: Container[str] = ()) -> float:
        """:func:`coverage` of the passage terms in ``found`` and not in ``without`` (the same sum, term by term)."""
        total = sum(weights.values())
        if not total:
            return 0.0
        return sum(weight * self.share(term, found, without) for term, weight in weights.items()) / total


def _levels(term: str, passage_terms: Collection[str], same_fold: list[tuple[str, str]], same_prefix: list[str],
            ending: list[str]) -> dict[str, int]:
    """The passage terms that carry ``term``, each with the strictest level at which it does (match_share's order);
    ``same_fold`` (with their folded forms), ``same_prefix`` and ``ending`` hold the passage terms that may."""
    levels: dict[str, int] = {}
    if len(term) >= NEAR_MIN_PREFIX:
        start = term[:NEAR_MIN_PREFIX]
        levels.update((other, 3) for other in same_prefix if other.startswith(start) and _near(term, other))
    if len(term) >= MIN_HEAD_CHARS:
        longest = len(term) + COMPOUND_EXTRA_CHARS
        levels.update((other, 2) for other in ending if other.endswith(term) and len(other) > longest)
    folded = fold_term(term)
    levels.update((other, 1) for other, other_folded in same_fold if other_folded == folded)
    if term in passage_terms:
        levels[term] = 0
    return levels
