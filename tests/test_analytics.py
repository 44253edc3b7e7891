"""Search statistics for site owners: counted without addresses, shown to whoever holds the token."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from search_app.cli import main
from search_app.web.analytics.stats import read_stats
from search_app.web.app import create_app
from tests.conftest import stored

#: A row of the searches table as a file written before questions had a language holds it.
SEARCH_ROW = "INSERT INTO searches (hour, surface, query, results, answered) VALUES "

TILLVAXT = "https://www.lansstyrelsen.se/stockholm/foretag/samhalle-och-utveckling/tillvaxt.html"


def result_link(client: FlaskClient, query: str, **filters: object) -> str:
    """The deep link of the first result of ``query``, as the page and the widget get it."""
    results = client.get("/api/search", query_string={"q": query, **filters}).get_json()["results"]
    assert results, query
    return results[0]["url"]


def test_searches_answers_and_clicks_are_counted_and_nothing_that_names_a_person(counted: tuple[Flask, Path]) -> None:
    app, database = counted
    client = app.test_client()
    for _ in range(2):  # the second comes from the result cache and still counts
        client.get("/api/search", query_string={"q": "Pilotkommuner"}, headers={"X-Forwarded-For": "203.0.113.9"})
    client.get("/api/ask", query_string={"q": "vilka kommuner var pilotkommuner?"})
    client.get("/", query_string={"q": "xyzzyqvark"})
    link = client.get("/api/search", query_string={"q": "pilotkommuner"}).get_json()["results"][0]["url"]
    assert client.post("/api/click", json={"q": "pilotkommuner", "url": link}).status_code == 204
    app.extensions["sok_analytics"].flush()
    stats = read_stats(database)
    assert stats.searches == 5 and stats.clicks == 1
    top = {row.query: row for row in stats.top}
    assert top["pilotkommuner"].searches == 3 and top["pilotkommuner"].clicks == 1
    assert [row.query for row in stats.zero_results] == ["xyzzyqvark"]
    with sqlite3.connect(database) as connection:
        stored_text = " ".join(str(value) for table in ("searches", "clicks")
                               for row in connection.execute(f"SELECT * FROM {table}") for value in row)
        columns = [row[1] for table in ("searches", "clicks")
                   for row in connection.execute(f"PRAGMA table_info({table})")]
    assert "203.0.113" not in stored_text and "127.0.0.1" not in stored_text
    assert not [name for name in columns if name in ("ip", "address", "client", "cookie", "user")]


def test_a_click_needs_a_web_address(counted: tuple[Flask, Path]) -> None:
    app, _ = counted
    response = app.test_client().post("/api/click", json={"q": "bygglov", "url": "javascript:alert(1)"})
    assert response.status_code == 400 and response.get_json()["parameter"] == "url"


def test_a_click_counts_only_for_a_link_among_the_results_of_its_search(counted: tuple[Flask, Path]) -> None:
    app, database = counted
    client = app.test_client()
    link = result_link(client, "pilotkommuner")
    page = link.split("#", 1)[0]
    assert "#" in link  # a deep link: the page and a text fragment
    assert client.post("/api/click", json={"q": "pilotkommuner", "url": link}).status_code == 204
    filtered = result_link(client, "tillväxt", publisher="Länsstyrelsen Stockholm")  # the widget on one site
    assert client.post("/api/click", json={"q": "tillväxt", "url": filtered}).status_code == 204

    refused = [
        {"q": "pilotkommuner", "url": "https://x.se/sida"},  # not in the index at all
        {"q": "pilotkommuner", "url": page + "?" + "a" * (1990 - len(page))},  # 2 KB on a real page
        {"q": "xyzzyqvark", "url": link},  # a real result, but of another search
        {"q": "bygglov altan", "url": TILLVAXT},  # a page in the index that this search does not find
    ]
    for body in refused:
        response = client.post("/api/click", json=body)
        assert response.status_code == 404, body
        assert response.mimetype == "application/problem+json"
        problem = response.get_json()
        assert problem["parameter"] == "url" and "träffarna" in problem["detail"]

    app.extensions["sok_analytics"].flush()
    clicks = stored(database, "clicks")
    assert [(query, url) for _, query, url in clicks] == [("pilotkommuner", page), ("tillväxt", TILLVAXT)]
    assert read_stats(database).clicks == 2


def test_click_through_never_exceeds_100_percent(counted: tuple[Flask, Path]) -> None:
    app, database = counted
    client = app.test_client()
    link = result_link(client, "pilotkommuner")  # one search ...
    for _ in range(250):  # ... and its result opened 250 times
        assert client.post("/api/click", json={"q": "pilotkommuner", "url": link}).status_code == 204
    client.get("/api/search", query_string={"q": "bygglov"})  # a search nobody clicked
    app.extensions["sok_analytics"].flush()
    stats = read_stats(database)
    assert stats.searches == 2 and stats.clicks == 250
    assert stats.click_through == 0.5  # one of two searches was followed by a click
    assert {row.query: row.clicks for row in stats.top}["pilotkommuner"] == 1
    page = client.get("/admin/stats", headers={"Authorization": "Bearer hemlig-nyckel"}).get_data(as_text=True)
    assert "(50 % klick per sökning)" in page and "25000" not in page
    printed = CliRunner().invoke(main, ["stats", "--db", str(database)]).output
    assert "(50 % klick per sökning)" in printed and "12500" not in printed


def test_clicks_from_other_web_pages_are_refused(counted: tuple[Flask, Path], mixed_index: Path) -> None:
    app, database = counted  # ALLOWED_ORIGINS is "*": any site may search, none may count clicks
    client = app.test_client()
    link = result_link(client, "pilotkommuner")
    body = {"q": "pilotkommuner", "url": link}
    evil = client.post("/api/click", json=body, headers={"Origin": "https://ond.example"})
    assert evil.status_code == 403 and evil.get_json()["parameter"] == "Origin"
    assert "Söks egna sidor" in evil.get_json()["detail"]
    assert "Access-Control-Allow-Origin" not in evil.headers
    preflight = client.options("/api/click", headers={"Origin": "https://ond.example",
                                                      "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight.headers
    assert client.post("/api/click", json=body, headers={"Origin": "null"}).status_code == 403  # sandboxed frame
    assert client.post("/api/click", json=body, headers={"Origin": "http://localhost"}).status_code == 204  # Sök
    assert client.post("/api/click", json=body).status_code == 204  # no web page: a script, counted like any
    app.extensions["sok_analytics"].flush()
    assert read_stats(database).clicks == 2

    named = create_app({"TESTING": True, "INDEX_DIR": str(mixed_index), "ANALYTICS_DB": str(database),
                        "ALLOWED_ORIGINS": "https://kommun.example, https://region.example",
                        "RATE_LIMIT_PER_MINUTE": 1, "RATE_LIMIT_BURST": 5})
    client = named.test_client()
    widget = client.post("/api/click", json=body, headers={"Origin": "https://region.example"})
    assert widget.status_code == 204 and widget.headers["Access-Control-Allow-Origin"] == "https://region.example"
    assert client.post("/api/click", json=body, headers={"Origin": "https://ond.example"}).status_code == 403
    statuses = [client.post("/api/click", json=body).status_code for _ in range(4)]
    assert statuses[-1] == 429  # the rate limit per client applies as to every route (burst 5)
    named.extensions["sok_index"].close()


def test_personal_details_are_masked_before_a_question_is_stored(counted: tuple[Flask, Path]) -> None:
    app, database = counted
    client = app.test_client()
    asked = {
        "Mitt personnummer är 19850101-1234": "mitt personnummer är [personnummer]",
        "bygglov 850101-1234": "bygglov [personnummer]",
        "850101+1234 ansökan": "[personnummer] ansökan",
        "198501011234": "[personnummer]",
        "8501011234 skatt": "[personnummer] skatt",
        "samordningsnummer 850161-1234": "samordningsnummer [personnummer]",
        "kontakta Anna.Svensson@exempelby.se om bidrag": "kontakta [e-post] om bidrag",
        "ring 070-123 45 67": "ring [telefon]",
        "+46 70 123 45 67 bygglov": "[telefon] bygglov",
        "växel 08-123 456 78": "växel [telefon]",
        "0701234567": "[telefon]",
        "bygglov 2024": "bygglov 2024",
        "sfs 2010:110 tillväxt 2020-2024": "sfs 2010:110 tillväxt 2020-2024",
    }
    for question in asked:
        assert client.get("/api/search", query_string={"q": question}).status_code == 200
    long_question = "tillväxt " * 21 + "850101-1234"  # the number straddles the 200-character cut
    client.get("/", query_string={"q": long_question})
    client.get("/api/ask", query_string={"q": "vem har e-post anna@exempelby.se?"})
    link = result_link(client, "pilotkommuner 19850101-1234")
    assert client.post("/api/click", json={"q": "pilotkommuner 19850101-1234", "url": link}).status_code == 204
    app.extensions["sok_analytics"].flush()
    queries = [row[2] for row in stored(database, "searches")]
    for question, kept in asked.items():
        assert kept in queries, (question, queries)
    assert "vem har e-post [e-post]" in queries
    assert [query for _, query, _ in stored(database, "clicks")] == ["pilotkommuner [personnummer]"]
    everything = " ".join(str(value) for table in ("searches", "clicks") for row in stored(database, table)
                          for value in row)
    for secret in ("850101", "8501011234", "1234", "exempelby.se", "070", "123 45 67", "08-123", "850161"):
        assert secret not in everything, secret


def test_question_texts_older_than_the_retention_are_deleted_but_still_counted(mixed_index: Path,
                                                                               tmp_path: Path) -> None:
    database = tmp_path / "analytics.sqlite"
    app = create_app({"TESTING": True, "INDEX_DIR": str(mixed_index), "ANALYTICS_DB": str(database),
                      "ANALYTICS_RETENTION_DAYS": 30, "RATE_LIMIT_PER_MINUTE": 0})
    old = (datetime.now(UTC) - timedelta(days=31)).strftime("%Y-%m-%dT%H:00")
    recent = (datetime.now(UTC) - timedelta(days=29)).strftime("%Y-%m-%dT%H:00")
    with sqlite3.connect(database) as connection:  # written by an earlier run of the service
        connection.executemany(SEARCH_ROW + "(?, 'search', ?, 3, 0)",
                               [(old, "min gamla fråga"), (old, "min gamla fråga"), (recent, "en nyare fråga")])
        connection.executemany("INSERT INTO clicks VALUES (?, ?, ?)",
                               [(old, "min gamla fråga", TILLVAXT)] * 3)
    client = app.test_client()
    client.get("/api/search", query_string={"q": "tillväxt"})
    app.extensions["sok_analytics"].flush()
    everything = " ".join(str(value) for table in ("searches", "clicks") for row in stored(database, table)
                          for value in row)
    assert "min gamla fråga" not in everything
    assert "en nyare fråga" in everything and "tillväxt" in everything
    stats = read_stats(database)
    assert stats.searches == 4 and stats.clicks == 3  # the old ones still count, without their text
    assert stats.click_through == 0.5  # three clicks on two old searches count once each: 2 of 4 searches
    app.extensions["sok_index"].close()


def test_the_statistics_page_needs_the_token(counted: tuple[Flask, Path], mixed_index: Path) -> None:
    app, _ = counted
    client = app.test_client()
    client.get("/api/search", query_string={"q": "tillväxt"})
    assert client.get("/admin/stats").status_code == 401
    assert client.get("/admin/stats", headers={"Authorization": "Bearer fel"}).status_code == 401
    page = client.get("/admin/stats", headers={"Authorization": "Bearer hemlig-nyckel"})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "Vanligaste sökningarna" in html and "tillväxt" in html
    without = create_app({"TESTING": True, "INDEX_DIR": str(mixed_index)})  # no token configured
    assert without.test_client().get("/admin/stats", query_string={"token": ""}).status_code == 404
    without.extensions["sok_index"].close()


def test_sok_stats_prints_the_overview(counted: tuple[Flask, Path]) -> None:
    app, database = counted
    client = app.test_client()
    client.get("/api/search", query_string={"q": "bygglov"})
    client.get("/api/search", query_string={"q": "qqqzzzxx"})
    app.extensions["sok_analytics"].flush()
    result = CliRunner().invoke(main, ["stats", "--db", str(database)])
    assert result.exit_code == 0, result.output
    assert "2 sökningar" in result.output and "Utan träffar:" in result.output and "qqqzzzxx" in result.output
