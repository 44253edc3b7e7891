"""The one build loop that every engine runs, and how the stored section record is encoded.

An engine supplies a :class:`SectionWriter` for a new index; :func:`write_sections`
feeds it the analysed sections, reports each one, and either commits the whole
index or rolls it back, so no engine repeats that loop or its failure handling.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Protocol

from indexer.engines.base import IndexedSection, SectionRecord, section_record


class SectionWriter(Protocol):
    """One engine's writer of a new index, as the build loop drives it."""

    def add(self, item: IndexedSection) -> None:
        """Add one analysed section to the index."""

    def commit(self) -> None:
        """Finish the index: everything added is on disk and the writer is done."""

    def rollback(self) -> None:
        """Drop everything added: the build failed."""


def write_sections(writer: SectionWriter, sections: Iterable[IndexedSection],
                   on_section: Callable[[], None] | None = None) -> int:
    """Add every section through ``writer``, calling ``on_section`` after each, then commit; returns the count.

    Any failure, an interrupt included, rolls the writer back before it propagates.
    """
    count = 0
    try:
        for item in sections:
            writer.add(item)
            count += 1
            if on_section:
                on_section()
    except BaseException:
        writer.rollback()
        raise
    writer.commit()
    return count


def record_json(item: IndexedSection) -> str:
    """The stored record of an analysed section as the text that engines store: its JSON, then on a line of its
    own (JSON text holds no raw newline) the JSON of what it keeps of its analysis, if anything."""
    record = json.dumps(section_record(item.section), ensure_ascii=False)
    return record + "\n" + json.dumps(item.stored, ensure_ascii=False) if item.stored else record


def read_record(stored: str | bytes) -> SectionRecord:
    """A stored record back from the text that :func:`record_json` made; its analysis is kept as JSON text
    (``analysis``), read only for the results shown: a search reads many more records than it shows."""
    head, _, analysis = stored.partition(b"\n") if isinstance(stored, bytes) else stored.partition("\n")
    record: SectionRecord = json.loads(head)
    if analysis:
        record["analysis"] = analysis
    return record
