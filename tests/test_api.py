"""The JSON API on a real index, through Flask's test client."""

from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from flask.testing import FlaskClient

TILLVAXTVERKET = "https://tillvaxtverket.se/amnesomraden/regional-kapacitet/tillvaxtskapande-samhallsplanering/"


def test_search_returns_ranked_passages_with_all_fields(client: FlaskClient) -> None:
    body = client.get("/api/search", query_string={"q": "pilotkommuner"}).get_json()
    assert body["query"] == "pilotkommuner"
    assert body["total"] >= 1
    first = body["results"][0]
    assert set(first) >= {"id", "title", "section", "text", "snippet", "url", "publisher", "score"}
    assert first["section"] == "Stärkt lokal attraktionskraft"
    assert "<mark>pilotkommunerna</mark>" in first["snippet"]
    assert first["url"].startswith(TILLVAXTVERKET) and "#:~:text=" in first["url"]
    assert "Flen, Gotland, Haninge" in first["text"]


def test_search_limit_and_offset_page_through_results(client: FlaskClient) -> None:
    everything = client.get("/api/search?q=tillväxt&limit=50").get_json()
    assert everything["total"] == len(everything["results"]) > 4
    page = client.get("/api/search?q=tillväxt&limit=2&offset=2").get_json()
    assert [r["id"] for r in page["results"]] == [r["id"] for r in everything["results"][2:4]]
    assert page["total"] == everything["total"]


@pytest.mark.parametrize(
    "variant",
    ['"pilotkommuner"', "pilotkommuner?", "pilotkommuner*", "pilotkommuner AND", "title:pilotkommuner",
     "pilotkommuner~", "pilotkommuner^", "(pilotkommuner)", "pilotkommuner OR NOT", "pilotkommuner:"],
)
def test_query_syntax_is_treated_as_words(client: FlaskClient, variant: str) -> None:
    plain = client.get("/api/search", query_string={"q": "pilotkommuner"}).get_json()
    response = client.get("/api/search", query_string={"q": variant})
    assert response.status_code == 200
    assert [r["id"] for r in response.get_json()["results"]][:3] == [r["id"] for r in plain["results"]][:3]


@pytest.mark.parametrize(
    ("query_string", "parameter"),
    [({}, "q"), ({"q": ""}, "q"), ({"q": "   "}, "q"), ({"q": "a" * 501}, "q"),
     ({"q": "x", "limit": "abc"}, "limit"), ({"q": "x", "limit": "0"}, "limit"),
     ({"q": "x", "limit": "100000"}, "limit"), ({"q": "x", "offset": "-1"}, "offset")],
)
def test_bad_parameters_get_400_with_a_swedish_message(client: FlaskClient, query_string: dict[str, str],
                                                       parameter: str) -> None:
    response = client.get("/api/search", query_string=query_string)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    error = response.get_json()
    assert error["parameter"] == parameter and error["status"] == 400
    assert error["type"] == "/api/docs#problem-invalid-parameter" and error["title"]
    assert error["detail"] and error["detail_en"] and error["detail"] != error["detail_en"]


def test_500_characters_is_still_accepted(client: FlaskClient) -> None:
    assert client.get("/api/search", query_string={"q": "kommun " * 71 + "abc"}).status_code == 200


def test_ask_lists_the_pilot_municipalities_with_a_link_to_the_page(client: FlaskClient) -> None:
    body = client.get("/api/ask", query_string={"q": "vilka kommuner var pilotkommuner"}).get_json()
    answer = body["answer"]
    assert "Flen, Gotland, Haninge" in answer["text"]
    assert len(answer["text"]) < 400  # the answering sentence, not the whole section
    assert answer["url"].startswith(TILLVAXTVERKET + "det-har-har-vi-gjort-tidigare.html#:~:text=")
    assert answer["title"] == "Det här har vi gjort tidigare"
    assert answer["section"] == "Stärkt lokal attraktionskraft"
    assert 0 < answer["confidence"] <= 1
    assert 1 <= len(body["passages"]) <= 5


def test_answer_link_highlights_the_answer_sentence(client: FlaskClient) -> None:
    answer = client.get("/api/ask?q=när pågick utveckla svenska städer").get_json()["answer"]
    fragment = unquote(answer["url"].split("#:~:text=", 1)[1])
    start = fragment.split(",")[0]
    assert start in answer["text"]
    assert "2016–2019" in answer["text"]


def test_ask_by_post_with_history(client: FlaskClient) -> None:
    response = client.post("/api/ask", json={"q": "vilka kommuner var pilotkommuner?", "history": ["hej"]})
    assert response.status_code == 200
    assert "Överkalix" in response.get_json()["answer"]["text"]


@pytest.mark.parametrize(
    "body", [None, "text", {"q": ""}, {"q": 5}, {"q": "x", "history": "inte en lista"}, {"q": "x", "history": [1]}],
)
def test_ask_rejects_bad_bodies(client: FlaskClient, body: Any) -> None:
    if body is None:
        response = client.post("/api/ask", data="{inte json", content_type="application/json")
    else:
        response = client.post("/api/ask", json=body)
    assert response.status_code == 400
    assert response.get_json()["detail"]


def test_no_answer_when_the_corpus_holds_nothing_relevant(seed_client: FlaskClient) -> None:
    body = seed_client.get("/api/ask", query_string={"q": "hur ansöker jag om bygglov"}).get_json()
    assert body["answer"] is None
    assert body["passages"] == []


