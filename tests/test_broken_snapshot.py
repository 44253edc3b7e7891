"""A broken or missing newest snapshot fails no request: the workers keep serving a good one and say so.

Each test runs a real `sok serve --workers 2` on loopback over an index built by
`sok index`, sends a steady stream of /api/search and /api/ask requests from two
client threads, damages the index the way operators and disks do, and counts
the requests that failed.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from indexer.engines.registry import configured_engine
from indexer.snapshot.layout import CURRENT, SNAPSHOTS
from indexer.snapshot.reader import current_snapshot
from tests.conftest import CORPUS, ROOT, free_port, sok_executable, wait_for

WORDS = ["tillväxt", "pilotprojekt", "samhällsplanering", "länet", "strategier", "kommuner", "samverkan",
         "landsbygd", "energi", "bidrag", "näringsliv", "företag", "miljöskydd", "attraktionskraft", "städer"]
#: Seconds after a change within which every worker has noticed it (SNAPSHOT_CHECK_INTERVAL_S is 1 s).
NOTICED_S = 2.5


def build(index: Path, semantic: bool = False) -> Path:
    """A new snapshot of the seed corpus published into ``index`` by `sok index`; its folder."""
    command = [sok_executable(), "index", "--corpus", str(CORPUS), "--index", str(index), "--force"]
    subprocess.run(command + ([] if semantic else ["--no-semantic"]), check=True, capture_output=True, cwd=ROOT)
    return current_snapshot(index)


def writable(path: Path) -> Path:
    """Published files are read-only; these tests damage them on purpose."""
    path.chmod(0o644)
    return path


def truncate(path: Path) -> None:
    """Cut a file to half its size, in place (the inode stays, as with `truncate -s`)."""
    os.truncate(writable(path), path.stat().st_size // 2)


def largest_engine_file(folder: Path) -> Path:
    return max((p for p in (folder / "engine").iterdir() if p.is_file()), key=lambda p: p.stat().st_size)


def damage(folder: Path, how: str) -> None:
    if how == "engine file truncated":
        truncate(largest_engine_file(folder))
    elif how == "manifest not JSON":
        writable(folder / "manifest.json").write_text("{inte json", encoding="utf-8")
    elif how == "vocabulary truncated":
        truncate(folder / "vocabulary.tsv.gz")
    elif how == "vector file truncated":
        truncate(folder / "vectors" / "units.f32")
    else:
        raise AssertionError(how)


def publish_broken(index: Path, staging: Path, how: str, semantic: bool = False) -> Path:
    """Build a snapshot elsewhere, ship it into ``index`` damaged (as docs/deploy.md ships), and swap it in."""
    built = build(staging, semantic)
    incoming = index / SNAPSHOTS / f".incoming-{built.name}"
    shutil.copytree(built, incoming)
    damage(incoming, how)
    final = incoming.with_name(built.name)
    incoming.rename(final)
    link = index / ".current-new"
    link.symlink_to(final.relative_to(index))
    os.replace(link, index / CURRENT)
    return final


class Server:
    """`sok serve --workers 2` on a free loopback port, with its log."""

    def __init__(self, index: Path, log: Path) -> None:
        self.log = log
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        with log.open("w") as out:
            self.process = subprocess.Popen(
                [sok_executable(), "serve", "--host", "127.0.0.1", "--port", str(port), "--index", str(index),
                 "--workers", "2"],
                stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True,
                # A metrics folder of its own: the temporary one `sok serve` makes is removed by the first
                # worker that exits cleanly, after which no new worker boots (SIGHUP would stop the server).
                env={**os.environ, "SOK_RATE_LIMIT_PER_MINUTE": "0",
                     "PROMETHEUS_MULTIPROC_DIR": str(log.with_name("metrics"))})
        wait_for(self.base + "/healthz", self.process, log, seconds=90)
        self.wait_for_workers(2)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def booted(self) -> int:
        return self.text().count("Booting worker with pid")

    def wait_for_workers(self, booted: int, seconds: float = 90) -> None:
        """Wait until ``booted`` workers have started and two of them are alive."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.booted() >= booted and len(self.workers()) == 2:
                return
            time.sleep(0.2)
        raise AssertionError(f"workers did not start: {self.text()[-3000:]}")

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def restart_workers(self) -> None:
        """SIGHUP: gunicorn starts two new workers and lets the old ones finish."""
        before = self.booted()
        os.kill(self.process.pid, signal.SIGHUP)
        self.wait_for_workers(before + 2)
        time.sleep(1)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


