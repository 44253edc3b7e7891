"""Swedish compound splitting with a lexicon and linking morphemes.

"samhällsplaneringen" → samhälle + planeringen (linking -s-, the modifier's
final -e dropped), "pilotkommunerna" → pilot + kommunerna,
"bredbandsutbyggnad" → bredband + utbyggnad.

Every way to cut a word into known parts is scored by the mean Zipf frequency
of its parts (the log of their geometric mean, after Koehn & Knight 2003),
less a cost per extra part and per unusual linking morpheme; the best cut
wins if it beats the whole word's own frequency. Function words are never
parts.
"""

from __future__ import annotations

from indexer.budgets import LONGEST_WORD_CHARS
from indexer.language.analysis import stop_words
from indexer.language.lexicon import CORPUS_ZIPF, Lexicon
from indexer.language.memo import WordMemo

MIN_WORD_CHARS = 8
MIN_PART_CHARS = 4
MAX_PARTS = 4
#: Linking morphemes that may join a modifier to the next part; "" and "s" are the usual ones.
LINKS = ("", "s", "e", "a", "u", "o")
COMMON_LINKS = ("", "s")
#: Endings a modifier may have dropped before joining (samhälle → samhälls-, flicka → flick-).
DROPPED_ENDINGS = ("", "e", "a")
PART_COST = 0.75
RARE_LINK_COST = 0.3

_NO_SPLIT: tuple[float, list[str]] = (float("-inf"), [])


class CompoundSplitter:
    """Splits lowercase words into their known parts; results are cached."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self._stops = stop_words()
        self._cache: WordMemo[str, list[str]] = WordMemo("compounds")
        # The best cuts of word endings depend on nothing else: kept for the next
        # words ("...kommunerna" recurs), within WORD_MEMO_BYTES.
        self._partial: WordMemo[tuple[str, int], tuple[float, list[str]]] = WordMemo("compound endings")

    def split(self, word: str) -> list[str]:
        """The parts of ``word`` (modifiers in their dictionary form), or ``[word]`` (also for a word longer
        than LONGEST_WORD_CHARS: the search over its cuts would grow with the square of its length)."""
        if not MIN_WORD_CHARS <= len(word) <= LONGEST_WORD_CHARS or not word.isalpha():
            return [word]
        cached = self._cache.get(word)
        if cached is None:
            whole = self.lexicon.frequency(word)
            score, parts = self._best_cut(word, MAX_PARTS)
            cached = self._cache.put(word, parts if len(parts) > 1 and (whole <= CORPUS_ZIPF or score > whole)
                                     else [word])
        return cached

    def _best_cut(self, word: str, parts_left: int) -> tuple[float, list[str]]:
        """(score, parts) of the best way to read ``word`` as one or more known parts."""
        key = (word, parts_left)
        found = self._partial.get(key)
        return self._partial.put(key, self._search(word, parts_left)) if found is None else found

    def _search(self, word: str, parts_left: int) -> tuple[float, list[str]]:
        best = (self._part_score(word), [word]) if self._is_part(word) else _NO_SPLIT
        if parts_left < 2:
            return best
        for cut in range(MIN_PART_CHARS, len(word) - MIN_PART_CHARS + 1):
            head_score, head_parts = self._best_cut(word[cut:], parts_left - 1)
            if not head_parts:
                continue
            head_total = (head_score + PART_COST * (len(head_parts) - 1)) * len(head_parts)
            for modifier, link_cost in self._modifier_forms(word[:cut]):
                count = len(head_parts) + 1
                mean = (self.lexicon.frequency(modifier) + head_total) / count
                score = mean - PART_COST * (count - 1) - link_cost
                if score > best[0]:
                    best = (score, [modifier, *head_parts])
        return best

    def _is_part(self, word: str) -> bool:
        return len(word) >= MIN_PART_CHARS and word in self.lexicon and word not in self._stops

    def _part_score(self, word: str) -> float:
        return self.lexicon.frequency(word)

    def _modifier_forms(self, prefix: str) -> list[tuple[str, float]]:
        """(dictionary form, cost) of each known word that ``prefix`` (modifier + link) stands for."""
        forms = []
        for link in LINKS:
            if link and not prefix.endswith(link):
                continue
            bare = prefix[: len(prefix) - len(link)]
            for ending in DROPPED_ENDINGS:
                form = bare + ending
                if (ending or link) and len(bare) < MIN_PART_CHARS - 1:
                    continue
                if self._is_part(form):
                    forms.append((form, 0.0 if link in COMMON_LINKS else RARE_LINK_COST))
        return forms
