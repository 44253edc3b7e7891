"""``make bench``: build, query and serve Sök at the size of the 44k regeringen.se pages.

For each engine (Whoosh, tantivy) it measures the build (time, sections per
second, index size, peak memory) and in-process latency of search and ask with
questions from SweQUAD-MC and SweFAQ. Two peers run the same analysed body
terms over the same sections in the same run: SQLite FTS5 with ``bm25()`` and
tantivy queried directly (one term query per stem, nothing else). Over HTTP
(`sok serve` on loopback) it measures /api/ask latency for one client with
every question new to the service (a cold cache) and asked again (a warm one),
throughput under 32 clients at 1 and 2 workers, cold and warm, and memory per
worker. A second, larger corpus adds the SFS statutes. Writes the tables, with
date, commit and machine, to docs/benchmarks.md. Benchmarks are not tests:
nothing here asserts a time.

    python -m bench.run [--pages N] [--questions N] [--http-seconds S] [--no-sfs] [--no-whoosh]
    python -m bench.run --compare-with COMMIT  # /api/ask over HTTP, this code beside COMMIT's, interleaved
    python -m bench.run --answer-reader  # /api/ask over HTTP with the answer reader on and off, interleaved
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from bench import answer_reader, compare, semantic, whoosh
from bench.inputs import REPORT, SOK, WORK, corpus_file, fmt, fresh_questions, quantiles_ms, question_pool, sfs_file
from bench.peers import peers
from bench.served import CLIENTS, Server, free_port, http_runs, memory_text, preload_memory, ready
from evaluation.run import CODE_COMMIT


def build(corpora: list[Path], index: Path, engine: str, semantic: bool = False,
          env: dict[str, str] | None = None) -> dict:
    """Run `sok index` (in its own process, with ``env`` added) and measure it; with ``semantic``, through
    var/embedding-cache."""
    from indexer.snapshot.layout import CURRENT, MANIFEST

    started = time.monotonic()
    command = [SOK, "index", "--corpus", str(WORK / "no-corpus"), "--index", str(index), "--engine", engine,
               "--timings", "--semantic" if semantic else "--no-semantic"]
    for corpus in corpora:
        command += ["--jsonl", str(corpus)]
    # A wrapper process reports the peak of this build alone (the largest of its processes).
    wrapper = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
               "usage = resource.getrusage(resource.RUSAGE_CHILDREN); "
               "print('peak', usage.ru_maxrss, file=sys.stderr); "
               "print('cpu', usage.ru_utime + usage.ru_stime, file=sys.stderr); "
               "sys.exit(done.returncode)")
    env = {**os.environ, **(env or {}), **({"SOK_EMBEDDING_CACHE": str(semantic_module_cache())} if semantic else {})}
    # The embedding's progress bar (rate, time left) goes to this terminal; the rest is parsed.
    done = subprocess.run([sys.executable, "-c", wrapper, *command], check=True, stdout=subprocess.PIPE,  # noqa: S603 (sok)
                          stderr=None if semantic else subprocess.PIPE, text=True, env=env)
    seconds = time.monotonic() - started
    peak = re.search(r"^peak (\d+)$", done.stderr or "", flags=re.MULTILINE)
    peak_mb = int(peak.group(1)) / 1024 if peak else float("nan")  # a semantic build's stderr goes to the terminal
    cpu = re.search(r"^cpu ([\d.]+)$", done.stderr or "", flags=re.MULTILINE)
    current = (index / CURRENT).resolve()
    manifest = json.loads((current / MANIFEST).read_text())
    size_mb = sum(p.stat().st_size for p in current.rglob("*") if p.is_file()) / 2**20
    phases = dict(re.findall(r"^\s+(.+?): ([\d.]+) s$", done.stdout, flags=re.MULTILINE))
    vectors = re.search(r"Vektorer: (\d+) enheter inbäddade, (\d+) från cachen", done.stdout)
    return {"embedded": " / ".join(vectors.groups()) if vectors else "",
            "seconds": seconds, "documents": manifest["documents"], "sections": manifest["sections"],
            "sections_per_s": manifest["sections"] / seconds, "size_mb": size_mb, "peak_mb": peak_mb,
            "phases": phases, "cpu_s": float(cpu.group(1)) if cpu else 0.0}


def in_process(index: Path, asked: list[str], warm_up: list[str], ask_questions: list[str] | None = None) -> dict:
    """Latency of search and ask inside one process; each measured question is asked once.

    The ``warm_up`` questions (not measured, none of them among ``asked``) stand for the
    traffic a running worker has already served: its per-word caches are filled. Ask
    measures ``ask_questions`` (as many as ``asked``, none of them searched before) when
    given; otherwise it asks each question right after searching it, which finds the
    engine's caches already holding that question's terms.
    """
    from indexer.snapshot.reader import current_snapshot
    from search_app.answer.ask import ask
    from search_app.query.search import search
    from search_app.query.snapshot import open_snapshot

    started = time.monotonic()
    snap = open_snapshot(current_snapshot(index)).warm()
    open_s = time.monotonic() - started
    for question in warm_up:
        ask(snap, question)
    timings: dict[str, list[float]] = {"search": [], "ask": []}
    for question, other in zip(asked, ask_questions or asked, strict=False):
        for name, run in (("search", lambda q=question: search(snap, q, limit=10)),
                          ("ask", lambda q=other: ask(snap, q))):
            started = time.perf_counter()
            run()
            timings[name].append(time.perf_counter() - started)
    result: dict[str, object] = {name: quantiles_ms(samples) for name, samples in timings.items()}
    result["open_s"] = open_s
    snap.engine.close()
    return result


def main() -> int:
    """Run the benchmarks, print the report and write it to docs/benchmarks.md (``--semantic-only``: that part)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=44_397)
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--http-seconds", type=float, default=20)
    parser.add_argument("--no-sfs", action="store_true", help="skip the larger corpus with the SFS statutes")
    parser.add_argument("--no-whoosh", action="store_true", help="skip the Whoosh engine (slow at this size)")
    parser.add_argument("--semantic-only", action="store_true",
                        help="measure only the semantic layer and replace its section of docs/benchmarks.md")
    parser.add_argument("--no-semantic", action="store_true", help="skip the semantic layer")
    parser.add_argument("--whoosh-only", action="store_true",
                        help="measure only Whoosh's single-stage and two-stage query and replace that section")
    parser.add_argument("--reuse-whoosh-index", action="store_true",
                        help="with --whoosh-only: query the Whoosh index an earlier run built (no build row)")
    parser.add_argument("--compare-whoosh-writer", action="store_true",
                        help="with --whoosh-only: also build with Whoosh's own writer (before issue 24) for its row")
    parser.add_argument("--hybrid-only", action="store_true",
                        help="measure only the 44k pages hybrid and replace its section of docs/benchmarks.md")
    parser.add_argument("--compare-with", metavar="COMMIT",
                        help="measure only /api/ask over HTTP (lexical tantivy, one client, 2 workers, cold) for this "
                             "code and COMMIT's, interleaved, and replace that section of docs/benchmarks.md")
    parser.add_argument("--answer-reader", action="store_true",
                        help="measure only /api/ask over HTTP (hybrid, 10k sections), answer reader on and off")
    args = parser.parse_args()
    if args.answer_reader:
        return one_section(answer_reader.HEADING, answer_reader.section(question_pool(), args.questions))
    if args.compare_with:
        return one_section(compare.HEADING,
                           compare.section(question_pool(), args.compare_with, args.pages, args.questions))
    if args.hybrid_only:
        lines = large_hybrid_section(question_pool(), args.http_seconds, args.pages)
        return one_section(LARGE_HYBRID_HEADING, lines[1:], lines)

    pool = question_pool()
    if args.whoosh_only:
        return one_section(whoosh.HEADING, whoosh_section(pool, args, {} if args.reuse_whoosh_index else None))
    semantic_lines = [] if args.no_semantic else semantic_section(pool, args.http_seconds)
    if args.semantic_only:  # its section replaced in place: the sections after it stay
        REPORT.parent.mkdir(exist_ok=True)
        replace_section(SEMANTIC_HEADING, semantic_lines[1:])
        print("\n".join(semantic_lines))
        return 0
    asked, warm_up = pool[: args.questions], pool[args.questions : args.questions + 300]
    corpus = corpus_file(args.pages)
    engines = ("tantivy",) if args.no_whoosh else ("tantivy", "whoosh")
    built, local = {}, {}
    for engine in engines:
        index = WORK / f"index-{engine}-{args.pages}"
        built[engine] = build([corpus], index, engine)
        # Whoosh answers in about a second at this size: smaller samples keep the run short.
        sample, warm = (asked, warm_up) if engine == "tantivy" else (asked[:100], warm_up[:30])
        local[engine] = in_process(index, sample, warm, fresh_questions(pool, args.questions, len(sample)))
    tantivy_index = WORK / f"index-tantivy-{args.pages}"
    peer = peers(tantivy_index, asked)
    served = http_runs(tantivy_index, pool[args.questions + 300 :], args.http_seconds, (1, 2))
    whoosh_served = None
    if "whoosh" in engines:
        server = Server(WORK / f"index-whoosh-{args.pages}", 2, free_port())
        try:
            whoosh_served = server.load(pool[-2000:], args.http_seconds, unique=True)
        finally:
            server.stop()
    large = None
    if not args.no_sfs:
        index = WORK / f"index-tantivy-{args.pages}-sfs"
        large = {"built": build([corpus, sfs_file()], index, "tantivy"),
                 "local": in_process(index, asked, warm_up, fresh_questions(pool, args.questions, len(asked)))}
    whoosh_lines = whoosh_section(pool, args, built.get("whoosh")) if "whoosh" in engines else []
    hybrid_lines = [] if args.no_semantic else large_hybrid_section(pool, args.http_seconds, args.pages)
    report = render(args, built, local, peer, served, whoosh_served, large) + "\n".join(
        [*whoosh_lines, *semantic_lines, *hybrid_lines]) + "\n"
    print(report)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(report, encoding="utf-8")
    return 0


