"""Filters by publisher and by document type (page or PDF), with counts, in the API and on the page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from indexer.build import build_snapshot
from indexer.corpus.readers import read_corpus
from search_app.web.app import create_app
from tests.site_fixture import pdf


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    corpus = tmp_path_factory.mktemp("facet-corpus")
    pages = {
        "a.md": ("Parker i Exempelby", "Exempelby kommun",
                 "Parkerna sköts av parkförvaltningen. Parker finns i alla delar."),
        "b.md": ("Lekplatser", "Exempelby kommun", "Lekplatser i parker besiktigas varje år."),
        "c.md": ("Parker i länet", "Länsstyrelsen", "Länsstyrelsen skyddar parker med höga naturvärden."),
    }
    for name, (title, publisher, text) in pages.items():
        (corpus / name).write_text(f"---\ntitle: {title}\npublisher: {publisher}\nurl: https://x.se/{name}\n---\n"
                                   f"{text}\n", encoding="utf-8")
    (corpus / "plan.pdf").write_bytes(pdf(["Parkplan för Exempelby", "Nya parker anläggs i norra delen."]))
    (corpus / "plan.pdf.meta.yml").write_text("url: https://x.se/plan.pdf\npublisher: Exempelby kommun\n")
    index = tmp_path_factory.mktemp("facet-index")
    read = read_corpus(corpus)
    assert not read.problems
    build_snapshot(index, read.documents)
    app = create_app({"TESTING": True, "INDEX_DIR": str(index)})
    yield app.test_client()
    app.extensions["sok_index"].close()


def test_search_results_come_with_counts_per_type_and_publisher(client: FlaskClient) -> None:
    body = client.get("/api/search", query_string={"q": "parker"}).get_json()
    types = {item["value"]: item["count"] for item in body["facets"]["type"]}
    assert set(types) == {"page", "pdf"} and types["pdf"] >= 1
    assert sum(types.values()) == body["total"]
    publishers = {item["value"]: item["count"] for item in body["facets"]["publisher"]}
    assert set(publishers) == {"Exempelby kommun", "Länsstyrelsen"}
    assert sum(publishers.values()) == body["total"]


def test_the_type_and_publisher_filters_keep_only_matching_results(client: FlaskClient) -> None:
    only_pdf = client.get("/api/search", query_string={"q": "parker", "type": "pdf"}).get_json()
    assert only_pdf["results"] and {hit["kind"] for hit in only_pdf["results"]} == {"pdf"}
    assert all("#page=" in hit["url"] for hit in only_pdf["results"])
    county = client.get("/api/search", query_string={"q": "parker", "publisher": "Länsstyrelsen"}).get_json()
    assert {hit["publisher"] for hit in county["results"]} == {"Länsstyrelsen"}
    wrong = client.get("/api/search", query_string={"q": "parker", "type": "video"})
    assert wrong.status_code == 400 and wrong.get_json()["parameter"] == "type"


def test_the_page_offers_the_filters_with_counts_and_a_way_back(client: FlaskClient) -> None:
    html = client.get("/", query_string={"q": "parker"}).get_data(as_text=True)
    assert "Typ:" in html and "PDF-dokument (" in html and "Utgivare:" in html and "Länsstyrelsen (" in html
    filtered = client.get("/", query_string={"q": "parker", "typ": "pdf"}).get_data(as_text=True)
    assert 'aria-current="true">PDF-dokument' in filtered and "Visa alla träffar" in filtered
    assert "plan.pdf#page=" in filtered and "https://x.se/a.md" not in filtered
