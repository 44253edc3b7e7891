"""Index snapshots on disk and the contract between indexer and app.

An index folder holds immutable snapshots and a ``current`` symlink::

    INDEX/
      current -> snapshots/20261123T101500-ab12cd
      snapshots/20261123T101500-ab12cd/
        manifest.json   format and analysis versions, corpus hash, counts
        contacts.json   contact persons
        lexicon.tsv.gz  known words with frequencies (compound splitting)
        vocabulary.tsv.gz  the corpus's words with counts (spelling suggestions)
        stems.tsv.gz    the Snowball stems of those words with counts
        compounds.tsv.gz  the corpus words that split into compound parts, with the parts
        documents.tsv.gz  each document's URL and content hash
        synonyms.txt, no_stem.txt  the language files the index was built with
        engine/         the search engine's files (engine.txt names the engine)
        vectors/        answer-unit vectors of the encoder named in the manifest (not in a
                        lexical-only snapshot; see indexer.semantic.vectors)

A build writes a new snapshot beside the old ones, checks it, and then
replaces the ``current`` link in one atomic rename: a failed or killed build
never touches the snapshot that is serving. At publishing, the manifest gets
the size of every file (and a checksum of the small ones) and the files are
made read-only, so that the app can tell a damaged snapshot from a good one
before it serves from it (:func:`check_files`).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import secrets
import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from indexer.language.analysis import ANALYSIS_VERSION
from indexer.language.lexicon import word_list_version
from indexer.semantic.units import UNITS_VERSION

FORMAT_VERSION = 4
CURRENT = "current"
SNAPSHOTS = "snapshots"
ENGINE_DIR = "engine"
LEXICON = "lexicon.tsv.gz"
VOCABULARY = "vocabulary.tsv.gz"
STEMS = "stems.tsv.gz"
COMPOUNDS = "compounds.tsv.gz"
DOCUMENTS = "documents.tsv.gz"
HEADINGS = "headings.jsonl.gz"
SYNONYMS = "synonyms.txt"
NO_STEM = "no_stem.txt"
LANGUAGE_FILES = (SYNONYMS, NO_STEM)
KEEP_SNAPSHOTS = 3
MANIFEST = "manifest.json"
#: Files up to this size get a checksum in the manifest (checked when a snapshot is opened).
CHECKSUM_MAX_BYTES = 256 * 1024
#: Engine lock files: made and removed by the engine at run time, not part of the snapshot.
LOCK_SUFFIXES = (".lock", "WRITELOCK")
READ_ONLY = 0o444


class SnapshotError(RuntimeError):
    """No usable snapshot: missing, unfinished, damaged or built by another version.

    ``kind`` names the problem for programs (``/healthz``): ``unusable``, ``no-index``,
    ``manifest``, ``file-missing``, ``file-size``, ``checksum`` (and, from the app, ``encoder``,
    ``vectors``, ``probe``, ``engine``, ``removed``).
    """

    def __init__(self, message: str, kind: str = "unusable"):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Manifest:
    """What a snapshot holds and how it was made."""

    format_version: int
    analysis_version: str
    corpus_hash: str
    built_at: str
    documents: int
    sections: int
    contacts: int
    wordlist: str
    engine: str
    #: The encoder that made the vectors ("" for a lexical-only snapshot), and the answer-unit scheme.
    encoder: str = ""
    units_version: str = ""
    #: Every file's size in bytes by its path in the snapshot, and the SHA-256 of the small ones
    #: (written at publishing; empty in snapshots published before they were recorded).
    files: dict[str, int] = field(default_factory=dict)
    checksums: dict[str, str] = field(default_factory=dict)

    @property
    def semantic(self) -> bool:
        """Whether the snapshot has vectors (hybrid search) or is lexical-only."""
        return bool(self.encoder)

    def write(self, folder: Path) -> None:
        """Write ``manifest.json`` into ``folder``."""
        (folder / MANIFEST).write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        """Read and check ``manifest.json`` of a snapshot."""
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            manifest = cls(**data)
            if not (all(_inside(k) and type(v) is int for k, v in manifest.files.items())
                    and all(_inside(k) and isinstance(v, str) for k, v in manifest.checksums.items())):
                raise ValueError("files och checksums har fel form")
        except (OSError, ValueError, TypeError, AttributeError) as error:
            raise SnapshotError(
                f"indexet i {folder} saknar en läsbar manifest.json ({error}); bygg om det med 'sok index'", "manifest"
            ) from None
        expected = (FORMAT_VERSION, ANALYSIS_VERSION, word_list_version())
        if (manifest.format_version, manifest.analysis_version, manifest.wordlist) != expected:
            raise SnapshotError(
                f"indexet i {folder} byggdes av en annan version "
                f"(format {manifest.format_version}, analys {manifest.analysis_version}, "
                f"ordlista {manifest.wordlist}); kör 'sok index'"
            )
        if manifest.encoder and manifest.units_version != UNITS_VERSION:
            raise SnapshotError(
                f"indexet i {folder} delades in i svarsenheter på ett annat sätt (version {manifest.units_version}); "
                "kör 'sok index --force'"
            )
        return manifest


def _inside(name: object) -> bool:
    """Whether ``name`` is a relative path that stays inside the snapshot folder."""
    return isinstance(name, str) and bool(name) and not name.startswith("/") and ".." not in name.split("/")


def write_document_hashes(folder: Path, hashes: dict[str, str]) -> None:
    """Save each document's content hash (``url<TAB>hash`` lines, gzipped)."""
    with gzip.open(folder / DOCUMENTS, "wt", encoding="utf-8") as handle:
        handle.writelines(f"{url}\t{digest}\n" for url, digest in sorted(hashes.items()))


