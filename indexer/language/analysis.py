"""The one Swedish analysis chain, used at index time and at query time.

A chain is a tokenizer followed by small filters, each a generator over
``Token`` objects (the shape of Whoosh's analysis chain, without Whoosh):

    normalize | tokenize | lowercase | abbreviation ending | hyphen parts | stop words | stem

:func:`normalize` comes first, for documents and questions alike: text is
read in Unicode NFC ("a" followed by U+0308 COMBINING DIAERESIS, as copied
from many PDFs, is "ä"),
format characters (zero-width space and joiners, word joiner, soft hyphen,
BOM, direction marks: Unicode category Cf) are dropped, so that they no
longer split a word, and every other kind of space is a space. Token spans
still point into the text as given, so that snippets mark the words of the
stored text.

The engine adapts :func:`analyze` to its own token type; nothing else in the
product decides what a word is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import snowballstemmer

from indexer.language.memo import word_memo

#: Bump when the chain changes what it emits: the app refuses an index built
#: with another version (see ``indexer.snapshot.layout.Manifest``).
ANALYSIS_VERSION = "sv-4"

_DATA = Path(__file__).parent / "data"

# A word: letters/digits joined by inner hyphens or apostrophes, with the colon
# ending of an inflected abbreviation (EU:s, tv:n, sms:et); a trailing run of
# "+" is kept (J+, C++). Number ranges such as 2016–2019 come out as one token.
_WORD = r"[^\W_]+(?:[-'’][^\W_]+)*(?::[a-zåäö]{1,3}(?![^\W_]))?\+*"
_TOKEN_RE = re.compile(rf"\d+(?:[.,]\d+)*(?:\s?[–—-]\s?\d+(?:[.,]\d+)*)?|{_WORD}")
_RANGE_DASH_RE = re.compile(r"\s?[–—-]\s?")

#: Format characters (Unicode category Cf, as of Unicode 14): invisible, and never part of a word's
#: meaning. ``test_analysis`` checks the list against the running Python's Unicode data.
INVISIBLE_CHARS = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
#: Spaces other than " " (Unicode category Zs): no-break, narrow no-break, figure, thin, ideographic …
OTHER_SPACES = "\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_INVISIBLE_RE = re.compile(f"[{INVISIBLE_CHARS}]")
_NEEDS_CLEANING_RE = re.compile(f"[{INVISIBLE_CHARS}{OTHER_SPACES}]")
_SPACE_TABLE = {code: " " for code in (0xA0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000)}
#: Starters (combining class 0) that NFC may still join to the character before them: Hangul
#: vowels and final consonants, and the second halves of some Indic and other vowel signs.
_JOINING_STARTERS = re.compile(
    "[\u1161-\u1175\u11a8-\u11c2\u09be\u09d7\u0b3e\u0b56\u0b57\u0bbe\u0bd7\u0cc2\u0cd5\u0cd6\u0d3e"
    "\u0d57\u0dcf\u0ddf\u102e\u1b35\U00011127\U0001133e\U00011357\U000114b0\U000114ba\U000114bd"
    "\U000115af\U00011930]"
)


@dataclass(frozen=True, slots=True)
class Token:
    """One analysed term with its position and character span in the source."""

    text: str
    pos: int
    start: int
    end: int


Filter = Callable[[Iterable[Token]], Iterator[Token]]


def _is_clean(text: str) -> bool:
    return text.isascii() or (_NEEDS_CLEANING_RE.search(text) is None and unicodedata.is_normalized("NFC", text))


def normalize(text: str) -> str:
    """``text`` as the chain reads it: NFC, without format characters (Cf), every space a plain space."""
    if _is_clean(text):
        return text
    return unicodedata.normalize("NFC", _INVISIBLE_RE.sub("", text).translate(_SPACE_TABLE))


def _normalize_with_spans(text: str) -> tuple[str, list[int], list[int]]:
    """:func:`normalize` of ``text`` (not already clean), with the span in ``text`` of each character made.

    The text is normalised one combining sequence at a time (a starter and the
    marks that follow it, skipping format characters between them); every
    character made from a sequence points at the whole sequence.
    """
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    index, length = 0, len(text)
    while index < length:
        if _INVISIBLE_RE.match(text, index):
            index += 1
            continue
        end = scan = index + 1
        while scan < length:
            char = text[scan]
            if _INVISIBLE_RE.match(char):
                scan += 1
            elif _joins_previous(char):
                scan += 1
                end = scan
            else:
                break
        piece = unicodedata.normalize("NFC", _INVISIBLE_RE.sub("", text[index:end]).translate(_SPACE_TABLE))
        pieces.append(piece)
        starts += [index] * len(piece)
        ends += [end] * len(piece)
        index = end
    normalized = "".join(pieces)
    if normalized != normalize(text):  # not expected: then every character points at the whole text
        normalized = normalize(text)
        starts, ends = [0] * len(normalized), [length] * len(normalized)
    return normalized, starts, ends


def _tokens(text: str) -> Iterator[tuple[str, int, int]]:
    """Each token's raw text in :func:`normalize` (``text``), with its span in ``text``."""
    if _is_clean(text):
        return ((match.group(), match.start(), match.end()) for match in _TOKEN_RE.finditer(text))
    normalized, starts, ends = _normalize_with_spans(text)
    return ((match.group(), starts[match.start()], ends[match.end() - 1]) for match in _TOKEN_RE.finditer(normalized))