SEMANTIC_HEADING = "\n## Semantic layer"
LARGE_HYBRID_HEADING = "\n## The 44k pages, hybrid"


def semantic_module_cache() -> Path:
    """The embedding cache the bench's hybrid builds share (kept between runs)."""
    return semantic.EMBEDDING_CACHE


def large_hybrid_section(pool: list[str], seconds: float, pages: int) -> list[str]:
    """The ``pages`` regeringen.se pages built with vectors and served hybrid beside lexical-only, 2 workers."""
    corpus = corpus_file(pages)
    index = WORK / f"index-tantivy-{pages}-hybrid"
    shutil.rmtree(index, ignore_errors=True)  # the whole build measured (an unchanged index is not rebuilt)
    built = build([corpus], index, "tantivy", semantic=True)
    served = http_runs(index, pool[300:], seconds, (2,))[2]
    lexical_index = WORK / f"index-tantivy-{pages}"
    if not lexical_index.exists():
        build([corpus], lexical_index, "tantivy")
    lexical = http_runs(lexical_index, pool[300:], seconds, (2,))[2]
    preload = preload_memory(index, pool[-200:])
    rate = semantic.cold_embedding_rate(corpus)
    units = int(built["embedded"].split(" / ")[0]) + int(built["embedded"].split(" / ")[1]) if built["embedded"] \
        else 0
    from indexer.snapshot.layout import CURRENT
    scan = semantic.real_vector_scan((index / CURRENT).resolve(), pool[:200])
    lines = [
        "",
        LARGE_HYBRID_HEADING.strip(),
        "",
        f"Measured {date.today().isoformat()} at commit {CODE_COMMIT} on {platform.machine()}, {os.cpu_count()}"
        f" cores by `make bench` (`python -m bench.run --hybrid-only`): {built['documents']} pages,"
        f" {built['sections']} sections, tantivy engine, the default encoder.",
        "",
        "| measure | hybrid | lexical-only |",
        "|---|---|---|",
        f"| build (embedding included; units embedded now / from the cache: {built['embedded']})"
        f" | {built['seconds'] / 60:.0f} min | (above) |",
    ]
    lines.append(f"| embedding from an empty cache: 400 units of pages spread over the corpus, new to any cache |"
                 f" {semantic.rate_text(rate)}; the {units} units of the build at that rate: about"
                 f" {units / rate['units_per_s'] / 60:.0f} min | – |")
    for state in ("cold", "warm"):
        key = f"{state} /api/ask"
        lines.append(f"| /api/ask over HTTP, one client, 2 workers, {state} p50 / p95 / p99 | {fmt(served[key])} |"
                     f" {fmt(lexical[key])} |")
    lines += [
        f"| /api/ask load, 2 workers, cold, {CLIENTS} clients | {served['cold_load']} |"
        f" {lexical['cold_load']} |",
        "| memory after the load, per worker RSS / PSS / USS (PSS without the shared vectors); the vectors once"
        f" per machine; the master | {memory_text(served['memory'])} | {memory_text(lexical['memory'])} |",
        "| the same after 200 questions (one client), loaded once in the master before the fork (default) |"
        f" {memory_text(preload['preload'])} | – |",
        "| the same, each worker loading its own copy (`SOK_PRELOAD=0`, as before) |"
        f" {memory_text(preload['own'])} | – |",
    ]
    lines += [row[:-1] + "| – |" for row in semantic.scan_rows(scan)]
    return lines


