"""``make bench``: build, query and serve Sök at the size of the 44k regeringen.se pages.

Measures the build (time, sections per second, index size, peak memory), query
latency in-process for search and ask with the questions of SweQUAD-MC and
SweFAQ (each question new to the service), and HTTP throughput and latency with
`sok serve` at 1 and 2 workers under 32 concurrent clients with memory per
worker. SQLite FTS5 runs the same analysed terms over the same sections as a
peer. Writes the table, with date, commit and machine, to docs/benchmarks.md.

    python -m bench.run [--pages N] [--questions N] [--http-seconds S]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
WORK = ROOT / "var" / "bench"
REPORT = ROOT / "docs" / "benchmarks.md"
SOK = str(Path(sys.executable).parent / "sok")


def quantiles_ms(samples: list[float]) -> tuple[float, float, float]:
    """(p50, p95, p99) of durations in seconds, as milliseconds."""
    cuts = statistics.quantiles(samples, n=100) if len(samples) > 1 else [samples[0]] * 99
    return 1000 * cuts[49], 1000 * cuts[94], 1000 * cuts[98]


def questions(limit: int) -> list[str]:
    """SweQUAD-MC and SweFAQ questions, interleaved, without repeats."""
    quad = [json.loads(line)["question"] for line in
            (SHARED / "swequad-mc" / "swequad_mc_questions.jsonl").read_text(encoding="utf-8").splitlines()]
    faq = [json.loads(line)["question"] for line in
           (SHARED / "swefaq" / "swefaq_dev.jsonl").read_text(encoding="utf-8").splitlines()]
    mixed = [q for pair in zip(quad, faq + quad[len(faq):], strict=False) for q in pair]
    return list(dict.fromkeys(mixed))[:limit]


def corpus_file(pages: int) -> Path:
    """The first ``pages`` regeringen.se pages (all of them by default) in one JSON Lines file."""
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"regeringen-{pages}.jsonl"
    if not path.exists():
        with path.open("w", encoding="utf-8") as out:
            written = 0
            for part in sorted((SHARED / "regeringen-se-pages").glob("regeringen_part*.jsonl")):
                for line in part.open(encoding="utf-8"):
                    if written >= pages:
                        break
                    out.write(line)
                    written += 1
    return path


def build(corpus: Path, index: Path) -> dict:
    """Run `sok index` and measure it."""
    started = time.monotonic()
    subprocess.run([SOK, "index", "--corpus", str(WORK / "no-corpus"), "--jsonl", str(corpus), "--index", str(index)],
                   check=True, capture_output=True)
    seconds = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    current = (index / "current").resolve()
    manifest = json.loads((current / "manifest.json").read_text())
    size_mb = sum(p.stat().st_size for p in current.rglob("*") if p.is_file()) / 2**20
    return {"seconds": seconds, "documents": manifest["documents"], "sections": manifest["sections"],
            "sections_per_s": manifest["sections"] / seconds, "size_mb": size_mb, "peak_mb": peak_mb}


def in_process(index: Path, asked: list[str]) -> dict:
    """Latency of search and ask inside one process, every question asked once."""
    from indexer.snapshot import current_snapshot
    from search_app.answer import ask
    from search_app.index_handle import open_snapshot
    from search_app.search import search

    started = time.monotonic()
    snap = open_snapshot(current_snapshot(index))
    open_s = time.monotonic() - started
    timings: dict[str, list[float]] = {"search": [], "ask": []}
    for question in asked:
        for name, run in (("search", lambda q=question: search(snap, q, limit=10)),
                          ("ask", lambda q=question: ask(snap, q))):
            started = time.perf_counter()
            run()
            timings[name].append(time.perf_counter() - started)
    result = {name: quantiles_ms(samples) for name, samples in timings.items()}
    result["open_s"] = open_s
    return result


def fts5_peer(index: Path, asked: list[str]) -> tuple[float, float, float]:
    """SQLite FTS5 with bm25() over the same sections' analysed body terms; query latency."""
    from indexer.engine import open_index
    from indexer.snapshot import current_snapshot
    from search_app.index_handle import open_snapshot

    snap = open_snapshot(current_snapshot(index))
    database = WORK / f"fts5-{snap.manifest.corpus_hash}.sqlite"
    if not database.exists():
        sections = open_index(current_snapshot(index) / "engine")
        connection = sqlite3.connect(database)
        connection.execute("CREATE VIRTUAL TABLE sections USING fts5(body, tokenize='unicode61 remove_diacritics 0')")
        rows = ((" ".join(snap.analyzer.stems(record["text"])),) for record in sections.records())
        connection.executemany("INSERT INTO sections(body) VALUES (?)", rows)
        connection.commit()
        connection.close()
    connection = sqlite3.connect(database)
    samples = []
    for question in asked:
        stems = snap.analyzer.terms(question)
        if not stems:
            continue
        match = " OR ".join('"' + stem.replace('"', '""') + '"' for stem in stems)
        started = time.perf_counter()
        connection.execute("SELECT rowid, bm25(sections) FROM sections WHERE sections MATCH ? "
                           "ORDER BY bm25(sections) LIMIT 10", (match,)).fetchall()
        samples.append(time.perf_counter() - started)
    connection.close()
    return quantiles_ms(samples)


