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
never touches the snapshot that is serving.
"""

from __future__ import annotations

import gzip
import json
import os
import secrets
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from indexer.analysis import ANALYSIS_VERSION
from indexer.lexicon import word_list_version
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


class SnapshotError(RuntimeError):
    """No usable snapshot: missing, unfinished or built by another version."""


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

    @property
    def semantic(self) -> bool:
        """Whether the snapshot has vectors (hybrid search) or is lexical-only."""
        return bool(self.encoder)

    def write(self, folder: Path) -> None:
        """Write ``manifest.json`` into ``folder``."""
        (folder / "manifest.json").write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        """Read and check ``manifest.json`` of a snapshot."""
        try:
            data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            manifest = cls(**data)
        except (OSError, ValueError, TypeError) as error:
            raise SnapshotError(
                f"indexet i {folder} saknar en läsbar manifest.json ({error}); bygg om det med 'sok index'"
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


def publish(index_root: Path, building: Path) -> Path:
    """Make a finished snapshot the current one, atomically."""
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
        raise SnapshotError(f"inget index i {index_root}; kör 'sok index' först")
    target = link.resolve()
    if not (target / ENGINE_DIR).is_dir():
        raise SnapshotError(f"indexet i {target} är ofullständigt; kör 'sok index' igen")
    return target


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
