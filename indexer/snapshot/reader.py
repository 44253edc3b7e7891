"""Reading a snapshot: finding the one serving, checking its files against the manifest, its own files.

The language data files have their readers in :mod:`indexer.snapshot.language_files`,
the vectors theirs in :mod:`indexer.semantic.vectors`.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from indexer.sections.contacts import Contact
from indexer.snapshot.layout import (
    CONTACTS,
    CURRENT,
    DOCUMENTS,
    ENGINE_DIR,
    SNAPSHOTS,
    Manifest,
    SnapshotError,
    file_checksum,
)


def current_snapshot(index_root: Path) -> Path:
    """The folder of the snapshot now serving, or SnapshotError."""
    link = index_root / CURRENT
    if not link.is_symlink() and not link.exists():
        raise SnapshotError(f"inget index i {index_root}; kör 'sok index' först", "no-index")
    target = link.resolve()
    if not (target / ENGINE_DIR).is_dir():
        raise SnapshotError(f"indexet i {target} är ofullständigt; kör 'sok index' igen", "file-missing")
    return target


def finished_snapshots(index_root: Path) -> list[Path]:
    """Every published snapshot folder under ``snapshots/``, newest first (by name, which starts with the time)."""
    try:
        folders = [p.resolve() for p in (index_root / SNAPSHOTS).iterdir() if p.is_dir() and not p.name.startswith(".")]
    except OSError:
        return []
    return sorted(folders, key=lambda p: p.name, reverse=True)


def check_files(folder: Path, manifest: Manifest, checksums: bool = True) -> None:
    """SnapshotError unless every file the manifest lists is there with its recorded size (and checksum).

    A snapshot published before sizes were recorded has an empty list and passes.
    """
    for name, size in manifest.files.items():
        try:
            actual = (folder / name).stat().st_size
        except OSError:
            raise SnapshotError(f"indexet i {folder} saknar filen {name}; bygg om det med 'sok index'",
                                "file-missing") from None
        if actual != size:
            raise SnapshotError(f"filen {name} i indexet i {folder} har {actual} byte, inte {size} som när det "
                                "byggdes (trasig eller avkortad); bygg om det med 'sok index'", "file-size")
    if checksums:
        for name, digest in manifest.checksums.items():
            try:
                same = file_checksum(folder / name) == digest
            except OSError:
                same = False
            if not same:
                raise SnapshotError(f"filen {name} i indexet i {folder} har ändrats sedan det byggdes; "
                                    "bygg om det med 'sok index'", "checksum")


def read_document_hashes(folder: Path) -> dict[str, str]:
    """The content hash of each document of a snapshot (empty when the snapshot has none)."""
    path = folder / DOCUMENTS
    if not path.exists():
        return {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return dict(line.rstrip("\n").split("\t", 1) for line in handle if "\t" in line)


def read_contacts(folder: Path) -> list[Contact]:
    """The contact persons of a snapshot (OSError, ValueError or TypeError when the file is damaged)."""
    return [Contact(**row) for row in json.loads((folder / CONTACTS).read_text(encoding="utf-8"))]
