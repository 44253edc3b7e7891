"""Sök served over HTTP for ``make bench``: `sok serve` on a loopback port, one-client latency, load and memory."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bench.inputs import ROOT, SOK, WORK, quantiles_ms

CLIENTS = 32


def free_port() -> int:
    """A loopback port that no one listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """`sok serve` on a loopback port for one measurement."""

    def __init__(self, index: Path, workers: int, port: int, env: dict[str, str] | None = None):
        self.base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "SOK_RATE_LIMIT_PER_MINUTE": "0", **(env or {})}
        self.process = subprocess.Popen(  # noqa: S603 (sok serve, fixed arguments)
            [SOK, "serve", "--port", str(port), "--workers", str(workers), "--index", str(index)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2):  # noqa: S310 (loopback)
                    break
            except OSError:
                time.sleep(0.5)
        time.sleep(2)  # every worker has opened and warmed the snapshot (post_worker_init)

    def ask(self, question: str, endpoint: str = "/api/ask") -> float:
        """Seconds for one GET of ``endpoint`` with ``question`` as ``q``."""
        started = time.perf_counter()
        url = f"{self.base}{endpoint}?q={urllib.parse.quote(question)}"
        with urllib.request.urlopen(url, timeout=60) as r:  # noqa: S310 (the loopback server it started)
            r.read()
        return time.perf_counter() - started

    def load(self, questions: list[str], seconds: float, unique: bool) -> str:
        """Run bench/load.py against this server with ``questions``; the first two lines of its report."""
        listing = WORK / "load-questions.txt"
        listing.write_text("\n".join(questions), encoding="utf-8")
        command = [sys.executable, str(ROOT / "bench" / "load.py"), "--url", self.base, "--seconds", str(seconds),
                   "--concurrency", str(CLIENTS), "--questions", str(listing), "--endpoint", "/api/ask"]
        run = subprocess.run(command + (["--unique"] if unique else []), capture_output=True, text=True)  # noqa: S603 (load.py)
        return "; ".join(run.stdout.strip().splitlines()[:2])

    def worker_pss_mb(self) -> list[float]:
        """Proportional memory of each gunicorn worker: pages shared with other processes counted by share."""
        sizes = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
                if fields.get("PPid", "").strip() != str(self.process.pid):
                    continue
                rollup = (status.parent / "smaps_rollup").read_text()
            except OSError:
                continue
            pss = re.search(r"^Pss:\s+(\d+) kB", rollup, flags=re.MULTILINE)
            if pss:
                sizes.append(int(pss.group(1)) / 1024)
        return sizes

    def worker_memory_mb(self) -> list[float]:
        """Resident memory of each gunicorn worker (children of the server process)."""
        sizes = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            except OSError:
                continue
            if fields.get("PPid", "").strip() == str(self.process.pid):
                sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
        return sizes

    def stop(self) -> None:
        """Stop the server and wait for it to exit."""
        self.process.terminate()
        self.process.wait(timeout=30)


def http_runs(index: Path, pool: list[str], seconds: float, worker_counts: tuple[int, ...]) -> dict:
    """One-client /api/ask latency (cold, warm) and throughput under 32 clients (cold, warm) per worker count."""
    results: dict = {}
    cursor = 0

    def fresh(count: int) -> list[str]:
        nonlocal cursor
        taken = pool[cursor : cursor + count]
        cursor += count
        return taken

    for workers in worker_counts:
        server = Server(index, workers, free_port())
        try:
            row: dict = {}
            for question in fresh(100 * workers):  # traffic the workers have already served
                server.ask(question)
            if workers == max(worker_counts):
                for endpoint in ("/api/ask", "/api/search"):
                    measured = fresh(300)
                    row[f"cold {endpoint}"] = quantiles_ms([server.ask(q, endpoint) for q in measured])
                    for _ in range(2):  # every worker has now answered each question at least once, mostly
                        for question in measured:
                            server.ask(question, endpoint)
                    row[f"warm {endpoint}"] = quantiles_ms([server.ask(q, endpoint) for q in measured])
            row["cold_load"] = server.load(fresh(int(seconds * 250)), seconds, unique=True)
            repeated = pool[:50]
            for question in repeated * workers * 2:
                server.ask(question)
            row["warm_load"] = server.load(repeated, seconds, unique=False)
            row["worker_mb"] = server.worker_memory_mb()
            row["worker_pss_mb"] = server.worker_pss_mb()
        finally:
            server.stop()
        results[workers] = row
    return results


def ready(server: Server, question: str, seconds: float = 300) -> None:
    """Wait until ``server`` answers a question (a worker opening a large Whoosh snapshot answers 503 first)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            server.ask(question)
            return
        except urllib.error.HTTPError as error:
            if error.code != 503 or time.monotonic() > deadline:
                raise
            time.sleep(2)
