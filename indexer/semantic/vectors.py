"""A snapshot's vectors on disk, and the nearest-section search over them.

Files in ``SNAPSHOT/vectors/``::

    units.f32        one float32 row of ``dim`` values per answer unit, sections in order
    offsets.i32      units of section i are rows offsets[i] to offsets[i+1]
    sections.tsv.gz  section id, publisher (lowercase) and kind, one line per section in order

The matrix is not mapped from the snapshot: a mapped file that is truncated
under a running worker kills it with SIGBUS at the next scan. Nor is it read
into each worker: the workers of a machine map one checked copy in shared
memory (:mod:`indexer.semantic.shared`), which damage to the snapshot's file
does not reach (the app notices the damaged file by its size and moves to
another snapshot). :class:`VectorSearch` is the small interface the
app needs; :class:`ExactVectorSearch` scans the matrix with numpy, which is
fast enough for tens of thousands of sections; a snapshot of many units also
carries an approximate index (:mod:`indexer.semantic.ann`).
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from indexer.semantic.shared import shared_matrix
from indexer.snapshot.layout import VECTOR_OFFSETS, VECTOR_SECTIONS, VECTOR_UNITS, VECTORS_DIR


class VectorError(RuntimeError):
    """A snapshot's vectors are missing or do not fit together."""


def write_vectors(folder: Path, units: np.ndarray, offsets: np.ndarray, sections: list[tuple[str, str, str]]) -> None:
    """Write the unit matrix, the section offsets and the section list into ``folder/vectors``."""
    target = folder / VECTORS_DIR
    target.mkdir(parents=True, exist_ok=True)
    np.ascontiguousarray(units, dtype="<f4").tofile(target / VECTOR_UNITS)
    np.asarray(offsets, dtype="<i4").tofile(target / VECTOR_OFFSETS)
    with gzip.open(target / VECTOR_SECTIONS, "wt", encoding="utf-8") as handle:
        for section_id, publisher, kind in sections:
            handle.write(f"{section_id}\t{publisher.lower()}\t{kind}\n")


@dataclass(frozen=True)
class Nearest:
    """Section numbers and their similarities, best first."""

    sections: np.ndarray
    scores: np.ndarray


class VectorSearch(Protocol):
    """The nearest sections to a question vector."""

    def nearest(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> Nearest:
        """The ``k`` sections most similar to ``query`` (only where ``allowed`` is true)."""

    def section_scores(self, query: np.ndarray, sections: np.ndarray) -> np.ndarray:
        """The similarity of each of ``sections`` to ``query``."""

    def unit_scores(self, query: np.ndarray, section: int) -> np.ndarray:
        """The similarity of each unit of one section to ``query``."""


class SnapshotVectors:
    """The vectors of one snapshot (mapped from the machine's shared copy), with section ids, publishers and kinds.

    ``dim``, when given, is the encoder's vector size: a matrix of another width is refused.
    """

    def __init__(self, folder: Path, dim: int | None = None):
        source = folder / VECTORS_DIR
        try:
            self.offsets = np.fromfile(source / VECTOR_OFFSETS, dtype="<i4")
            with gzip.open(source / VECTOR_SECTIONS, "rt", encoding="utf-8") as handle:
                rows = [line.rstrip("\n").split("\t") for line in handle]
            if len(self.offsets) and (self.offsets[0] != 0 or np.any(np.diff(self.offsets) < 0)):
                raise ValueError("avsnittens förskjutningar är inte i ordning")
            units = int(self.offsets[-1]) if len(self.offsets) else 0
            size = (source / VECTOR_UNITS).stat().st_size
            width = size // 4 // units if units else (dim or 0)
            if units and (width == 0 or (dim and width != dim)):
                raise ValueError(f"{size} byte passar inte {units} vektorer")
            self.units = shared_matrix(source / VECTOR_UNITS, units, width, family=str(folder.resolve().parent))
            dim = width
        except (OSError, ValueError, EOFError, IndexError) as error:
            raise VectorError(f"indexets vektorer i {source} går inte att läsa ({error}); bygg om med 'sok index'") \
                from None
        if len(rows) + 1 != len(self.offsets) or any(len(row) != 3 for row in rows):
            raise VectorError(f"indexets vektorer i {source} hänger inte ihop; bygg om med 'sok index'")
        self.ids = [row[0] for row in rows]
        self.number = {section_id: number for number, section_id in enumerate(self.ids)}
        self._publishers = np.array([row[1] for row in rows], dtype=object)
        self._kinds = np.array([row[2] for row in rows], dtype=object)
        self._starts = self.offsets[:-1].astype(np.intp)
        self.dim = dim

    def __len__(self) -> int:
        return len(self.ids)

    def best_unit_scores(self, query: np.ndarray, sections: np.ndarray) -> np.ndarray:
        """The similarity to ``query`` of each of ``sections`` (its best unit's; -1 for one without units)."""
        sections = np.asarray(sections, dtype=np.intp)
        starts, ends = self.offsets[sections], self.offsets[sections + 1]
        lengths = (ends - starts).astype(np.intp)
        if not lengths.sum():
            return np.full(len(sections), -1.0, dtype=np.float32)
        firsts = np.cumsum(lengths) - lengths  # where each section's units begin in the gathered rows
        rows = np.arange(int(lengths.sum()), dtype=np.intp) + np.repeat(starts - firsts, lengths)
        scores = self.units[rows] @ query
        best = np.maximum.reduceat(scores, np.minimum(firsts, len(scores) - 1))
        return np.where(lengths > 0, best, -1.0).astype(np.float32)

    def allowed(self, publisher: str | None, kind: str | None) -> np.ndarray | None:
        """A mask of the sections that pass the publisher and kind filters (None: all)."""
        if not publisher and not kind:
            return None
        mask = np.ones(len(self.ids), dtype=bool)
        if publisher:
            mask &= self._publishers == publisher.lower()
        if kind:
            mask &= self._kinds == kind
        return mask


class ExactVectorSearch:
    """Exact search: every unit's dot product with the question, the best unit per section."""

    def __init__(self, vectors: SnapshotVectors):
        self.vectors = vectors

    def all_scores(self, query: np.ndarray) -> np.ndarray:
        """The similarity of every section to ``query`` (its best unit's)."""
        store = self.vectors
        if not len(store):
            return np.zeros(0, dtype=np.float32)
        return np.maximum.reduceat(store.units @ query, store._starts)

    def nearest(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> Nearest:
        """The ``k`` sections most similar to ``query`` (only where ``allowed`` is true)."""
        scores = self.all_scores(query)
        if allowed is not None:
            scores = np.where(allowed, scores, -np.inf)
        k = min(k, len(scores))
        if k <= 0:
            return Nearest(np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float32))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        top = top[np.isfinite(scores[top])]
        return Nearest(top, scores[top])

    def section_scores(self, query: np.ndarray, sections: np.ndarray) -> np.ndarray:
        """The similarity of each of ``sections`` to ``query``."""
        return self.vectors.best_unit_scores(query, sections)

    def unit_scores(self, query: np.ndarray, section: int) -> np.ndarray:
        """The similarity of each unit of one section to ``query``."""
        store = self.vectors
        return store.units[store.offsets[section] : store.offsets[section + 1]] @ query
