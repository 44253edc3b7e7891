"""What citizens could not find: "Fick du svar på din fråga?" verdicts and unanswered questions, per week."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from flask import Flask

from search_app.cli import main
from search_app.web.analytics.stats import read_stats
from search_app.web.app import create_app
from tests.conftest import stored

#: A row of the searches table as a file written before questions had a language holds it.
SEARCH_ROW = "INSERT INTO searches (hour, surface, query, results, answered) VALUES "

TOKEN = {"Authorization": "Bearer hemlig-nyckel"}


def hour(days_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:00")


def week_label(days_ago: float) -> str:
    return f"v. {(datetime.now(UTC) - timedelta(days=days_ago)).isocalendar().week}"


def test_unanswered_and_unhelpful_questions_are_listed_with_counts_per_week(counted: tuple[Flask, Path]) -> None:
    app, database = counted
    client = app.test_client()
    with sqlite3.connect(database) as connection:  # written last week by an earlier run of the service
        connection.executemany(SEARCH_ROW + "(?, 'ask', ?, ?, 0)",
                               [(hour(7), "hur förnyar jag mitt pass", 2)] * 3 + [(hour(7), "var ligger badhuset", 0)])
        connection.execute("INSERT INTO feedback VALUES (?, ?, 0)", (hour(7), "när pågick utveckla svenska städer"))
    for _ in range(2):  # this week: asked again, no answer
        assert client.get("/api/ask", query_string={"q": "hur förnyar jag mitt pass"}).get_json()["answer"] is None
    assert client.get("/api/ask", query_string={"q": "när pågick utveckla svenska städer"}).get_json()["answer"]
    verdicts = [("när pågick utveckla svenska städer", False), ("när pågick utveckla svenska städer", False),
                ("vilka kommuner var pilotkommuner?", True)]
    for question, helpful in verdicts:
        assert client.post("/api/v1/feedback", json={"q": question, "helpful": helpful}).status_code == 204
    app.extensions["sok_analytics"].flush()

    missing = read_stats(database).missing
    assert missing.week_labels == [week_label(7), week_label(0)]
    assert [(row.query, row.total, row.per_week) for row in missing.unanswered] == [
        ("hur förnyar jag mitt pass", 5, (3, 2)), ("var ligger badhuset", 1, (1, 0))]
    assert (missing.unanswered[0].results or 0) >= 2 and missing.unanswered[1].results == 0  # 0: no page matched at all
    assert [(row.query, row.total, row.per_week) for row in missing.unhelpful] == [
        ("när pågick utveckla svenska städer", 3, (1, 2))]
    assert (missing.helpful, missing.not_helpful) == (1, 3)

    html = client.get("/admin/stats", headers=TOKEN).get_data(as_text=True)
    nej = html[html.index('id="svaret-nej"'):]
    assert f">{week_label(7)}</abbr>" in html and f">{week_label(0)}</abbr>" in html
    assert re.search(r"<td>när pågick utveckla svenska städer</td><td>3</td><td>1</td><td>2</td>", nej)
    utan = html[html.index('id="utan-svar"'):html.index('id="svaret-nej"')]
    assert re.search(r"<td>hur förnyar jag mitt pass</td><td>5</td><td>3</td><td>2</td><td>\d+</td>", utan)
    assert re.search(r"<td>var ligger badhuset</td><td>1</td><td>1</td><td>0</td><td>0</td>", utan)
    assert "vilka kommuner var pilotkommuner?" not in nej  # answered "Ja"
    assert "1 ja, 3 nej" in html

    printed = CliRunner().invoke(main, ["stats", "--db", str(database)])
    assert printed.exit_code == 0, printed.output
    output = printed.output
    assert "1 ja, 3 nej" in output
    without, nej_part = output.split('Frågor med svaret "Nej"')
    assert re.search(r"\s5\s+3\s+2\s+hur förnyar jag mitt pass", without.split("Frågor utan svar")[1])
    assert re.search(r"\s3\s+1\s+2\s+när pågick utveckla svenska städer", nej_part)
    assert f"{week_label(7):>7}{week_label(0):>7}" in output


def test_a_question_asked_through_a_shared_page_link_counts_as_unanswered_too(counted: tuple[Flask, Path]) -> None:
    app, database = counted
    client = app.test_client()
    with sqlite3.connect(database) as connection:  # a page search from before the page answered questions
        connection.execute(SEARCH_ROW + "(?, 'page', 'var ligger simhallen', 0, 0)", (hour(1),))
    for _ in range(2):  # a shared /?q= link nobody could answer, opened twice
        html = client.get("/", query_string={"q": "hur förnyar jag mitt pass"}).get_data(as_text=True)
        assert 'class="answer"' not in html
    assert 'class="answer"' in client.get("/", query_string={"q": "när pågick utveckla svenska städer"}).get_data(
        as_text=True)
    # A later page or a type filter shows results only: not asked as a question, so never "unanswered".
    client.get("/", query_string={"q": "hur förnyar jag mitt pass", "typ": "pdf"})
    client.get("/", query_string={"q": "stad", "sida": 2})
    app.extensions["sok_analytics"].flush()

    missing = read_stats(database).missing
    assert [(row.query, row.total) for row in missing.unanswered] == [("hur förnyar jag mitt pass", 2)]
    utan = client.get("/admin/stats", headers=TOKEN).get_data(as_text=True)
    assert re.search(r"<td>hur förnyar jag mitt pass</td><td>2</td>", utan)
    assert "när pågick utveckla svenska städer" not in utan.split('id="utan-svar"')[1].split('id="svaret-nej"')[0]


def test_the_page_without_javascript_sends_its_verdict_with_a_form(counted: tuple[Flask, Path]) -> None:
    app, database = counted
    client = app.test_client()
    question = "när pågick utveckla svenska städer"
    html = client.get("/", query_string={"q": question}).get_data(as_text=True)
    form = html[html.index('<form class="feedback feedback-form"'):]
    assert 'action="/svar"' in form and f'name="q" value="{question}"' in form
    assert 'name="svar" value="ja"' in form and 'name="svar" value="nej"' in form

    own_page = {"Origin": "http://localhost"}
    thanks = client.post("/svar", data={"q": question, "svar": "nej"}, headers=own_page)
    assert thanks.status_code == 200 and "Tack för ditt svar!" in thanks.get_data(as_text=True)
    assert "/?q=n%C3%A4r+p%C3%A5gick" in thanks.get_data(as_text=True)  # back to the question
    other_site = client.post("/svar", data={"q": question, "svar": "nej"}, headers={"Origin": "https://annan.se"})
    assert other_site.status_code == 403 and "Söks egna sidor" in other_site.get_data(as_text=True)
    wrong = client.post("/svar", data={"q": question, "svar": "kanske"}, headers=own_page)
    assert wrong.status_code == 400 and "Välj Ja eller Nej" in wrong.get_data(as_text=True)
    app.extensions["sok_analytics"].flush()
    assert stored(database, "feedback")[0][1:] == (question, 0)
    assert len(stored(database, "feedback")) == 1
    assert [row.query for row in read_stats(database).missing.unhelpful] == [question]


def test_a_follow_up_is_counted_with_the_question_it_follows(counted: tuple[Flask, Path]) -> None:
    app, database = counted
    client = app.test_client()
    earlier = ["vilka kommuner var pilotkommuner?"]
    asked = client.post("/api/v1/ask", json={"q": "och vem betalade för badhuset där?", "history": earlier})
    assert asked.get_json()["answer"] is None
    assert client.post("/api/v1/feedback", json={"q": "och när pågick det?", "history": earlier,
                                                  "helpful": False}).status_code == 204
    assert client.post("/api/v1/feedback", json={"q": "och när pågick det?", "history": "nej",
                                                  "helpful": False}).status_code == 400
    answered = client.post("/api/v1/ask", json={"q": "och när pågick det?", "history": earlier}).get_json()
    opened = answered["answer"]["url"]
    assert client.post("/api/v1/click", json={"q": "och när pågick det?", "url": opened,
                                               "history": earlier}).status_code == 204
    app.extensions["sok_analytics"].flush()
    # Stored without the "?" that ends each part: asked with or without one, it is one row for staff.
    in_context = "och när pågick det (följdfråga till: vilka kommuner var pilotkommuner)"
    assert [row[1] for row in stored(database, "clicks")] == [in_context]  # the click belongs to its search
    assert in_context in [row[2] for row in stored(database, "searches")]
    missing = read_stats(database).missing
    assert [row.query for row in missing.unanswered] == [
        "och vem betalade för badhuset där (följdfråga till: vilka kommuner var pilotkommuner)"]
    assert [row.query for row in missing.unhelpful] == [in_context]


def test_only_the_newest_eight_weeks_are_shown_but_the_total_counts_all(counted: tuple[Flask, Path]) -> None:
    _app, database = counted
    with sqlite3.connect(database) as connection:
        connection.executemany("INSERT INTO feedback VALUES (?, 'var finns blanketten', 0)",
                               [(hour(7 * weeks),) for weeks in range(12)])
    missing = read_stats(database).missing
    assert len(missing.weeks) == 8 and missing.week_labels[-1] == week_label(0)
    assert [(row.total, row.per_week) for row in missing.unhelpful] == [(12, (1,) * 8)]
    assert missing.unanswered == []


def test_a_statistics_file_from_before_the_verdicts_still_reads(tmp_path: Path) -> None:
    database = tmp_path / "old.sqlite"
    with sqlite3.connect(database) as connection:
        connection.executescript("CREATE TABLE searches (hour, surface, query, results, answered);"
                                 "CREATE TABLE clicks (hour, query, url);")
        connection.execute(SEARCH_ROW + "(?, 'ask', 'var ligger badhuset', 0, 0)", (hour(0),))
    stats = read_stats(database)
    assert [row.query for row in stats.missing.unanswered] == ["var ligger badhuset"]
    assert stats.missing.unhelpful == [] and stats.missing.not_helpful == 0


def test_a_verdict_needs_a_question_and_yes_or_no(counted: tuple[Flask, Path]) -> None:
    app, database = counted
    client = app.test_client()
    for body, parameter in [({"q": "bygglov"}, "helpful"), ({"q": "bygglov", "helpful": "nej"}, "helpful"),
                            ({"q": "bygglov", "helpful": 0}, "helpful"), ({"q": " ", "helpful": False}, "q"),
                            ({"helpful": False}, "q"), (["bygglov", False], "body")]:
        response = client.post("/api/v1/feedback", json=body)
        assert response.status_code == 400, body
        assert response.mimetype == "application/problem+json" and response.get_json()["parameter"] == parameter
    beacon = client.post("/api/feedback", data='{"q": "bygglov", "helpful": false}', content_type="text/plain")
    assert beacon.status_code == 204  # navigator.sendBeacon sends its body as text/plain
    app.extensions["sok_analytics"].flush()
    assert [(query, helpful) for _, query, helpful in stored(database, "feedback")] == [("bygglov", 0)]


def test_verdicts_from_other_web_pages_are_refused(counted: tuple[Flask, Path], mixed_index: Path) -> None:
    app, database = counted  # ALLOWED_ORIGINS is "*": any site may search, none may send verdicts
    client = app.test_client()
    body = {"q": "när pågick utveckla svenska städer", "helpful": False}
    evil = client.post("/api/v1/feedback", json=body, headers={"Origin": "https://ond.example"})
    assert evil.status_code == 403 and evil.get_json()["parameter"] == "Origin"
    assert "Access-Control-Allow-Origin" not in evil.headers
    preflight = client.options("/api/v1/feedback", headers={"Origin": "https://ond.example",
                                                            "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight.headers
    assert client.post("/api/v1/feedback", json=body, headers={"Origin": "null"}).status_code == 403
    assert client.post("/api/v1/feedback", json=body, headers={"Origin": "http://localhost"}).status_code == 204
    assert client.post("/api/v1/feedback", json=body).status_code == 204  # no web page: a script
    app.extensions["sok_analytics"].flush()
    assert read_stats(database).missing.not_helpful == 2

    named = create_app({"TESTING": True, "INDEX_DIR": str(mixed_index), "ANALYTICS_DB": str(database),
                        "ALLOWED_ORIGINS": "https://kommun.example, https://region.example",
                        "RATE_LIMIT_PER_MINUTE": 1, "RATE_LIMIT_BURST": 5})
    client = named.test_client()
    widget = client.post("/api/v1/feedback", json=body, headers={"Origin": "https://region.example"})
    assert widget.status_code == 204 and widget.headers["Access-Control-Allow-Origin"] == "https://region.example"
    assert client.post("/api/v1/feedback", json=body, headers={"Origin": "https://ond.example"}).status_code == 403
    statuses = [client.post("/api/v1/feedback", json=body).status_code for _ in range(4)]
    assert statuses[-1] == 429  # rate limited like every route (burst 5)
    named.extensions["sok_index"].close()


def test_verdicts_store_no_personal_details_and_are_deleted_after_the_retention(mixed_index: Path,
                                                                                tmp_path: Path) -> None:
    database = tmp_path / "analytics.sqlite"
    app = create_app({"TESTING": True, "INDEX_DIR": str(mixed_index), "ANALYTICS_DB": str(database),
                      "ANALYTICS_RETENTION_DAYS": 30, "RATE_LIMIT_PER_MINUTE": 0})
    client = app.test_client()
    with sqlite3.connect(database) as connection:  # written by an earlier run, one beyond the retention
        connection.executemany("INSERT INTO feedback VALUES (?, ?, 0)",
                               [(hour(31), "min gamla fråga"), (hour(29), "en nyare fråga")])
    asked = {"vem är kontaktperson? mejla anna.svensson@exempelby.se": "vem är kontaktperson? mejla [e-post]",
             "när pågick det? personnummer 19850101-1234": "när pågick det? personnummer [personnummer]",
             "ring 070-123 45 67 om bygglov": "ring [telefon] om bygglov"}
    for question in asked:
        response = client.post("/api/v1/feedback", json={"q": question, "helpful": False},
                               headers={"X-Forwarded-For": "203.0.113.9", "Cookie": "id=abc123"})
        assert response.status_code == 204 and "Set-Cookie" not in response.headers
    app.extensions["sok_analytics"].flush()
    rows = stored(database, "feedback")
    assert sorted(query for _, query, _ in rows) == sorted([*asked.values(), "en nyare fråga"])
    everything = " ".join(str(value) for row in rows for value in row)
    for secret in ("exempelby", "850101", "1234", "070", "203.0.113", "127.0.0.1", "abc123", "min gamla fråga"):
        assert secret not in everything, secret
    with sqlite3.connect(database) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(feedback)")]
    assert columns == ["hour", "query", "helpful"]
    app.extensions["sok_index"].close()
