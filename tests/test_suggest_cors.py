"""Search-as-you-type completions, the publisher filter and CORS for the widget."""
from pathlib import Path

from flask.testing import FlaskClient


def test_suggest_completes_headings_and_words(client: FlaskClient) -> None:
    body = client.get("/api/suggest?q=komp").get_json()
    texts = [s["text"] for s in body["suggestions"]]
    kinds = {s["kind"] for s in body["suggestions"]}
    assert "word" in kinds
    assert any(t.startswith("kompetens") for t in texts)
    headings = client.get("/api/suggest?q=stärkt lok").get_json()["suggestions"]
    assert headings[0] == {"text": "Stärkt lokal attraktionskraft", "kind": "heading",
                           "url": "https://tillvaxtverket.se/amnesomraden/regional-kapacitet/"
                                  "tillvaxtskapande-samhallsplanering/det-har-har-vi-gjort-tidigare.html"}


def test_suggest_needs_a_query(client: FlaskClient) -> None:
    assert client.get("/api/suggest?q=").status_code == 400
    assert client.get("/api/suggest?q=zzzzq").get_json()["suggestions"] == []


def test_publisher_filter(client: FlaskClient) -> None:
    everything = client.get("/api/search?q=tillväxt&limit=50").get_json()["results"]
    assert {r["publisher"] for r in everything} >= {"Tillväxtverket", "Länsstyrelsen Stockholm"}
    only = client.get("/api/search", query_string={"q": "tillväxt", "publisher": "Tillväxtverket",
                                                   "limit": 50}).get_json()["results"]
    assert only and {r["publisher"] for r in only} == {"Tillväxtverket"}
    asked = client.get("/api/ask", query_string={"q": "vilka kommuner var pilotkommuner",
                                                 "publisher": "Länsstyrelsen Stockholm"}).get_json()
    assert all(p["publisher"] == "Länsstyrelsen Stockholm" for p in asked["passages"])


def test_cors_allows_any_origin_by_default(client: FlaskClient) -> None:
    response = client.get("/api/search?q=tillväxt", headers={"Origin": "https://kommun.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/api/ask", headers={"Origin": "https://kommun.example",
                                                    "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Headers"] == "Content-Type"


def test_cors_with_a_configured_list(mixed_index: Path) -> None:
    from search_app.web.app import create_app

    app = create_app({"TESTING": True, "INDEX_DIR": str(mixed_index),
                      "ALLOWED_ORIGINS": "https://a.example, https://b.example"})
    client = app.test_client()
    allowed = client.get("/api/search?q=x", headers={"Origin": "https://b.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://b.example"
    assert "Origin" in allowed.headers["Vary"]
    denied = client.get("/api/search?q=x", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in denied.headers
    assert "Access-Control-Allow-Origin" not in client.get("/").headers
    app.extensions["sok_index"].close()
