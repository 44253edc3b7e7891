"""Snippets: the best window of a passage, HTML-escaped, with matched words in ``<mark>``.

Fragmenter (pick a window), scorer (count matches) and formatter (escape and
mark) are separate steps, as in Whoosh's highlighter.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from html import escape
from itertools import islice

from indexer.budgets import PASSAGE_CHARS
from indexer.fields import COMPOUND_WORD_CHARS, StoredWords, SwedishAnalyzer
from indexer.language.analysis import fold, token_spans, token_words

SNIPPET_WORDS = 40
CONTEXT_WORDS = 5


#: The snippet of a section with a heading and nothing under it (a contact heading that names no one).
EMPTY_SECTION_SNIPPET = "Inget står under den här rubriken."


def passage_text(text: str, limit: int = PASSAGE_CHARS) -> str:
    """``text``, or its first ``limit`` characters cut at a space and ended with "…" when it is longer."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 2]  # room for " …"
    space = cut.rfind(" ", limit // 2)
    return (cut[:space] if space > 0 else cut).rstrip() + " …"


def matching_words(words: Iterable[str], query_terms: Collection[str], analyzer: SwedishAnalyzer,
                   known: StoredWords | None = None) -> set[str]:
    """The distinct ``words`` (token texts) that match an analysed query term.

    A word matches through its stem, its stem without diacritics, or one of
    its compound parts. A word in ``known`` (the section's stored analysis) is
    looked up there instead of being analysed.
    """
    wanted = set(query_terms)
    folded = {fold(term) for term in wanted}
    matching = set()
    stored = known.terms if known is not None else {}
    for word in set(words):
        terms = stored.get(word)
        # Every stem found as it is is also found folded: one test covers both.
        if terms is None:
            found = not folded.isdisjoint(analyzer.folded_word_terms(word))
        else:
            found = not folded.isdisjoint(map(fold, terms))
        if found or (len(word) >= COMPOUND_WORD_CHARS and not wanted.isdisjoint(
                analyzer.compound_parts(word.lower()) if known is None else known.word_parts(word, analyzer))):
            matching.add(word)
    return matching


def best_window(hits: list[bool], size: int = SNIPPET_WORDS) -> tuple[int, int]:
    """Token index range [start, end) of the window with the most matches (``hits``: one flag per token)."""
    if len(hits) <= size:
        return 0, len(hits)
    current = sum(hits[:size])
    best_start, best_count = 0, current
    for start in range(1, len(hits) - size + 1):
        current += hits[start + size - 1] - hits[start - 1]
        if current > best_count:
            best_start, best_count = start, current
    # Start a few words before the window's first match so it has some context.
    first_match = next((i for i in range(best_start, best_start + size) if hits[i]), best_start)
    best_start = max(0, min(first_match - CONTEXT_WORDS, len(hits) - size))
    return best_start, min(len(hits), best_start + size)


def snippet_html(text: str, query_terms: Collection[str], analyzer: SwedishAnalyzer,
                 size: int = SNIPPET_WORDS, known: StoredWords | None = None) -> str:
    """An escaped snippet of ``text`` with query matches wrapped in ``<mark>``.

    Matching is decided once per distinct word (looked up in ``known``, the
    section's stored analysis, when it has the word); character spans are found only
    for the tokens up to the end of the chosen window. Only the first PASSAGE_CHARS of
    ``text`` are read (:func:`passage_text`).
    """
    text = passage_text(text)
    if not text.strip():
        return EMPTY_SECTION_SNIPPET
    words = token_words(text)
    if not words:
        return escape(text[:300])
    matching = matching_words(words, query_terms, analyzer, known)
    hits = [word in matching for word in words]
    start, end = best_window(hits, size)
    window = list(islice(token_spans(text), start, end))
    begin_char = 0 if start == 0 else window[0][0]
    end_char = len(text) if end == len(words) else window[-1][1]
    parts: list[str] = ["…" if start > 0 else ""]
    cursor = begin_char
    for (token_start, token_end), is_match in zip(window, hits[start:end], strict=True):
        if not is_match:
            continue
        parts.append(escape(text[cursor:token_start]))
        parts.append(f"<mark>{escape(text[token_start:token_end])}</mark>")
        cursor = token_end
    parts.append(escape(text[cursor:end_char]))
    if end < len(words):
        parts.append("…")
    return "".join(parts).replace("\n", " ")
