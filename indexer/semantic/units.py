"""Answer units: a section's sentences grouped into short windows, each embedded with its heading.

The units serve twice. At query time a section's semantic score is the best
of its units' similarities to the question (long sections are read window by
window, short ones are one unit), and the answer step gives each sentence the
similarity of the unit it belongs to. The grouping is a pure function of the
section text, so the app recomputes which sentences form which unit from the
stored text; ``UNITS_VERSION`` changes whenever the grouping does.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer.language.sentences import split_sentences

UNITS_VERSION = "1"
#: A unit gathers sentences until it holds about this many words ...
UNIT_WORDS = 40
#: ... and a unit shorter than this takes the next sentence as well.
UNIT_MIN_WORDS = 12


@dataclass(frozen=True)
class Unit:
    """Sentences ``first`` to ``last`` (inclusive) of a section, as one text to embed."""

    first: int
    last: int
    text: str


def section_sentences(text: str) -> list[str]:
    """The sentences of a section's text, paragraph by paragraph (as the answer step reads them)."""
    return [sentence for paragraph in text.split("\n\n") for sentence in split_sentences(paragraph)]


def group_sentences(sentences: list[str]) -> list[tuple[int, int]]:
    """(first, last) sentence numbers of each unit: consecutive sentences of about UNIT_WORDS words."""
    spans: list[tuple[int, int]] = []
    first, words = 0, 0
    for number, sentence in enumerate(sentences):
        count = len(sentence.split())
        if number > first and words >= UNIT_MIN_WORDS and words + count > UNIT_WORDS:
            spans.append((first, number - 1))
            first, words = number, 0
        words += count
    if sentences:
        spans.append((first, len(sentences) - 1))
    return spans


def heading_line(heading_path: tuple[str, ...] | list[str]) -> str:
    """The heading path as one line that leads every unit of a section."""
    parts = [part for part in dict.fromkeys(part.strip() for part in heading_path) if part]
    return " – ".join(parts)


def section_units(heading_path: tuple[str, ...] | list[str], text: str) -> list[Unit]:
    """The units of one section; a section without sentences is one unit of its heading."""
    sentences = section_sentences(text)
    heading = heading_line(heading_path)
    units = [Unit(first, last, f"{heading}\n{' '.join(sentences[first : last + 1])}".strip())
             for first, last in group_sentences(sentences)]
    return units or [Unit(0, -1, heading or text.strip() or "-")]


def sentence_units(sentence_count: int, spans: list[tuple[int, int]]) -> list[int]:
    """For each sentence, the number of the unit that holds it."""
    owner = [0] * sentence_count
    for unit, (first, last) in enumerate(spans):
        for number in range(first, min(last, sentence_count - 1) + 1):
            owner[number] = unit
    return owner
