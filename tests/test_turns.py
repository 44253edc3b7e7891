"""The page's turns as the server renders them (with and without JavaScript), its empty and error states, the
accessibility statement, the statistics' counting, and the Swedish words around them."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from indexer.corpus.readers.fields import iso_date, page_date
from indexer.corpus.readers.html import read_html
from search_app.web.analytics.stats import read_stats
from search_app.web.answer_card import CONFIDENCE_WORDING, confidence_wording, question_shape
from search_app.web.app import create_app
from search_app.wording import plural, swedish_date
from tests.conftest import stored

STRONGEST, LIKELY, UNSURE = (words for _, words in CONFIDENCE_WORDING)


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-05-03", "2024-05-03"),
    ("2024-05-03T10:20:00+02:00", "2024-05-03"),
    ("Fri, 03 May 2024 08:00:00 GMT", "2024-05-03"),  # the crawl's Last-Modified
    (datetime.date(2024, 5, 3), "2024-05-03"),  # YAML front matter reads a date as a date
    ("igår", ""),
    ("", ""),
    (None, ""),
])
def test_a_page_date_is_read_from_iso_dates_http_dates_and_yaml_dates(value: object, expected: str) -> None:
    assert iso_date(value) == expected


def test_the_date_of_the_last_change_wins_over_the_publication_date() -> None:
    assert page_date({"published": "2020-01-01", "date": "2023-02-01"}) == "2023-02-01"
    assert page_date({"published": "2020-01-01", "last_modified": "Fri, 03 May 2024 08:00:00 GMT"}) == "2024-05-03"
    document = read_html(b"<html><head><title>Sida</title></head><body><main><p>Text.</p></main></body></html>",
                         "x.html", url="https://www.exempelby.se/sida", last_modified="Fri, 03 May 2024 08:00:00 GMT")
    assert document.published == "2024-05-03"


def test_swedish_dates_and_plurals() -> None:
    assert swedish_date("2024-05-03") == "3 maj 2024"
    assert swedish_date("2024-12-24T10:00") == "24 december 2024"
    assert swedish_date("") == ""
    assert plural(1, "träff", "träffar") == "1 träff"
    assert plural(0, "träff", "träffar") == "0 träffar"
    assert plural(2, "kontaktperson", "kontaktpersoner") == "2 kontaktpersoner"


def test_results_and_the_card_name_publisher_site_and_date(client: FlaskClient) -> None:
    html = client.get("/", query_string={"q": "när krävs bygglov för en altan?"}).get_data(as_text=True)
    card = html[html.index('class="answer"'):html.index('class="results"')]
    assert "Exempelby kommun" in card and "exempelby.se" in card and "Uppdaterad 3 maj 2024" in card
    results = html[html.index('class="results"'):]
    hit = results[results.index("Bygglov för altan"):]
    assert '<span class="publisher">Exempelby kommun</span> · <span class="site">exempelby.se</span> · ' \
           '<span class="date">Uppdaterad 3 maj 2024</span>' in hit[:2000]
    assert '<span class="publisher">Tillväxtverket</span> · <span class="site">tillvaxtverket.se</span>' in \
           client.get("/?q=pilotkommuner").get_data(as_text=True)


def test_a_turn_is_a_section_with_its_question_as_heading_and_the_full_result_list(client: FlaskClient) -> None:
    html = client.get("/?q=tillväxt").get_data(as_text=True)
    assert '<section class="turn" aria-labelledby="tur-1"' in html
    assert '<h2 class="question" id="tur-1" tabindex="-1" dir="auto">tillväxt</h2>' in html
    assert 'aria-label="Filtrera träffarna"' in html and "Nästa sida" in html
    assert 'aria-live' not in html[html.index('id="samtal"'):]  # the conversation is no live region


def test_the_chat_gets_the_same_turn_with_what_a_follow_up_borrows(client: FlaskClient) -> None:
    first = "vilka kommuner var pilotkommuner?"
    response = client.post("/tur", json={"q": "och när pågick det?", "history": [first], "nr": 2})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="tur-2"' in html and f"(följdfråga till: {first})" in html
    assert "efter=vilka+kommuner+var+pilotkommuner%3F" in html  # its address: reload opens it again
    assert "2015–2018" in html and 'class="hits"' in html
    shared = client.get("/", query_string={"q": "och när pågick det?", "efter": first}).get_data(as_text=True)
    assert "2015–2018" in shared
    paged = client.post("/tur", json={"q": "tillväxt", "sida": 2, "nr": 3}).get_data(as_text=True)
    assert "Föregående sida" in paged and 'class="answer"' not in paged


def test_keyword_searches_and_orphan_follow_ups_never_get_the_surest_words(app: Flask) -> None:
    with app.app_context():
        analyzer = app.extensions["sok_index"].get().analyzer
    assert question_shape("tillväxt", "", analyzer) == "keywords"
    assert question_shape("pilotkommuner", "", analyzer) == "keywords"
    assert question_shape("vilka kommuner var pilotkommuner?", "", analyzer) == "question"
    assert question_shape("när pågick det", "", analyzer) == "orphan"
    assert question_shape("när pågick det", "vilka kommuner var pilotkommuner?", analyzer) == "question"
    assert confidence_wording(1.0, "question") == STRONGEST
    assert confidence_wording(1.0, "keywords") == LIKELY
    assert confidence_wording(0.2, "keywords") == UNSURE
    assert confidence_wording(1.0, "orphan") == UNSURE


def test_a_keyword_search_and_a_lone_follow_up_are_worded_honestly_on_the_page(client: FlaskClient) -> None:
    for query in ("tillväxt", "pilotkommuner", "när pågick det"):
        assert STRONGEST not in client.get("/", query_string={"q": query}).get_data(as_text=True), query
    orphan = client.get("/", query_string={"q": "när pågick det"}).get_data(as_text=True)
    assert UNSURE in orphan or "Skriv vad frågan gäller" in orphan


def test_empty_search_says_what_to_type_and_no_results_say_what_is_covered_and_where_to_ask(mixed_index: Path) -> None:
    app = create_app({"TESTING": True, "INDEX_DIR": str(mixed_index), "CONTACT_URL": "https://www.exempelby.se/kontakt",
                      "CONTACT_TEXT": "Kontakta kommunen"})
    client = app.test_client()
    empty = client.get("/?q=").get_data(as_text=True)
    assert "Skriv en fråga eller några sökord" in empty
    none = client.get("/?q=zxqwv").get_data(as_text=True)
    assert "Inga träffar" in none
    assert "Tillväxtverket (tillvaxtverket.se)" in none and "Exempelby kommun (exempelby.se)" in none
    assert '<a href="https://www.exempelby.se/kontakt">Kontakta kommunen</a>' in none
    error = client.get("/?q=" + "a" * 600)
    assert error.status_code == 400 and 'value="' + "a" * 600 + '"' in error.get_data(as_text=True)
    assert "Försök igen" in error.get_data(as_text=True)
    app.extensions["sok_index"].close()


def test_the_accessibility_statement_is_filled_from_settings_and_linked_from_every_page(mixed_index: Path) -> None:
    app = create_app({"TESTING": True, "INDEX_DIR": str(mixed_index), "ORGANISATION": "Exempelby kommun",
                      "CONTACT_URL": "https://www.exempelby.se/kontakt", "ACCESSIBILITY_REVIEWED": "2026-11-30"})
    client = app.test_client()
    statement = client.get("/tillganglighet").get_data(as_text=True)
    assert "Exempelby kommun står bakom Sök" in statement
    assert "30 november 2026" in statement and "axe-core" in statement and "Kända brister" in statement
    assert 'href="https://www.exempelby.se/kontakt"' in statement
    for path in ("/", "/?q=tillväxt", "/demo", "/tillganglighet", "/api/docs"):
        assert 'href="/tillganglighet"' in client.get(path).get_data(as_text=True), path
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.get_data()
    icon.close()
    app.extensions["sok_index"].close()


def test_only_real_searches_count_and_alike_questions_are_one_row(counted: tuple[Flask, Path]) -> None:
    app, database = counted
    client = app.test_client()
    client.head("/?q=pilotkommuner")
    client.head("/api/v1/search?q=pilotkommuner")
    client.get("/api/v1/search?q=pilotkom&count=0")  # the widget while typing
    client.get("/api/v1/ask?q=vilka+pilotkom&count=0")
    for query in ("Vilka kommuner var pilotkommuner?", "vilka  kommuner var pilotkommuner", "vilka kommuner var "
                  "pilotkommuner ?"):
        client.get("/api/v1/ask", query_string={"q": query})
    client.get("/api/v1/search?q=tillväxt")
    app.extensions["sok_analytics"].flush()
    queries = sorted(row[2] for row in stored(database, "searches"))
    assert queries == ["tillväxt"] + ["vilka kommuner var pilotkommuner"] * 3
    stats = read_stats(database)
    rows = {row.query: row for row in stats.top}
    assert rows["vilka kommuner var pilotkommuner"].searches == 3
    assert rows["vilka kommuner var pilotkommuner"].results is None  # only asked: /api/ask's passages are capped
    assert (rows["tillväxt"].results or 0) > 5


def test_a_typed_question_counts_once_when_its_result_is_chosen(counted: tuple[Flask, Path]) -> None:
    app, database = counted
    client = app.test_client()
    found = client.get("/api/v1/search?q=pilotkommuner&count=0").get_json()
    url = found["results"][0]["url"]
    assert client.post("/api/v1/click", json={"q": "pilotkommuner", "url": url, "searched": False}).status_code == 204
    app.extensions["sok_analytics"].flush()
    assert [(row[1], row[2]) for row in stored(database, "searches")] == [("search", "pilotkommuner")]
    assert len(stored(database, "clicks")) == 1


def test_the_widget_can_ask_whether_its_origin_may_send_verdicts(mixed_index: Path) -> None:
    app = create_app({"TESTING": True, "INDEX_DIR": str(mixed_index), "ALLOWED_ORIGINS": "https://www.exempelby.se"})
    client = app.test_client()
    assert client.get("/api/v1/feedback", headers={"Origin": "https://ond.example"}).get_json() == {"allowed": False}
    listed = client.get("/api/v1/feedback", headers={"Origin": "https://www.exempelby.se"})
    assert listed.get_json() == {"allowed": True}
    assert listed.headers["Access-Control-Allow-Origin"] == "https://www.exempelby.se"
    assert client.get("/api/v1/feedback").get_json() == {"allowed": True}  # no web page: curl, Sök's own forms
    app.extensions["sok_index"].close()


def test_cli_words_are_swedish_and_in_the_right_number(seed_index: Path) -> None:
    from search_app.cli import main as cli

    runner = CliRunner()
    result = runner.invoke(cli, ["search", "överkalix", "--index", str(seed_index), "--limit", "1"])
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first == "1 träff" or (first.endswith("träffar") and not first.startswith("1 "))
    for command in ([], ["index"], ["serve"], ["stats"], ["search"]):
        help_text = runner.invoke(cli, [*command, "--help"]).output
        assert "Show this message and exit" not in help_text and "Usage:" not in help_text, command
        assert "Options:" not in help_text and "Commands:" not in help_text, command


@pytest.mark.parametrize(("arguments", "said"), [
    (["index", "--okänd"], "Fel: Flaggan '--okänd' finns inte."),
    (["ask"], "Fel: Argument saknas 'FRÅGA'."),
    (["serve", "--port", "åttatusen"], "Fel: Ogiltigt värde för '--port': 'åttatusen' är inte ett giltigt tal."),
    (["index", "--engine", "solr"], "Fel: Ogiltigt värde för '--engine': 'solr' är inte något av 'whoosh', 'tantivy'."),
    (["sök"], "Fel: Kommandot 'sök' finns inte."),
])
def test_cli_usage_errors_are_swedish(arguments: list[str], said: str) -> None:
    from search_app.cli import main as cli

    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 2
    assert said in result.output and "--help' för hjälp." in result.output, result.output
    assert "Error" not in result.output and "Try '" not in result.output


def test_the_api_docs_are_english_with_code_rendered_not_as_markdown(client: FlaskClient) -> None:
    html = client.get("/api/docs").get_data(as_text=True)
    assert '<html lang="en">' in html and '<footer class="foot" lang="sv">' in html
    main = html[html.index("<main"):html.index("</main>")]
    assert "`" not in main  # code spans are <code>, not backticks
    assert "<code>/api/v1/</code>" in main
    for swedish in ("Maskinläsbar", "dokumentation", "offentliga webbsidor"):
        assert swedish not in html, swedish


def test_the_statistics_command_counts_in_the_right_number(tmp_path: Path) -> None:
    from search_app.cli import main as cli
    from search_app.web.analytics.writer import Analytics

    database = tmp_path / "analytics.sqlite"
    analytics = Analytics(database)
    analytics.search("search", "bygglov altan", 1)
    assert analytics.flush()
    output = CliRunner().invoke(cli, ["stats", "--db", str(database)]).output
    assert output.startswith("1 sökning, 0 öppnade träffar")
    assert "bygglov altan  (1 träff, 0 klick)" in output
