"""Build a snapshot: documents → sections → index, checked, then published."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from indexer import engine, snapshot
from indexer.analysis import ANALYSIS_VERSION, terms
from indexer.contacts import extract_contacts
from indexer.documents import Document, Problem
from indexer.sections import Section, split_document


class BuildError(RuntimeError):
    """The new snapshot failed its checks; the old one keeps serving."""


@dataclass
class BuildReport:
    """What a build did."""

    snapshot: Path
    manifest: snapshot.Manifest
    problems: list[Problem] = field(default_factory=list)


def corpus_hash(documents: list[Document]) -> str:
    """A hash over every document's metadata and text, order-independent."""
    digest = hashlib.sha256()
    for doc in sorted(documents, key=lambda d: d.url):
        digest.update(json.dumps([doc.url, doc.title, doc.publisher, doc.published, doc.text]).encode())
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
) -> BuildReport:
    """Index ``documents`` into a new snapshot of ``index_root`` and publish it."""
    documents, problems = unique_documents(documents)
    building = snapshot.new_snapshot_dir(index_root)
    try:
        sections: list[Section] = []

        def all_sections():
            for doc in documents:
                doc_sections = split_document(doc)
                sections.extend(doc_sections)
                yield from doc_sections
                if on_document:
                    on_document()

        count = engine.build(building / snapshot.ENGINE_DIR, all_sections())
        contacts = extract_contacts(sections)
        (building / "contacts.json").write_text(
            json.dumps([c.as_dict() for c in contacts], ensure_ascii=False, indent=1), encoding="utf-8"
        )
        manifest = snapshot.Manifest(
            format_version=snapshot.FORMAT_VERSION,
            analysis_version=ANALYSIS_VERSION,
            corpus_hash=corpus_hash(documents),
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            documents=len(documents),
            sections=count,
            contacts=len(contacts),
        )
        manifest.write(building)
        check_snapshot(building, sections)
    except BaseException:
        snapshot.discard(building)
        raise
    final = snapshot.publish(index_root, building)
    return BuildReport(final, manifest, problems)


def check_snapshot(folder: Path, sections: list[Section]) -> None:
    """Open the new snapshot, count its sections and run a probe query."""
    snapshot.Manifest.read(folder)
    probe = engine.open_index(folder / snapshot.ENGINE_DIR)
    try:
        if probe.section_count() != len(sections):
            raise BuildError(f"indexet har {probe.section_count()} avsnitt, väntade {len(sections)}")
        if sections:
            probe_terms = terms(sections[0].text)[:3]
            if probe_terms and probe.search(probe_terms, limit=1).total == 0:
                raise BuildError("provfrågan mot det nya indexet gav inga träffar")
    finally:
        probe.close()
