"""web/caching.py: the per-worker result cache (repeated questions answered from memory, never from an old index)
and HTTP caching (ETag and Cache-Control until the index changes)."""

import random
import zlib
from pathlib import Path

from flask.testing import FlaskClient

from indexer.build import build_snapshot
from indexer.corpus.model import Document
from indexer.language.memo import DICT_SLOT_BYTES, entry_bytes
from search_app.web.app import create_app
from search_app.web.caching import ResultCache


def test_a_repeated_question_is_answered_from_the_cache_with_the_same_body(client: FlaskClient) -> None:
    first = client.get("/api/ask", query_string={"q": "vilka kommuner var pilotkommuner?"})
    second = client.get("/api/ask", query_string={"q": "vilka kommuner var pilotkommuner?"})
    assert (first.headers["X-Sok-Cache"], second.headers["X-Sok-Cache"]) == ("miss", "hit")
    assert first.get_json() == second.get_json()
    assert first.get_json()["answer"] is not None
    other = client.get("/api/ask", query_string={"q": "när pågick satsningen?"})
    assert other.headers["X-Sok-Cache"] == "miss"
    limited = client.get("/api/search", query_string={"q": "pilotkommuner", "limit": 1})
    wider = client.get("/api/search", query_string={"q": "pilotkommuner", "limit": 3})
    assert wider.headers["X-Sok-Cache"] == "miss"  # the parameters are part of the key
    assert len(limited.get_json()["results"]) == 1 and len(wider.get_json()["results"]) > 1


def test_a_new_snapshot_is_never_answered_from_the_old_ones_cache(tmp_path: Path) -> None:
    def page(text: str) -> Document:
        return Document(url="https://example.se/cykel", title="Cykelvägar", text=text)

    build_snapshot(tmp_path, [page("Cykelvägen till skolan byggs under 2025.")])
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path), "SNAPSHOT_CHECK_INTERVAL_S": 0})
    client = app.test_client()
    before = client.get("/api/search", query_string={"q": "cykelvägen"}).get_json()
    assert "2025" in before["results"][0]["text"]
    build_snapshot(tmp_path, [page("Cykelvägen till skolan blev klar 2027.")])
    after = client.get("/api/search", query_string={"q": "cykelvägen"})
    assert after.headers["X-Sok-Cache"] == "miss"
    assert "2027" in after.get_json()["results"][0]["text"]
    app.extensions["sok_index"].close()


def test_the_cache_can_be_switched_off(mixed_index: Path) -> None:
    app = create_app({"TESTING": True, "INDEX_DIR": str(mixed_index), "RESULT_CACHE_MB": 0})
    client = app.test_client()
    for _ in range(2):
        assert client.get("/api/ask", query_string={"q": "pilotkommuner"}).headers["X-Sok-Cache"] == "miss"
    app.extensions["sok_index"].close()


def test_the_least_recently_used_answer_leaves_first_and_partial_answers_are_not_kept() -> None:
    def body(key: str, size: int = 200) -> bytes:  # bytes that do not compress
        return random.Random(key).randbytes(size)

    stored = len(zlib.compress(body("a"), 1)) + entry_bytes("a") + DICT_SLOT_BYTES  # an entry counts its key too
    cache = ResultCache(max_bytes=2 * stored + 10)
    snapshot = Path("/index/snapshots/a")
    for key in ("a", "b"):
        cache.put(snapshot, key, body(key))
    assert cache.get(snapshot, "a") == body("a")  # now "b" is the least recently used
    cache.put(snapshot, "c", body("c"))
    assert cache.get(snapshot, "b") is None
    assert cache.get(snapshot, "a") == body("a") and cache.get(snapshot, "c") == body("c")
    cache.put(snapshot, "huge", body("x", 600))  # larger than the whole cache: not kept, nothing dropped
    assert cache.get(snapshot, "huge") is None and cache.get(snapshot, "a") is not None
    kept, hit = cache.cached(snapshot, "partial", lambda: (b"cut short", False))
    assert (kept, hit) == (b"cut short", False)
    assert cache.get(snapshot, "partial") is None


def test_long_keys_count_against_the_cache_size() -> None:
    """A chat's key holds its question and history (up to 5.5 KB): 2,000 of them with tiny bodies stay
    within the cache's bytes (the keys were not counted: 11 MB for a cache of 64 KB)."""
    cache = ResultCache(max_bytes=64 * 1024)
    snapshot = Path("/index/snapshots/a")
    for n in range(2_000):
        cache.put(snapshot, ("ask", f"fråga {n}", tuple(f"{n} {'ä' * 497}" for _ in range(10)), None), b"{}")
    assert cache.size_bytes <= 64 * 1024
    kept = sum(cache.get(snapshot, ("ask", f"fråga {n}", tuple(f"{n} {'ä' * 497}" for _ in range(10)), None))
               is not None for n in range(2_000))
    assert 0 < kept <= 64 * 1024 // (10 * 500)


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
