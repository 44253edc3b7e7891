"""Building snapshots: published atomically, checked, and a failed build leaves the old one serving."""

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

import pytest

from indexer.build import SemanticOptions, build_snapshot
from indexer.corpus.model import Document
from indexer.corpus.readers import read_corpus
from indexer.engines import registry
from indexer.sections.split import Section, split_document
from indexer.snapshot.layout import COMPOUNDS, ENGINE_DIR, Manifest, SnapshotError
from indexer.snapshot.reader import current_snapshot
from indexer.snapshot.writer import KEEP_SNAPSHOTS
from search_app.query.search import search
from search_app.query.snapshot import open_snapshot
from search_app.web.index_handle import IndexHandle
from tests.conftest import CORPUS, TEST_CORPUS


def documents() -> list[Document]:
    return read_corpus(CORPUS).documents


def test_build_publishes_a_snapshot_with_manifest(tmp_path: Path) -> None:
    report = build_snapshot(tmp_path, documents())
    current = current_snapshot(tmp_path)
    assert current == report.snapshot
    assert (tmp_path / "current").is_symlink()
    manifest = json.loads((current / "manifest.json").read_text())
    assert manifest["documents"] == 2
    assert manifest["sections"] == report.manifest.sections > 10
    assert manifest["analysis_version"] and manifest["corpus_hash"] and manifest["built_at"]
    assert json.loads((current / "contacts.json").read_text())[0]["name"] == "Fredrik Wikström"


def test_a_new_build_swaps_in_and_old_snapshots_are_pruned(tmp_path: Path) -> None:
    first = build_snapshot(tmp_path, documents()).snapshot
    extra = Document(url="https://x.se/ny", title="Ny sida", text="Helt nytt innehåll om cykelbanor.")
    handle = IndexHandle(tmp_path, check_interval_s=0)
    assert search(handle.get(), "cykelbanor").total == 0
    second = build_snapshot(tmp_path, [*documents(), extra]).snapshot
    assert current_snapshot(tmp_path) == second != first
    assert search(handle.get(), "cykelbanor").total == 1  # picked up without a restart
    for _ in range(KEEP_SNAPSHOTS + 1):
        build_snapshot(tmp_path, documents(), force=True)
    finished = [p for p in (tmp_path / "snapshots").iterdir() if not p.name.startswith(".")]
    assert len(finished) == KEEP_SNAPSHOTS
    handle.close()


def test_a_failing_build_leaves_the_old_index_serving(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = build_snapshot(tmp_path, documents()).snapshot

    def broken_build(path: Path, sections: Iterable[Section], on_section: object=None, engine: object=None) -> NoReturn:
        list(sections)[:1]
        raise OSError("disken är full")

    monkeypatch.setattr(registry, "build", broken_build)
    with pytest.raises(OSError):
        build_snapshot(tmp_path, documents(), force=True)
    assert current_snapshot(tmp_path) == good
    assert not [p for p in (tmp_path / "snapshots").iterdir() if p.name.startswith(".building")]


def test_duplicate_urls_are_reported_and_indexed_once(tmp_path: Path) -> None:
    doc = documents()[0]
    report = build_snapshot(tmp_path, [doc, doc])
    assert report.manifest.documents == 1
    assert "samma url" in report.problems[0].reason


def test_missing_and_incompatible_index_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="sok index"):
        current_snapshot(tmp_path)
    folder = build_snapshot(tmp_path, documents()).snapshot
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["analysis_version"] = "old"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SnapshotError, match="annan version"):
        Manifest.read(folder)


def test_current_link_is_replaced_atomically(tmp_path: Path) -> None:
    build_snapshot(tmp_path, documents())
    link = tmp_path / "current"
    before = os.readlink(link)
    build_snapshot(tmp_path, documents(), force=True)
    assert os.readlink(link) != before
    assert not list(tmp_path.glob(".current-*"))


