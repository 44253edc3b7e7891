"""The build's Python work (sectioning, contacts and analysis) spread over the machine's cores.

Whoosh and the Swedish chain are pure Python, so a build is bound by one core
unless the work is split between processes. Worker processes are forked: they
see the parent's documents and analyser without copying them through a pipe,
and only their results (sections, analysed fields) travel back, in order.
Small builds stay in one process, where starting workers would cost more than
it saves.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain

from indexer.corpus.model import Document, Problem
from indexer.fields import SwedishAnalyzer
from indexer.language.analysis import stem_word, words
from indexer.sections.contacts import Contact, extract_contacts
from indexer.sections.split import Section, split_document

#: Below this many documents a build runs in one process.
PARALLEL_FROM_DOCUMENTS = 2000
DOCUMENTS_PER_TASK = 200
SECTIONS_PER_TASK = 100

# What forked workers read; set in the parent just before the fork.
_documents: list[Document] = []
_sections: list[Section] = []
_analyzer: SwedishAnalyzer | None = None


def worker_count(documents: int, requested: int | None = None) -> int:
    """How many processes a build of ``documents`` should use."""
    if requested is not None:
        return max(1, requested)
    if documents < PARALLEL_FROM_DOCUMENTS or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


@dataclass
class SplitCorpus:
    """Every document's sections in order, the count of each word in their text, and their contacts.

    A document that could not be sectioned is a Problem (``failed`` holds its URL) and has no sections.
    """

    sections: list[Section] = field(default_factory=list)
    vocabulary: Counter[str] = field(default_factory=Counter)
    contacts: list[Contact] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)

    def add(self, other: SplitCorpus) -> None:
        """Append the result of the documents that follow."""
        self.sections += other.sections
        self.vocabulary.update(other.vocabulary)
        self.contacts += other.contacts
        self.problems += other.problems
        self.failed |= other.failed


def split_documents(documents: list[Document], processes: int) -> SplitCorpus:
    """Section ``documents``, count their words and find their contacts."""
    if processes <= 1:
        return _split(documents)
    global _documents
    _documents = documents
    ranges = [(start, min(start + DOCUMENTS_PER_TASK, len(documents)))
              for start in range(0, len(documents), DOCUMENTS_PER_TASK)]
    result = SplitCorpus()
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            for part in pool.imap(_split_range, ranges):
                result.add(part)
    finally:
        _documents = []
    return result


def stem_words(words: list[str], processes: int) -> list[str]:
    """The Snowball stem of each word, in order."""
    if processes <= 1:
        return [stem_word(word) for word in words]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        return pool.map(stem_word, words, chunksize=2000)


def _split_range(bounds: tuple[int, int]) -> SplitCorpus:
    return _split(_documents[bounds[0]:bounds[1]])


def _split(documents: list[Document]) -> SplitCorpus:
    result = SplitCorpus()
    for doc in documents:
        try:
            result.sections += split_document(doc)
        except Exception as error:  # one document's failure is that document's problem, not the build's
            result.problems.append(Problem(doc.source or doc.url, f"kunde inte delas i avsnitt "
                                                                  f"({type(error).__name__}: {str(error)[:120]})"))
            result.failed.add(doc.url)
    for section in result.sections:
        result.vocabulary.update(words(section.text))
    result.contacts = extract_contacts(result.sections)
    return result


#: One section's analysed fields (``SwedishAnalyzer.index_fields``) and what its record keeps (``stored_words``).
Analysed = tuple[dict[str, str], dict[str, dict[str, list[str]]]]


class AnalysedFields:
    """The analysed fields and stored words of each section, in the order of the sections.

    A context manager: the worker processes are forked on entry (before the
    engine's writer starts threads of its own) and stopped on exit.
    """

    def __init__(self, sections: list[Section], analyzer: SwedishAnalyzer, processes: int):
        self.sections, self.analyzer, self.processes = sections, analyzer, processes
        self._pool: multiprocessing.pool.Pool | None = None
        self._compounds: dict[str, tuple[str, ...]] = {}

    def compounds(self) -> dict[str, tuple[str, ...]]:
        """Every word that the analysis split into compound parts, with its parts (after iterating)."""
        self._compounds.update(self.analyzer.recorded_compounds())
        return {word: parts for word, parts in self._compounds.items() if parts}

    def __enter__(self) -> AnalysedFields:
        self.analyzer.record_compounds()
        if self.processes > 1:
            global _sections, _analyzer
            _sections, _analyzer = self.sections, self.analyzer
            try:
                self._pool = multiprocessing.get_context("fork").Pool(self.processes)
            finally:
                _sections, _analyzer = [], None  # the forked workers keep their copies
        return self

    def __iter__(self) -> Iterator[Analysed]:
        if self._pool is None:
            return (_analyse(self.analyzer, section) for section in self.sections)
        ranges = [(start, min(start + SECTIONS_PER_TASK, len(self.sections)))
                  for start in range(0, len(self.sections), SECTIONS_PER_TASK)]
        return chain.from_iterable(self._collect(part) for part in self._pool.imap(_analyse_range, ranges))

    def _collect(self, part: tuple[list[Analysed], list[tuple[str, tuple[str, ...]]]]) -> list[Analysed]:
        fields, compounds = part
        self._compounds.update(compounds)
        return fields

    def __exit__(self, *exc_info: object) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()


def _analyse(analyzer: SwedishAnalyzer, section: Section) -> Analysed:
    return analyzer.analysed_section(section.heading_path, section.text)


def _analyse_range(bounds: tuple[int, int]) -> tuple[list[Analysed], list[tuple[str, tuple[str, ...]]]]:
    assert _analyzer is not None  # noqa: S101 (the pool's initializer set it; narrows the type)
    analyser = _analyzer
    fields = [_analyse(analyser, section) for section in _sections[bounds[0]:bounds[1]]]
    return fields, analyser.recorded_compounds()