def test_contact_question_answers_with_the_person(client: FlaskClient) -> None:
    body = client.get("/api/ask", query_string={"q": "vem är kontaktperson för Kompetensarena Stockholm"}).get_json()
    assert "Fredrik Wikström" in body["answer"]["text"]
    assert "projekt- och utvecklingsledare" in body["answer"]["text"]
    assert body["answer"]["url"].startswith("https://www.lansstyrelsen.se/")


def test_contacts_endpoint(client: FlaskClient) -> None:
    contacts = client.get("/api/contacts?q=kompetensarena").get_json()["contacts"]
    assert contacts == [{
        "name": "Fredrik Wikström", "role": "projekt- och utvecklingsledare", "email": "", "phone": "",
        "publisher": "Länsstyrelsen Stockholm", "project": "Kompetensarena Stockholm",
        "url": "https://www.lansstyrelsen.se/stockholm/foretag/samhalle-och-utveckling/tillvaxt.html",
    }]
    everyone = client.get("/api/contacts").get_json()["contacts"]
    assert {c["name"] for c in everyone} == {"Fredrik Wikström", "Anna Lindqvist"}


def test_healthz_reports_the_index(client: FlaskClient) -> None:
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok"
    assert body["documents"] == 4
    assert body["sections"] > 15
    assert body["index_built_at"].startswith("20")


def test_missing_index_gives_503_not_a_traceback(tmp_path: Path) -> None:
    from search_app.web.app import create_app

    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path)}).test_client()
    response = client.get("/api/search?q=test")
    assert response.status_code == 503
    assert "inte tillgängligt" in response.get_json()["detail"]
    assert client.get("/healthz").status_code == 503


def test_hostile_document_text_is_escaped_in_snippets(client: FlaskClient) -> None:
    result = client.get("/api/search?q=skräppost").get_json()["results"][0]
    assert "<script>" not in result["snippet"] and "<img" not in result["snippet"]
    assert "&lt;script&gt;" in result["snippet"]
    assert "<script>" in result["text"]  # plain text stays plain; escaping is the renderer's job


def test_responses_are_utf8_json(client: FlaskClient) -> None:
    response = client.get("/api/search?q=överkalix")
    assert response.mimetype == "application/json"
    assert "Överkalix".encode() in response.data


def test_snippet_starts_near_the_first_match() -> None:
    from indexer.fields import SwedishAnalyzer
    from search_app.query.snippets import snippet_html

    analyzer = SwedishAnalyzer()

    text = " ".join(f"ord{i}" for i in range(100)) + " pilotkommunerna Flen och Gotland. " + "slut " * 30
    snippet = snippet_html(text, ["pilotkommun"], analyzer)
    assert snippet.startswith("…ord9")
    assert snippet.index("<mark>pilotkommunerna</mark>") < 60
    assert snippet.count(" ") <= 40
    long_tail = snippet_html(text + "mer " * 100, ["pilotkommun"], analyzer)
    assert long_tail.startswith("…ord95 ") and long_tail.endswith("…")


def test_unknown_paths_and_methods_get_clear_errors(client: FlaskClient) -> None:
    missing = client.get("/api/finns-inte")
    assert missing.status_code == 404
    assert missing.get_json()["detail"] == "Sidan finns inte."
    wrong_method = client.delete("/api/search?q=x")
    assert wrong_method.status_code == 405 and wrong_method.is_json
    page = client.get("/finns-inte")
    assert page.status_code == 404
    assert "Sidan finns inte." in page.get_data(as_text=True)


def test_follow_up_question_uses_the_history(client: FlaskClient) -> None:
    follow_up = client.post("/api/ask", json={"q": "och när pågick det?",
                                              "history": ["vilka kommuner var pilotkommuner?"]}).get_json()
    assert "2015–2018" in follow_up["answer"]["text"]
    assert follow_up["answer"]["section"] == "Stärkt lokal attraktionskraft"


def test_contact_follow_up(client: FlaskClient) -> None:
    body = client.post("/api/ask", json={"q": "vem är kontakt där?",
                                         "history": ["vad är Kompetensarena Stockholm?"]}).get_json()
    assert "Fredrik Wikström" in body["answer"]["text"]


def test_every_api_error_is_problem_json_with_swedish_and_english_details(client: FlaskClient) -> None:
    for response, status, kind in (
        (client.get("/api/nothing-here"), 404, "not-found"),
        (client.delete("/api/search", query_string={"q": "x"}), 405, "method-not-allowed"),
        (client.post("/api/ask", data="inte json", content_type="application/json"), 400, "invalid-parameter"),
    ):
        assert response.status_code == status
        assert response.mimetype == "application/problem+json"
        body = response.get_json()
        assert body["type"] == f"/api/docs#problem-{kind}" and body["status"] == status
        assert body["title"] and body["detail"] and body["detail_en"]


def test_every_api_path_also_lives_under_v1_with_the_version_header(client: FlaskClient) -> None:
    for path, query in (("/api/search", {"q": "pilotkommuner"}), ("/api/ask", {"q": "pilotkommuner"}),
                        ("/api/suggest", {"q": "pilot"}), ("/api/contacts", {})):
        old = client.get(path, query_string=query)
        new = client.get(path.replace("/api/", "/api/v1/"), query_string=query)
        assert old.status_code == new.status_code == 200, path
        assert old.get_json() == new.get_json(), path
        assert new.headers["Sok-Api-Version"] == "1"
    assert client.post("/api/v1/ask", json={"q": "pilotkommuner"}).status_code == 200
