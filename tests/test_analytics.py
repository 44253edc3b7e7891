"""Search statistics for site owners: counted without addresses, shown to whoever holds the token."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from search_app import create_app
from search_app.analytics import read_stats
from search_app.cli import main


@pytest.fixture()
def counted(mixed_index, tmp_path):
    database = tmp_path / "analytics.sqlite"
    app = create_app({"TESTING": True, "INDEX_DIR": str(mixed_index), "ANALYTICS_DB": str(database),
                      "ADMIN_TOKEN": "hemlig-nyckel"})
    yield app, database
    app.extensions["sok_index"].close()


def test_searches_answers_and_clicks_are_counted_and_nothing_that_names_a_person(counted):
    app, database = counted
    client = app.test_client()
    for _ in range(2):  # the second comes from the result cache and still counts
        client.get("/api/search", query_string={"q": "Pilotkommuner"}, headers={"X-Forwarded-For": "203.0.113.9"})
    client.get("/api/ask", query_string={"q": "vilka kommuner var pilotkommuner?"})
    client.get("/", query_string={"q": "xyzzyqvark"})
    assert client.post("/api/click", json={"q": "pilotkommuner", "url": "https://x.se/sida"}).status_code == 204
    app.extensions["sok_analytics"].flush()
    stats = read_stats(database)
    assert stats.searches == 4 and stats.clicks == 1
    top = {row.query: row for row in stats.top}
    assert top["pilotkommuner"].searches == 2 and top["pilotkommuner"].clicks == 1
    assert [row.query for row in stats.zero_results] == ["xyzzyqvark"]
    with sqlite3.connect(database) as connection:
        stored = " ".join(str(value) for table in ("searches", "clicks")
                          for row in connection.execute(f"SELECT * FROM {table}") for value in row)
        columns = [row[1] for table in ("searches", "clicks")
                   for row in connection.execute(f"PRAGMA table_info({table})")]
    assert "203.0.113" not in stored and "127.0.0.1" not in stored
    assert not [name for name in columns if name in ("ip", "address", "client", "cookie", "user")]


def test_a_click_needs_a_web_address(counted):
    app, _ = counted
    response = app.test_client().post("/api/click", json={"q": "bygglov", "url": "javascript:alert(1)"})
    assert response.status_code == 400 and response.get_json()["parameter"] == "url"


def test_the_statistics_page_needs_the_token(counted, mixed_index):
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


def test_sok_stats_prints_the_overview(counted):
    app, database = counted
    client = app.test_client()
    client.get("/api/search", query_string={"q": "bygglov"})
    client.get("/api/search", query_string={"q": "qqqzzzxx"})
    app.extensions["sok_analytics"].flush()
    result = CliRunner().invoke(main, ["stats", "--db", str(database)])
    assert result.exit_code == 0, result.output
    assert "2 sökningar" in result.output and "Utan träffar:" in result.output and "qqqzzzxx" in result.output
