"""Whoosh's postings read directly, for the two-stage query; part of the Whoosh engine.

Whoosh's own matchers step through postings one Python call at a time (each block's
ids delta-decoded in a generator, a candidate found by stepping through its block).
This module reads a term's posting list with one read, decodes its blocks into numpy
arrays once, keeps them for later questions (:data:`CACHE_BYTES`, least recently used
out first), and scores with numpy: the same BM25F as Whoosh's ``BM25FScorer`` (same
idf, average field length and byte-rounded field lengths), so a section's score is
Whoosh's score, summed in another order.

Reads Whoosh's ``whoosh3`` codec files (Whoosh is pinned): a posting list is a magic
header and blocks of ``[length][pickled info][zlib'd pickled (id deltas, weights, values)]``.
"""

from __future__ import annotations

import io
import pickle
import struct
import threading
import weakref
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh.codec import whoosh3
from whoosh.util.numeric import byte_to_length

from indexer.engines.base import FIELDS

_INT = struct.Struct("!i")
#: A posting list starts with this tag (whoosh3's WHOOSH3_HEADER_MAGIC is four bytes).
_HEADER = 4
_EMPTY = np.zeros(0, dtype=np.int64)
#: Posting lists and decoded blocks a worker keeps between searches, in bytes (about); the least
#: recently used terms go first. Questions share many terms (their 4-grams most of all), and a
#: block decoded once (zlib and pickle, in Whoosh's format) is not decoded again.
CACHE_BYTES = 48 * 2**20
#: Document frequencies remembered (about 150 bytes each) before the memo starts afresh.
FREQUENCIES_KEPT = 50_000
_LIVE: weakref.WeakSet[Postings] = weakref.WeakSet()


def live_postings() -> list[Postings]:
    """The postings readers of the Whoosh indexes open in this process (to measure or empty their caches)."""
    return list(_LIVE)


@dataclass
class _Term:
    """A decoded posting list of one segment: local section numbers, weights (float32: whole counts),
    the encoded positions in ``body``; ``size`` in bytes, about."""

    ids: np.ndarray
    weights: np.ndarray
    values: list[Any] | None
    size: int = 0


@dataclass(frozen=True)
class TermPostings:
    """A term's postings at some sections: global section numbers, weights, and (in ``body``) encoded positions."""

    ids: np.ndarray
    weights: np.ndarray
    values: list[Any] | None = None


