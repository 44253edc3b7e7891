"""A snapshot's vectors are one copy per machine, mapped by every worker, and safe from damage to the snapshot."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from indexer.semantic.vectors import ExactVectorSearch, SnapshotVectors, VectorError, write_vectors
from indexer.snapshot.layout import VECTOR_UNITS, VECTORS_DIR


def snapshot(index: Path, name: str, seed: int) -> Path:
    folder = index / "snapshots" / name
    rows = np.random.default_rng(seed).standard_normal((30, 384)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    write_vectors(folder, rows, np.arange(0, 31, 3), [(f"s{i}", "kommunen", "page") for i in range(10)])
    return folder


def mapped_files(array: np.ndarray) -> Path:
    assert isinstance(array, np.memmap)  # mapped, not a private copy
    return Path(str(array.filename))


def test_two_workers_map_one_copy_that_damage_to_the_snapshot_does_not_reach(tmp_path: Path) -> None:
    folder = snapshot(tmp_path / "index", "a", seed=1)
    first, second = SnapshotVectors(folder), SnapshotVectors(folder)
    assert mapped_files(first.units) == mapped_files(second.units)
    assert mapped_files(first.units).parent != folder / VECTORS_DIR
    query = first.units[4].copy()
    before = ExactVectorSearch(first).nearest(query, 3)
    os.truncate(folder / VECTORS_DIR / VECTOR_UNITS, 100)  # in place, as `truncate -s` does
    after = ExactVectorSearch(first).nearest(query, 3)  # no SIGBUS: the copy is whole
    assert list(after.sections) == list(before.sections) and after.sections[0] == 1
    with pytest.raises(VectorError):
        SnapshotVectors(folder)


def test_a_newer_snapshot_of_the_index_replaces_the_older_copy(tmp_path: Path) -> None:
    old = SnapshotVectors(snapshot(tmp_path / "index", "a", seed=1))
    new = SnapshotVectors(snapshot(tmp_path / "index", "b", seed=2))
    assert not mapped_files(old.units).exists() and mapped_files(new.units).exists()
    assert np.isfinite(old.units @ new.units[0]).all()  # a worker still on the old one keeps reading it
    other_index = SnapshotVectors(snapshot(tmp_path / "other", "a", seed=3))
    assert mapped_files(new.units).exists() and mapped_files(other_index.units).exists()


def test_the_copy_of_a_removed_index_goes_when_another_copy_is_made(tmp_path: Path) -> None:
    gone = SnapshotVectors(snapshot(tmp_path / "gone", "a", seed=1))
    copy = mapped_files(gone.units)
    (tmp_path / "gone" / "snapshots" / "a" / VECTORS_DIR / VECTOR_UNITS).unlink()
    SnapshotVectors(snapshot(tmp_path / "kept", "a", seed=2))
    assert not copy.exists() and not copy.with_suffix(".source").exists()
