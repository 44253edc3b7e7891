"""Text cut into pieces of bounded length: at line, then sentence, then word boundaries.

A section longer than ``indexer.budgets.MAX_SECTION_CHARS`` would be carried whole
through analysis, embedding, snippets and every response that shows it. The
sectioner (``indexer.sections.split``) starts a continuation section at a paragraph
boundary; a single paragraph longer than the cap is cut here. A word is cut only
when it alone is longer than the cap.
"""

from __future__ import annotations

import re

from indexer.language.sentences import split_sentences

_SPACE_RE = re.compile(r"\s+")


def cut_text(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at lines, then sentences, then words."""
    if len(text) <= limit:
        return [text]
    return _pack(_units(text, limit), limit)


def _units(text: str, limit: int) -> list[tuple[str, str]]:
    """Pieces of ``text`` no longer than ``limit``, each with the separator that joins it to the one before."""
    units: list[tuple[str, str]] = []
    for line in text.split("\n"):
        if len(line) <= limit:
            units.append(("\n", line))
            continue
        for number, sentence in enumerate(split_sentences(line)):
            first = "\n" if number == 0 else " "
            if len(sentence) <= limit:
                units.append((first, sentence))
                continue
            for index, word in enumerate(_SPACE_RE.split(sentence)):
                separator = first if index == 0 else " "
                for start in range(0, len(word), limit):  # a "word" longer than the cap is cut where it must be
                    units.append((separator if start == 0 else "", word[start : start + limit]))
    return units


def _pack(units: list[tuple[str, str]], limit: int) -> list[str]:
    """Join consecutive units into pieces of at most ``limit`` characters (empty pieces dropped)."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for separator, unit in units:
        if not unit:
            continue
        if current and size + len(separator) + len(unit) > limit:
            pieces.append("".join(current))
            current, size = [], 0
        if current:
            current.append(separator)
            size += len(separator)
        current.append(unit)
        size += len(unit)
    if current:
        pieces.append("".join(current))
    return [piece.strip() for piece in pieces if piece.strip()]
