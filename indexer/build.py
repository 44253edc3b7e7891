"""Build a snapshot: documents → sections → analysed fields → index, checked, then published."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from indexer.corpus.model import Document, Problem
from indexer.engines import registry
from indexer.engines.base import IndexedSection, QueryPlan, WeightedTerm
from indexer.fields import SwedishAnalyzer
from indexer.language.lexicon import build_lexicon
from indexer.sections.split import Section
from indexer.semantic.ann import write_ann
from indexer.semantic.cache import EmbeddingCache
from indexer.semantic.embed import EmbedReport, embed_sections
from indexer.semantic.encoder import Encoder, load_encoder
from indexer.semantic.encoder import encoder_id as semantic_encoder_id
from indexer.snapshot.language_files import (
    read_protected_words,
    section_headings,
    stem_counts,
    vocabulary_words,
    write_compounds,
    write_headings,
    write_vocabulary,
)
from indexer.snapshot.layout import (
    COMPOUNDS,
    ENGINE_DIR,
    HEADINGS,
    LANGUAGE_FILES,
    LEXICON,
    STEMS,
    VOCABULARY,
    Manifest,
    SnapshotError,
)
from indexer.snapshot.reader import check_files, current_snapshot, read_document_hashes
from indexer.snapshot.writer import discard, new_snapshot_dir, publish, write_contacts, write_document_hashes
from indexer.workers import AnalysedFields, split_documents, stem_words, worker_count


class BuildError(RuntimeError):
    """The new snapshot failed its checks; the old one keeps serving."""


@dataclass
class BuildReport:
    """What a build did."""

    snapshot: Path
    manifest: Manifest
    problems: list[Problem] = field(default_factory=list)
    #: Wall-clock seconds of each phase, in order (``sok index --timings`` prints them).
    timings: dict[str, float] = field(default_factory=dict)
    #: True when the corpus was unchanged and the serving snapshot was kept (no indexing work).
    unchanged: bool = False
    #: Documents new, changed and removed since the snapshot that was serving before.
    added: int = 0
    changed: int = 0
    removed: int = 0
    #: Units embedded and taken from the cache (None for a lexical-only build).
    embedding: EmbedReport | None = None


class _Clock:
    """Seconds spent in each named phase of a build."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.monotonic()

    def lap(self, phase: str) -> None:
        """Record the seconds since the previous lap as the time of ``phase``."""
        now = time.monotonic()
        self.timings[phase] = now - self._last
        self._last = now


def document_hash(doc: Document) -> str:
    """The content hash of one document: everything that is indexed of it."""
    fields = [doc.url, doc.title, doc.publisher, doc.published, doc.kind, doc.language, doc.description, doc.text]
    return hashlib.sha256(json.dumps(fields).encode()).hexdigest()[:16]


def corpus_hash(documents: list[Document], language_dir: Path | None = None) -> str:
    """A hash over every document and the language files, order-independent."""
    digest = hashlib.sha256()
    for doc in sorted(documents, key=lambda d: d.url):
        digest.update(document_hash(doc).encode())
    for name in LANGUAGE_FILES:
        path = language_dir / name if language_dir else None
        if path and path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def unique_documents(documents: list[Document]) -> tuple[list[Document], list[Problem]]:
    """Keep the first document of each URL; report the others."""
    seen: dict[str, Document] = {}
    problems: list[Problem] = []
    for doc in documents:
        if doc.url in seen:
            problems.append(Problem(doc.source, f"samma url som {seen[doc.url].source} ({doc.url})"))
        else:
            seen[doc.url] = doc
    return list(seen.values()), problems


