"""A build killed at any moment leaves the old index serving; broken inputs are named, not fatal."""

import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.snapshot.reader import current_snapshot
from search_app.cli import main
from search_app.query.search import search
from search_app.query.snapshot import open_snapshot
from tests.conftest import CORPUS, ROOT, free_port, sok_executable


@pytest.fixture(scope="module")
def many_pages(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """About 1,500 real pages, enough for a build that takes a few seconds."""
    path = tmp_path_factory.mktemp("pages") / "pages.jsonl"
    source = shared_data / "regeringen-se-pages" / "regeringen_part02.jsonl"
    with source.open(encoding="utf-8") as handle, path.open("w", encoding="utf-8") as out:
        for number, line in enumerate(handle):
            if number >= 1500:
                break
            out.write(line)
    return path


def test_kill_9_during_a_build_leaves_the_old_index_serving(tmp_path: Path, many_pages: Path) -> None:
    index = tmp_path / "index"
    subprocess.run([sok_executable(), "index", "--corpus", str(CORPUS), "--index", str(index)], check=True,
                   capture_output=True, cwd=ROOT)
    serving = current_snapshot(index)
    rng = random.Random(5)
    for delay in sorted(rng.uniform(0.3, 6.0) for _ in range(4)):
        process = subprocess.Popen(
            [sok_executable(), "index", "--corpus", str(CORPUS), "--jsonl", str(many_pages), "--index", str(index),
             "--force", "--no-semantic"],  # a real build every time; lexical: embedding 1,500 pages takes minutes
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, start_new_session=True)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGKILL)  # the writer's helper processes die too
        process.wait()
        if current_snapshot(index) != serving:
            serving = current_snapshot(index)  # the build had finished and swapped in before the kill
        snap = open_snapshot(current_snapshot(index))
        assert search(snap, "pilotkommuner").total >= 1
        snap.engine.close()
    finished = subprocess.run([sok_executable(), "index", "--corpus", str(CORPUS), "--jsonl", str(many_pages),
                               "--index", str(index), "--no-semantic"], capture_output=True, text=True, cwd=ROOT)
    assert finished.returncode == 0, finished.stderr
    snap = open_snapshot(current_snapshot(index))
    assert snap.manifest.documents > 1000
    snap.engine.close()


@pytest.mark.slow  # run once, in the Whoosh pass: the embedding cache is the same whichever engine (33 s)
def test_kill_9_while_embedding_keeps_the_old_index_and_what_was_embedded(tmp_path: Path, shared_data: Path) -> None:
    pages = tmp_path / "pages.jsonl"
    with (shared_data / "regeringen-se-pages" / "regeringen_part02.jsonl").open(encoding="utf-8") as handle:
        pages.write_text("".join(line for _, line in zip(range(40), handle, strict=False)), encoding="utf-8")
    index, cache = tmp_path / "index", tmp_path / "cache"
    env = {**os.environ, "SOK_EMBEDDING_CACHE": str(cache)}
    subprocess.run([sok_executable(), "index", "--corpus", str(CORPUS), "--index", str(index)], check=True,
                   capture_output=True, cwd=ROOT, env=env)
    serving = current_snapshot(index)
    build = [sok_executable(), "index", "--corpus", str(CORPUS), "--jsonl", str(pages), "--index", str(index)]
    process = subprocess.Popen(build, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=env,
                               start_new_session=True)
    database = next(cache.glob("*.sqlite"))
    before = _cached_rows(database)
    deadline = time.monotonic() + 120
    while _cached_rows(database) < before + 64 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.1)  # the first batch of the new pages is committed
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    kept = _cached_rows(database)
    assert kept >= before + 64
    assert current_snapshot(index) == serving  # killed while embedding: nothing was published
    snap = open_snapshot(serving)
    assert search(snap, "pilotkommuner").total >= 1
    snap.engine.close()
    finished = subprocess.run(build, capture_output=True, text=True, cwd=ROOT, env=env)
    assert finished.returncode == 0, finished.stderr
    counts = re.search(r"(\d+) enheter inbäddade, (\d+) från cachen", finished.stdout)
    assert counts, finished.stdout
    cached = int(counts.group(2))
    assert cached >= kept - before  # what the killed build embedded was not embedded again
    assert current_snapshot(index) != serving


def _cached_rows(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]


