"""Slow and idle clients do not stop the service: directly against `sok serve`, and behind the documented nginx."""

from __future__ import annotations

import os
import resource
import select
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port, sok_executable, wait_for
from tests.nginx_fixture import start_nginx, stop_nginx

SLOW_HEAD = b"GET /api/search?q=bredband HTTP/1.1\r\nHost: sok.test\r\nX-Slow: " + b"a" * 10_000


def _readable(sock: socket.socket) -> bool:
    """Whether ``sock`` has something to read (or was closed by the server), without waiting."""
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


class Attack:
    """Keeps ``slow`` connections sending a request head a byte at a time and ``idle`` ones silent.

    Whatever the server closes is opened again at once, so the pressure stays
    for as long as the attack runs (as a real slowloris would).
    """

    def __init__(self, port: int, slow: int, idle: int) -> None:
        self.port, self.slow_count, self.idle_count = port, slow, idle
        self.slow: list[tuple[socket.socket, int]] = []
        self.idle: list[socket.socket] = []
        self.reconnects = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=2)

    def __enter__(self) -> Attack:
        self.slow = [(self._connect(), 0) for _ in range(self.slow_count)]
        self.idle = [self._connect() for _ in range(self.idle_count)]
        self._thread.start()
        time.sleep(1)  # every connection is open and has started before the measured requests
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        for sock in [s for s, _ in self.slow] + self.idle:
            sock.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            for number, (sock, sent) in enumerate(self.slow):
                try:
                    sock.send(SLOW_HEAD[sent % len(SLOW_HEAD):][:1])
                    self.slow[number] = (sock, sent + 1)
                except OSError:
                    sock.close()
                    self.slow[number] = (self._reopen(), 0)
            # poll, not select: the test process may hold file descriptors above select's 1024
            readable = [self.idle[number] for number, idle in enumerate(self.idle) if _readable(idle)]
            for sock in readable:  # the server closed an idle connection (or answered): open another
                number = self.idle.index(sock)
                sock.close()
                self.idle[number] = self._reopen()
            self._stop.wait(0.3)

    def _reopen(self) -> socket.socket:
        self.reconnects += 1
        while not self._stop.is_set():
            try:
                return self._connect()
            except OSError:
                self._stop.wait(0.1)
        return socket.socket()


def timed_requests(base: str, count: int = 40) -> list[float]:
    """Latencies of ``count`` new searches, each on a new connection; fails on any non-200 answer."""
    words = ["bredband", "landsbygd", "kommun", "projekt", "digitalisering", "kontakt", "skola", "v%C3%A5rd"]
    latencies = []
    for number in range(count):
        started = time.monotonic()
        with urllib.request.urlopen(f"{base}/api/search?q={words[number % len(words)]}+{number}", timeout=10) as r:
            assert r.status == 200
            r.read()
        latencies.append(time.monotonic() - started)
    return latencies


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(0.95 * len(ordered)) - 1)]


def start_server(index: Path, log: Path, workers: int = 2, proxied: bool = False) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "SOK_RATE_LIMIT_PER_MINUTE": "0", "SOK_PROXY_COUNT": "1" if proxied else "0"}
    with log.open("w") as out:
        process = subprocess.Popen(
            [sok_executable(), "serve", "--port", str(port), "--workers", str(workers), "--index", str(index)],
            stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=env, start_new_session=True)
    wait_for(f"http://127.0.0.1:{port}/healthz", process, log)
    return process, port


def stop_server(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture(autouse=True)
def enough_file_descriptors() -> Iterator[None]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.mark.slow
def test_fifty_slow_and_fifty_idle_connections_do_not_stop_sok_serve(mixed_index: Path, tmp_path: Path) -> None:
    server, port = start_server(mixed_index, tmp_path / "server.log")
    base = f"http://127.0.0.1:{port}"
    try:
        with Attack(port, slow=50, idle=50) as attack:
            latencies = timed_requests(base)
            assert attack.slow and attack.idle
        assert p95(latencies) < 1.0, sorted(latencies)[-5:]
    finally:
        stop_server(server)
    log = (tmp_path / "server.log").read_text()
    assert "127.0.0.1" not in log.split("Booting worker", 1)[-1]  # no client address logged


@pytest.mark.slow
def test_five_hundred_slow_and_five_hundred_idle_connections_behind_nginx(mixed_index: Path, tmp_path: Path) -> None:
    server, replica_port = start_server(mixed_index, tmp_path / "server.log", proxied=True)
    port = free_port()
    nginx = start_nginx(tmp_path, [str(replica_port)], port)
    try:
        with Attack(port, slow=500, idle=500):
            latencies = timed_requests(f"http://127.0.0.1:{port}")
        assert p95(latencies) < 1.0, sorted(latencies)[-5:]
    finally:
        stop_nginx(nginx)
        stop_server(server)
