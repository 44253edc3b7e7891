"""Whoosh segments written in parallel, their postings grouped by term in memory; part of the Whoosh engine.

Whoosh's own writer holds every posting as a tuple in a list, sorts the list, and spills
sorted runs to disk when the list passes ``limitmb``; at the 44k pages half of a writer
process's time went into reading those runs back (one unpickle per posting). Here each
writer process keeps a term's postings together in compact arrays (no tuples, no sort of
the postings, no runs on disk) and hands them to Whoosh's codec in order: the same posting
lists, block by block, as a Whoosh writer that never spilled would write.

The sections go to the writer processes in batches, in turn: which process, and so which
section number each section gets, depends only on the order of the sections (Whoosh's own
parallel writer gave a batch to whichever process asked first, so two builds of one corpus
numbered sections differently and broke ties in score differently). A writer process whose
postings pass :data:`indexer.budgets.WHOOSH_SEGMENT_MB` closes its segment and starts
another, so memory stays bounded whatever the corpus; the reader reads every segment.
"""

from __future__ import annotations

import multiprocessing
import os
from array import array
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from typing import Any

from whoosh import formats
from whoosh.codec import whoosh3
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

from indexer.budgets import WHOOSH_SEGMENT_MB

#: Sections sent to a writer process at a time.
BATCH = 100
#: About how many bytes a term's arrays and its key cost beyond its postings.
_TERM_BYTES = 250
#: About how many bytes a posting costs in the arrays (section number and weight, four bytes each).
_POSTING_BYTES = 8


class GroupedPool:
    """A segment's postings grouped by (field, term) in arrays, yielded in Whoosh's sorted order.

    Stands in for Whoosh's ``PostingPool`` in a ``SegmentWriter`` (``add``,
    ``iter_postings``, ``cleanup``, ``fieldnames``): a writer adds a section's postings in
    increasing section number, so each term's postings are already in order.
    """

    def __init__(self) -> None:
        self.fieldnames: set[str] = set()
        self.runs: list[str] = []  # never any: nothing is spilled
        self._fields: dict[str, dict[bytes, tuple[array, array, list[bytes | None]]]] = {}
        #: Per field, how a posting's value follows from its weight (None: each value kept as given).
        self._derived: dict[str, Callable[[float], bytes] | None] = {}
        #: About how many bytes the postings held take.
        self.size = 0

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        """Add one posting: (field, term, section number, weight, encoded value)."""
        fieldname, text, docnum, weight, value = item
        self.add_field(fieldname, docnum, [(text, 1, weight, value)])

    def add_field(self, fieldname: str, docnum: int, items: Iterable[tuple[bytes, int, float, bytes | None]],
                  derived: Callable[[float], bytes] | None = None) -> int:
        """Add section ``docnum``'s postings in one field, (term, frequency, weight, value) each; returns the
        frequencies' sum. ``derived``: the field's values follow from the weights by it (none are kept)."""
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
            self.fieldnames.add(fieldname)
            self._derived[fieldname] = derived
        keep = self._derived[fieldname] is None
        length = added = value_bytes = 0
        for text, frequency, weight, value in items:
            entry = terms.get(text)
            if entry is None:
                entry = terms[text] = (array("I"), array("f"), [])
                self.size += _TERM_BYTES + len(text)
            entry[0].append(docnum)
            entry[1].append(weight)
            if keep:
                entry[2].append(value)
                value_bytes += 41 + len(value or b"")  # the object and the list's pointer to it
            length += frequency
            added += 1
        self.size += added * _POSTING_BYTES + value_bytes
        return length

    def terms(self) -> Iterator[tuple[str, bytes, array, array, list[bytes | None]]]:
        """(field, term, section numbers, weights, values) of every term, by field and term, each dropped once read."""
        for fieldname in sorted(self._fields):
            terms, derived = self._fields.pop(fieldname), self._derived[fieldname]
            for text in sorted(terms):
                ids, weights, values = terms.pop(text)
                yield fieldname, text, ids, weights, values if derived is None else list(map(derived, weights))
        self.size = 0

    def iter_postings(self) -> Iterator[tuple[str, bytes, int, float, bytes | None]]:
        """Every posting as Whoosh's pool gives it: by field, term and section number."""
        for fieldname, text, ids, weights, values in self.terms():
            for docnum, weight, value in zip(ids, weights, values, strict=True):
                yield fieldname, text, docnum, weight, value

    def cleanup(self) -> None:
        """Drop whatever is held."""
        self._fields.clear()
        self.size = 0