def test_serve_says_what_to_run_when_the_index_is_corrupt(tmp_path: Path) -> None:
    index = tmp_path / "index"
    subprocess.run([sok_executable(), "index", "--corpus", str(CORPUS), "--index", str(index)], check=True,
                   capture_output=True, cwd=ROOT)
    folder = current_snapshot(index)
    for part in (folder / "engine").iterdir():
        if part.is_file() and part.name != "engine.txt":  # every engine file, whichever engine wrote them
            part.write_bytes(b"\x00garbage")
    result = subprocess.run([sok_executable(), "serve", "--index", str(index), "--port", str(free_port())],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert "sok index" in lines[0]
    (folder / "manifest.json").write_text("{inte json")
    result = subprocess.run([sok_executable(), "serve", "--index", str(index), "--port", str(free_port())],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "sok index" in result.stderr


def test_every_broken_corpus_file_is_named_and_the_rest_indexed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    good = "---\ntitle: Bra sida\nurl: https://x.se/bra\n---\nInnehåll om cykelvägar.\n"
    (corpus / "bra.md").write_text(good, encoding="utf-8")
    (corpus / "kopia.md").write_text(good, encoding="utf-8")  # the same URL again
    (corpus / "latin1.md").write_bytes("---\ntitle: Fel\nurl: https://x.se/fel\n---\nInnehåll\n".encode("latin-1"))
    (corpus / "tom.md").write_bytes(b"")
    (corpus / "utan.md").write_text("Bara text.\n", encoding="utf-8")
    (corpus / "trasig.md").write_text("---\ntitle: [\nurl: x\n---\nText\n", encoding="utf-8")
    with (corpus / "stor.md").open("wb") as handle:
        handle.write(b"---\ntitle: Stor\nurl: https://x.se/stor\n---\n")
        handle.write(b"ord " * (50 * 1024 * 1024 // 4))
    runner = CliRunner()
    index = tmp_path / "index"
    result = runner.invoke(main, ["index", "--corpus", str(corpus), "--index", str(index)])
    assert result.exit_code == 0, result.output
    for name, reason in (("latin1.md", "UTF-8"), ("tom.md", "front matter"), ("utan.md", "front matter"),
                         ("trasig.md", "YAML"), ("stor.md", "större än"), ("kopia.md", "samma url")):
        line = next((line for line in result.output.splitlines() if name in line), "")
        assert reason in line, (name, result.output)
    assert "1 dokument" in result.output
    strict = runner.invoke(main, ["index", "--corpus", str(corpus), "--index", str(index), "--strict"])
    assert strict.exit_code == 1
    assert "problem (--strict)" in strict.output
    snap = open_snapshot(current_snapshot(index))
    assert search(snap, "cykelvägar").total == 1
    snap.engine.close()


def test_a_worker_starting_with_a_broken_current_falls_back_and_says_so(tmp_path: Path) -> None:
    from search_app.web.app import create_app

    index = tmp_path / "index"
    command = [sok_executable(), "index", "--corpus", str(CORPUS), "--index", str(index), "--no-semantic"]
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    older = current_snapshot(index)
    # A snapshot published before file sizes were recorded in the manifest still serves.
    manifest = json.loads((older / "manifest.json").read_text(encoding="utf-8"))
    del manifest["files"], manifest["checksums"]
    (older / "manifest.json").chmod(0o644)
    (older / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    subprocess.run([*command, "--force"], check=True, capture_output=True, cwd=ROOT)
    newest = current_snapshot(index)
    vocabulary = newest / "vocabulary.tsv.gz"
    vocabulary.chmod(0o644)
    os.truncate(vocabulary, vocabulary.stat().st_size // 2)

    client = create_app({"TESTING": True, "INDEX_DIR": str(index)}).test_client()
    health = client.get("/healthz")
    body = health.get_json()
    assert health.status_code == 200 and body["degraded"] is True and body["fallback"] is True
    assert body["snapshot"] == older.name and body["problems"] == [{"snapshot": newest.name, "problem": "file-size"}]
    assert client.get("/api/search?q=tillväxt").get_json()["total"] > 0

    for part in (older / "engine").iterdir():  # now no snapshot is good: 503, never 500
        if part.is_file() and part.name != "engine.txt":
            part.chmod(0o644)
            part.write_bytes(b"\x00trasig")
    client = create_app({"TESTING": True, "INDEX_DIR": str(index)}).test_client()
    for path in ("/healthz", "/api/search?q=tillväxt", "/api/ask?q=vad+är+tillväxt"):
        response = client.get(path)
        assert response.status_code == 503 and response.mimetype == "application/problem+json", path
        assert response.headers["Retry-After"] and response.get_json()["title"] == "Search index unavailable"
