"""The one Swedish analysis chain, used at index time and at query time.

A chain is a tokenizer followed by small filters, each a generator over
``Token`` objects (the shape of Whoosh's analysis chain, without Whoosh):

    tokenize | lowercase | genitive | stop words | stem

The engine adapts :func:`analyze` to its own token type; nothing else in the
product decides what a word is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import snowballstemmer

#: Bump when the chain changes what it emits: the app refuses an index built
#: with another version (see ``indexer.manifest``).
ANALYSIS_VERSION = "sv-3"

_DATA = Path(__file__).parent / "data"

# A word: letters/digits joined by inner hyphens or apostrophes, with the colon
# ending of an inflected abbreviation (EU:s, tv:n, sms:et); a trailing run of
# "+" is kept (J+, C++). Number ranges such as 2016–2019 come out as one token.
_WORD = r"[^\W_]+(?:[-'’][^\W_]+)*(?::[a-zåäö]{1,3}(?![^\W_]))?\+*"
_TOKEN_RE = re.compile(rf"\d+(?:[.,]\d+)*(?:\s?[–—-]\s?\d+(?:[.,]\d+)*)?|{_WORD}")
_RANGE_DASH_RE = re.compile(r"\s?[–—-]\s?")


@dataclass(frozen=True, slots=True)
class Token:
    """One analysed term with its position and character span in the source."""

    text: str
    pos: int
    start: int
    end: int


Filter = Callable[[Iterable[Token]], Iterator[Token]]


def tokenize(text: str) -> Iterator[Token]:
    """Split ``text`` into word tokens, keeping J+, EU:s and 2016–2019 whole."""
    for pos, match in enumerate(_TOKEN_RE.finditer(text)):
        yield Token(_token_text(match.group()), pos, match.start(), match.end())


def token_spans(text: str) -> Iterator[tuple[int, int]]:
    """The (start, end) character span of each token of ``text``, in order, as :func:`tokenize` finds them."""
    return (match.span() for match in _TOKEN_RE.finditer(text))


def token_words(text: str) -> list[str]:
    """The text of each token of ``text``, as :func:`tokenize` makes them (no positions)."""
    return [_RANGE_DASH_RE.sub("–", word) if word[0].isdigit() else word for word in _TOKEN_RE.findall(text)]


def _token_text(word: str) -> str:
    return _RANGE_DASH_RE.sub("–", word) if word[0].isdigit() else word


def lowercase(tokens: Iterable[Token]) -> Iterator[Token]:
    """Lowercase every token."""
    for token in tokens:
        yield Token(token.text.lower(), token.pos, token.start, token.end)


def strip_abbreviation_ending(tokens: Iterable[Token]) -> Iterator[Token]:
    """Drop the colon ending of an inflected abbreviation: ``eu:s`` becomes ``eu``."""
    for token in tokens:
        if ":" in token.text:
            token = Token(token.text.split(":", 1)[0], token.pos, token.start, token.end)
        yield token


def split_hyphenated(tokens: Iterable[Token]) -> Iterator[Token]:
    """Keep ``eu-finansierat`` and add its parts at the same position.

    A number range ``2016–2019`` likewise adds ``2016`` and ``2019``.
    """
    for token in tokens:
        yield token
        parts = [part for part in re.split(r"[-–]", token.text) if part]
        if len(parts) > 1:
            for part in parts:
                yield Token(part, token.pos, token.start, token.end)


def remove_stop_words(tokens: Iterable[Token]) -> Iterator[Token]:
    """Drop Swedish function words (the Snowball list)."""
    stops = stop_words()
    for token in tokens:
        if token.text not in stops:
            yield token


def stem_except(protected: frozenset[str] = frozenset(), known: Container[str] | None = None) -> Filter:
    """A filter that reduces each word to its Snowball ``swedish`` stem.

    Numbers, tokens such as ``j+`` and the ``protected`` words stay as they
    are. Snowball leaves the neuter definite ending alone ("projektet",
    "landstinget"); with ``known`` words given, "-et"/"-ets" is dropped first
    when what remains is a known word of at least four letters.
    """

    def stem(tokens: Iterable[Token]) -> Iterator[Token]:
        for token in tokens:
            word = token.text
            if word[0].isdigit() or "+" in word or word in protected:
                yield token
                continue
            if known is not None:
                word = drop_definite_et(word, known)
            yield Token(stem_word(word), token.pos, token.start, token.end)

    return stem


def drop_definite_et(word: str, known: Container[str]) -> str:
    """"projektet" → "projekt" when "projekt" is a known word; else ``word``."""
    for ending in ("ets", "et"):
        bare = word[: -len(ending)]
        if word.endswith(ending) and len(bare) >= 4 and bare in known:
            return bare
    return word


def swedish_pipeline(
    protected: frozenset[str] = frozenset(), known: Container[str] | None = None
) -> tuple[Filter, ...]:
    """The chain after the tokenizer, with ``protected`` words left unstemmed."""
    return (lowercase, strip_abbreviation_ending, split_hyphenated, remove_stop_words, stem_except(protected, known))


#: Index-time and query-time chains. They are the same; they are named apart
#: so that a query-only step has an obvious home (synonyms are added to the
#: query plan instead, see ``indexer.query``).
INDEX_PIPELINE: tuple[Filter, ...] = swedish_pipeline()
QUERY_PIPELINE: tuple[Filter, ...] = INDEX_PIPELINE
#: The reference chain of Elasticsearch's built-in ``swedish`` analyzer, for
#: the evaluation baseline: lowercase, Swedish stop words, Snowball.
BASELINE_PIPELINE: tuple[Filter, ...] = (lowercase, remove_stop_words, stem_except())


def analyze(text: str, pipeline: tuple[Filter, ...] = INDEX_PIPELINE) -> list[Token]:
    """Run ``text`` through the tokenizer and ``pipeline``."""
    tokens: Iterable[Token] = tokenize(text)
    for step in pipeline:
        tokens = step(tokens)
    return list(tokens)


def terms(text: str, pipeline: tuple[Filter, ...] = QUERY_PIPELINE) -> list[str]:
    """The analysed terms of a query, in order, without repeats."""
    return list(dict.fromkeys(token.text for token in analyze(text, pipeline)))


_FOLD = str.maketrans("åäöéèüáà", "aaoeeuaa")


def fold(text: str) -> str:
    """``text`` without Swedish and other diacritics: å/ä → a, ö → o, é → e."""
    return text.translate(_FOLD)


@lru_cache(maxsize=100_000)
def fold_term(term: str) -> str:
    """:func:`fold` for one analysed term, remembered (terms recur in every request)."""
    return term.translate(_FOLD)


def words(text: str) -> list[str]:
    """The lowercased words of ``text``, stop words included (no stemming)."""
    return [word.lower() for word in token_words(text)]


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """Snowball's Swedish stop word list."""
    lines = (_DATA / "stopwords_sv.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


_stemmer = snowballstemmer.stemmer("swedish")


@lru_cache(maxsize=200_000)
def stem_word(word: str) -> str:
    """The Snowball ``swedish`` stem of one lowercased word."""
    return _stemmer.stemWord(word)
