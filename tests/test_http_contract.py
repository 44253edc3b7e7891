"""The HTTP contract at its edges: what gunicorn refuses, HEAD, weak ETags, 405, deep JSON, the error log."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from search_app.web import caching
from tests.conftest import ROOT, free_port, sok_executable, wait_for


def raw_request(port: int, data: bytes) -> tuple[str, dict[str, str], bytes]:
    """Send bytes as they are (no client library fixes them up); the status line, headers and body."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return status, headers, body


@pytest.fixture(scope="module")
def server(mixed_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    folder = tmp_path_factory.mktemp("contract-server")
    log, port = folder / "server.log", free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sok_executable(), "serve", "--port", str(port), "--workers", "1", "--index", str(mixed_index)],
            stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env={**os.environ, "SOK_RATE_LIMIT_PER_MINUTE": "0"})
    wait_for(f"http://127.0.0.1:{port}/healthz", process, log)
    yield port, log
    process.terminate()
    process.wait(timeout=20)


REFUSED = [
    ("raw UTF-8 in the query string", b"GET /api/search?q=tillv\xc3\xa4xt HTTP/1.1\r\nHost: x\r\n", 400,
     "procentkodas"),
    ("a 5 KB address", b"GET /api/search?q=" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n", 414, "för lång"),
    ("a 9 KB header", b"GET /api/search?q=a HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n", 431,
     "rubrikfält"),
    ("150 headers", b"GET /api/search?q=a HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(150)),
     431, "rubrikfält"),
]


@pytest.mark.parametrize(("what", "request_bytes", "status", "words"), REFUSED, ids=[r[0] for r in REFUSED])
def test_requests_gunicorn_refuses_get_swedish_problem_json(server: tuple[int, Path], what: str, request_bytes: bytes,
                                                            status: int, words: Any) -> None:
    port, log = server
    line, headers, body = raw_request(port, request_bytes + b"Connection: close\r\n\r\n")
    assert line.startswith(f"HTTP/1.1 {status} ")
    assert headers["content-type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["status"] == status and words in problem["detail"] and problem["detail_en"]
    # The error log names the kind of error, never the client's address or the request line.
    text = log.read_text()
    assert "ip=" not in text and "tillv" not in text and "aaaaaaaa" not in text


def test_head_carries_the_etag_and_cache_control_of_get(client: FlaskClient) -> None:
    got = client.get("/api/search?q=bredband")
    head = client.head("/api/search?q=bredband")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == got.headers["ETag"]
    assert head.headers["Cache-Control"] == got.headers["Cache-Control"]


def test_a_weak_if_none_match_gets_304(client: FlaskClient) -> None:
    tag = client.get("/api/ask?q=bredband").headers["ETag"]
    assert client.get("/api/ask?q=bredband", headers={"If-None-Match": f"W/{tag}"}).status_code == 304
    assert client.get("/api/ask?q=bredband", headers={"If-None-Match": f'W/"x", {tag}'}).status_code == 304
    assert client.get("/api/ask?q=bredband", headers={"If-None-Match": 'W/"other"'}).status_code == 200


def test_the_etag_changes_when_sok_is_upgraded_on_the_same_snapshot(client: FlaskClient,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    before = client.get("/api/search?q=bredband").headers["ETag"]
    monkeypatch.setattr(caching, "SOFTWARE_VERSION", "another-build")
    after = client.get("/api/search?q=bredband")
    assert after.headers["ETag"] != before
    assert client.get("/api/search?q=bredband", headers={"If-None-Match": before}).status_code == 200


def test_code_digest_covers_the_installed_code() -> None:
    assert caching.code_digest() == caching.SOFTWARE_VERSION and len(caching.SOFTWARE_VERSION) == 16


@pytest.mark.parametrize("path", ["/api/search?q=a", "/api/v1/ask", "/"])
def test_405_says_which_methods_are_allowed(client: FlaskClient, path: str) -> None:
    response = client.delete(path)
    assert response.status_code == 405
    allowed = {method.strip() for method in response.headers["Allow"].split(",")}
    assert "GET" in allowed and "DELETE" not in allowed
    assert ("POST" in allowed) == path.startswith("/api/v1/ask")


@pytest.mark.parametrize("path", ["/api/v1/ask", "/api/click", "/api/v1/feedback"])
def test_json_nested_a_thousand_levels_is_a_bad_request(client: FlaskClient, path: str) -> None:
    body = '{"q": ' + "[" * 1500 + "]" * 1500 + "}"
    response = client.post(path, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert (response.json or {})["parameter"] in ("body", "q")