class Postings:
    """Direct reads of an open Whoosh searcher's postings, and BM25F scores from them."""

    def __init__(self, searcher: Any, k1: float, b: float):
        self._searcher = searcher
        reader = searcher.reader()
        self._leaves = [(leaf, offset, leaf.doc_count_all()) for leaf, offset in reader.leaf_readers()]
        self.sections = reader.doc_count_all()
        self._k1, self._b = k1, b
        #: Each field's length per section as BM25F reads it (byte-rounded), 1 where a section has none.
        self.lengths = {name: self._field_lengths(name) for name in FIELDS}
        self._avgfl = {name: searcher.avg_field_length(name) or 1 for name in FIELDS}
        self._cache: OrderedDict[tuple[int, str, str], _Term | None] = OrderedDict()
        self._cached = 0
        self._lock = threading.Lock()
        self._frequencies: dict[tuple[str, str], int] = {}
        _LIVE.add(self)

    @property
    def cached_bytes(self) -> int:
        """About how many bytes the decoded posting lists kept now take (at most :data:`CACHE_BYTES`)."""
        return self._cached

    def clear(self) -> None:
        """Forget every kept posting list and document frequency."""
        with self._lock:
            self._cache.clear()
            self._cached = 0
            self._frequencies = {}

    def frequency(self, field: str, term: str) -> int:
        """In how many sections ``term`` occurs in ``field`` (remembered: a lookup reads the term tables)."""
        key = (field, term)
        found = self._frequencies.get(key)
        if found is None:
            if len(self._frequencies) >= FREQUENCIES_KEPT:
                self._frequencies = {}
            found = self._frequencies[key] = self._searcher.doc_frequency(field, term)
        return found

    def _field_lengths(self, name: str) -> np.ndarray:
        lengths = np.ones(self.sections, dtype=np.float64)
        table = np.array([byte_to_length(byte) for byte in range(256)], dtype=np.float64)
        for leaf, offset, count in self._leaves:
            column = leaf._perdoc._cached_reader(f"_{name}_len", whoosh3.LENGTHS_COLUMN)  # private; Whoosh is pinned
            if column is None:
                continue
            raw = np.frombuffer(column if isinstance(column, bytes) else bytes(list(column)), dtype=np.uint8)
            lengths[offset : offset + count] = np.where(raw > 0, table[raw], 1.0)
        return lengths

    def bm25(self, field: str, term: str, weights: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """Whoosh's ``bm25`` of ``term`` in ``field`` for postings of these weights at these sections."""
        idf = self._searcher.idf(field, term)
        k1, b = self._k1, self._b
        lengths = self.lengths[field][ids]
        return idf * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * lengths / self._avgfl[field])))

    def all(self, field: str, term: str, values: bool = False) -> TermPostings:
        """Every posting of ``term`` in ``field``."""
        return self._read(field, term, None, values)

    def at(self, field: str, term: str, candidates: np.ndarray, values: bool = False) -> TermPostings:
        """The postings of ``term`` in ``field`` at the sorted section numbers ``candidates`` that hold it."""
        return self._read(field, term, candidates, values)

    def _read(self, field: str, term: str, candidates: np.ndarray | None, values: bool) -> TermPostings:
        ids: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        found: list[Any] = []
        for number, (leaf, offset, _) in enumerate(self._leaves):
            entry = self._term(number, leaf, field, term)
            if entry is None:
                continue
            if candidates is None:
                where = slice(None)
            else:
                places = np.minimum(np.searchsorted(entry.ids, candidates - offset), len(entry.ids) - 1)
                where = places[entry.ids[places] == candidates - offset]
            ids.append(entry.ids[where] + offset)
            weights.append(entry.weights[where])
            if values and entry.values is not None:
                found += entry.values[where] if isinstance(where, slice) else [entry.values[i] for i in where.tolist()]
        if not ids:
            return TermPostings(_EMPTY, np.zeros(0), [] if values else None)
        return TermPostings(np.concatenate(ids).astype(np.int64), np.concatenate(weights).astype(np.float64),
                            found if values else None)

    def _term(self, number: int, leaf: Any, field: str, term: str) -> _Term | None:
        """The decoded posting list of ``term`` in segment ``number``, from the cache when it is there."""
        key = (number, field, term)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        try:
            info = leaf.term_info(field, term)
        except Exception:  # TermNotFound, or a field this segment lacks
            entry = None
        else:
            if info.is_inlined():
                entry = _decoded([info.inlined_postings()], field == "body", already_ids=True)
            else:
                entry = _decoded(_blocks(leaf._terms._postfile, *info.extent()), field == "body")  # private
        with self._lock:
            self._cache[key] = entry
            self._cached += entry.size if entry else 100
            while self._cached > CACHE_BYTES and len(self._cache) > 1:
                _, dropped = self._cache.popitem(last=False)
                self._cached -= dropped.size if dropped else 100
        return entry


#: Bytes after each opcode of a small pickled int or float (protocol 2: BININT1, BININT2, BININT, BINFLOAT).
_ARGUMENT = {ord("K"): 1, ord("M"): 2, ord("J"): 4, ord("G"): 8}
_INFO_START = b"\x80\x02("