def _joins_previous(char: str) -> bool:
    """Whether NFC may change ``char`` together with the character before it."""
    if unicodedata.combining(char) or _JOINING_STARTERS.match(char):
        return True
    if unicodedata.is_normalized("NFC", char):
        return False
    first = unicodedata.normalize("NFD", char)[0]  # a character NFC replaces, such as U+212B for Å
    return bool(unicodedata.combining(first) or _JOINING_STARTERS.match(first))


def tokenize(text: str) -> Iterator[Token]:
    """Split ``text`` into word tokens, keeping J+, EU:s and 2016–2019 whole.

    The words are those of :func:`normalize` (``text``); each token's span is
    where the word stands in ``text`` itself.
    """
    for pos, (word, start, end) in enumerate(_tokens(text)):
        yield Token(_token_text(word), pos, start, end)


def token_spans(text: str) -> Iterator[tuple[int, int]]:
    """The (start, end) character span in ``text`` of each token, in order, as :func:`tokenize` finds them."""
    if _is_clean(text):  # the common case, read straight from the matches (snippets read many spans)
        return (match.span() for match in _TOKEN_RE.finditer(text))
    return ((start, end) for _word, start, end in _tokens(text))


def token_words(text: str) -> list[str]:
    """The text of each token of :func:`normalize` (``text``), as :func:`tokenize` makes them (no positions)."""
    return [_RANGE_DASH_RE.sub("–", word) if word[0].isdigit() else word
            for word in _TOKEN_RE.findall(normalize(text))]


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
    """Keep ``eu-finansierat`` and add its parts at the same position (``2016–2019``: ``2016`` and ``2019``)."""
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
    protected = frozenset(normalize(word) for word in protected)
    return (lowercase, strip_abbreviation_ending, split_hyphenated, remove_stop_words, stem_except(protected, known))


#: Index-time and query-time chains without a snapshot's data (``indexer.fields.SwedishAnalyzer`` adds its
#: lexicon and protected words). They are the same; they are named apart so that a query-only step has an
#: obvious home (synonyms are added to the query plan instead, see ``search_app.query.plan``).
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
    """The terms of ``text`` by ``pipeline``, in order, without repeats (a snapshot's: ``SwedishAnalyzer.terms``)."""
    return list(dict.fromkeys(token.text for token in analyze(text, pipeline)))


_FOLD = str.maketrans("åäöéèüáà", "aaoeeuaa")


def fold(text: str) -> str:
    """``text`` without Swedish and other diacritics: å/ä → a, ö → o, é → e."""
    return text.translate(_FOLD)


@word_memo("folded terms")
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


@word_memo("stems")
def stem_word(word: str) -> str:
    """The Snowball ``swedish`` stem of one lowercased word (remembered)."""
    return _stemmer.stemWord(word)
