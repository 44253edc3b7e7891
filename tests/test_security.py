"""Security headers, rate limits, body limits, time limits and privacy."""

import json
import time
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from indexer.budgets import ADMIN_FAILURES_PER_MINUTE
from indexer.build import SemanticOptions, build_snapshot
from indexer.corpus.model import Document
from search_app.web.app import create_app
from search_app.web.security import RateLimiter


def test_html_responses_carry_a_strict_content_security_policy(client: FlaskClient) -> None:
    for path in ("/", "/?q=pilotkommuner", "/demo", "/finns-inte"):
        response = client.get(path)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'self'" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_json_responses_are_nosniff_and_no_response_sets_a_cookie(client: FlaskClient) -> None:
    for path in ("/api/search?q=tillväxt", "/api/ask?q=tillväxt", "/api/suggest?q=till", "/healthz", "/"):
        response = client.get(path)
        assert "Set-Cookie" not in response.headers
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_frame_ancestors_is_configurable(mixed_index: Path) -> None:
    app = create_app({"TESTING": True, "INDEX_DIR": str(mixed_index), "FRAME_ANCESTORS": "https://kommun.example"})
    assert "frame-ancestors https://kommun.example" in app.test_client().get("/").headers["Content-Security-Policy"]
    app.extensions["sok_index"].close()


def test_rate_limit_answers_429_with_retry_after(mixed_index: Path) -> None:
    app = create_app({"TESTING": True, "INDEX_DIR": str(mixed_index), "RATE_LIMIT_PER_MINUTE": 60,
                      "RATE_LIMIT_BURST": 3})
    client = app.test_client()
    statuses = [client.get("/api/search?q=tillväxt").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/search?q=tillväxt")
    assert limited.headers["Retry-After"] == "1"
    assert "För många förfrågningar" in limited.get_json()["detail"]
    page = client.get("/?q=tillväxt")
    assert page.status_code == 429 and "För många förfrågningar" in page.get_data(as_text=True)
    app.extensions["sok_index"].close()


def test_token_bucket_refills_over_time() -> None:
    limiter = RateLimiter(per_minute=60, burst=2)
    assert [limiter.wait_s("a", now=0.0) for _ in range(3)] == [0.0, 0.0, pytest.approx(1.0)]
    assert limiter.wait_s("b", now=0.0) == 0.0  # clients are counted apart
    assert limiter.wait_s("a", now=1.5) == 0.0


def test_request_body_limit(client: FlaskClient) -> None:
    response = client.post("/api/ask", data=json.dumps({"q": "x" * 20_000}), content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["detail"] == "Förfrågan är för stor."


def test_a_slow_query_returns_what_was_found_marked_partial(tmp_path: Path) -> None:
    """Whoosh stops at the time limit and says so; tantivy has no limit to apply and always finishes."""
    words = [f"ord{i}" for i in range(300)]
    documents = [
        Document(url=f"https://example.se/{n}", title=f"Sida {n}",
                 text=" ".join(words[(n * 7 + k) % 300] for k in range(120)) + " gemensam text här.")
        for n in range(1500)
    ]
    build_snapshot(tmp_path, documents, semantic=SemanticOptions(enabled=False))  # the engine's limit is tested here
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path), "QUERY_TIMEOUT_MS": 0.001})
    body = app.test_client().get("/api/search", query_string={"q": " ".join(words[:60]) + " gemensam"}).get_json()
    if app.extensions["sok_index"].get().engine.honours_time_limit:
        assert body["partial"] is True
        assert body["total"] < 1500
    else:
        assert body["partial"] is False and body["total"] == 1500
    relaxed = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path)})
    full = relaxed.test_client().get("/api/search", query_string={"q": "gemensam"}).get_json()
    assert full["partial"] is False and full["total"] == 1500
    app.extensions["sok_index"].close()
    relaxed.extensions["sok_index"].close()