def read_document_hashes(folder: Path) -> dict[str, str]:
    """The content hash of each document of a snapshot (empty when the snapshot has none)."""
    path = folder / DOCUMENTS
    if not path.exists():
        return {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return dict(line.rstrip("\n").split("\t", 1) for line in handle if "\t" in line)


def new_snapshot_dir(index_root: Path) -> Path:
    """A fresh, empty folder for a snapshot being built (not yet visible)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%f")
    folder = index_root / SNAPSHOTS / f".building-{stamp}-{secrets.token_hex(3)}"
    folder.mkdir(parents=True)
    return folder


def snapshot_files(folder: Path) -> list[str]:
    """The paths (relative, sorted) of a snapshot's files, without the manifest and engine lock files."""
    return sorted(
        path.relative_to(folder).as_posix() for path in folder.rglob("*")
        if path.is_file() and path.name != MANIFEST and not path.name.endswith(LOCK_SUFFIXES)
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def record_files(folder: Path) -> Manifest:
    """Write every file's size, and the checksum of each small file, into the snapshot's manifest."""
    manifest = Manifest.read(folder)
    files, checksums = {}, {}
    for name in snapshot_files(folder):
        size = (folder / name).stat().st_size
        files[name] = size
        if size <= CHECKSUM_MAX_BYTES:
            checksums[name] = _sha256(folder / name)
    manifest = Manifest(**{**asdict(manifest), "files": files, "checksums": checksums})
    manifest.write(folder)
    return manifest


def make_read_only(folder: Path) -> None:
    """Take away write permission from every file of a snapshot (folders stay writable, for removal)."""
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink() and not path.name.endswith(LOCK_SUFFIXES):
            path.chmod(READ_ONLY)


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
                same = _sha256(folder / name) == digest
            except OSError:
                same = False
            if not same:
                raise SnapshotError(f"filen {name} i indexet i {folder} har ändrats sedan det byggdes; "
                                    "bygg om det med 'sok index'", "checksum")


def publish(index_root: Path, building: Path) -> Path:
    """Record the files of a finished snapshot, make them read-only and the snapshot current, atomically."""
    record_files(building)
    make_read_only(building)
    final = building.with_name(building.name.removeprefix(".building-"))
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


def remove_old_snapshots(index_root: Path, keep: int = KEEP_SNAPSHOTS) -> None:
    """Delete all but the newest ``keep`` snapshots (and leftovers of killed builds)."""
    folder = index_root / SNAPSHOTS
    current = (index_root / CURRENT).resolve()
    finished = sorted((p for p in folder.iterdir() if not p.name.startswith(".")), key=lambda p: p.name)
    for old in finished[:-keep]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)
    for leftover in folder.glob(".building-*"):
        age = datetime.now(UTC).timestamp() - leftover.stat().st_mtime
        if age > 24 * 3600:
            shutil.rmtree(leftover, ignore_errors=True)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
