"""Whoosh's files for Sök: the schema and writer of a new index, and plain-read storage to open one.

Part of the Whoosh engine (:mod:`indexer.engines.whoosh` searches, ``whoosh_postings`` reads postings); with
them, the only modules that import Whoosh.
"""

from __future__ import annotations

import io
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from whoosh import formats
from whoosh import index as whoosh_index
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.codec import whoosh3
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, NUMERIC, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.system import pack_uint

from indexer.engines.base import FIELDS, IndexedSection, section_prior
from indexer.engines.whoosh_writer import ParallelWriter, writer_processes
from indexer.engines.writing import record_json, write_sections

#: Writer processes: this machine has two cores, and Whoosh's own work is half the build.
WRITER_PROCESSES = 2
#: With Whoosh's own writer (``SOK_WHOOSH_WRITER=whoosh``): each writer's posting pool, by Whoosh's own
#: estimate, before it spills a sorted run to disk.
WRITER_LIMIT_MB = 256


class Terms(TEXT):
    """A text field of space-separated analysed terms, indexed without Whoosh's per-token objects.

    The same postings, weights and lengths as ``TEXT`` with a ``SpaceSeparatedTokenizer``
    (searches read them alike), counted with ``Counter`` and ``str.split``: Whoosh's
    token-by-token analysis was most of a build's time.
    """

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        """(term, frequency, weight, encoded value) of each distinct term in ``value``."""
        boost = self.format.field_boost
        words = value.split()
        if isinstance(self.format, formats.Positions):
            positions: dict[str, list[int]] = {}
            for position, word in enumerate(words):
                positions.setdefault(word, []).append(position)
            encode = self.format.encode
            return ((word.encode("utf-8"), len(places), len(places) * boost, encode(places))
                    for word, places in positions.items())
        return ((word.encode("utf-8"), count, count * boost, pack_uint(count))
                for word, count in Counter(words).items())


def _schema() -> Schema:
    terms = SpaceSeparatedTokenizer()
    return Schema(
        id=ID(stored=True, unique=True),
        doc_id=ID(stored=True),
        publisher_key=ID(stored=False),
        publisher=ID(stored=False),
        kind=ID(stored=False),
        body=Terms(analyzer=terms, phrase=True),
        head=Terms(analyzer=terms, phrase=False),
        folded=Terms(analyzer=terms, phrase=False),
        parts=Terms(analyzer=terms, phrase=False),
        grams=Terms(analyzer=terms, phrase=False),
        position=NUMERIC(stored=True),
        prior=COLUMN(NumericColumn("f", default=1.0)),
        data=STORED(),
    )


class WhooshWriter:
    """A new Whoosh index in ``path`` being written (driven by ``write_sections``).

    By ``whoosh_writer.ParallelWriter`` (postings grouped in memory, sections numbered in
    their order) unless ``SOK_WHOOSH_WRITER=whoosh`` asks for Whoosh's own parallel writer
    (kept to compare builds).
    """

    def __init__(self, path: Path):
        self._index = whoosh_index.create_in(str(path), _schema())
        processes = writer_processes(WRITER_PROCESSES)
        self._writer: Any
        if os.environ.get("SOK_WHOOSH_WRITER", "").strip().lower() == "whoosh":
            self._writer = self._index.writer(procs=processes, limitmb=WRITER_LIMIT_MB, multisegment=True)
        else:
            self._writer = ParallelWriter(self._index, processes)

    def add(self, item: IndexedSection) -> None:
        """Add one analysed section, its prior and its stored record."""
        section = item.section
        self._writer.add_document(
            id=section.id,
            doc_id=section.doc.doc_id,
            publisher_key=section.doc.publisher.lower(),
            publisher=section.doc.publisher,
            kind=section.doc.kind,
            position=section.position,
            prior=section_prior(section),
            data=record_json(item),
            **item.fields,
        )

    def commit(self) -> None:
        """Write the segments and close the index."""
        self._writer.commit()
        self._index.close()

    def rollback(self) -> None:
        """Cancel the writer: nothing added reaches the index."""
        self._writer.cancel()


def build(path: Path, sections: Iterable[IndexedSection], on_section: Callable[[], None] | None = None) -> int:
    """Write analysed ``sections`` into a new Whoosh index in ``path``; returns the count."""
    return write_sections(WhooshWriter(path), sections, on_section)


def lengths_in_memory(reader: Any) -> None:
    """Hold each segment's field lengths (one byte a section and field) in memory.

    BM25F reads a length for every posting it scores; through plain file reads (see
    PlainFileStorage) each was a system call. Whoosh keeps its column readers in its
    per-document reader's ``_readers`` cache (private; Whoosh is pinned), and a
    ``bytes`` object answers ``[docnum]`` as the byte column reader does.
    """
    for segment, _ in reader.leaf_readers():
        perdoc = segment._perdoc
        for name in FIELDS:
            column = perdoc._cached_reader(f"_{name}_len", whoosh3.LENGTHS_COLUMN)
            if column is not None:
                perdoc._readers[f"_{name}_len"] = bytes(list(column))


class QuietFile(io.RawIOBase):
    """A read-only file with its own position, closed without a ResourceWarning when dropped unclosed."""

    def __init__(self, path: str):
        self._fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        self._position = 0
        self.name = path

    def readable(self) -> bool:
        """Always: the file is opened for reading."""
        return True

    def seekable(self) -> bool:
        """Always: reads are positioned (``pread``)."""
        return True

    def tell(self) -> int:
        """The current position."""
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        """Move the position as ``io`` does; returns the new one."""
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position}.get(whence)
        self._position = (os.fstat(self._fd).st_size if base is None else base) + offset
        return self._position

    def readinto(self, buffer: Any) -> int:
        """Read into ``buffer`` from the current position; returns the number of bytes read."""
        data = os.pread(self._fd, len(buffer), self._position)
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)

    def close(self) -> None:
        """Close the file descriptor (once)."""
        if not self.closed:
            os.close(self._fd)
        super().close()


class PlainFileStorage(FileStorage):
    """Whoosh's file storage with plain reads, never memory maps.

    A mapped segment file that is truncated under a running worker kills it with
    SIGBUS; a read past the end only raises an error, which the app turns into a
    503 and a switch to an intact snapshot. The files stay open while the index is
    (so a snapshot removed from disk keeps serving), and an index dropped without
    ``close()`` releases them quietly.
    """

    def open_file(self, name: str, **kwargs: Any) -> StructFile:
        """The file ``name`` of the index, read with plain reads."""
        return StructFile(io.BufferedReader(QuietFile(self._fpath(name))), name=name, **kwargs)
