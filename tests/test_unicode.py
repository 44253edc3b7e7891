"""Unicode as it comes from PDFs and keyboards: decomposed letters and invisible characters.

A question typed as "tillva\u0308xt" (a + combining diaeresis) or with a zero-width
space or soft hyphen inside a word finds what "tillväxt" finds, and a page that
writes its words so is found, with the word marked in its snippet. Real
lexical-only indexes built by the product's own build, served by the real app.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from indexer.build import SemanticOptions, build_snapshot
from indexer.corpus.readers import read_corpus
from search_app.web.app import create_app
from tests.conftest import CORPUS

WORDS_ONLY = SemanticOptions(enabled=False)


def serve(index: Path) -> tuple:
    app = create_app({"TESTING": True, "INDEX_DIR": str(index), "RATE_LIMIT_PER_MINUTE": 0})
    return app, app.test_client()


@pytest.fixture(scope="module")
def seed_words(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    """The product corpus, indexed for words only."""
    index = tmp_path_factory.mktemp("seed-words")
    build_snapshot(index, read_corpus(CORPUS).documents, language_dir=CORPUS, semantic=WORDS_ONLY)
    app, client = serve(index)
    yield client
    app.extensions["sok_index"].close()


def found(client: FlaskClient, query: str) -> tuple[int, list[str]]:
    body = client.get("/api/search", query_string={"q": query, "limit": 50}).get_json()
    return body["total"], [result["id"] for result in body["results"]]


QUESTIONS = {
    "decomposed ä": "tillva\u0308xt",
    "zero-width space": "till\u200bväxt",
    "soft hyphen": "till\u00adväxt",
    "word joiner and decomposed ä": "tillva\u2060\u0308xt",
    "byte order mark and zero-width joiner": "\ufefftill\u200dväxt",
}


@pytest.mark.parametrize("question", QUESTIONS.values(), ids=QUESTIONS.keys())
def test_a_question_with_decomposed_or_invisible_characters_finds_what_the_plain_word_finds(seed_words: FlaskClient,
                                                                                            question: str) -> None:
    total, ids = found(seed_words, "tillväxt")
    assert total == 18  # the seed's sections under "tillväxt" headings, the empty "Kontakt" one too
    assert found(seed_words, question) == (total, ids)


def test_a_decomposed_question_gets_the_same_answer(seed_words: FlaskClient) -> None:
    def answer(question: str) -> dict:
        return seed_words.get("/api/ask", query_string={"q": question}).get_json()["answer"]

    plain = answer("Vad gör länsstyrelsen för tillväxt?")
    assert plain is not None
    assert answer("Vad go\u0308r la\u0308nsstyrelsen fo\u0308r tillva\u0308xt?") == plain


# Pages that write "tillväxt" decomposed or with an invisible character inside it.
PAGES = {
    "nfd": "Länsstyrelsen arbetar för en hållbar tillva\u0308xt i länet.",
    "word-joiner": "Kommunen satsar på till\u2060växt i hela regionen.",
    "zero-width-joiner": "Regionen planerar för till\u200dväxt och nya jobb.",
    "zero-width-non-joiner": "Näringslivet vill se mer till\u200cväxt på landsbygden.",
    "bom": "Företag behöver till\ufeffväxt för att kunna anställa.",
    "zero-width-space": "Bostäder och till\u200bväxt hänger ihop.",
    "soft-hyphen": "Hållbar till\u00adväxt kräver samarbete.",
    "other": "Skolan har öppet hus i maj.",
}


@pytest.fixture(scope="module")
def unicode_pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    corpus = tmp_path_factory.mktemp("unicode-corpus")
    for name, text in PAGES.items():
        (corpus / f"{name}.md").write_text(f"---\ntitle: Sidan {name}\nurl: https://exempel.se/{name}\n---\n{text}\n",
                                           encoding="utf-8")
    index = tmp_path_factory.mktemp("unicode-index")
    build_snapshot(index, read_corpus(corpus).documents, semantic=WORDS_ONLY)
    app, client = serve(index)
    yield client
    app.extensions["sok_index"].close()


def _plain(text: str) -> str:
    return unicodedata.normalize("NFC", "".join(char for char in text if unicodedata.category(char) != "Cf"))


@pytest.mark.parametrize("question", ["tillväxt", "tillva\u0308xt", "till\u00adväxt"])
def test_pages_with_decomposed_or_invisible_characters_are_found_and_marked(unicode_pages: FlaskClient,
                                                                            question: str) -> None:
    body = unicode_pages.get("/api/search", query_string={"q": question, "limit": 50}).get_json()
    by_page = {result["url"].split("#", 1)[0].rsplit("/", 1)[1]: result for result in body["results"]}
    assert set(by_page) == set(PAGES) - {"other"}
    for page, result in by_page.items():
        marked = re.findall(r"<mark>(.*?)</mark>", result["snippet"])
        assert [_plain(word) for word in marked] == ["tillväxt"], (page, result["snippet"])
        assert _plain(result["snippet"].replace("<mark>", "").replace("</mark>", "")) == _plain(PAGES[page])