def test_access_log_keeps_no_client_address(live_server: str) -> None:
    import urllib.request

    from tests.conftest import live_server_log

    with urllib.request.urlopen(live_server + "/api/search?q=tillv%C3%A4xt&privacy=1", timeout=10) as response:
        assert "Set-Cookie" not in response.headers
    deadline = time.monotonic() + 10  # gunicorn writes the access line after the response
    assert live_server_log.path is not None
    while "GET /api/search" not in (log := live_server_log.path.read_text()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "GET /api/search" in log
    for own_address in ("Listening at: http://127.0.0.1", "Sök svarar på http://127.0.0.1"):  # the server itself
        log = log.replace(own_address, "")
    assert "127.0.0.1" not in log


def test_behind_a_proxy_each_forwarded_client_has_its_own_rate_limit(mixed_index: Path) -> None:
    limits = {"TESTING": True, "INDEX_DIR": str(mixed_index), "RATE_LIMIT_PER_MINUTE": 60, "RATE_LIMIT_BURST": 2}
    proxied = create_app({**limits, "PROXY_COUNT": 1}).test_client()
    for client in ("203.0.113.1", "203.0.113.2"):
        statuses = [proxied.get("/healthz", headers={"X-Forwarded-For": client}).status_code for _ in range(3)]
        assert statuses == [200, 200, 429], client
    # Without a configured proxy the header is not trusted: a client cannot dodge its limit with it.
    direct = create_app(limits).test_client()
    statuses = [direct.get("/healthz", headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code for n in range(3)]
    assert statuses == [200, 200, 429]


def test_other_host_names_get_400_and_links_name_the_configured_host(mixed_index: Path) -> None:
    """`Host: evil.example` made /demo's embed snippet load http://evil.example/widget.js, and a 308 point there."""
    app = create_app({"TESTING": True, "INDEX_DIR": str(mixed_index), "ALLOWED_HOSTS": "sok.example.se"})
    client = app.test_client()
    evil = {"Host": "evil.example"}
    api = client.get("/api/search", query_string={"q": "tillväxt"}, headers=evil)
    assert api.status_code == 400 and api.mimetype == "application/problem+json"
    assert api.get_json()["parameter"] == "Host" and api.get_json()["detail"]
    for path in ("/", "/demo", "/widget.js"):
        page = client.get(path, headers=evil)
        assert page.status_code == 400 and "<html lang=\"sv\">" in page.get_data(as_text=True), path
        assert "evil.example" not in page.get_data(as_text=True)
    own = {"Host": "sok.example.se"}
    assert 'src="http://sok.example.se/widget.js"' in client.get("/demo", headers=own).get_data(as_text=True)
    moved = client.get("http://sok.example.se//demo")  # Werkzeug redirects a path with doubled slashes
    assert moved.status_code == 308 and moved.headers["Location"].startswith("http://sok.example.se/")
    assert moved.headers["Cache-Control"] == "no-store"
    assert client.get("http://evil.example//demo").status_code == 400
    assert client.get("/healthz", headers={"Host": "10.0.0.7:8000"}).status_code == 200  # a load balancer's probe
    app.extensions["sok_index"].close()


def test_without_trusted_hosts_only_this_machines_names_are_answered(mixed_index: Path) -> None:
    app = create_app({"TESTING": True, "INDEX_DIR": str(mixed_index)})
    client = app.test_client()
    for host in ("localhost", "localhost:8000", "127.0.0.1:5000", "[::1]:8000", "LOCALHOST"):
        assert client.get("/demo", headers={"Host": host}).status_code == 200, host
    for host in ("evil.example", "localhost.evil.example", "127.0.0.1.nip.io", "a b", "localhost:99999"):
        assert client.get("/demo", headers={"Host": host}).status_code == 400, host
    anywhere = create_app({"TESTING": True, "INDEX_DIR": str(mixed_index), "ALLOWED_HOSTS": "*"}).test_client()
    assert anywhere.get("/demo", headers={"Host": "sok.example.se"}).status_code == 200
    app.extensions["sok_index"].close()


def test_forwarded_headers_count_only_from_configured_proxies(mixed_index: Path, live_server: str) -> None:
    """With PROXY_COUNT=0, X-Forwarded-Proto made the served embed snippet say https (gunicorn trusted 127.0.0.1)."""
    import urllib.request

    forged = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example", "X-Forwarded-Port": "443"}
    with urllib.request.urlopen(urllib.request.Request(live_server + "/demo", headers=forged), timeout=10) as page:
        assert f'src="{live_server}/widget.js"' in page.read().decode()
    proxied = create_app({"TESTING": True, "INDEX_DIR": str(mixed_index), "PROXY_COUNT": 1,
                          "ALLOWED_HOSTS": "sok.example.se"})
    client = proxied.test_client()
    through = client.get("/demo", headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "sok.example.se"})
    assert 'src="https://sok.example.se/widget.js"' in through.get_data(as_text=True)
    assert client.get("/demo", headers={"X-Forwarded-Host": "evil.example"}).status_code == 400
    proxied.extensions["sok_index"].close()


def test_the_statistics_token_is_read_from_the_header_only_and_guesses_are_limited(mixed_index: Path) -> None:
    """The token in ?token= (kept by access logs) opened the page; "bearer" in lower case did not; wrong
    tokens were limited only by the shared rate limit (about 240 guesses a minute)."""
    app = create_app({"TESTING": True, "INDEX_DIR": str(mixed_index), "ADMIN_TOKEN": "hemlig-nyckel",
                      "ANALYTICS_DB": "", "RATE_LIMIT_PER_MINUTE": 0, "PROXY_COUNT": 1})
    client = app.test_client()

    def stats(token: str = "", scheme: str = "Bearer", who: str = "203.0.113.4", query: str = "") -> TestResponse:
        headers = {"X-Forwarded-For": who} | ({"Authorization": f"{scheme} {token}"} if token else {})
        return client.get("/admin/stats" + query, headers=headers)

    assert stats(token="hemlig-nyckel").status_code == 200
    assert stats(token="fel", scheme="Basic").status_code == 401
    assert stats(token="hemlig-nyckel").status_code == 200
    for scheme in ("bearer", "BEARER"):
        assert stats(token="hemlig-nyckel", scheme=scheme).status_code == 200
    guesses = [stats(token=f"gissning-{n}").status_code for n in range(ADMIN_FAILURES_PER_MINUTE)]
    assert guesses == [401] * (ADMIN_FAILURES_PER_MINUTE - 1) + [429]  # the Basic one counted too
    locked = stats(token="hemlig-nyckel")
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) >= 1
    assert stats(token="hemlig-nyckel", who="203.0.113.5").status_code == 200  # other clients go on
    assert stats(who="203.0.113.6", token="hemlig-nyckel", scheme="Token").status_code == 401
    assert stats(who="203.0.113.8", query="?token=hemlig-nyckel").status_code == 401  # never from the address
    app.extensions["sok_index"].close()
