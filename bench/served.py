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

    def workers(self) -> list[int]:
        """The process ids of the gunicorn workers (children of the server process)."""
        pids = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
            except OSError:
                continue
            if re.search(rf"^PPid:\s+{self.process.pid}$", text, flags=re.MULTILINE):
                pids.append(int(status.parent.name))
        return sorted(pids)

    def memory(self) -> dict:
        """Memory of each worker and of the master (:func:`process_memory`), and the shared vectors once."""
        workers = [process_memory(pid) for pid in self.workers()]
        master = process_memory(self.process.pid)
        return {"workers": workers, "master": master,
                "vectors_mb": max([m["vectors_size"] for m in [*workers, master]], default=0.0)}

    def worker_memory_mb(self) -> list[float]:
        """Resident memory of each gunicorn worker (children of the server process)."""
        return [m["rss"] for m in self.memory()["workers"]]

    def stop(self) -> None:
        """Stop the server and wait for it to exit."""
        self.process.terminate()
        self.process.wait(timeout=30)


def interleaved(servers: dict[str, Server], pool: list[str], warm_up: int, measured: int) -> dict[str, list[float]]:
    """Seconds per question of each server: all warm up on ``pool``'s first ``warm_up`` questions, then one
    client asks each of the next ``measured`` of every server in turn (who goes first alternates), each
    question new to all of them (a cold cache). Stops the servers."""
    samples: dict[str, list[float]] = {name: [] for name in servers}
    try:
        for question in pool[:warm_up]:  # traffic the workers have already served
            for server in servers.values():
                server.ask(question)
        for number, question in enumerate(pool[warm_up : warm_up + measured]):
            order = list(servers.items()) if number % 2 == 0 else list(reversed(servers.items()))
            for name, server in order:
                samples[name].append(server.ask(question))
    finally:
        for server in servers.values():
            server.stop()
    return samples


def process_memory(pid: int) -> dict[str, float]:
    """One process's memory in MB: ``rss``; ``pss`` (shared pages counted by share); ``uss`` (its own pages);
    ``vectors_rss`` and ``vectors_pss``, the part of those that is the machine's shared vector copies
    (``/dev/shm/sok-vectors-*``: one copy per machine however many workers map it), and ``vectors_size``,
    the size of the copies it maps."""
    sizes = {"rss": 0.0, "pss": 0.0, "uss": 0.0, "vectors_rss": 0.0, "vectors_pss": 0.0, "vectors_size": 0.0}
    try:
        text = Path(f"/proc/{pid}/smaps").read_text()
    except OSError:
        return sizes
    vectors = False
    for line in text.splitlines():
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            vectors = "sok-vectors-" in line
            continue
        name, _, value = line.partition(":")
        if name == "Size" and vectors:
            sizes["vectors_size"] += int(value.split()[0]) / 1024
        elif name in ("Rss", "Pss", "Private_Clean", "Private_Dirty"):
            mb = int(value.split()[0]) / 1024
            key = {"Rss": "rss", "Pss": "pss"}.get(name, "uss")
            sizes[key] += mb
            if vectors and key != "uss":
                sizes[f"vectors_{key}"] += mb
    return sizes


def memory_text(memory: dict) -> str:
    """Per worker RSS / PSS / USS and PSS without the shared vectors, the vectors once per machine, the master."""
    workers = "; ".join(f"{m['rss']:.0f} / {m['pss']:.0f} / {m['uss']:.0f} MB ({m['pss'] - m['vectors_pss']:.0f})"
                        for m in memory["workers"])
    master = memory["master"]
    return (f"{workers}; vectors once per machine {memory['vectors_mb']:.0f} MB; master {master['rss']:.0f} /"
            f" {master['pss']:.0f} / {master['uss']:.0f} MB")


def preload_memory(index: Path, questions: list[str], workers: int = 2) -> dict[str, dict]:
    """Memory after ``questions`` (one client) with the warm-up before the fork (``preload``) and without it
    (``SOK_PRELOAD=0``: each worker loads its own), served one after the other."""
    result = {}
    for name, env in (("preload", {}), ("own", {"SOK_PRELOAD": "0"})):
        server = Server(index, workers, free_port(), env)
        try:
            for question in questions:
                server.ask(question)
            result[name] = server.memory()
        finally:
            server.stop()
    return result


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
            row["memory"] = server.memory()
            row["worker_mb"] = [m["rss"] for m in row["memory"]["workers"]]
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
