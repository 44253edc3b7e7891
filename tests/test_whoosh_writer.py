"""The Whoosh build's own writer: Whoosh's posting lists, sections numbered alike in every build, bounded segments."""

from __future__ import annotations

from pathlib import Path

import pytest

import indexer.engines.whoosh_writer as whoosh_writer
from indexer.build import SemanticOptions, build_snapshot
from indexer.corpus.readers import read_corpus
from indexer.engines.base import FIELDS
from indexer.engines.whoosh import WhooshEngine
from indexer.snapshot.layout import ENGINE_DIR
from indexer.snapshot.reader import current_snapshot
from search_app.query.search import search
from search_app.query.snapshot import open_snapshot
from tests.conftest import CORPUS

QUESTIONS = ["pilotkommuner", "pilotkomuner", "vilka kommuner var pilotkommuner?", "jamstalldhet",
             "vem är kontaktperson för Kompetensarena Stockholm", "när pågick satsningen"]


def _build(root: Path) -> Path:
    build_snapshot(root, read_corpus(CORPUS).documents, language_dir=CORPUS, engine_name="whoosh",
                   semantic=SemanticOptions(enabled=False))
    return current_snapshot(root)


def _postings(snapshot: Path) -> tuple[list[str], dict]:
    """The section ids in section-number order, and every posting as {(field, term): {section id: (weight, value)}}."""
    engine = WhooshEngine(snapshot / ENGINE_DIR)
    try:
        reader = engine._searcher.reader()
        ids = [fields["id"] for _, fields in reader.iter_docs()]
        postings = {}
        for field in FIELDS:
            for term in reader.lexicon(field):
                matcher = reader.postings(field, term)
                found = {}
                while matcher.is_active():
                    found[ids[matcher.id()]] = (matcher.weight(), matcher.value())
                    matcher.next()
                postings[(field, term)] = found
        return ids, postings
    finally:
        engine.close()


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of two sections, so that the seed pages' sections are shared among the writer processes."""
    monkeypatch.setattr(whoosh_writer, "BATCH", 2)


@pytest.mark.usefixtures("small_batches")
def test_the_writer_writes_the_postings_whoosh_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ours = _postings(_build(tmp_path / "ours"))[1]
    monkeypatch.setenv("SOK_WHOOSH_WRITER", "whoosh")
    theirs = _postings(_build(tmp_path / "theirs"))[1]
    assert ours == theirs
    assert len(ours) > 1000


@pytest.mark.usefixtures("small_batches")
def test_two_builds_number_the_sections_alike(tmp_path: Path) -> None:
    first, second = _postings(_build(tmp_path / "first"))[0], _postings(_build(tmp_path / "second"))[0]
    assert first == second
    assert len(first) > 10


@pytest.mark.usefixtures("small_batches")
def test_a_writer_over_its_memory_budget_starts_a_new_segment_and_ranks_alike(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one = open_snapshot(_build(tmp_path / "one"))
    monkeypatch.setattr(whoosh_writer, "WHOOSH_SEGMENT_MB", 0)  # every batch closes its segment
    many = open_snapshot(_build(tmp_path / "many"))
    try:
        assert isinstance(many.engine, WhooshEngine)
        assert len(many.engine._searcher.reader().leaf_readers()) > 4
        for question in QUESTIONS:
            ranked = [[(p.id, round(p.score, 6)) for p in search(snap, question, limit=5).passages]
                      for snap in (one, many)]
            assert ranked[0] == ranked[1], question
        assert search(many, "pilotkommuner").passages
    finally:
        one.engine.close()
        many.engine.close()
