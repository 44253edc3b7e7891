"""The contract between indexer and app: every file of a snapshot, the format version, the manifest.

An index folder holds immutable snapshots and a ``current`` symlink::

    INDEX/
      current -> snapshots/20261123T101500-ab12cd
      snapshots/.building-…   a snapshot being built (not yet visible)
      snapshots/20261123T101500-ab12cd/
        manifest.json   format and analysis versions, corpus hash, counts, file sizes, checksums
        contacts.json   contact persons
        lexicon.tsv.gz  known words with frequencies (compound splitting)
        vocabulary.tsv.gz  the corpus's words with counts (spelling suggestions)
        stems.tsv.gz    the Snowball stems of those words with counts
        compounds.tsv.gz  the corpus words that split into compound parts, with the parts
        headings.jsonl.gz  page titles and headings with their page (search-as-you-type)
        documents.tsv.gz  each document's URL and content hash
        synonyms.txt, no_stem.txt  the language files the index was built with
        engine/         the search engine's files (``indexer.engines.registry`` names its marker file)
        vectors/        answer-unit vectors of the encoder named in the manifest (not in a
                        lexical-only snapshot; see indexer.semantic.vectors):
          units.f32, offsets.i32, sections.tsv.gz; in a snapshot of many units also
          units.hnsw and units.hnsw.sha256 (see indexer.semantic.ann)

This module names those files and checks a manifest; writing a snapshot is
:mod:`indexer.snapshot.writer`'s job, finding and checking one
:mod:`indexer.snapshot.reader`'s.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from indexer.language.analysis import ANALYSIS_VERSION
from indexer.language.lexicon import word_list_version
from indexer.semantic.units import UNITS_VERSION

#: Bump when what a snapshot holds changes (5: each section's record keeps its analysed words and compound
#: parts, ``indexer.fields.StoredWords``), so that an older snapshot is built again instead of served.
FORMAT_VERSION = 5
#: The index folder: the link to the serving snapshot, the snapshots, the prefix of one being built.
CURRENT = "current"
SNAPSHOTS = "snapshots"
BUILDING_PREFIX = ".building-"
#: The files and folders of one snapshot.
MANIFEST = "manifest.json"
CONTACTS = "contacts.json"
LEXICON = "lexicon.tsv.gz"
VOCABULARY = "vocabulary.tsv.gz"
STEMS = "stems.tsv.gz"
COMPOUNDS = "compounds.tsv.gz"
HEADINGS = "headings.jsonl.gz"
DOCUMENTS = "documents.tsv.gz"
SYNONYMS = "synonyms.txt"
NO_STEM = "no_stem.txt"
LANGUAGE_FILES = (SYNONYMS, NO_STEM)
ENGINE_DIR = "engine"
#: The vectors folder and its files (names inside ``VECTORS_DIR``).
VECTORS_DIR = "vectors"
VECTOR_UNITS = "units.f32"
VECTOR_OFFSETS = "offsets.i32"
VECTOR_SECTIONS = "sections.tsv.gz"
#: The approximate nearest-unit index of a large snapshot, and the SHA-256 of its bytes.
VECTOR_ANN = "units.hnsw"
VECTOR_ANN_DIGEST = "units.hnsw.sha256"
#: Engine lock files: made and removed by the engine at run time, not part of the snapshot.
LOCK_SUFFIXES = (".lock", "WRITELOCK")


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

    @classmethod
    def new(cls, *, corpus_hash: str, documents: int, sections: int, contacts: int, engine: str,
            encoder: str = "") -> Manifest:
        """The manifest of a snapshot built now by this code: its versions and the time filled in."""
        return cls(
            format_version=FORMAT_VERSION,
            analysis_version=ANALYSIS_VERSION,
            corpus_hash=corpus_hash,
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            documents=documents,
            sections=sections,
            contacts=contacts,
            wordlist=word_list_version(),
            engine=engine,
            encoder=encoder,
            units_version=UNITS_VERSION if encoder else "",
        )

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


def file_checksum(path: Path) -> str:
    """The checksum a manifest records for a file: the SHA-256 of its bytes, in hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