def test_synonyms_and_protected_words_travel_with_the_snapshot(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "sida.md").write_text(
        "---\ntitle: Vård\nurl: https://x.se/vard\n---\nRegionen ansvarar för vården i länet.\n", encoding="utf-8")
    (corpus / "synonyms.txt").write_text("landsting, region\n", encoding="utf-8")
    (corpus / "no_stem.txt").write_text("vården\n", encoding="utf-8")
    index = tmp_path / "index"
    # Lexical-only: the encoder knows that a landsting is a region without any synonyms file.
    words_only = SemanticOptions(enabled=False)
    build_snapshot(index, read_corpus(corpus).documents, language_dir=corpus, semantic=words_only)
    handle = IndexHandle(index, check_interval_s=0)
    snap = handle.get()
    assert search(snap, "landstinget").total == 1
    assert snap.analyzer.terms("vården") == ["vården"]
    (corpus / "synonyms.txt").write_text("# inga synonymer\n", encoding="utf-8")
    build_snapshot(index, read_corpus(corpus).documents, language_dir=corpus, semantic=words_only)
    assert search(handle.get(), "landstinget").total == 0  # reloaded with the new index
    handle.close()


def test_the_engine_is_chosen_at_build_time_and_recorded(tmp_path: Path) -> None:
    from indexer.engines.registry import engine_name, open_index

    for name in ("whoosh", "tantivy"):
        built = build_snapshot(tmp_path / name, documents(), engine_name=name)
        assert built.manifest.engine == name
        assert engine_name(built.snapshot / ENGINE_DIR) == name
        opened = open_index(built.snapshot / ENGINE_DIR)
        assert opened.section_count() == built.manifest.sections
        assert {record["id"] for record in opened.records()} == {
            s.id for d in documents() for s in split_document(d)}
        opened.close()


def test_an_unknown_engine_is_refused_before_any_work(tmp_path: Path) -> None:
    from indexer.engines.base import EngineError

    with pytest.raises(EngineError, match="SOK_ENGINE"):
        build_snapshot(tmp_path, documents(), engine_name="lucene")
    assert not (tmp_path / "current").exists()


def test_a_build_in_several_processes_indexes_exactly_what_one_process_does(tmp_path: Path) -> None:
    docs = documents() + read_corpus(TEST_CORPUS).documents
    one = build_snapshot(tmp_path / "one", docs, processes=1)
    two = build_snapshot(tmp_path / "two", docs, processes=2)
    assert one.manifest.sections == two.manifest.sections
    handles = [IndexHandle(tmp_path / "one"), IndexHandle(tmp_path / "two")]
    for query in ("pilotkommuner", "bygglov ansökan", "vem är kontaktperson", "jämställdhet arbetsmarknad"):
        first, second = (search(handle.get(), query, limit=20) for handle in handles)
        assert first.total == second.total > 0
        ranked = [[(p.id, round(p.score, 6)) for p in result.passages] for result in (first, second)]
        assert ranked[0] == ranked[1]
    for handle in handles:
        handle.close()


def test_a_search_without_an_exact_total_ranks_the_same_hits(tmp_path: Path) -> None:
    from search_app.query.plan import plan_query

    for name in ("whoosh", "tantivy"):
        built = build_snapshot(tmp_path / name, documents(), engine_name=name)
        handle = IndexHandle(tmp_path / name)
        snap = handle.get()
        plan = plan_query("vilka kommuner var pilotkommuner", snap.analyzer, snap.synonyms)
        exact = snap.engine.search(plan, limit=3)
        quick = snap.engine.search(plan, limit=3, exact_total=False)
        assert [h.fields["id"] for h in quick.hits] == [h.fields["id"] for h in exact.hits]
        assert exact.total >= quick.total >= len(quick.hits) > 0
        assert built.manifest.sections >= exact.total
        handle.close()


def test_the_build_ships_its_compound_splits_and_a_worker_uses_them_unchanged(tmp_path: Path) -> None:
    from indexer.snapshot.language_files import read_compounds

    built = build_snapshot(tmp_path, documents(), processes=2)
    shipped = read_compounds(built.snapshot / COMPOUNDS)
    assert shipped["pilotkommunerna"] == ("pilot", "kommun")
    handle = IndexHandle(tmp_path)
    warm = handle.get()  # warmed: the shipped splits are in its analyser

    fresh = open_snapshot(built.snapshot)  # splits every word itself
    words = [word for word in warm.vocabulary if len(word) >= 8] + ["samhällsplaneringen", "därigenom"]
    assert len(words) > 100
    assert [warm.analyzer.compound_parts(w) for w in words] == [fresh.analyzer.compound_parts(w) for w in words]
    fresh.engine.close()
    handle.close()