def one_section(heading: str, lines: list[str], shown: list[str] | None = None) -> int:
    """A run that measured one part: its section replaced in docs/benchmarks.md and printed (``shown``, or
    ``lines``); the exit status."""
    replace_section(heading, lines)
    print("\n".join(shown or lines))
    return 0


def replace_section(heading: str, lines: list[str]) -> None:
    """Put ``lines`` in docs/benchmarks.md in place of the section under ``heading`` (or at its end)."""
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else ""
    before, _, after = text.partition(heading)
    rest = after.partition("\n## ")[2]
    REPORT.write_text(before.rstrip() + "\n\n" + "\n".join(lines) + "\n" + ("\n## " + rest if rest else ""),
                      encoding="utf-8")


def whoosh_section(pool: list[str], args: argparse.Namespace, built: dict | None) -> list[str]:
    """Whoosh at the 44k pages, single-stage and two-stage query side by side (building the index if not given)."""
    index = WORK / f"index-whoosh-{args.pages}"
    old_writer = None
    if getattr(args, "compare_whoosh_writer", False):  # first, so that neither build has the machine's cache warm
        old_index = WORK / f"index-whoosh-{args.pages}-whoosh-writer"
        shutil.rmtree(old_index, ignore_errors=True)
        old_writer = build([corpus_file(args.pages)], old_index, "whoosh", env={"SOK_WHOOSH_WRITER": "whoosh"})
    if built is None:
        shutil.rmtree(index, ignore_errors=True)  # the whole build measured (an unchanged index is not rebuilt)
        built = build([corpus_file(args.pages)], index, "whoosh")
    asked, warm_up = pool[: args.questions], pool[args.questions : args.questions + 300]
    # The single-stage query takes about a second a question at this size: few keep the run short.
    sample = min(100, args.questions)
    local = whoosh.side_by_side(index, asked[:sample], fresh_questions(pool, args.questions, sample), warm_up[:30],
                                quantiles_ms)
    served: dict = {}
    start = args.questions + 300
    for query, env in (("two-stage", {}), ("single", {"SOK_WHOOSH_QUERY": "single"})):
        server = Server(index, 2, free_port(), env)
        load = int(args.http_seconds * 60)  # more than 40 requests/s would ask
        one_client = 100 if query == "two-stage" else 30  # the single-stage query: about a second each
        try:
            ready(server, pool[start])
            for question in pool[start : start + 30]:  # traffic the workers have already served
                server.ask(question)
            one = quantiles_ms([server.ask(q) for q in pool[start + 30 : start + 30 + one_client]])
            served[query] = {"one": one, "load": server.load(pool[start + 130 : start + 130 + load],
                                                               args.http_seconds, unique=True)}
        finally:
            server.stop()
        start += 130 + load
    lines = whoosh.render(built, local, served, fmt, old_writer)
    lines.insert(1, f"\nMeasured {date.today().isoformat()} at commit {CODE_COMMIT} on {platform.machine()},"
                    f" {os.cpu_count()} cores by `make bench` (`python -m bench.run --whoosh-only` for this part).")
    return lines


