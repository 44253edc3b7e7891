"""Contacts, honestly: a contact section that names no one is answered as such, not by a sentence from elsewhere."""

from collections.abc import Iterator
from urllib.parse import unquote

import pytest
from flask.testing import FlaskClient

from indexer.corpus.model import Document
from indexer.sections.split import split_document
from indexer.snapshot.reader import current_snapshot
from search_app.answer.ask import ask
from search_app.query.search import search
from search_app.query.snapshot import OpenSnapshot, open_snapshot
from tests.conftest import build_index

PAGE = """---
title: Föreningsstöd
publisher: Exempelby kommun
url: https://www.exempelby.se/kultur/foreningsstod
language: sv
retrieved: 2026-11-20
---
# Föreningsstöd

Kommunen ger stöd till föreningar som arbetar med barn och unga.

## Aktivitetsbidrag

Aktivitetsbidrag ges till föreningar med verksamhet för barn mellan 7 och 20 år. Bidraget betalas ut två gånger om året.

### Kontakt

Karin Holm, föreningshandläggare, karin.holm@exempelby.se

## Lokalbidrag

Lokalbidrag ges till föreningar som hyr egna lokaler för sin verksamhet. Ansökan görs senast den 1 mars varje år.

### Kontakt

## Evenemangsbidrag

Evenemangsbidrag ges till öppna evenemang i kommunen. Beslut fattas av kultur- och fritidsnämnden.

### Kontakta oss

Skicka dina frågor om evenemangsbidrag till kulturforvaltningen@exempelby.se.
"""


@pytest.fixture(scope="module")
def support_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenSnapshot]:
    corpus = tmp_path_factory.mktemp("support-corpus")
    (corpus / "foreningsstod.md").write_text(PAGE, encoding="utf-8")
    snap = open_snapshot(current_snapshot(build_index(corpus, tmp_path_factory.mktemp("support-index"))))
    yield snap
    snap.engine.close()


def _document(text: str) -> Document:
    return Document(url="https://x.se/a", title="Sida", text=text, publisher="X")


def test_an_empty_contact_heading_is_a_section_and_other_empty_headings_are_not() -> None:
    sections = split_document(_document("# Sida\n\nText om saken.\n\n## Avgift\n\nDet kostar 100 kronor.\n\n"
                                        "### Kontakt\n\n## Tomt\n\n## Mer\n\nMer text om saken."))
    headings = [(section.heading, section.text) for section in sections]
    assert ("Kontakt", "") in headings
    assert all(heading != "Tomt" for heading, _ in headings)


def test_a_contact_person_is_still_the_answer(support_snapshot: OpenSnapshot) -> None:
    answer = ask(support_snapshot, "vem är kontaktperson för aktivitetsbidrag").answer
    assert answer is not None
    assert "Karin Holm" in answer.text


def test_a_contact_heading_without_a_person_is_said_to_name_no_one(support_snapshot: OpenSnapshot) -> None:
    answer = ask(support_snapshot, "vem är kontaktperson för lokalbidrag").answer
    assert answer is not None
    assert answer.text.startswith("Sidan anger ingen kontaktperson för Lokalbidrag")
    assert "Karin Holm" not in answer.text and "Ansökan" not in answer.text
    assert answer.section == "Kontakt"
    # The link leads to this project's contact heading, not to the first "Kontakt" of the page.
    assert unquote(answer.url).endswith("#:~:text=Lokalbidrag,Kontakt")


def test_what_the_contact_section_says_instead_is_quoted(support_snapshot: OpenSnapshot) -> None:
    answer = ask(support_snapshot, "vem kan jag kontakta om evenemangsbidrag").answer
    assert answer is not None
    assert answer.text.startswith("Sidan anger ingen kontaktperson för Evenemangsbidrag.")
    assert "kulturforvaltningen@exempelby.se" in answer.text


def test_the_verb_of_the_question_is_not_its_subject(support_snapshot: OpenSnapshot) -> None:
    # "ska" says nothing about whom to contact: the subject is "lokalbidrag" alone.
    answer = ask(support_snapshot, "vem ska jag kontakta om lokalbidrag").answer
    assert answer is not None
    assert answer.text.startswith("Sidan anger ingen kontaktperson för Lokalbidrag")


def test_a_subject_named_above_the_project_leads_to_its_contact_person(support_snapshot: OpenSnapshot) -> None:
    # "Föreningsstöd" is the page's title, above all three projects; no contact's own words carry it. The
    # contact sections under it fit the question alike: the one that names a person answers.
    for question in ("vem är kontaktperson för föreningsstöd", "vem ska jag kontakta om föreningsstöd"):
        answer = ask(support_snapshot, question).answer
        assert answer is not None, question
        assert answer.text.startswith("Kontaktperson för Aktivitetsbidrag: Karin Holm"), question
        assert answer.highlight is not None and answer.highlight.text == "Karin Holm"


def test_a_sentence_that_names_no_one_is_no_answer_to_whom_to_contact(support_snapshot: OpenSnapshot) -> None:
    # The introduction says who gets support ("Kommunen ger stöd till föreningar …") but names no one to
    # contact: it is no answer, and "Kommunen" is no contact's name.
    assert ask(support_snapshot, "vem är kontaktperson för stöd till föreningar").answer is None


def test_an_empty_contact_section_in_the_results_says_that_nothing_stands_under_it(
        support_snapshot: OpenSnapshot,
) -> None:
    results = search(support_snapshot, "kontakt lokalbidrag", limit=10).passages
    empty = [passage for passage in results if passage.heading_path[-2:] == ["Lokalbidrag", "Kontakt"]]
    assert empty and empty[0].snippet == "Inget står under den här rubriken."


def test_each_contact_section_is_named_with_the_heading_above_it(support_snapshot: OpenSnapshot) -> None:
    labels = {passage.label for passage in search(support_snapshot, "kontakt", limit=10).passages}
    assert {"Föreningsstöd › Aktivitetsbidrag › Kontakt", "Föreningsstöd › Lokalbidrag › Kontakt"} <= labels
    missing = ask(support_snapshot, "vem är kontaktperson för lokalbidrag").answer
    assert missing is not None and missing.label == "Föreningsstöd › Lokalbidrag › Kontakt"
    other = ask(support_snapshot, "hur ofta betalas aktivitetsbidraget ut").answer
    assert other is not None and other.label == "Föreningsstöd › Aktivitetsbidrag"  # other headings as before


def test_the_page_and_the_api_name_the_sources_alike(seed_client: FlaskClient) -> None:
    html = seed_client.get("/", query_string={"q": "kontakt"}).get_data(as_text=True)
    data = seed_client.get("/api/v1/search", query_string={"q": "kontakt"}).get_json()
    labels = [result["label"] for result in data["results"]]
    assert "Tillväxt › Kompetensarena Stockholm › Kontakt" in labels
    assert "Tillväxt › Jämställd tillväxt Stockholm › Kontakt" in labels
    for label in labels:
        assert f">{label}</a>" in html
