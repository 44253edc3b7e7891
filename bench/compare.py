"""/api/ask over HTTP for this code and an earlier commit's, question by question in one run.

Each commit's code builds its own lexical tantivy index of the same pages (an
index holds what its build wrote, such as each section's stored words) and
serves it with `sok serve --workers 2`. Both services warm up on the same
questions; then one client asks every measured question of both, the two in
turn (who goes first alternates), so that the machine's noise falls on both
alike. Every measured question is new to both services (a cold cache).

    python -m bench.run --compare-with COMMIT  # this part only (COMMIT: e.g. main before a branch is merged)
"""

from __future__ import annotations

import os
import platform
import subprocess
import tarfile
import time
from datetime import date
from io import BytesIO
from pathlib import Path

from bench.inputs import ROOT, SOK, WORK, corpus_file, fmt, quantiles_ms
from bench.served import Server, free_port, interleaved

#: The heading of this part's section in docs/benchmarks.md.
HEADING = "\n## /api/ask over HTTP: this code and an earlier commit, interleaved"
WARM_UP = 200


def code_of(commit: str) -> tuple[Path, str]:
    """``commit``'s tree unpacked under var/bench (kept between runs) and its short hash."""
    short = subprocess.run(["git", "rev-parse", "--short", commit], cwd=ROOT, check=True, capture_output=True,  # noqa: S603,S607 (git, fixed)
                           text=True).stdout.strip()
    folder = WORK / f"code-{short}"
    if not (folder / "search_app").exists():
        archive = subprocess.run(["git", "archive", short], cwd=ROOT, check=True, capture_output=True).stdout  # noqa: S603,S607 (git)
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
    return folder, short


def build_with(code: Path | None, corpus: Path, index: Path) -> None:
    """`sok index` of ``corpus`` into ``index`` (lexical tantivy) with ``code``'s packages (None: this code's)."""
    env = {**os.environ, "PYTHONPATH": str(code)} if code else None
    subprocess.run([SOK, "index", "--corpus", str(WORK / "no-corpus"), "--index", str(index), "--engine", "tantivy",  # noqa: S603 (sok)
                    "--no-semantic", "--jsonl", str(corpus)], check=True, capture_output=True, env=env)


def compare(commit: str, corpus: Path, pages: int, pool: list[str], measured: int = 300) -> dict:
    """Median-ordered latencies (seconds) of /api/ask, one client, 2 workers, cold, for ``commit`` and this code."""
    code, short = code_of(commit)
    (WORK / "no-corpus").mkdir(parents=True, exist_ok=True)
    indexes = {short: WORK / f"index-tantivy-{pages}-{short}", "this code": WORK / f"index-tantivy-{pages}-now"}
    build_with(code, corpus, indexes[short])
    build_with(None, corpus, indexes["this code"])
    servers = {short: Server(indexes[short], 2, free_port(), {"PYTHONPATH": str(code)}),
               "this code": Server(indexes["this code"], 2, free_port())}
    samples = interleaved(servers, pool, WARM_UP, measured)
    return {"commit": short, "samples": samples, "load": os.getloadavg(), "at": time.strftime("%H:%M")}


def section(pool: list[str], commit: str, pages: int, questions: int) -> list[str]:
    """This part's section of docs/benchmarks.md: ``commit``'s code and this code, each on its own build's index."""
    from evaluation.run import CODE_COMMIT

    measured = compare(commit, corpus_file(pages), pages, pool[questions + 300 :], questions)
    old, samples = measured["commit"], measured["samples"]
    load = ", ".join(f"{value:.1f}" for value in measured["load"])
    return [
        HEADING.strip(),
        "",
        f"Measured {date.today().isoformat()} at commit {CODE_COMMIT} on {platform.machine()}, {os.cpu_count()} cores"
        f" by `python -m bench.run --compare-with {commit}`: {pages} regeringen.se pages, lexical tantivy, each"
        f" commit's code on the index its own build made, `sok serve --workers 2`, one client asking each of"
        f" {questions} new questions of both services in turn (after {WARM_UP} others; load average {load} at"
        f" {measured['at']}).",
        "",
        f"| /api/ask over HTTP, one client, 2 workers, cold | {old} | this code ({CODE_COMMIT}) |",
        "|---|---|---|",
        f"| p50 / p95 / p99 | {fmt(quantiles_ms(samples[old]))} | {fmt(quantiles_ms(samples['this code']))} |",
    ]