def test_an_unchanged_corpus_is_not_indexed_again_and_changes_are_counted(tmp_path: Path) -> None:
    docs = documents()
    first = build_snapshot(tmp_path, docs)
    assert (first.added, first.changed, first.removed) == (len(docs), 0, 0)
    again = build_snapshot(tmp_path, docs)
    assert again.unchanged and again.snapshot == first.snapshot and not again.timings
    edited = Document(url=docs[0].url, title=docs[0].title, text=docs[0].text + "\n\nEn ny mening om cykelvägar.",
                      publisher=docs[0].publisher)
    extra = Document(url="https://example.se/ny", title="Ny sida", text="Om parker.")
    changed = build_snapshot(tmp_path, [edited, *docs[2:], extra])
    assert not changed.unchanged and changed.snapshot != first.snapshot
    assert (changed.added, changed.changed, changed.removed) == (1, 1, 1)
    handle = IndexHandle(tmp_path)
    assert search(handle.get(), "cykelvägar").total >= 1
    handle.close()
    other_engine = "tantivy" if first.manifest.engine == "whoosh" else "whoosh"
    assert not build_snapshot(tmp_path, [edited, *docs[2:], extra], engine_name=other_engine).unchanged


def test_an_unchanged_corpus_whose_serving_snapshot_was_damaged_is_built_again(tmp_path: Path) -> None:
    docs = documents()
    first = build_snapshot(tmp_path, docs, semantic=SemanticOptions(enabled=False))
    damaged = max((path for path in (first.snapshot / "engine").iterdir() if path.is_file()),
                  key=lambda path: path.stat().st_size)
    damaged.chmod(0o644)
    with damaged.open("r+b") as handle:
        handle.truncate(damaged.stat().st_size // 2)
    again = build_snapshot(tmp_path, docs, semantic=SemanticOptions(enabled=False))
    assert not again.unchanged and again.snapshot != first.snapshot
    index_handle = IndexHandle(tmp_path)
    assert index_handle.get().folder == again.snapshot
    index_handle.close()


class _WithoutStoredWords:
    """An engine whose records lack their analysed words, as in an index built before they were stored."""

    def __init__(self, inner: object) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def search(self, *args: object, **kwargs: object) -> object:
        from dataclasses import replace

        from indexer.engines.base import Hit

        page = self.inner.search(*args, **kwargs)  # type: ignore[attr-defined]
        hits = [Hit({k: v for k, v in hit.fields.items() if k != "analysis"}, hit.score)  # type: ignore[arg-type]
                for hit in page.hits]
        return replace(page, hits=hits)


def test_each_section_ships_its_analysed_words_and_answers_read_them_unchanged(tmp_path: Path) -> None:
    from indexer.fields import StoredWords
    from search_app.answer.ask import ask

    seeds = (Path(__file__).parent / "data" / "seed_questions.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in seeds][::2]
    for name in ("whoosh", "tantivy"):
        built = build_snapshot(tmp_path / name, documents(), engine_name=name)
        snap = open_snapshot(built.snapshot)
        fresh = open_snapshot(built.snapshot).analyzer  # nothing remembered yet: every word analysed here
        analyses = [StoredWords.read(record["analysis"]) for record in snap.engine.records()]
        assert analyses and all(analysis.terms for analysis in analyses)
        for analysis in analyses:
            assert all(list(fresh.word_terms(word)) == terms for word, terms in analysis.terms.items())
            assert all(fresh.compound_parts(word) == parts for word, parts in analysis.parts.items())
        assert any(analysis.parts for analysis in analyses)
        stored = [ask(snap, question) for question in questions]
        snap.engine = _WithoutStoredWords(snap.engine)  # type: ignore[assignment]
        analysed = [ask(snap, question) for question in questions]
        assert sum(result.answer is not None for result in stored) > len(questions) // 2
        for with_words, without in zip(stored, analysed, strict=True):
            assert with_words.answer == without.answer
            assert [(p.id, p.snippet) for p in with_words.passages] == [(p.id, p.snippet) for p in without.passages]
        snap.engine.close()