def semantic_section(pool: list[str], seconds: float) -> list[str]:
    """Build the ≥10,000-section corpus with vectors, serve it with 2 workers, time the vector scan."""
    corpus = semantic.semantic_corpus_file(WORK)
    index = WORK / "index-semantic"
    built = semantic.build_semantic(SOK, corpus, index, WORK)
    rate = semantic.cold_embedding_rate(corpus)
    speed = semantic.encoder_comparison(corpus, WORK)
    units = built["embedded"] + built["cached"]
    first_time = (f"{units} units; at the rate above about {units / rate['units_per_s'] / 60:.0f} minutes on this"
                  f" machine the first time (this run: {built['embedded']} embedded, the rest from the cache)")
    served = http_runs(index, pool[300:], seconds, (2,))[2]
    scan = semantic.vector_scan()
    from indexer.snapshot.layout import CURRENT
    real_scan = semantic.real_vector_scan((index / CURRENT).resolve(), pool[:200])
    commit = CODE_COMMIT
    lines = semantic.render(built, rate, served, scan, first_time, speed, real_scan)
    lines.insert(2, f"Measured {date.today().isoformat()} at commit {commit} on {platform.machine()},"
                    f" {os.cpu_count()} cores by `make bench` (`python -m bench.run --semantic-only` for this part).")
    lines.insert(3, "")
    return lines