def build_snapshot(
    index_root: Path,
    documents: list[Document],
    on_document: Callable[[], None] | None = None,
    language_dir: Path | None = None,
    engine_name: str | None = None,
    processes: int | None = None,
    force: bool = False,
    semantic: SemanticOptions | None = None,
) -> BuildReport:
    """Index ``documents`` into a new snapshot of ``index_root`` and publish it.

    ``language_dir`` (the corpus folder) may hold ``synonyms.txt`` and
    ``no_stem.txt``; they are copied into the snapshot so that the app
    applies exactly the rules the index was built with. ``engine_name``
    picks the search engine (default: ``SOK_ENGINE`` or Whoosh); ``processes``
    how many processes section and analyse (default: one per core for large
    builds, see ``indexer.workers``). When the documents, language files and
    engine are those of the serving snapshot, nothing is built (``unchanged``)
    unless ``force`` is given. ``semantic`` says whether and how sections are
    embedded (default: :func:`semantic_options`; ``SemanticOptions(enabled=False)``
    builds lexical-only).
    """
    engine_name = registry.check_engine(engine_name or registry.configured_engine())
    semantic = semantic if semantic is not None else semantic_options(index_root)
    # The id is known without loading the model: an unchanged corpus loads no encoder.
    encoder_id = semantic_encoder_id(semantic.encoder_name) if semantic.enabled else ""
    clock = _Clock()
    documents, problems = unique_documents(documents)
    fingerprint = corpus_hash(documents, language_dir)
    serving = _serving(index_root)
    if serving is not None and not force and (serving[1].corpus_hash, serving[1].engine, serving[1].encoder) == (
            fingerprint, engine_name, encoder_id):
        return BuildReport(serving[0], serving[1], problems, unchanged=True)
    hashes = {doc.url: document_hash(doc) for doc in documents}
    before = read_document_hashes(serving[0]) if serving is not None else {}
    building = new_snapshot_dir(index_root)
    try:
        processes = worker_count(len(documents), processes)
        corpus = split_documents(documents, processes)
        sections, vocabulary, contacts = corpus.sections, corpus.vocabulary, corpus.contacts
        if corpus.failed:  # reported and left out; the fingerprint keeps them, so the next build is the same
            problems += corpus.problems
            documents = [doc for doc in documents if doc.url not in corpus.failed]
            hashes = {url: digest for url, digest in hashes.items() if url not in corpus.failed}
            if not documents:
                raise BuildError("inget dokument kunde delas i avsnitt")
        clock.lap("sections")
        _copy_language_files(language_dir, building)
        lexicon = build_lexicon(vocabulary)
        analyzer = SwedishAnalyzer(lexicon, read_protected_words(building))
        lexicon.write(building / LEXICON)
        spelling_words = vocabulary_words(vocabulary)
        write_vocabulary(spelling_words, building / VOCABULARY)
        write_vocabulary(stem_counts(spelling_words, lambda words: stem_words(words, processes)),
                         building / STEMS)
        write_headings(section_headings(sections), building / HEADINGS)
        clock.lap("language data")

        def indexed(analysed: AnalysedFields) -> Iterator[IndexedSection]:
            last_doc = None
            for section, (fields, stored) in zip(sections, analysed, strict=True):
                if on_document and last_doc is not None and section.doc is not last_doc:
                    on_document()
                last_doc = section.doc
                yield IndexedSection(section, fields, stored)
            if on_document and last_doc is not None:
                on_document()

        with AnalysedFields(sections, analyzer, processes) as analysed:
            count = registry.build(building / ENGINE_DIR, indexed(analysed), engine=engine_name)
        write_compounds(analysed.compounds(), building / COMPOUNDS)
        clock.lap("analysis and engine")
        embedding = None
        if encoder_id:
            encoder = semantic.encoder()
            cache = EmbeddingCache(semantic.cache_dir, encoder.model_id, encoder.dim)
            try:
                embedding = embed_sections(building, sections, encoder, cache, semantic.on_start, semantic.on_progress)
            finally:
                cache.close()
            clock.lap("embedding")
            if write_ann(building):
                clock.lap("vector index")
        write_contacts(building, contacts)
        manifest = Manifest.new(corpus_hash=fingerprint, documents=len(documents), sections=count,
                                contacts=len(contacts), engine=engine_name, encoder=encoder_id)
        manifest.write(building)
        write_document_hashes(building, hashes)
        check_snapshot(building, sections, analyzer)
        clock.lap("check")
    except BaseException:
        discard(building)
        raise
    final = publish(index_root, building)
    clock.lap("publish")
    return BuildReport(final, manifest, problems, clock.timings,
                       added=sum(url not in before for url in hashes),
                       changed=sum(url in before and before[url] != digest for url, digest in hashes.items()),
                       removed=sum(url not in hashes for url in before), embedding=embedding)


@dataclass
class SemanticOptions:
    """Whether a build embeds its sections, with which encoder, and where the embedding cache lives."""

    enabled: bool = True
    cache_dir: Path = Path("var/embedding-cache")
    encoder_name: str | None = None
    on_start: Callable[[int], None] | None = None
    on_progress: Callable[[int], None] | None = None

    def encoder(self) -> Encoder:
        """The encoder this build embeds with (its files, if it has any, beside the embedding cache)."""
        os.environ.setdefault("SOK_ENCODER_FILES", str(self.cache_dir / "encoder"))
        return load_encoder(self.encoder_name)


def semantic_options(index_root: Path, enabled: bool | None = None) -> SemanticOptions:
    """Options from the environment: ``SOK_SEMANTIC`` (0 turns embedding off), ``SOK_EMBEDDING_CACHE``.

    The cache defaults to ``embedding-cache`` beside the index folder.
    """
    if enabled is None:
        enabled = os.environ.get("SOK_SEMANTIC", "1").strip().lower() not in ("0", "false", "no", "off")
    folder = os.environ.get("SOK_EMBEDDING_CACHE", "").strip()
    cache_dir = Path(folder) if folder else Path(index_root).resolve().parent / "embedding-cache"
    return SemanticOptions(enabled=enabled, cache_dir=cache_dir)


def _serving(index_root: Path) -> tuple[Path, Manifest] | None:
    """The snapshot serving now and its manifest, or None when there is no usable one.

    A snapshot whose files no longer match its manifest (truncated, removed, changed) is not
    usable: an unchanged corpus is then built again instead of being reported as unchanged.
    """
    try:
        folder = current_snapshot(index_root)
        manifest = Manifest.read(folder)
        check_files(folder, manifest)
        return folder, manifest
    except SnapshotError:
        return None


def _copy_language_files(language_dir: Path | None, building: Path) -> None:
    for name in LANGUAGE_FILES:
        source = language_dir / name if language_dir else None
        if source and source.exists():
            shutil.copyfile(source, building / name)


def check_snapshot(folder: Path, sections: list[Section], analyzer: SwedishAnalyzer) -> None:
    """Open the new snapshot, count its sections and run a probe query."""
    Manifest.read(folder)
    probe = registry.open_index(folder / ENGINE_DIR)
    try:
        if probe.section_count() != len(sections):
            raise BuildError(f"indexet har {probe.section_count()} avsnitt, väntade {len(sections)}")
        if sections:
            # The first words of the first section, as body terms: that section must be found.
            stems = analyzer.terms(" ".join(sections[0].text.split()[:3]))
            plan = QueryPlan(stems=stems, terms=[WeightedTerm("body", stem, 1.0) for stem in stems])
            if plan.stems and probe.search(plan, limit=1).total == 0:
                raise BuildError("provfrågan mot det nya indexet gav inga träffar")
    finally:
        probe.close()
