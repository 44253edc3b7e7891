"""Typos: the misspelt word still finds its passage, and a suggestion is offered."""

import re
from dataclasses import replace
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from indexer.language.lexicon import swedish_word_list
from indexer.snapshot.reader import current_snapshot
from search_app.query.search import search
from search_app.query.snapshot import open_snapshot
from search_app.query.spelling import correct_word, edits1


def test_edits_include_swedish_letters() -> None:
    assert "överkalix" in edits1("overkalix")
    assert "pilotkommuner" in edits1("pilotkomuner")


def test_correction_prefers_the_most_frequent_known_word() -> None:
    vocabulary = {"kommun": 10, "kommer": 50, "komma": 5}
    assert correct_word("kommen", vocabulary) == "kommer"
    assert correct_word("kommun", vocabulary) is None  # known words are left alone
    assert correct_word("och", vocabulary) is None


def test_correction_through_the_stem_keeps_the_users_ending() -> None:
    vocabulary = {"pilotkommunerna": 3}
    stems = {"pilotkommun": 3}
    assert correct_word("pilotkomuner", vocabulary, stems) == "pilotkommuner"


# Common Swedish words that the seed pages lack, each one edit from a word a corpus might hold.
REAL_WORDS = [("hände", "vände"), ("kostar", "kortar"), ("jobb", "jobba"), ("barnet", "barnen"), ("gälla", "gälle")]


@pytest.mark.parametrize(("word", "neighbour"), REAL_WORDS)
def test_a_real_swedish_word_is_not_corrected(word: str, neighbour: str) -> None:
    vocabulary = {neighbour: 10}
    assert correct_word(word, vocabulary) == neighbour  # the corpus alone would "correct" it
    assert correct_word(word, vocabulary, known=swedish_word_list()) is None


def test_a_typo_of_a_corpus_word_is_still_corrected_with_the_word_list() -> None:
    vocabulary = {"kompetensarena": 4}
    assert correct_word("kompetensarna", vocabulary, known=swedish_word_list()) == "kompetensarena"


@pytest.mark.parametrize("question", ["vad hände 1 januari 2019", "vad kostar det", "hur får jag jobb",
                                      "vad gäller för barnet", "vilka regler ska gälla"])
def test_questions_in_plain_swedish_get_no_suggestion(client: FlaskClient, question: str) -> None:
    assert client.get("/api/search", query_string={"q": question}).get_json()["suggestion"] is None


def test_misspelt_question_finds_the_passage_and_gets_a_suggestion(client: FlaskClient) -> None:
    body = client.get("/api/search?q=pilotkomuner").get_json()
    assert body["results"][0]["section"] == "Stärkt lokal attraktionskraft"
    assert body["suggestion"] == "pilotkommuner"
    assert client.get("/api/search?q=pilotkommuner").get_json()["suggestion"] is None


def test_suggestion_is_a_link_on_the_page(client: FlaskClient) -> None:
    html = client.get("/?q=kompetensarna").get_data(as_text=True)
    assert re.search(r'Menade du: <a href="/\?q=kompetensarena"[^>]*>kompetensarena</a>', html)


def test_words_without_diacritics_find_the_right_pages(client: FlaskClient) -> None:
    overkalix = client.get("/api/search?q=overkalix").get_json()["results"][0]
    assert "Överkalix" in overkalix["text"]
    planering = client.get("/api/search?q=samhallsplanering").get_json()["results"]
    assert any("samhällsplanering" in r["text"] for r in planering[:3])


def test_right_letters_rank_above_folded_ones(mixed_index: Path) -> None:
    # The words' own scores (a hybrid score is relative to the other results of the same question).
    snap = replace(open_snapshot(current_snapshot(mixed_index)), semantic=None)
    exact = search(snap, "överkalix").passages[0].score
    folded = search(snap, "overkalix").passages[0].score
    assert exact > folded
    snap.engine.close()