def render(args: argparse.Namespace, built: dict, local: dict, peer: dict, served: dict, whoosh_served: str | None,
           large: dict | None) -> str:
    """The Markdown report of the measurements (without the semantic layer's section)."""
    commit = CODE_COMMIT
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    fts5 = peer["fts5"][0]
    lines = [
        "# Benchmarks",
        "",
        f"Measured {date.today().isoformat()} at commit {commit} on {machine} by `make bench`"
        f" (`python -m bench.run`): {built['tantivy']['documents']} regeringen.se pages; questions from SweQUAD-MC,"
        " SweFAQ, the construction FAQ and SQuAD-sv, each measured question new to the process or service"
        " (a cold cache) unless the row says warm. Before measuring, each process answers other questions"
        " first (its per-word caches filled, as in a running service). The load generator runs on the same"
        " two cores as the server. What the numbers mean against the targets, written by hand:"
        " [benchmark-notes.md](benchmark-notes.md).",
        "",
        "## Build and query, per engine",
        "",
        "| measure | " + " | ".join(built) + " |",
        "|---|" + "---|" * len(built),
    ]

    def row(label: str, values: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(values) + " |")

    row("build", [f"{b['seconds']:.0f} s, {b['sections']} sections, {b['sections_per_s']:.0f} sections/s"
                  for b in built.values()])
    row("build phases", [", ".join(f"{k} {v} s" for k, v in b["phases"].items()) for b in built.values()])
    row("index size", [f"{b['size_mb']:.0f} MB" for b in built.values()])
    row("build peak memory", [f"{b['peak_mb']:.0f} MB" for b in built.values()])
    row("opening a snapshot", [f"{1000 * r['open_s']:.0f} ms" for r in local.values()])
    row("search in-process p50 / p95 / p99", [fmt(r["search"]) for r in local.values()])
    row("ask in-process p50 / p95 / p99", [fmt(r["ask"]) for r in local.values()])
    row("ask p50 ÷ FTS5 p50", [f"{r['ask'][0] / fts5:.1f}×" for r in local.values()])
    lines += [
        "",
        "## Peers on the same sections and analysed body terms",
        "",
        "| query (top 10, exact count) | p50 / p95 / p99 | ÷ FTS5 p50 |",
        "|---|---|---|",
        f"| SQLite FTS5 `bm25()` | {fmt(peer['fts5'])} | 1.0× |",
        f"| tantivy, term queries only | {fmt(peer['tantivy'])} | {peer['tantivy'][0] / fts5:.2f}× |",
        f"| Sök search (tantivy engine: all fields, phrases, grams, snippets) | {fmt(local['tantivy']['search'])}"
        f" | {local['tantivy']['search'][0] / fts5:.2f}× |",
        f"| Sök ask (search + answer + suggestion) | {fmt(local['tantivy']['ask'])}"
        f" | {local['tantivy']['ask'][0] / fts5:.2f}× |",
        "",
        f"## Over HTTP (`sok serve`, tantivy engine, {CLIENTS} clients for the load rows, {args.http_seconds:.0f} s)",
        "",
        "| measure | value |",
        "|---|---|",
    ]
    for workers, result in served.items():
        for endpoint in ("/api/ask", "/api/search"):
            for state in ("cold", "warm"):
                if f"{state} {endpoint}" in result:
                    row(f"{endpoint}, one client, {workers} workers, {state} p50 / p95 / p99",
                        [fmt(result[f"{state} {endpoint}"])])
        row(f"/api/ask load, {workers} worker(s), cold (every question new)", [result["cold_load"]])
        row(f"/api/ask load, {workers} worker(s), warm (50 questions repeated)", [result["warm_load"]])
        row(f"memory per worker, {workers} worker(s)", [", ".join(f"{mb:.0f} MB" for mb in result["worker_mb"])])
    if whoosh_served:
        row("/api/ask load, 2 workers, cold, **Whoosh** engine", [whoosh_served])
    if large:
        b, r = large["built"], large["local"]
        lines += [
            "",
            "## A larger corpus: the 44k pages and the SFS statutes (tantivy engine)",
            "",
            "| measure | value |",
            "|---|---|",
            f"| build | {b['documents']} documents, {b['seconds']:.0f} s, {b['sections']} sections,"
            f" {b['sections_per_s']:.0f} sections/s, peak {b['peak_mb']:.0f} MB |",
            f"| index size | {b['size_mb']:.0f} MB |",
            f"| search in-process p50 / p95 / p99 | {fmt(r['search'])} |",
            f"| ask in-process p50 / p95 / p99 | {fmt(r['ask'])} |",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
