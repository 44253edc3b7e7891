"""Writing a snapshot: a new hidden folder, its own files, then publishing it atomically.

A build writes a new snapshot beside the old ones, checks it, and then
replaces the ``current`` link in one atomic rename: a failed or killed build
never touches the snapshot that is serving. At publishing, the manifest gets
the size of every file (and a checksum of the small ones) and the files are
made read-only, so that the app can tell a damaged snapshot from a good one
before it serves from it (:func:`indexer.snapshot.reader.check_files`).
"""

from __future__ import annotations

import gzip
import json
import os
import secrets
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from indexer.sections.contacts import Contact
from indexer.snapshot.layout import (
    BUILDING_PREFIX,
    CONTACTS,
    CURRENT,
    DOCUMENTS,
    LOCK_SUFFIXES,
    MANIFEST,
    SNAPSHOTS,
    Manifest,
    file_checksum,
)

#: Published snapshots kept (the serving one is never removed).
KEEP_SNAPSHOTS = 3
#: Files up to this size get a checksum in the manifest (checked when a snapshot is opened).
CHECKSUM_MAX_BYTES = 256 * 1024
READ_ONLY = 0o444


def new_snapshot_dir(index_root: Path) -> Path:
    """A fresh, empty folder for a snapshot being built (not yet visible)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%f")
    folder = index_root / SNAPSHOTS / f"{BUILDING_PREFIX}{stamp}-{secrets.token_hex(3)}"
    folder.mkdir(parents=True)
    return folder


def write_document_hashes(folder: Path, hashes: dict[str, str]) -> None:
    """Save each document's content hash (``url<TAB>hash`` lines, gzipped)."""
    with gzip.open(folder / DOCUMENTS, "wt", encoding="utf-8") as handle:
        handle.writelines(f"{url}\t{digest}\n" for url, digest in sorted(hashes.items()))


def write_contacts(folder: Path, contacts: list[Contact]) -> None:
    """Save the contact persons (a JSON list of their fields)."""
    (folder / CONTACTS).write_text(
        json.dumps([c.as_dict() for c in contacts], ensure_ascii=False, indent=1), encoding="utf-8"
    )


def snapshot_files(folder: Path) -> list[str]:
    """The paths (relative, sorted) of a snapshot's files, without the manifest and engine lock files."""
    return sorted(
        path.relative_to(folder).as_posix() for path in folder.rglob("*")
        if path.is_file() and path.name != MANIFEST and not path.name.endswith(LOCK_SUFFIXES)
    )


def record_files(folder: Path) -> Manifest:
    """Write every file's size, and the checksum of each small file, into the snapshot's manifest."""
    manifest = Manifest.read(folder)
    files, checksums = {}, {}
    for name in snapshot_files(folder):
        size = (folder / name).stat().st_size
        files[name] = size
        if size <= CHECKSUM_MAX_BYTES:
            checksums[name] = file_checksum(folder / name)
    manifest = replace(manifest, files=files, checksums=checksums)
    manifest.write(folder)
    return manifest


def make_read_only(folder: Path) -> None:
    """Take away write permission from every file of a snapshot (folders stay writable, for removal)."""
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink() and not path.name.endswith(LOCK_SUFFIXES):
            path.chmod(READ_ONLY)


def publish(index_root: Path, building: Path) -> Path:
    """Record the files of a finished snapshot, make them read-only and the snapshot current, atomically."""
    record_files(building)
    make_read_only(building)
    final = building.with_name(building.name.removeprefix(BUILDING_PREFIX))
    building.rename(final)
    _fsync_dir(final.parent)
    link = index_root / CURRENT
    temporary = index_root / f".{CURRENT}-{secrets.token_hex(4)}"
    temporary.symlink_to(final.relative_to(index_root))
    os.replace(temporary, link)
    _fsync_dir(index_root)
    remove_old_snapshots(index_root)
    return final


def discard(building: Path) -> None:
    """Remove an unfinished snapshot."""
    shutil.rmtree(building, ignore_errors=True)


def remove_old_snapshots(index_root: Path, keep: int = KEEP_SNAPSHOTS) -> None:
    """Delete all but the newest ``keep`` snapshots (and leftovers of killed builds)."""
    folder = index_root / SNAPSHOTS
    current = (index_root / CURRENT).resolve()
    finished = sorted((p for p in folder.iterdir() if not p.name.startswith(".")), key=lambda p: p.name)
    for old in finished[:-keep]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)
    for leftover in folder.glob(f"{BUILDING_PREFIX}*"):
        age = datetime.now(UTC).timestamp() - leftover.stat().st_mtime
        if age > 24 * 3600:
            shutil.rmtree(leftover, ignore_errors=True)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