def _info_end(data: bytes, start: int) -> tuple[int, bool] | None:
    """Where a block's pickled info tuple ends and whether its data is compressed, read without unpickling.

    Whoosh writes it as protocol 2 ``(count, last id, max weight, compression, min length, max length)``;
    None when the bytes are not of that shape (then the caller unpickles it).
    """
    if data[start : start + 3] != _INFO_START:
        return None
    position, compressed = start + 3, False
    for item in range(6):
        size = _ARGUMENT.get(data[position])
        if size is None:
            return None
        if item == 3:
            compressed = data[position + 1 : position + 1 + size] != bytes(size)
        position += 1 + size
    if data[position : position + 2] != b"tq" or data[position + 3 : position + 4] != b".":
        return None
    return position + 4, compressed


def _blocks(postfile: Any, offset: int, length: Any) -> list[tuple[Any, Any, Any]]:
    """Each block's (id deltas, weights, values) of the posting list at ``offset`` in ``postfile``."""
    # whoosh3 reads a term info's length as a 1-tuple (its own reads never use it).
    data = bytes(postfile.get(offset, length[0] if isinstance(length, tuple) else length))
    position = _HEADER
    blocks = []
    unpack, decompress = _INT.unpack_from, zlib.decompress
    while position < len(data):
        size = unpack(data, position)[0]
        start = position + _INT.size
        end = start + abs(size)
        info = _info_end(data, start)
        if info is None:  # Whoosh's own pickled block header (S301: files of our own snapshot, checksummed at open):
            stream = io.BytesIO(data)  # (postings, last id, max weight, compression, min and max length)
            stream.seek(start)
            header = pickle.load(stream)  # noqa: S301
            info = stream.tell(), bool(header[3])
        raw = data[info[0] : end]
        blocks.append(pickle.loads(decompress(raw) if info[1] else raw))  # noqa: S301 (as above)
        position = end
        if size < 0:  # the last block
            break
    return blocks


def _decoded(blocks: list[tuple[Any, Any, Any]], keep_values: bool, already_ids: bool = False) -> _Term:
    """One posting list from its blocks: section numbers, weights and (``keep_values``) the encoded positions."""
    numbers: list[int] = []
    weights: list[float] = []
    values: list[Any] = []
    firsts = []
    for block_ids, block_weights, block_values in blocks:
        firsts.append(len(numbers))
        numbers += block_ids
        if block_weights is None:
            weights += [1.0] * len(block_ids)
        elif isinstance(block_weights, float):
            weights += [block_weights] * len(block_ids)
        else:
            weights += block_weights
        if keep_values:
            values += block_values
    ids = np.array(numbers, dtype=np.int64)
    if not already_ids and len(ids):  # each block's ids are deltas from the block's start
        ids = np.cumsum(ids)
        totals = ids[np.array(firsts[1:], dtype=np.int64) - 1]
        ids -= np.repeat(np.concatenate(([0], totals)), np.diff(np.append(firsts, len(ids))))
    entry = _Term(ids.astype(np.int32), np.array(weights, dtype=np.float32), values if keep_values else None)
    entry.size = 200 + entry.ids.nbytes + entry.weights.nbytes + sum(40 + len(value) for value in values)
    return entry


def in_order_near(positions: list[list[int]], slop: int) -> bool:
    """Whether words at these positions occur in order, each 1 to ``slop`` positions after the span before.

    Whoosh's ``SpanNear2`` (``ordered=True``, ``mindist=1``) on the positions of one section.
    """
    spans = {(position, position) for position in positions[0]}
    for following in positions[1:]:
        joined = set()
        for start, end in spans:
            for position in following:
                if position < start:
                    continue
                if position > end + slop:
                    break
                distance = 0 if position <= end else position - end
                if 1 <= distance <= slop:
                    joined.add((start, max(end, position)))
        spans = joined
        if not spans:
            return False
    return bool(spans)


def tree_sum(values: list[float]) -> float:
    """``values`` added as Whoosh's ``make_binary_tree`` of additive matchers adds their scores."""
    if len(values) == 1:
        return values[0]
    half = len(values) // 2
    return tree_sum(values[:half]) + tree_sum(values[half:])
