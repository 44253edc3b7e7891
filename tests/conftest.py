"""Fixtures: the real corpus and a tiny test corpus, indexed for real into tmp folders."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, Page, sync_playwright

from indexer.build import build_snapshot
from indexer.corpus.readers import read_corpus
from indexer.engines.registry import configured_engine
from indexer.snapshot.reader import current_snapshot
from search_app.query.snapshot import OpenSnapshot, open_snapshot
from search_app.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
TEST_CORPUS = Path(__file__).parent / "data" / "corpus"
SHARED_DATA = ROOT.parent / "shared" / "data"
CHROMIUM = Path("/usr/bin/chromium")
# Tests that want search statistics configure their own file; the rest write none.
os.environ.setdefault("SOK_ANALYTICS_DB", "")
# Every index the tests build shares one embedding cache: a text is embedded once per clone.
os.environ.setdefault("SOK_EMBEDDING_CACHE", str(ROOT / "var" / "test-embedding-cache"))
# ...and one set of encoder files (built at first use), whichever cache a test's index uses.
os.environ.setdefault("SOK_ENCODER_FILES", str(ROOT / "var" / "test-embedding-cache" / "encoder"))


def pytest_report_header() -> str:
    return f"search engine: {configured_engine()} (SOK_ENGINE)"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """After the run: the modules past the soft size limit (usually two modules; the gate fails at 600 lines)."""
    from tests.test_architecture import SOFT_MAX_LINES, modules_over

    long = modules_over(SOFT_MAX_LINES)
    if long:
        terminalreporter.write_sep("-", f"modules over {SOFT_MAX_LINES} lines (split when they hold two ideas)")
        for name, lines in sorted(long.items()):
            terminalreporter.write_line(f"{name}: {lines} lines")


def build_index(corpus: Path, index_root: Path) -> Path:
    """Index every document of ``corpus`` into ``index_root``."""
    result = read_corpus(corpus)
    assert not result.problems, result.problems
    build_snapshot(index_root, result.documents, language_dir=corpus)
    return index_root


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real index of the product corpus (the seed pages)."""
    return build_index(CORPUS, tmp_path_factory.mktemp("seed-index"))


@pytest.fixture(scope="session")
def seed_snapshot(seed_index: Path) -> Iterator[OpenSnapshot]:
    snap = open_snapshot(current_snapshot(seed_index))
    yield snap
    snap.engine.close()


@pytest.fixture(scope="session")
def mixed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed pages plus the small test corpus (contacts, Markdown, hostile text)."""
    corpus = tmp_path_factory.mktemp("mixed-corpus")
    for source in (CORPUS, TEST_CORPUS):
        for path in source.iterdir():
            shutil.copy(path, corpus / path.name)
    return build_index(corpus, tmp_path_factory.mktemp("mixed-index"))


@pytest.fixture()
def counted(mixed_index: Path, tmp_path: Path) -> Iterator[tuple[Flask, Path]]:
    """The app over the mixed index, counting into its own statistics file: (app, that file)."""
    database = tmp_path / "analytics.sqlite"
    app = create_app({"TESTING": True, "INDEX_DIR": str(mixed_index), "ANALYTICS_DB": str(database),
                      "ADMIN_TOKEN": "hemlig-nyckel", "RATE_LIMIT_PER_MINUTE": 0})
    yield app, database
    app.extensions["sok_index"].close()


def stored(database: Path, table: str) -> list[tuple]:
    """Every row of ``table`` in a statistics file."""
    with sqlite3.connect(database) as connection:
        return connection.execute(f"SELECT * FROM {table}").fetchall()


@pytest.fixture()
def app(mixed_index: Path) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "INDEX_DIR": str(mixed_index)})
    yield app
    app.extensions["sok_index"].close()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _shared(folder: Path) -> Path:
    """A folder of ../shared, or one clear failure saying what is missing and where it belongs."""
    if not folder.is_dir():
        pytest.fail(f"{folder} is missing: these tests need the shared Swedish data sets (../shared, beside the "
                    "repository, as in CI); see the README's Evaluation section")
    return folder


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared Swedish data sets beside the repository (present in CI)."""
    return _shared(SHARED_DATA)


@pytest.fixture(scope="session")
def shared_seeds() -> Path:
    """The seed pages as the project received them (../shared/seeds)."""
    return _shared(SHARED_DATA.parent / "seeds")


@pytest.fixture()
def seed_client(seed_index: Path) -> Iterator[FlaskClient]:
    app = create_app({"TESTING": True, "INDEX_DIR": str(seed_index)})
    yield app.test_client()
    app.extensions["sok_index"].close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    """Wait until ``url`` answers; fail with the server's log if it exits. A server that does not answer in
    time is stopped before the test fails: a fixture failing before its ``yield`` never reaches its teardown."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
    raise AssertionError(f"{url} did not answer in {seconds} s: {log.read_text()[-2000:]}")


def sok_executable() -> str:
    return str(Path(sys.executable).parent / "sok")


LIVE_ADMIN_TOKEN = "test-nyckel"


class live_server_log:
    path: Path | None = None
    #: The live server's statistics file (its rows arrive when /admin/stats flushes the worker).
    analytics: Path | None = None


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`sok serve` running as its own process on a free loopback port."""
    folder = tmp_path_factory.mktemp("served")
    index, log, corpus = folder / "index", folder / "server.log", folder / "corpus"
    shutil.copytree(CORPUS, corpus)
    for path in TEST_CORPUS.iterdir():
        shutil.copy(path, corpus / path.name)
    subprocess.run([sok_executable(), "index", "--corpus", str(corpus), "--index", str(index)], check=True,
                   capture_output=True, cwd=ROOT)
    port = free_port()
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [sok_executable(), "serve", "--host", "127.0.0.1", "--port", str(port), "--index", str(index),
             "--workers", "1"],
            stdout=log_file, stderr=subprocess.STDOUT, cwd=ROOT,
            env={**os.environ, "SOK_RATE_LIMIT_PER_MINUTE": "0",  # the browser tests type fast
                 "SOK_ANALYTICS_DB": str(folder / "analytics.sqlite"), "SOK_ADMIN_TOKEN": LIVE_ADMIN_TOKEN},
        )
    base = f"http://127.0.0.1:{port}"
    live_server_log.path, live_server_log.analytics = log, folder / "analytics.sqlite"
    try:
        wait_for(base + "/healthz", process, log)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium saknas: installera Debian-paketet 'chromium' (.ci/run gör det)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    """A Swedish browser page that fails the test on any script error.

    Source pages outside this machine cannot be reached, so Tillväxtverket's
    page is answered locally when a test follows a result there.
    """
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route("https://tillvaxtverket.se/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<html lang='sv'><title>Tillväxtverket</title><p>ok</p></html>"))
    yield page
    context.close()
    assert not errors, errors