def _derived_value(form: formats.Format) -> Callable[[float], bytes] | None:
    """How a posting's value follows from its weight in a field of format ``form`` (None: it does not).

    Whoosh's ``Existence`` stores nothing, its ``Frequency`` (and ``whoosh_files.Terms``) the count
    (the weight, where the field's boost is 1); positions are kept as given.
    """
    if type(form) is formats.Existence:
        return lambda weight: b""
    if type(form) is formats.Frequency and form.field_boost == 1.0:
        return lambda weight: pack_uint(int(weight))
    return None


#: A field length as Whoosh's codec is handed it for block statistics: the length byte read back, None for 0.
_LENGTHS: list[int | None] = [None] + [byte_to_length(byte) for byte in range(1, 256)]


class _SegmentWriter(SegmentWriter):
    """Whoosh's segment writer with a :class:`GroupedPool`, whose terms go to the codec one list at a time.

    Whoosh's ``FieldWriter.add_postings`` takes one posting at a time and looks up its
    section's field length in the length column for each; here each field's lengths are
    read once, and a term's postings are added in one loop (the same calls to the codec's
    postings writer, so the same blocks). Private parts of Whoosh's writer; Whoosh is pinned.
    """

    def __init__(self, index: Any):
        super().__init__(index, _lk=False)
        self.pool = GroupedPool()  # Whoosh's writer created its PostingPool in __init__; this replaces it unused

    def add_document(self, **fields: Any) -> None:
        """Whoosh's ``add_document`` for a section of Sök's schema, each field's postings added to the pool at once.

        As Whoosh's (same stored values, lengths, columns and postings) for fields without
        boosts, spelling or vectors; anything else goes through Whoosh's own.
        """
        schema = self.schema
        if any(name.startswith("_") or name not in schema or schema[name].separate_spelling() or schema[name].vector
               for name in fields):
            super().add_document(**fields)
            return
        perdocwriter, docnum, pool = self.perdocwriter, self.docnum, self.pool
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in sorted(fields):
                value = fields[fieldname]
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    length = pool.add_field(fieldname, docnum, field.index(value), _derived_value(field.format))
                    length = length if field.scorable else 0
                perdocwriter.add_field(fieldname, field, value if field.stored else None, length)
                if field.column_type:
                    perdocwriter.add_column_value(fieldname, field.column_type, field.to_column_value(value))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = self.per_document_reader()
        try:
            self._write_terms(lengths)
        finally:
            lengths.close()
        self.fieldwriter.close()

    def _write_terms(self, lengths: Any) -> None:
        fieldwriter, current = self.fieldwriter, None
        by_section: list[int | None] = []
        for fieldname, text, ids, weights, values in self.pool.terms():
            if fieldname != current:
                if current is not None:
                    fieldwriter.finish_field()
                fieldwriter.start_field(fieldname, self.schema[fieldname])
                current = fieldname
                column = lengths._cached_reader(f"_{fieldname}_len", whoosh3.LENGTHS_COLUMN)
                raw = b"" if column is None else column if isinstance(column, bytes) else bytes(list(column))
                by_section = [_LENGTHS[byte] for byte in raw.ljust(self.docnum, b"\0")] if raw else [0] * self.docnum
            fieldwriter.start_term(text)
            _add_blocks(fieldwriter._postwriter, ids, weights, values, by_section)
            fieldwriter.finish_term()
        if current is not None:
            fieldwriter.finish_field()


