"""What each indexed field holds, made by the one Swedish analysis chain.

=========  ==============================================================
body       stems of the section text (the chain in ``indexer.language.analysis``)
head       stems of the heading path (page title › headings)
folded     the body stems without diacritics ("överkalix" also as "overkalix")
parts      stems of compound parts ("samhällsplaneringen" → "samhäll", "planering")
grams      character 4-grams of the folded words, for inflections and typos
=========  ==============================================================

The same :class:`SwedishAnalyzer`, built from a snapshot's lexicon and
protected words, analyses documents at index time and questions at query
time (see ``search_app.query.plan``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain

from indexer.budgets import PASSAGE_CHARS
from indexer.language.analysis import (
    Filter,
    Token,
    drop_definite_et,
    fold,
    stem_word,
    stop_words,
    swedish_pipeline,
    token_words,
    words,
)
from indexer.language.compounds import MIN_PART_CHARS, CompoundSplitter
from indexer.language.lexicon import Lexicon
from indexer.language.memo import WordMemo

GRAM_SIZE = 4
#: A word this long or longer is matched through its compound parts too (snippets).
COMPOUND_WORD_CHARS = 8


@dataclass(frozen=True)
class StoredWords:
    """A section's analysis as its stored record keeps it (``SectionRecord["analysis"]``).

    ``terms``: each distinct word (token text) of its heading path and of its first
    PASSAGE_CHARS characters with its analysed terms (:meth:`SwedishAnalyzer.word_terms`);
    ``parts``: the compound parts of those words (lowercased) of at least COMPOUND_WORD_CHARS
    letters that split, stop words left out. A worker looks a result's words up here
    instead of analysing them again; a word not here is analysed as usual.
    """

    terms: Mapping[str, Sequence[str]]
    parts: Mapping[str, Sequence[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, analysis: str | bytes) -> StoredWords:
        """From the JSON text a record keeps (``SectionRecord["analysis"]``: ``SwedishAnalyzer.stored_words``)."""
        stored = json.loads(analysis)
        return cls(stored["words"], stored["parts"])

    def word_parts(self, word: str, analyzer: SwedishAnalyzer) -> Sequence[str]:
        """:meth:`SwedishAnalyzer.compound_parts` of ``word`` lowercased, looked up when stored."""
        lower = word.lower()
        if word in self.terms and lower not in stop_words():
            return self.parts.get(lower, ())
        return analyzer.compound_parts(lower)
_LETTER_RUN = re.compile(r"[^\W\d_]+")


@dataclass
class SwedishAnalyzer:
    """The analysis chain with its data: lexicon (for compounds) and words never to stem."""

    lexicon: Lexicon | None = None
    protected: frozenset[str] = frozenset()
    pipeline: tuple[Filter, ...] = field(init=False)
    splitter: CompoundSplitter | None = field(init=False)

    # Each word's analysis, remembered within WORD_MEMO_BYTES each (``indexer.budgets``).
    _word_terms: WordMemo[str, tuple[str, ...]] = field(init=False, default_factory=lambda: WordMemo("terms"))
    _word_parts: WordMemo[str, tuple[str, ...]] = field(init=False, default_factory=lambda: WordMemo("parts"))
    _word_folded: WordMemo[str, tuple[str, ...]] = field(init=False,
                                                         default_factory=lambda: WordMemo("folded words"))
    # Compound parts worked out by the build (see remember_compounds), and the log of
    # parts worked out here while a build records them.
    _known_parts: dict[str, tuple[str, ...]] = field(init=False, default_factory=dict)
    _simple_words: Container[str] = field(init=False, default=frozenset())
    _parts_log: list[tuple[str, tuple[str, ...]]] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.pipeline = swedish_pipeline(self.protected, self.lexicon)
        self.splitter = CompoundSplitter(self.lexicon) if self.lexicon is not None else None

    def stems(self, text: str, known: StoredWords | None = None) -> list[str]:
        """The analysed terms of ``text`` in order (repeats kept).

        The same as running :func:`analyze` with this chain: every filter after
        the tokenizer works on one token at a time, so each distinct word is
        analysed once and remembered. A word in ``known`` (a section's stored
        analysis, :meth:`stored_words`) is looked up there instead.
        """
        result: list[str] = []
        if known is None:
            for word in token_words(text):
                result.extend(self.word_terms(word))
            return result
        words = token_words(text)
        found = list(map(known.terms.get, words))
        if None not in found:  # the common case: every word stored
            return list(chain.from_iterable(found))  # type: ignore[arg-type]  # no None in found
        for word, terms in zip(words, found, strict=True):
            result.extend(self.word_terms(word) if terms is None else terms)
        return result

    def word_terms(self, word: str) -> tuple[str, ...]:
        """The analysed terms of one token's text (none for a stop word, more for a hyphenated word)."""
        terms = self._word_terms.get(word)
        if terms is None:
            terms = self._word_terms.put(word, tuple(token.text for token in self._analyze_token(word)))
        return terms

    def folded_word_terms(self, word: str) -> tuple[str, ...]:
        """:meth:`word_terms` without diacritics."""
        folded = self._word_folded.get(word)
        if folded is None:
            folded = self._word_folded.put(word, tuple(fold(term) for term in self.word_terms(word)))
        return folded

    def _analyze_token(self, word: str) -> list[Token]:
        tokens: Iterable[Token] = [Token(word, 0, 0, len(word))]
        for step in self.pipeline:
            tokens = step(tokens)
        return list(tokens)

    def terms(self, text: str, known: StoredWords | None = None) -> list[str]:
        """The analysed terms of ``text`` in order, without repeats (``known``: as :meth:`stems` reads it)."""
        return list(dict.fromkeys(self.stems(text, known)))

    def stored_words(self, heading_path: tuple[str, ...] | list[str], text: str) -> dict[str, dict[str, list[str]]]:
        """What a section's record keeps of its analysis (:class:`StoredWords`, as ``words`` and ``parts``):
        its words up to PASSAGE_CHARS, as much of a section as snippets and the answer step read."""
        return self._stored(token_words(" ".join(heading_path)) + token_words(text[:PASSAGE_CHARS]))

    def analysed_section(self, heading_path: tuple[str, ...] | list[str],
                         text: str) -> tuple[dict[str, str], dict[str, dict[str, list[str]]]]:
        """:meth:`index_fields` and :meth:`stored_words` of one section, its text tokenised once."""
        head_words, body_words = token_words(" ".join(heading_path)), token_words(text)
        stored_body = body_words if len(text) <= PASSAGE_CHARS else token_words(text[:PASSAGE_CHARS])
        return self._fields(heading_path, text, head_words, body_words), self._stored(head_words + stored_body)

    def _stored(self, tokens: list[str]) -> dict[str, dict[str, list[str]]]:
        words = dict.fromkeys(tokens)
        stops = stop_words()
        parts = {}
        for word in words:
            lower = word.lower()
            if len(word) >= COMPOUND_WORD_CHARS and lower not in stops:
                found = self._parts(lower)
                if found:
                    parts[lower] = list(found)
        return {"words": {word: list(self.word_terms(word)) for word in words}, "parts": parts}

    def stem(self, word: str) -> str:
        """The stem of one lowercased word (protected words stay whole)."""
        if word in self.protected or word[:1].isdigit():
            return word
        return stem_word(drop_definite_et(word, self.lexicon) if self.lexicon is not None else word)

    def content_words(self, text: str) -> list[str]:
        """Lowercased words that are not stop words."""
        stops = stop_words()
        return [word for word in words(text) if word not in stops]

    def compound_parts(self, word: str) -> list[str]:
        """Stems of the parts of a compound word ([] when it is not one)."""
        return list(self._parts(word))

    def _parts(self, word: str) -> tuple[str, ...]:
        if self.splitter is None:
            return ()
        known = self._word_parts.get(word)
        if known is None:
            known = self._known_parts.get(word)
            if known is None:
                known = () if word in self._simple_words else self._split(word)
            self._word_parts.put(word, known)
        return known

    def _split(self, word: str) -> tuple[str, ...]:
        assert self.splitter is not None  # noqa: S101 (only called when a splitter is set; narrows the type)
        parts = self.splitter.split(word)
        found = tuple(self.stem(part) for part in parts if len(part) >= MIN_PART_CHARS) if len(parts) >= 2 else ()
        if self._parts_log is not None:
            self._parts_log.append((word, found))
        return found

    def record_compounds(self) -> None:
        """From now on, log every word this analyser splits (a build collects them)."""
        self._parts_log = []

    def recorded_compounds(self) -> list[tuple[str, tuple[str, ...]]]:
        """The words split since the last call, with their parts; the log starts afresh."""
        if self._parts_log is None:
            return []
        logged, self._parts_log = self._parts_log, []
        return logged

    def remember_compounds(self, parts: dict[str, tuple[str, ...]], simple_words: Container[str]) -> None:
        """Take the build's compound splits: ``parts`` for the words that split, none for ``simple_words``.

        The build split every word of the corpus with the same lexicon, so a
        worker need not split them again on its first requests.
        """
        self._known_parts = parts
        self._simple_words = simple_words

    def index_fields(self, heading_path: tuple[str, ...] | list[str], text: str) -> dict[str, str]:
        """Space-separated terms of every field for one section.

        The looser fields (folded, parts, grams) cover the heading path too, so
        that a word in a heading is found as loosely as one in the text.
        """
        return self._fields(heading_path, text, token_words(" ".join(heading_path)), token_words(text))

    def _fields(self, heading_path: tuple[str, ...] | list[str], text: str, head_words: list[str],
                body_words: list[str]) -> dict[str, str]:
        # Everything below is cached per distinct word: a build sees each word many times.
        content = self.content_words(" ".join([*heading_path, text]))
        return {
            "body": " ".join([term for word in body_words for term in self.word_terms(word)]),
            "head": " ".join([term for word in head_words for term in self.word_terms(word)]),
            "folded": " ".join([term for word in head_words + body_words for term in self.folded_word_terms(word)]),
            "parts": " ".join([part for word in content for part in self._parts(word)]),
            "grams": " ".join([gram for word in content for gram in _grams(word, GRAM_SIZE)]),
        }


def word_grams(word: str, size: int = GRAM_SIZE) -> list[str]:
    """Character n-grams of the letter runs of a folded word; shorter runs give none."""
    return list(_grams(word, size))


_GRAMS: WordMemo[tuple[str, int], tuple[str, ...]] = WordMemo("grams")


def _grams(word: str, size: int) -> tuple[str, ...]:
    """The n-grams of ``word``'s letter runs (remembered)."""
    found = _GRAMS.get((word, size))
    if found is None:
        grams: list[str] = []
        for run in _LETTER_RUN.findall(fold(word)):
            grams += [run[i : i + size] for i in range(len(run) - size + 1)]
        found = _GRAMS.put((word, size), tuple(grams))
    return found
