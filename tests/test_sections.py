"""Sectioning: seed pages, Markdown pages, and the general rules on the shared data sets."""

import json
import random
import re
from pathlib import Path

import pytest

from indexer.corpus.model import Document
from indexer.corpus.readers import read_corpus_file
from indexer.language.analysis import words
from indexer.language.sentences import clean_furniture, inline_markdown
from indexer.sections.split import Section, split_document
from tests.conftest import CORPUS


def seed_sections(name: str) -> list[Section]:
    return split_document(read_corpus_file(CORPUS / name))


@pytest.fixture(scope="module")
def lansstyrelsen() -> list[Section]:
    return seed_sections("lansstyrelsen-stockholm-tillvaxt.txt")


@pytest.fixture(scope="module")
def tillvaxtverket() -> list[Section]:
    return seed_sections("tillvaxtverket-det-har-har-vi-gjort-tidigare.txt")


def by_heading(sections: list[Section], heading: str) -> Section:
    matches = [s for s in sections if s.heading == heading]
    assert matches, f"no section {heading!r} in {[s.heading for s in sections]}"
    return matches[0]


def test_plain_text_headings_become_sections(tillvaxtverket: list[Section]) -> None:
    assert [s.heading for s in tillvaxtverket] == [
        "Det här har vi gjort tidigare",
        "Pilotprojekt inom Tillväxtskapande samhällsplanering",
        "Utveckla svenska städer",
        "Stärkt lokal attraktionskraft",
    ]


def test_bullet_list_stays_with_its_introducing_sentence(tillvaxtverket: list[Section]) -> None:
    text = by_heading(tillvaxtverket, "Utveckla svenska städer").text
    assert "Programmets mål var att:\n• Utveckla ny kunskap om stadens roll som tillväxtmotor." in text


def test_page_furniture_is_not_content(tillvaxtverket: list[Section], lansstyrelsen: list[Section]) -> None:
    everything = "\n".join(s.text for s in tillvaxtverket + lansstyrelsen)
    for furniture in ("Läs mer om", "länk till annan webbplats", "öppnas i nytt fönster", "EU-flagga"):
        assert furniture not in everything
    assert "vänder du dig till Stockholms läns landsting/Region Stockholm." in everything


def test_headless_project_blocks_get_sections_of_their_own(lansstyrelsen: list[Section]) -> None:
    untitled = [s for s in lansstyrelsen if s.untitled]
    assert [s.heading for s in untitled] == [
        "Kompetensarena Stockholm",
        "Innovationskraft Sthlm",
        "Jämställd tillväxt Stockholm",
    ]
    kompetens = by_heading(lansstyrelsen, "Kompetensarena Stockholm")
    assert kompetens.text.startswith("Observera att")  # the panel's own boilerplate comes along
    assert "Projektet pågår till september 2020." in kompetens.text
    assert "Innovationskraft" not in kompetens.text
    jamstalld = by_heading(lansstyrelsen, "Jämställd tillväxt Stockholm")
    assert jamstalld.text.startswith("Länsstyrelsen arbetar brett med jämställdhet")


def test_headings_under_a_block_belong_to_it(lansstyrelsen: list[Section]) -> None:
    kontakt = [s for s in lansstyrelsen if s.heading == "Kontakt"]
    assert kontakt[0].heading_path == (
        "Tillväxt", "Tillväxtprojekt i Stockholms län", "Kompetensarena Stockholm", "Kontakt",
    )
    assert kontakt[0].text == "Fredrik Wikström, projekt- och utvecklingsledare"
    fler = by_heading(lansstyrelsen, "Fler faktorer än kön påverkar")
    assert fler.heading_path[-2] == "Jämställd tillväxt Stockholm"
    assert "Vi kallar det för J+." in fler.text


def test_empty_contact_heading_at_the_end_is_kept(lansstyrelsen: list[Section]) -> None:
    # That the page names no one under "Kontakt" answers a contact question (issue 15).
    assert lansstyrelsen[-1].heading_path[-2:] == ("Jämställd tillväxt Stockholm", "Kontakt")
    assert lansstyrelsen[-1].text == ""
    assert lansstyrelsen[-2].heading == "Dokumentation"
    assert "handlingsplan 2012–2014 (PDF)" in lansstyrelsen[-2].text