def _add_blocks(postings: Any, ids: array, weights: array, values: list[bytes | None],
                by_section: list[int | None]) -> None:
    """A term's postings into Whoosh's postings writer a block at a time, as its ``add_posting`` one at a time
    would leave them: each full block written when the next posting comes, the last one left for
    ``finish_postings``; the block's statistics (largest weight, shortest and longest field) alike."""
    limit = postings._blocklimit
    for start in range(0, len(ids), limit):
        if start:
            postings._write_block()
        block_ids, block_weights = ids[start : start + limit], weights[start : start + limit]
        lengths = [length for length in map(by_section.__getitem__, block_ids) if length]
        postings._ids, postings._weights = block_ids, block_weights
        postings._values = [value for value in values[start : start + limit] if value]
        postings._maxweight = max(0, max(block_weights))
        postings._minlength = min(lengths) if lengths else None
        postings._maxlength = max(lengths) if lengths else 0


def _segment_writer(index: Any) -> SegmentWriter:
    return _SegmentWriter(index)


def _finish(writer: SegmentWriter) -> Any:
    # Private; Whoosh is pinned. The writers share one temporary folder, which the main writer removes at the end.
    return writer._finalize_segment()


def _write_part(index: Any, inbox: Connection, limit_bytes: int) -> None:
    """A writer process: add the batches from ``inbox`` to segments of its own; send their list back at the end."""
    segments: list[Any] = []
    writer = _segment_writer(index)
    try:
        while (batch := inbox.recv()) is not None:
            for fields in batch:
                writer.add_document(**fields)
            if writer.pool.size > limit_bytes:
                segments.append(_finish(writer))
                writer = _segment_writer(index)
        if writer.doc_count():
            segments.append(_finish(writer))
        else:  # closed without Whoosh's cancel(), which would remove the temporary folder that all writers share
            writer._close_segment()
        inbox.send(("ok", segments))
    except BaseException as error:
        inbox.send(("error", f"{type(error).__name__}: {error}"))
        raise


class ParallelWriter:
    """Sections added in order, written by ``processes`` forked writer processes into segments of one index."""

    def __init__(self, index: Any, processes: int):
        self._index = index
        self._main = SegmentWriter(index)  # holds the index's lock and writes the table of segments
        context = multiprocessing.get_context("fork")
        self._parts: list[tuple[Any, Connection]] = []
        limit = WHOOSH_SEGMENT_MB * 2**20
        for _ in range(processes):
            ours, theirs = context.Pipe()
            process = context.Process(target=_write_part, args=(index, theirs, limit), daemon=True)
            process.start()
            theirs.close()
            self._parts.append((process, ours))
        self._batch: list[dict[str, Any]] = []
        self._sent = 0

    def add_document(self, **fields: Any) -> None:
        """Queue one section; each full batch goes to the next writer process in turn."""
        self._batch.append(fields)
        if len(self._batch) >= BATCH:
            self._send()

    def _send(self) -> None:
        _, connection = self._parts[self._sent % len(self._parts)]
        connection.send(self._batch)
        self._sent += 1
        self._batch = []

    def commit(self) -> None:
        """Finish every writer process's segments and make them the index, in the order of the sections."""
        if self._batch:
            self._send()
        finished: list[list[Any]] = []
        for process, connection in self._parts:
            connection.send(None)
            status, result = connection.recv()
            process.join()
            if status != "ok":
                raise RuntimeError(f"en skrivprocess för Whoosh-indexet misslyckades: {result}")
            finished.append(result)
        # Batch k went to process k mod n: the segments in process order, each in the order written.
        segments = [segment for part in finished for segment in part]
        self._main._close_segment()  # private: the main writer wrote nothing of its own
        self._main._commit_toc(segments)
        self._main._finish()

    def cancel(self) -> None:
        """Stop the writer processes; nothing reaches the index."""
        for process, connection in self._parts:
            if process.is_alive():
                process.kill()
            process.join()
            connection.close()
        self._main.cancel()


def writer_processes(default: int) -> int:
    """Writer processes for a build: ``SOK_WHOOSH_WRITERS`` if set, else ``default``."""
    value = os.environ.get("SOK_WHOOSH_WRITERS", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else default