class Traffic:
    """Two client threads asking and searching without pause, and one polling /healthz; every answer kept."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.answers: list[tuple[float, str, int | str, dict]] = []
        self.health: list[tuple[float, int | str, dict]] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._ask, args=(n,), daemon=True) for n in range(2)]
        self._threads.append(threading.Thread(target=self._poll_health, daemon=True))

    def __enter__(self) -> Traffic:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _get(self, path: str) -> tuple[int | str, dict, dict]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=30) as response:
                return response.status, dict(response.headers), json.loads(response.read())
        except urllib.error.HTTPError as error:
            body = error.read()
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = {"body": body[:200].decode(errors="replace")}
            return error.code, dict(error.headers), parsed
        except OSError as error:  # connection refused or reset: a worker died mid-request
            return f"{type(error).__name__}: {error}", {}, {}

    def _ask(self, seed: int) -> None:
        rng = random.Random(seed)
        while not self._stop.is_set():
            words = " ".join(rng.sample(WORDS, 2))
            if rng.random() < 0.5:  # varying limits and questions miss the result cache: the engine reads
                query = {"q": words, "limit": rng.randint(1, 20), "offset": rng.randint(0, 3)}
                path = "/api/search?" + urllib.parse.urlencode(query)
            else:
                path = "/api/ask?" + urllib.parse.urlencode({"q": f"vad gör länet för {words}?"})
            status, headers, body = self._get(path)
            self.answers.append((time.monotonic(), path, status, {"headers": headers, "body": body}))

    def _poll_health(self) -> None:
        while not self._stop.is_set():
            status, _, body = self._get("/healthz")
            self.health.append((time.monotonic(), status, body))
            time.sleep(0.1)

    def failures(self, since: float = 0.0) -> list[tuple[float, str, int | str]]:
        return [(at, path, status) for at, path, status, _ in self.answers if at >= since and status != 200]

    def succeeded(self, since: float = 0.0) -> int:
        return sum(1 for at, _, status, _ in self.answers if at >= since and status == 200)

    def health_since(self, since: float) -> list[tuple[int | str, dict]]:
        return [(status, body) for at, status, body in self.health if at >= since]


def run_for(seconds: float) -> None:
    time.sleep(seconds)


def assert_degraded(answers: list[tuple[int | str, dict]], serving: str, broken: str, kind: str) -> None:
    """Every /healthz answer is 200, serves ``serving`` and names ``broken`` with ``kind``: no flapping."""
    assert answers, "no /healthz answers"
    for status, body in answers:
        assert status == 200, (status, body)
        assert body["degraded"] is True and body["fallback"] is True, body
        assert body["snapshot"] == serving, body
        assert {"snapshot": broken, "problem": kind} in body["problems"], body


@pytest.fixture()
def lexical_index(tmp_path: Path) -> Path:
    index = tmp_path / "index"
    build(index)
    return index


@pytest.mark.slow
@pytest.mark.parametrize(("how", "kind"), [("engine file truncated", "file-size"),
                                           ("manifest not JSON", "manifest"),
                                           ("vocabulary truncated", "file-size")])
def test_a_broken_newest_snapshot_fails_no_request_and_restarted_workers_fall_back(lexical_index: Path, tmp_path: Path,
                                                                                   how: str, kind: str) -> None:
    good = current_snapshot(lexical_index).name
    server = Server(lexical_index, tmp_path / "server.log")
    try:
        with Traffic(server.base) as traffic:
            run_for(2)
            broken = publish_broken(lexical_index, tmp_path / "staging", how).name
            published = time.monotonic()
            run_for(3)
            logged_before_restart = server.text().count(f"index snapshot {broken} not used")
            restarted = time.monotonic()
            server.restart_workers()  # new workers start while `current` is broken
            run_for(3)
        log = server.text()
    finally:
        server.stop()
    assert traffic.failures() == [], traffic.failures()[:5]
    assert traffic.succeeded(since=restarted) >= 20 and traffic.succeeded() >= 60, len(traffic.answers)
    assert all(status == 200 for _, status, _ in traffic.health), {s for _, s, _ in traffic.health}
    assert_degraded(traffic.health_since(published + NOTICED_S), good, broken, kind)
    assert 1 <= logged_before_restart <= 2, log  # once per worker, not once a second
    # The new workers opened the broken `current`, refused it and fell back to the good snapshot.
    assert log[log.rindex("Handling signal: hup"):].count(f"serving index snapshot {good} instead") == 2, log


@pytest.mark.slow
def test_vectors_broken_when_published_or_truncated_while_served_fail_no_request(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOK_ANN_MIN_UNITS", "1")  # every snapshot also has its approximate index, as a large one
    index = tmp_path / "index"
    older = build(index, semantic=True).name
    server = Server(index, tmp_path / "server.log")
    try:
        with Traffic(server.base) as traffic:
            run_for(2)
            broken = publish_broken(index, tmp_path / "staging", "vector file truncated", semantic=True).name
            published = time.monotonic()
            run_for(3)
            assert_degraded(traffic.health_since(published + NOTICED_S), older, broken, "file-size")
            fresh = build(index, semantic=True)  # a good snapshot again: both workers move to it
            run_for(NOTICED_S)
            assert traffic.health[-1][2].get("degraded") is None, traffic.health[-1]
            workers = sorted(server.workers())
            truncated = time.monotonic()
            truncate(fresh / "vectors" / "units.f32")  # the serving snapshot's vectors and index, in place
            truncate(fresh / "vectors" / "units.hnsw")
            run_for(3)
            workers_after = sorted(server.workers())
        log = server.text()
    finally:
        server.stop()
    assert traffic.failures() == [], traffic.failures()[:5]
    assert sum(1 for _, path, status, _ in traffic.answers if "/api/ask" in path and status == 200) >= 30
    assert len(workers) == 2 and workers_after == workers, (workers, workers_after, log)  # no worker died
    assert "SIGBUS" not in log and all(status == 200 for _, status, _ in traffic.health)
    # Both workers noticed the truncated file by its size and went back to the newest intact snapshot.
    assert_degraded(traffic.health_since(truncated + NOTICED_S), older, fresh.name, "file-size")


@pytest.mark.slow
def test_removing_the_index_folder_while_serving_fails_no_request(lexical_index: Path, tmp_path: Path) -> None:
    serving = current_snapshot(lexical_index).name
    server = Server(lexical_index, tmp_path / "server.log")
    try:
        with Traffic(server.base) as traffic:
            run_for(2)
            removed = time.monotonic()
            shutil.rmtree(lexical_index)
            run_for(3)
            rebuilt = time.monotonic()
            build(lexical_index)
            settled_from = time.monotonic() + NOTICED_S
            run_for(NOTICED_S + 1.5)
    finally:
        server.stop()
    assert traffic.failures() == [], traffic.failures()[:5]
    assert traffic.succeeded(since=removed) >= 40
    after_removal = [(s, b) for at, s, b in traffic.health if removed + NOTICED_S <= at < rebuilt]
    assert after_removal
    for status, body in after_removal:  # the same answer every time, from either worker
        assert status == 200 and body["degraded"] is True and body["snapshot"] == serving, body
        assert body["problems"] == [{"snapshot": None, "problem": "no-index"},
                                    {"snapshot": serving, "problem": "removed"}], body
    settled = traffic.health_since(settled_from)
    assert settled and all(s == 200 and "degraded" not in b for s, b in settled), settled  # a new index: all well


@pytest.mark.slow
def test_truncating_the_serving_engine_file_in_place(lexical_index: Path, tmp_path: Path) -> None:
    """Whoosh reads without memory maps: nothing fails. tantivy maps its files: a worker dies of SIGBUS,
    gunicorn starts another, which falls back; failures are confined to a moment."""
    older = current_snapshot(lexical_index).name
    serving = build(lexical_index)
    server = Server(lexical_index, tmp_path / "server.log")
    try:
        with Traffic(server.base) as traffic:
            run_for(2)
            truncated = time.monotonic()
            truncate(largest_engine_file(serving))
            run_for(3)
            failures = traffic.failures()
            if configured_engine() == "whoosh":
                # The last good snapshot broken too: what cannot be read is a 503 with Retry-After, never a 500.
                truncate(largest_engine_file(serving.with_name(older)))
                last_broken = time.monotonic()
                run_for(3)
        log = server.text()
    finally:
        server.stop()
    print(f"{configured_engine()}: {len(failures)} failed of {len(traffic.answers)}; "
          f"SIGBUS deaths: {log.count('SIGBUS')}; failures {[round(at - truncated, 2) for at, _, _ in failures]}")
    assert_degraded([(s, b) for at, s, b in traffic.health if truncated + 4 <= at < truncated + 6],
                    older, serving.name, "file-size")
    if configured_engine() == "whoosh":
        assert failures == [], failures[:5]
        assert all(status == 200 for at, status, _ in traffic.health if at < truncated + 6)
        assert "SIGBUS" not in log
        late = [(status, extra) for at, _, status, extra in traffic.answers if at >= last_broken]
        print(f"with no intact snapshot left: {sum(status == 503 for status, _ in late)} of {len(late)} answers 503")
        # A worker answers from the posting lists it already holds (the Whoosh postings cache); what it must
        # read from the broken files is a 503 with Retry-After, never a 500.
        assert late and all(status == 200 or (status == 503 and extra["headers"].get("Retry-After")
                                              and extra["body"]["status"] == 503)
                            for status, extra in late), [item for item in late if item[0] != 200][:3]
    else:
        assert all(at - truncated < 3 for at, _, _ in failures), failures
        assert all(status == 200 for at, status, _ in traffic.health if at >= truncated + 3)
        assert traffic.succeeded(since=truncated + 3) >= 40


def test_published_snapshots_are_read_only_and_list_their_file_sizes(lexical_index: Path) -> None:
    folder = current_snapshot(lexical_index)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    files = [p for p in folder.rglob("*") if p.is_file() and not re.search(r"(\.lock|WRITELOCK)$", p.name)]
    for path in files:
        assert path.stat().st_mode & 0o777 == 0o444, path
        name = path.relative_to(folder).as_posix()
        if name != "manifest.json":
            assert manifest["files"][name] == path.stat().st_size, name
    assert "vocabulary.tsv.gz" in manifest["files"] and any(n.startswith("engine/") for n in manifest["files"])