def http_run(index: Path, workers: int, seconds: float) -> dict:
    """Throughput and latency of `sok serve` under 32 clients, and memory per worker."""
    port = 8900 + workers
    env = {**os.environ, "SOK_RATE_LIMIT_PER_MINUTE": "0"}
    server = subprocess.Popen([SOK, "serve", "--port", str(port), "--workers", str(workers), "--index", str(index)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        time.sleep(5)
        run = subprocess.run([sys.executable, str(ROOT / "bench" / "load.py"), "--url", f"http://127.0.0.1:{port}",
                              "--seconds", str(seconds), "--concurrency", "32"], capture_output=True, text=True)
        rss = worker_memory_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"report": run.stdout.strip().splitlines(), "worker_mb": rss}


def worker_memory_mb(parent: int) -> list[float]:
    """Resident memory of each child process of ``parent`` (the gunicorn workers)."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(parent):
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=44_397)
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--http-seconds", type=float, default=20)
    args = parser.parse_args()

    corpus = corpus_file(args.pages)
    index = WORK / f"index-{args.pages}"
    built = build(corpus, index)
    asked = questions(args.questions)
    local = in_process(index, asked)
    fts5 = fts5_peer(index, asked)
    served = {workers: http_run(index, workers, args.http_seconds) for workers in (1, 2)}
    report = render(args, built, local, fts5, served)
    print(report)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(report, encoding="utf-8")
    return 0


def render(args, built: dict, local: dict, fts5: tuple, served: dict) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=ROOT).stdout.strip()
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    ratio = local["search"][0] / fts5[0] if fts5[0] else float("nan")
    lines = [
        "# Benchmarks",
        "",
        f"Measured {date.today().isoformat()} at commit {commit} on {machine} by `make bench`"
        f" (`python -m bench.run`): {built['documents']} regeringen.se pages, {args.questions} questions from"
        " SweQUAD-MC and SweFAQ, each asked once (a cold cache).",
        "",
        "| measure | value |",
        "|---|---|",
        f"| build | {built['seconds']:.0f} s, {built['sections']} sections, {built['sections_per_s']:.0f} sections/s |",
        f"| index size | {built['size_mb']:.0f} MB |",
        f"| build peak memory | {built['peak_mb']:.0f} MB |",
        f"| opening a snapshot in a worker | {1000 * local['open_s']:.0f} ms |",
        f"| search in-process p50 / p95 / p99 | {'/'.join(f'{v:.0f}' for v in local['search'])} ms |",
        f"| ask in-process p50 / p95 / p99 | {'/'.join(f'{v:.0f}' for v in local['ask'])} ms |",
        f"| SQLite FTS5 bm25(), same analysed terms, p50 / p95 / p99 | {'/'.join(f'{v:.1f}' for v in fts5)} ms |",
        f"| Sök search p50 ÷ FTS5 p50 | {ratio:.0f}× |",
    ]
    for workers, result in served.items():
        lines.append(f"| `sok serve` {workers} worker(s), 32 clients, {args.http_seconds:.0f} s "
                     f"| {'; '.join(result['report'][:2])}; worker memory "
                     f"{', '.join(f'{mb:.0f} MB' for mb in result['worker_mb'])} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
