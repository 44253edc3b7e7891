"""Snippets: the best window of a passage, HTML-escaped, with matched words in ``<mark>``.

Fragmenter (pick a window), scorer (count matches) and formatter (escape and
mark) are separate steps, as in Whoosh's highlighter.
"""

from __future__ import annotations

from collections.abc import Collection
from html import escape

from indexer.analysis import Token, fold, tokenize
from indexer.fields import SwedishAnalyzer

SNIPPET_WORDS = 40
CONTEXT_WORDS = 5


def matched_tokens(text: str, query_terms: Collection[str], analyzer: SwedishAnalyzer) -> list[tuple[Token, bool]]:
    """Every word token of ``text`` with whether it matches an analysed query term.

    A word matches through its stem, its stem without diacritics, or one of
    its compound parts.
    """
    wanted = set(query_terms)
    folded = {fold(term) for term in wanted}
    known: dict[str, bool] = {}  # a word repeated in the text is judged once
    marked = []
    for token in tokenize(text):
        match = known.get(token.text)
        if match is None:
            # Every stem found as it is is also found folded: one test covers both.
            match = any(fold(stem) in folded for stem in analyzer.word_terms(token.text))
            if not match and len(token.text) >= 8:
                match = not wanted.isdisjoint(analyzer.compound_parts(token.text.lower()))
            known[token.text] = match
        marked.append((token, match))
    return marked


def best_window(marked: list[tuple[Token, bool]], size: int = SNIPPET_WORDS) -> tuple[int, int]:
    """Token index range [start, end) of the window with the most matches."""
    if len(marked) <= size:
        return 0, len(marked)
    hits = [1 if is_match else 0 for _, is_match in marked]
    current = sum(hits[:size])
    best_start, best_count = 0, current
    for start in range(1, len(marked) - size + 1):
        current += hits[start + size - 1] - hits[start - 1]
        if current > best_count:
            best_start, best_count = start, current
    # Start a few words before the window's first match so it has some context.
    first_match = next((i for i in range(best_start, best_start + size) if hits[i]), best_start)
    best_start = max(0, min(first_match - CONTEXT_WORDS, len(marked) - size))
    return best_start, min(len(marked), best_start + size)


def snippet_html(text: str, query_terms: Collection[str], analyzer: SwedishAnalyzer,
                 size: int = SNIPPET_WORDS) -> str:
    """An escaped snippet of ``text`` with query matches wrapped in ``<mark>``."""
    marked = matched_tokens(text, query_terms, analyzer)
    if not marked:
        return escape(text[:300])
    start, end = best_window(marked, size)
    begin_char = 0 if start == 0 else marked[start][0].start
    end_char = len(text) if end == len(marked) else marked[end - 1][0].end
    parts: list[str] = ["…" if start > 0 else ""]
    cursor = begin_char
    for token, is_match in marked[start:end]:
        if not is_match:
            continue
        parts.append(escape(text[cursor : token.start]))
        parts.append(f"<mark>{escape(text[token.start : token.end])}</mark>")
        cursor = token.end
    parts.append(escape(text[cursor:end_char]))
    if end < len(marked):
        parts.append("…")
    return "".join(parts).replace("\n", " ")
