"""The peers ``make bench`` compares with: SQLite FTS5 and raw tantivy over the same analysed body terms."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from bench.inputs import WORK, quantiles_ms


def peers(index: Path, asked: list[str]) -> dict:
    """SQLite FTS5 and raw tantivy over the same sections' analysed body terms: top-10 query latency."""
    import tantivy

    from indexer.engines.registry import open_index
    from indexer.snapshot.layout import ENGINE_DIR
    from indexer.snapshot.reader import current_snapshot
    from search_app.query.snapshot import open_snapshot

    folder = current_snapshot(index)
    snap = open_snapshot(folder)
    database = WORK / f"fts5-{snap.manifest.corpus_hash}.sqlite"
    raw = WORK / f"tantivy-raw-{snap.manifest.corpus_hash}"
    if not database.exists() or not raw.exists():
        sections = open_index(folder / ENGINE_DIR)
        bodies = [" ".join(snap.analyzer.stems(record["text"])) for record in sections.records()]
        sections.close()
        connection = sqlite3.connect(database)
        connection.execute("CREATE VIRTUAL TABLE IF NOT EXISTS sections "
                           "USING fts5(body, tokenize='unicode61 remove_diacritics 0')")
        connection.executemany("INSERT INTO sections(body) VALUES (?)", ((body,) for body in bodies))
        connection.commit()
        connection.close()
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("body", tokenizer_name="whitespace", index_option="freq")
        raw.mkdir(parents=True, exist_ok=True)
        raw_index = tantivy.Index(builder.build(), path=str(raw))
        writer = raw_index.writer(num_threads=1)
        for body in bodies:
            writer.add_document(tantivy.Document(body=body))
        writer.commit()
        writer.wait_merging_threads()
    connection = sqlite3.connect(database)
    raw_index = tantivy.Index.open(str(raw))
    searcher, schema = raw_index.searcher(), raw_index.schema
    samples: dict[str, list[float]] = {"fts5": [], "tantivy": []}
    for question in asked:
        stems = snap.analyzer.terms(question)
        if not stems:
            continue
        match = " OR ".join('"' + stem.replace('"', '""') + '"' for stem in stems)
        started = time.perf_counter()
        connection.execute("SELECT rowid, bm25(sections) FROM sections WHERE sections MATCH ? "
                           "ORDER BY bm25(sections) LIMIT 10", (match,)).fetchall()
        samples["fts5"].append(time.perf_counter() - started)
        started = time.perf_counter()
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "body", stem)) for stem in stems])
        searcher.search(query, limit=10, count=True)
        samples["tantivy"].append(time.perf_counter() - started)
    connection.close()
    snap.engine.close()
    return {name: quantiles_ms(values) for name, values in samples.items()}