def test_section_ids_are_unique_and_stable(lansstyrelsen: list[Section]) -> None:
    ids = [s.id for s in lansstyrelsen]
    assert len(set(ids)) == len(ids)
    assert ids == [s.id for s in seed_sections("lansstyrelsen-stockholm-tillvaxt.txt")]
    assert [s.position for s in lansstyrelsen] == list(range(len(lansstyrelsen)))


def test_markdown_headings_and_levels() -> None:
    doc = Document(
        url="https://example.se/a", title="Stöd till föreningar",
        text="# Stöd till föreningar\n\nIntro om stödet.\n\n## Vem kan söka\n\nIdeella föreningar.\n\n"
        "### Krav\n\nMinst tio medlemmar.\n\n## Så söker du\n\nAnsök senast 1 mars.",
    )
    sections = split_document(doc)
    assert [s.heading_path for s in sections] == [
        ("Stöd till föreningar",),
        ("Stöd till föreningar", "Vem kan söka"),
        ("Stöd till föreningar", "Vem kan söka", "Krav"),
        ("Stöd till föreningar", "Så söker du"),
    ]


def test_markdown_list_items_wrapped_over_lines_stay_whole() -> None:
    doc = Document(
        url="https://example.se/b", title="Uppdrag",
        text="# Uppdrag\n\nRådgivaren ska bland annat\n\n* följa upp arbetet,\n  framför allt inom sektorerna,\n"
        "* ge förslag på samarbeten.\n\nUppdraget ska redovisas senast den 30 november.",
    )
    text = split_document(doc)[0].text
    assert "Rådgivaren ska bland annat\n• följa upp arbetet, framför allt inom sektorerna,\n• ge förslag" in text


@pytest.mark.parametrize(
    ("line", "cleaned"),
    [
        ("Bloggen Innovationskraft Sthlmlänk till annan webbplats, öppnas i nytt fönster",
         "Bloggen Innovationskraft Sthlm"),
        ("Jämställd tillväxt – handlingsplan 2012–2014PDF", "Jämställd tillväxt – handlingsplan 2012–2014 (PDF)"),
        ("Läs mer om Utveckla svenska städer.", ""),
        ("EU-flagga, Europeiska socialfonden", ""),
    ],
)
def test_furniture_cleaning(line: str, cleaned: str) -> None:
    assert clean_furniture(line)[0] == cleaned


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if len(w) > 3]


def sample_documents(shared_data: Path, count: int=400, seed: int=7) -> list[Document]:
    rows = []
    with (shared_data / "regeringen-se-pages" / "regeringen_part00.jsonl").open(encoding="utf-8") as handle:
        rows += [json.loads(line) for line in handle]
    rng = random.Random(seed)
    chosen = rng.sample(rows, count)
    docs = [Document(url=r["url"], title=r["title"], text=r["text"]) for r in chosen]
    with (shared_data / "swequad-mc" / "swequad_mc_passages.jsonl").open(encoding="utf-8") as handle:
        for line in list(handle)[:100]:
            row = json.loads(line)
            docs.append(Document(url=f"https://example.se/{row['passage_id']}", title="Passage", text=row["text"]))
    return docs


def test_general_rules_hold_on_real_pages(shared_data: Path) -> None:
    """On hundreds of pages no text is lost, no section is empty, every section has a title."""
    for doc in sample_documents(shared_data):
        sections = split_document(doc)
        assert sections, doc.url
        assert len({s.id for s in sections}) == len(sections)
        kept = " ".join(" ".join(s.heading_path) + " " + s.text for s in sections)
        kept_words = set(content_words(kept))
        source_text = "\n".join(
            clean_furniture(inline_markdown(line.replace("\xad", "")))[0] for line in doc.text.splitlines()
        )
        source_words = content_words(source_text)
        missing = [w for w in source_words if w not in kept_words]
        assert not missing, (doc.url, missing[:10])
        for section in sections:
            assert section.text.strip() and section.heading.strip(), doc.url
            assert not re.match(r"^#+ ", section.text), doc.url


def test_markdown_pages_split_at_their_headings(shared_data: Path) -> None:
    docs = [d for d in sample_documents(shared_data) if d.text.count("\n## ") >= 2]
    assert len(docs) >= 10
    for doc in docs:
        headings = {s.heading for s in split_document(doc)}
        for line in doc.text.splitlines():
            if line.startswith("## ") and not line.endswith("#"):
                following = doc.text.split(line, 1)[1].lstrip("\n")
                if following and not following.startswith("#"):
                    assert line[3:].strip() in headings, (doc.url, line)
