"""A snapshot of many units finds its nearest sections through an approximate index, with exact scores.

The vectors are clustered as real encoder vectors are (every text fairly similar
to every other, neighbours much more so); the index is written by the build's
own function and read back from disk as a worker reads it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from indexer.semantic.ann import AnnVectorSearch, open_search, write_ann
from indexer.semantic.vectors import ExactVectorSearch, SnapshotVectors, VectorError, write_vectors
from indexer.snapshot.layout import VECTOR_ANN, VECTORS_DIR

SECTIONS = 2000
DIM = 384


def normalised(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=-1, keepdims=True)).astype(np.float32)


def topics(rng: np.random.Generator, count: int) -> np.ndarray:
    """What sections are about: a part every text shares, one of 40 subjects, and the section's own."""
    common = np.random.default_rng(1).standard_normal(DIM) * 3
    subjects = np.random.default_rng(2).standard_normal((40, DIM))
    return common + subjects[rng.integers(0, 40, count)] + rng.standard_normal((count, DIM)) * 0.8


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 sections of 1-6 units; unrelated units about 0.8 similar, a section's own about 0.9 (as e5's)."""
    rng = np.random.default_rng(7)
    folder = tmp_path_factory.mktemp("index") / "snapshots" / "a"
    counts = rng.integers(1, 7, SECTIONS)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    units = np.repeat(topics(rng, SECTIONS), counts, axis=0)
    units = normalised(units + rng.standard_normal(units.shape) * 0.5)
    publishers = ["kommunen" if number % 2 else "regionen" for number in range(SECTIONS)]
    kinds = ["faq" if number % 20 == 0 else "page" for number in range(SECTIONS)]
    write_vectors(folder, units, offsets, [(f"s{n}", publishers[n], kinds[n]) for n in range(SECTIONS)])
    os.environ["SOK_ANN_MIN_UNITS"] = "1000"
    try:
        assert write_ann(folder, threads=2)
    finally:
        del os.environ["SOK_ANN_MIN_UNITS"]
    return folder


def questions(count: int = 60) -> np.ndarray:
    rng = np.random.default_rng(99)
    return normalised(topics(rng, count) + rng.standard_normal((count, DIM)))


def test_the_index_finds_nearly_every_exact_neighbour_and_scores_them_exactly(snapshot: Path) -> None:
    vectors = SnapshotVectors(snapshot)
    search, exact = open_search(snapshot, vectors), ExactVectorSearch(vectors)
    assert isinstance(search, AnnVectorSearch)
    found = shared = 0
    for query in questions():
        approximate, truth = search.nearest(query, 20), exact.nearest(query, 20)
        assert len(approximate.sections) == 20 and np.all(np.diff(approximate.scores) <= 0)
        np.testing.assert_allclose(approximate.scores, exact.section_scores(query, approximate.sections), rtol=1e-6)
        shared += len(set(approximate.sections) & set(truth.sections))
        found += len(truth.sections)
    assert shared / found >= 0.95, shared / found


def test_filters_hold_and_a_narrow_filter_is_searched_exactly(snapshot: Path) -> None:
    vectors = SnapshotVectors(snapshot)
    search, exact = open_search(snapshot, vectors), ExactVectorSearch(vectors)
    half, narrow = vectors.allowed("kommunen", None), vectors.allowed(None, "faq")
    assert half is not None and narrow is not None
    for query in questions(10):
        assert half[search.nearest(query, 20, half).sections].all()
        approximate, truth = search.nearest(query, 20, narrow), exact.nearest(query, 20, narrow)
        assert list(approximate.sections) == list(truth.sections)
    assert len(search.nearest(questions(1)[0], 500, narrow).sections) == narrow.sum()  # fewer than asked


def test_a_small_snapshot_keeps_the_exact_scan(tmp_path: Path) -> None:
    folder = tmp_path / "snapshots" / "a"
    write_vectors(folder, normalised(topics(np.random.default_rng(1), 300)), np.arange(0, 301, 3),
                  [(f"s{n}", "kommunen", "page") for n in range(100)])
    assert not write_ann(folder)
    assert not (folder / VECTORS_DIR / VECTOR_ANN).exists()
    assert isinstance(open_search(folder, SnapshotVectors(folder)), ExactVectorSearch)


def test_a_damaged_index_is_refused_and_one_damaged_after_opening_is_not_read(snapshot: Path, tmp_path: Path) -> None:
    copy = tmp_path / "snapshots" / "b"
    shutil.copytree(snapshot / VECTORS_DIR, copy / VECTORS_DIR)
    target = copy / VECTORS_DIR / VECTOR_ANN
    search = open_search(copy, SnapshotVectors(copy))
    query = questions(1)[0]
    before = search.nearest(query, 10)
    data = bytearray(target.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = b"\xff" * 64  # the same size, other bytes
    target.write_bytes(bytes(data))
    after = search.nearest(query, 10)  # the worker's shared copy is whole
    assert list(after.sections) == list(before.sections)
    with pytest.raises(VectorError):
        open_search(copy, SnapshotVectors(copy))
    os.truncate(target, len(data) // 2)
    with pytest.raises(VectorError):
        open_search(copy, SnapshotVectors(copy))


def test_workers_map_one_shared_copy_of_the_index(snapshot: Path) -> None:
    first = open_search(snapshot, SnapshotVectors(snapshot))
    second = open_search(snapshot, SnapshotVectors(snapshot))
    assert isinstance(first, AnnVectorSearch) and isinstance(second, AnnVectorSearch)
    source = str((snapshot / VECTORS_DIR / VECTOR_ANN).resolve())
    maps = [line.split()[-1] for line in Path("/proc/self/maps").read_text().splitlines() if line.endswith(".hnsw")]
    mapped = {path for path in maps if Path(path).with_suffix(".source").read_text(encoding="utf-8") == source}
    assert len(mapped) == 1 and maps.count(mapped.pop()) >= 2, maps  # one file, mapped by both


def test_a_built_snapshot_with_the_index_answers_as_the_exact_scan_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`sok index`'s build writes the index past the threshold; hybrid search through it finds what the scan finds."""
    from indexer.build import build_snapshot
    from indexer.snapshot.reader import current_snapshot
    from search_app.query.search import search
    from search_app.query.snapshot import open_snapshot
    from tests.test_semantic import FAMILY, OTHERS, PARAPHRASE, options

    monkeypatch.setenv("SOK_ANN_MIN_UNITS", "1")
    build_snapshot(tmp_path / "index", [FAMILY, *OTHERS], semantic=options(tmp_path))
    snap = open_snapshot(current_snapshot(tmp_path / "index")).warm()
    try:
        assert snap.semantic is not None and isinstance(snap.semantic.search, AnnVectorSearch)
        assert search(snap, PARAPHRASE, limit=3).passages[0].title == "Föräldrapenning"
        assert search(snap, PARAPHRASE, publisher="Försäkringskassan").passages[0].title == "Föräldrapenning"
        exact = ExactVectorSearch(snap.semantic.vectors)
        vector = snap.semantic.query_vector(PARAPHRASE)
        assert vector is not None
        found, truth = snap.semantic.search.nearest(vector, 3), exact.nearest(vector, 3)
        assert list(found.sections) == list(truth.sections)
        np.testing.assert_allclose(found.scores, truth.scores, rtol=1e-6)
    finally:
        snap.engine.close()
