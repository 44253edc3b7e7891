"""Contact persons found in sections."""

from pathlib import Path

from indexer.corpus.readers import read_corpus_file
from indexer.fields import SwedishAnalyzer
from indexer.sections.contacts import Contact, extract_contacts
from indexer.sections.split import split_document
from search_app.answer.contacts import find_contacts
from tests.conftest import CORPUS, TEST_CORPUS


def contacts_of(path: Path) -> list[Contact]:
    return extract_contacts(split_document(read_corpus_file(path)))


def test_contact_of_a_headless_project_block() -> None:
    [contact] = contacts_of(CORPUS / "lansstyrelsen-stockholm-tillvaxt.txt")
    assert (contact.name, contact.role, contact.project, contact.publisher) == (
        "Fredrik Wikström", "projekt- och utvecklingsledare", "Kompetensarena Stockholm", "Länsstyrelsen Stockholm")
    assert contact.url.startswith("https://www.lansstyrelsen.se/")


def test_contact_with_email_and_phone() -> None:
    [contact] = contacts_of(TEST_CORPUS / "kommun-bygglov.md")
    assert contact.name == "Anna Lindqvist"
    assert contact.role == "bygglovshandläggare"
    assert contact.email == "anna.lindqvist@exempelby.se"
    assert contact.phone == "0123-45 67 89"
    assert contact.project == "Bygglov för altan"


def test_no_contacts_on_a_page_without_any() -> None:
    assert contacts_of(CORPUS / "tillvaxtverket-det-har-har-vi-gjort-tidigare.txt") == []


def test_find_contacts_by_project_words() -> None:
    analyzer = SwedishAnalyzer()
    contacts = contacts_of(CORPUS / "lansstyrelsen-stockholm-tillvaxt.txt") + contacts_of(
        TEST_CORPUS / "kommun-bygglov.md")
    assert [c.name for c in find_contacts(contacts, "kompetensarena", analyzer)] == ["Fredrik Wikström"]
    assert [c.name for c in find_contacts(contacts, "bygglov altan", analyzer)] == ["Anna Lindqvist"]
    assert find_contacts(contacts, "parkering", analyzer) == []
    assert len(find_contacts(contacts, "", analyzer)) == 2
