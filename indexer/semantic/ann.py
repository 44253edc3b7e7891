"""An approximate nearest-unit index for snapshots of many units; the sections' final scores stay exact.

Scanning every unit vector costs time in proportion to the snapshot (about
13 ms for the 168k units of 44k pages on an idle core, and memory bandwidth
bound). A snapshot of at least :func:`ann_min_units` units therefore also
carries a faiss HNSW graph over int8 copies of its unit vectors
(``vectors/units.hnsw``, with its SHA-256 in ``units.hnsw.sha256``). A
question asks the graph for a few units per section wanted, and the sections
those units belong to are scored exactly from the float32 matrix (their best
unit), so only which sections are found is approximate, never their scores.

The graph file is used as the unit matrix is: the first worker copies it into
shared memory (checking its checksum, as a damaged graph could send a search
out of bounds) and every worker maps that copy in place
(:mod:`indexer.semantic.shared`, faiss's ``IO_FLAG_MMAP_IFC``). faiss-cpu was
chosen by measurement (docs/benchmark-notes.md): as fast and as accurate as
usearch and hnswlib on these vectors; hnswlib reads a private copy into each
process, and usearch 2.26's wheel crashes onnxruntime imported after it.
"""

from __future__ import annotations

import hashlib
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from indexer.semantic.shared import shared_copy
from indexer.semantic.vectors import ExactVectorSearch, Nearest, SnapshotVectors, VectorError, VectorSearch
from indexer.snapshot.layout import VECTOR_ANN, VECTOR_ANN_DIGEST, VECTOR_OFFSETS, VECTOR_UNITS, VECTORS_DIR

if TYPE_CHECKING:
    import faiss

#: Snapshots with fewer units keep the exact scan (a few milliseconds at most).
ANN_MIN_UNITS = 20_000
#: The graph: links per node, and candidates kept while it is built and while it is searched. Measured on
#: the 44k pages' 172,848 units with 300 real questions (docs/benchmark-notes.md): efSearch 256 found
#: 92.7 % of the exact top 10 sections in 1.6 ms p50, 400 found 95.3 % in 2.2 ms (machine nearly idle;
#: under a load of 12, 400 took 6.5 ms against 2.1 ms for 256 on 132k units).
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 400
#: Units asked of the graph per section wanted (a section has about 3.4 units; neighbours share sections).
UNITS_PER_SECTION = 4
#: A filter that leaves fewer sections than this share is searched exactly (the graph would need a very
#: long list of units to find enough of them).
FILTERED_EXACT_SHARE = 0.25


def ann_min_units() -> int:
    """Units from which a build writes the approximate index (``SOK_ANN_MIN_UNITS``, else ANN_MIN_UNITS)."""
    value = os.environ.get("SOK_ANN_MIN_UNITS", "").strip()
    return int(value) if value.isdigit() else ANN_MIN_UNITS


def write_ann(folder: Path, threads: int | None = None) -> bool:
    """Write the approximate index of the unit vectors in ``folder/vectors`` if they are many enough.

    True when written. Uses ``threads`` threads (every core by default).
    """
    import faiss

    source = folder / VECTORS_DIR
    offsets = np.fromfile(source / VECTOR_OFFSETS, dtype="<i4")
    count = int(offsets[-1]) if len(offsets) else 0
    if count < max(1, ann_min_units()):
        return False
    units = np.fromfile(source / VECTOR_UNITS, dtype="<f4").reshape(count, -1)
    # faiss's stubs type the quantizer kind as a ScalarQuantizer and lack SearchParametersHNSW
    index = faiss.IndexHNSWSQ(units.shape[1], faiss.ScalarQuantizer.QT_8bit,  # type: ignore[arg-type]
                              CONNECTIVITY, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = EXPANSION_ADD
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(threads or os.cpu_count() or 1)
    try:
        index.train(units)
        index.add(units)
    finally:
        faiss.omp_set_num_threads(before)
    target = source / VECTOR_ANN
    faiss.write_index(index, str(target))
    (source / VECTOR_ANN_DIGEST).write_text(hashlib.sha256(target.read_bytes()).hexdigest() + "\n",
                                            encoding="utf-8")
    return True


def open_search(folder: Path, vectors: SnapshotVectors) -> VectorSearch:
    """The search over a snapshot's vectors: through its approximate index when it has one, else exact.

    VectorError when the index is there but damaged or does not fit the vectors.
    """
    source = folder / VECTORS_DIR / VECTOR_ANN
    if not source.exists():
        return ExactVectorSearch(vectors)
    import faiss

    try:
        digest = (source.with_name(VECTOR_ANN_DIGEST)).read_text(encoding="utf-8").strip()
        copy = shared_copy(source, source.stat().st_size, family=str(folder.resolve().parent), digest=digest)
        index = faiss.read_index(str(copy), faiss.IO_FLAG_MMAP_IFC)
        if index.ntotal != vectors.units.shape[0] or index.d != vectors.dim:
            raise ValueError("indexet passar inte vektorerna")
    except (OSError, ValueError, RuntimeError) as error:
        raise VectorError(f"indexets vektorindex i {source} går inte att läsa ({error}); bygg om med 'sok index'") \
            from None
    # One question is one thread's work: no OpenMP team (its threads would spin beside the other worker).
    faiss.omp_set_num_threads(1)
    return AnnVectorSearch(vectors, index, faiss.SearchParametersHNSW(efSearch=EXPANSION_SEARCH))  # type: ignore[attr-defined]


class AnnVectorSearch:
    """Sections found through the graph, scored exactly; a narrow filter is searched exactly."""

    def __init__(self, vectors: SnapshotVectors, index: faiss.Index, parameters: Any):
        self.vectors = vectors
        self.index = index
        self.parameters = parameters
        self.exact = ExactVectorSearch(vectors)

    def nearest(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> Nearest:
        """The ``k`` sections most similar to ``query`` (only where ``allowed`` is true), as the graph finds them."""
        store = self.vectors
        passing = len(store) if allowed is None else int(allowed.sum())
        wanted, share = min(k, passing), passing / max(1, len(store))
        if wanted <= 0 or share < FILTERED_EXACT_SHARE:
            return self.exact.nearest(query, k, allowed)
        count = min(store.units.shape[0], math.ceil(k * UNITS_PER_SECTION / share))
        _, keys = self.index.search(np.asarray(query, dtype=np.float32).reshape(1, -1), count, params=self.parameters)
        keys = keys[0][keys[0] >= 0]  # -1: fewer found than asked
        sections = np.unique(np.searchsorted(store.offsets, keys, side="right") - 1)
        if allowed is not None:
            sections = sections[allowed[sections]]
        if len(sections) < wanted:  # the graph found too few: scan them all
            return self.exact.nearest(query, k, allowed)
        scores = store.best_unit_scores(query, sections)
        order = np.argsort(-scores, kind="stable")[:k]
        return Nearest(sections[order], scores[order])

    def section_scores(self, query: np.ndarray, sections: np.ndarray) -> np.ndarray:
        """The similarity of each of ``sections`` to ``query`` (exact)."""
        return self.exact.section_scores(query, sections)

    def unit_scores(self, query: np.ndarray, section: int) -> np.ndarray:
        """The similarity of each unit of one section to ``query`` (exact)."""
        return self.exact.unit_scores(query, section)
