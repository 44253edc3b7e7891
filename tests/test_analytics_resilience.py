"""The statistics file deleted, replaced or locked: no search fails, and the rows arrive once it can be written."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from search_app.web.analytics.stats import read_stats
from search_app.web.analytics.writer import Analytics
from search_app.web.app import create_app
from tests.conftest import CORPUS, ROOT, free_port, sok_executable, wait_for


@pytest.fixture()
def counted(mixed_index: Path, tmp_path: Path) -> Iterator[tuple[Flask, Path]]:
    database = tmp_path / "analytics.sqlite"
    app = create_app({"TESTING": True, "INDEX_DIR": str(mixed_index), "ANALYTICS_DB": str(database),
                      "RATE_LIMIT_PER_MINUTE": 0})
    yield app, database
    app.extensions["sok_index"].close()


def stored_queries(database: Path) -> list[str]:
    with sqlite3.connect(database) as connection:
        return [query for (query,) in connection.execute("SELECT query FROM searches")]


def test_a_locked_file_fails_no_search_and_loses_no_row(counted: tuple[Flask, Path]) -> None:
    app, database = counted
    client = app.test_client()
    lock = sqlite3.connect(database, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")  # another program holds the file
    try:
        for number in range(60):  # more than one batch, so a write is tried while it is locked
            assert client.get("/api/search", query_string={"q": f"tillväxt {number}"}).status_code == 200
        started = time.monotonic()
        assert app.extensions["sok_analytics"].flush() is False  # kept, not lost, and no long wait
        assert time.monotonic() - started < 1
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert app.extensions["sok_analytics"].flush() is True
    assert sorted(stored_queries(database)) == sorted(f"tillväxt {number}" for number in range(60))


def test_a_deleted_file_is_made_again_with_its_schema(counted: tuple[Flask, Path]) -> None:
    app, database = counted
    client = app.test_client()
    client.get("/api/search", query_string={"q": "före"})
    app.extensions["sok_analytics"].flush()
    database.unlink()
    client.get("/api/search", query_string={"q": "efter"})
    link = client.get("/api/search", query_string={"q": "pilotkommuner"}).get_json()["results"][0]["url"]
    assert client.post("/api/click", json={"q": "pilotkommuner", "url": link}).status_code == 204
    assert app.extensions["sok_analytics"].flush() is True
    assert stored_queries(database) == ["efter", "pilotkommuner"]
    assert read_stats(database).clicks == 1


def test_a_file_replaced_by_another_database_gets_its_tables(counted: tuple[Flask, Path]) -> None:
    app, database = counted
    client = app.test_client()
    database.unlink()
    sqlite3.connect(database).close()  # an empty database put in its place
    client.get("/api/search", query_string={"q": "bygglov"})
    assert app.extensions["sok_analytics"].flush() is True
    assert stored_queries(database) == ["bygglov"]


def test_the_buffer_is_bounded_and_counts_the_rows_it_drops(tmp_path: Path) -> None:
    folder = tmp_path / "statistics"
    folder.mkdir()
    database = folder / "analytics.sqlite"
    database.mkdir()  # a directory where the file should be: nothing can be written
    analytics = Analytics(database, max_rows=100)
    for number in range(150):
        analytics.search("search", f"fråga {number}", 1)
    assert analytics.flush() is False
    assert analytics.buffered == 100 and analytics.dropped == 50  # the oldest went
    database.rmdir()
    assert analytics.flush() is True
    assert sorted(stored_queries(database)) == sorted(f"fråga {number}" for number in range(50, 150))


@pytest.mark.slow
def test_deleting_and_locking_the_file_under_load_fails_no_request(tmp_path: Path) -> None:
    """A real `sok serve` with two workers and a steady stream of searches and clicks."""
    index, database, log = tmp_path / "index", tmp_path / "analytics.sqlite", tmp_path / "server.log"
    subprocess.run([sok_executable(), "index", "--corpus", str(CORPUS), "--index", str(index)], check=True,
                   capture_output=True, cwd=ROOT)
    port = free_port()
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [sok_executable(), "serve", "--port", str(port), "--workers", "2", "--index", str(index)],
            stdout=log_file, stderr=subprocess.STDOUT, cwd=ROOT,
            env={**os.environ, "SOK_RATE_LIMIT_PER_MINUTE": "0", "SOK_ANALYTICS_DB": str(database)})
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", server, log)
        with urllib.request.urlopen(base + "/api/search?q=pilotkommuner") as response:
            link = json.load(response)["results"][0]["url"]
        phase = ["före"]
        sent: dict[str, list[str]] = {}
        failures: list[str] = []
        stop = threading.Event()

        def stream(worker: int) -> None:
            number = 0
            while not stop.is_set():
                number += 1
                label = phase[0]
                query = f"tillväxt {label} {worker} {number}"
                requests = [
                    urllib.request.Request(f"{base}/api/search?" + urllib.parse.urlencode({"q": query})),
                    urllib.request.Request(f"{base}/?" + urllib.parse.urlencode({"q": "pilotkommuner"})),
                    urllib.request.Request(f"{base}/api/click", method="POST",
                                           data=json.dumps({"q": "pilotkommuner", "url": link}).encode(),
                                           headers={"Content-Type": "text/plain;charset=UTF-8"}),
                ]
                for request in requests:
                    try:
                        with urllib.request.urlopen(request, timeout=30) as response:
                            response.read()
                    except (urllib.error.URLError, OSError) as error:
                        failures.append(f"{request.full_url}: {error}")
                sent.setdefault(label, []).append(query)

        threads = [threading.Thread(target=stream, args=(worker,)) for worker in range(3)]
        for thread in threads:
            thread.start()
        time.sleep(2)
        database.unlink()  # deleted under load
        phase[0] = "raderad"
        time.sleep(3)
        lock = sqlite3.connect(database, timeout=10, isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")  # locked under load, for longer than a flush interval
        phase[0] = "låst"
        time.sleep(7)
        lock.execute("ROLLBACK")
        lock.close()
        phase[0] = "upplåst"
        time.sleep(2)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

        assert not failures, failures[:5]
        assert len(sent["låst"]) >= 10, {name: len(queries) for name, queries in sent.items()}
        expected = {query for name in ("raderad", "låst", "upplåst") for query in sent[name]}
        deadline = time.monotonic() + 30
        missing = expected
        while missing and time.monotonic() < deadline:
            time.sleep(0.5)
            try:
                missing = expected - set(stored_queries(database))
            except sqlite3.Error:
                continue
        assert not missing, f"{len(missing)} of {len(expected)} searches never arrived"
        stats = read_stats(database)
        assert stats.clicks >= len(sent["låst"]) and 0 < stats.click_through <= 1
        assert "cannot write" in log.read_text()  # the site owner's log says why the rows waited
    finally:
        server.terminate()
        server.wait(timeout=30)
