"""The versioned API paths, the version header, and HTTP caching until the index changes."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from indexer.build import build_snapshot
from indexer.corpus.model import Document
from search_app.web.app import create_app


def test_every_api_path_also_lives_under_v1_with_the_version_header(client: FlaskClient) -> None:
    for path, query in (("/api/search", {"q": "pilotkommuner"}), ("/api/ask", {"q": "pilotkommuner"}),
                        ("/api/suggest", {"q": "pilot"}), ("/api/contacts", {})):
        old = client.get(path, query_string=query)
        new = client.get(path.replace("/api/", "/api/v1/"), query_string=query)
        assert old.status_code == new.status_code == 200, path
        assert old.get_json() == new.get_json(), path
        assert new.headers["Sok-Api-Version"] == "1"
    assert client.post("/api/v1/ask", json={"q": "pilotkommuner"}).status_code == 200


def test_a_conditional_request_is_answered_304_until_the_index_changes(tmp_path: Path) -> None:
    def page(text: str) -> Document:
        return Document(url="https://example.se/parker", title="Parker", text=text)

    build_snapshot(tmp_path, [page("Parkerna i Exempelby sköts av kommunen.")])
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path), "SNAPSHOT_CHECK_INTERVAL_S": 0})
    client = app.test_client()
    first = client.get("/api/search", query_string={"q": "parkerna"})
    tag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=60"
    again = client.get("/api/search", query_string={"q": "parkerna"}, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
    other = client.get("/api/search", query_string={"q": "kommunen"}, headers={"If-None-Match": tag})
    assert other.status_code == 200  # another question, another tag
    build_snapshot(tmp_path, [page("Parkerna i Exempelby sköts nu av en förening.")])
    changed = client.get("/api/search", query_string={"q": "parkerna"}, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert "förening" in changed.get_json()["results"][0]["text"]
    app.extensions["sok_index"].close()


def test_errors_and_posted_questions_are_not_stored(client: FlaskClient) -> None:
    error = client.get("/api/search", query_string={"q": ""})
    assert error.status_code == 400 and error.headers["Cache-Control"] == "no-store" and "ETag" not in error.headers
    posted = client.post("/api/ask", json={"q": "pilotkommuner"})
    assert posted.headers["Cache-Control"] == "no-store" and "ETag" not in posted.headers
