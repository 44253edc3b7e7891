"""The exact fact: answer.highlight marks the span that answers the question, or is null."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from indexer.fields import SwedishAnalyzer
from indexer.language.facts import AGENT_RE, AMOUNT_RE, BODY_RE, CONDITION_RE, COUNT_RE, LIST_RE, TIME_RE, spans
from indexer.language.questions import asks_for_fact, question_slot
from search_app.answer.ask import ask
from search_app.answer.fact import find_highlight
from search_app.query.question import read_question
from search_app.query.snapshot import OpenSnapshot


def facts(pattern: re.Pattern[str], text: str) -> list[str]:
    return [text[start:end] for start, end in spans(pattern, text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("Satsningen pågick 2016–2019 och syftade till", ["2016–2019"]),
    ("ansvaret går över från och med den 1 januari 2019.", ["från och med den 1 januari 2019"]),
    ("Projektet pågår till september 2020.", ["till september 2020"]),
    ("du ska ha bott här i minst fem år med tillstånd", ["minst fem år"]),
    ("uppföljningen lämnas i slutet av mars", ["slutet av mars"]),
    ("Ansök senast 2025-03-31, vecka 12.", ["2025-03-31", "vecka 12"]),
])
def test_dates_and_periods(text: str, expected: Any) -> None:
    assert facts(TIME_RE, text) == expected


@pytest.mark.parametrize(("pattern", "text", "expected"), ids=lambda value: str(value)[:30], argvalues=[
    (AMOUNT_RE, "Kravet är 2 100 kronor per månad för barn.", ["2 100 kronor per månad"]),
    (AMOUNT_RE, "Kronofogden drev in 11,6 miljarder under året", ["11,6 miljarder"]),
    (AMOUNT_RE, "en familj kan få högst 40 000 kronor i kontanter", ["högst 40 000 kronor i kontanter"]),
    (COUNT_RE, "finansierade vi tolv pilotprojekt år 2018", ["tolv"]),
    (COUNT_RE, "den pågick i 63 dagar, 30,0% av alla", ["63 dagar", "30,0%"]),
    (BODY_RE, "Kontakta Skatteverket eller Länsstyrelsen i Skåne.", ["Skatteverket", "Länsstyrelsen i Skåne"]),
    (BODY_RE, "ansvaret går till Stockholms läns landsting", ["Stockholms läns landsting"]),
    (LIST_RE, "de tio kommunerna Flen, Gotland och Haninge", ["tio kommunerna Flen, Gotland och Haninge"]),
    (LIST_RE, "aktörer såsom kommuner, landsting och näringsliv", ["kommuner, landsting och näringsliv"]),
    (AGENT_RE, "När översynen är klar kontrollerar flygteknikern arbetet.", ["flygteknikern"]),
    (CONDITION_RE, "Du kan få resebidrag om du har fått uppehållstillstånd.", ["om du har fått uppehållstillstånd"]),
])
def test_amounts_counts_bodies_lists_and_conditions(pattern: re.Pattern[str], text: str, expected: Any) -> None:
    assert facts(pattern, text) == expected


@pytest.mark.parametrize(("question", "expected"), [
    ("när pågick projektet?", True),
    ("hur många kommuner deltog", True),
    ("hur länge gäller tillståndet", True),
    ("varför ser arbetet olika ut", True),
    ("hur ansöker jag om bygglov", False),
    ("hur ska jag göra", False),
    ("jämställd tillväxt statistik", False),
])
def test_a_question_asks_for_a_fact_unless_it_asks_how_or_is_key_words(question: str, expected: Any) -> None:
    assert asks_for_fact(question) is expected


def test_the_slot_is_the_words_around_the_question_word() -> None:
    analyzer = SwedishAnalyzer()
    slot = question_slot("Med hjälp av vad analyserar hon bolagens ekonomi?", analyzer)
    assert slot.before == "av"
    assert question_slot("Vad är man ansvarig för?", analyzer).stranded == "för"
    assert question_slot("Vilken kemist visade det?", analyzer).focus == frozenset(analyzer.word_terms("kemist"))
    assert question_slot("när pågick projektet?", analyzer).word == "när"
    assert question_slot("vilken myndighet beslutar?", analyzer).asks_who
    assert question_slot("vilka ska bevaka att avtalet följs?", analyzer).subject_who  # asks who
    assert not question_slot("vilka kommuner var pilotkommuner?", analyzer).subject_who  # asks for a list


def highlight_of(question: str, text: str, answer_start: int = 0) -> Any:
    """The highlight of ``text`` as the answer to ``question``, read as ask() reads it."""
    analyzer = SwedishAnalyzer()
    return find_highlight(read_question(question, analyzer), text, analyzer, answer_start)


def test_offsets_count_code_points_not_utf16_units() -> None:
    text = "Ansökan 😀 om bidrag öppnar den 1 mars 2025 på webben."
    found = highlight_of("när öppnar ansökan om bidrag?", text)
    assert found is not None
    assert found.text == "den 1 mars 2025"
    assert text[found.start : found.end] == found.text


def test_an_amount_keeps_its_unit() -> None:
    text = "Avgiften för bygglov beräknas enligt kommunens taxa och är 4 500 kronor för en normal altan."
    found = highlight_of("hur mycket kostar bygglov för en altan?", text)
    assert found is not None and found.text == "4 500 kronor"


def test_the_fact_stands_in_the_answering_sentence_not_in_its_context() -> None:
    # The first sentence is the context "Projektet" points back to; it holds more of the question's words,
    # but the date is in the answering sentence.
    context = "Kompetensarena Stockholm är ett EU-finansierat projekt som ska stärka vuxenutbildningen. … "
    text = context + "Projektet pågår till september 2020."
    found = highlight_of("när tar projektet kompetensarena slut", text, answer_start=len(context))
    assert found is not None and found.text == "till september 2020"


def test_a_date_in_the_second_answering_sentence_answers_when() -> None:
    text = ("Länsstyrelsen arbetar brett med jämställdhet inom just tillväxtområdet. "
            "Under 2016–2018 pågår ett särskilt uppdrag med finansiering från Tillväxtverket.")
    found = highlight_of("när pågick jämställd tillväxt", text)
    assert found is not None and found.text == "2016–2018"


def test_an_abbreviation_ends_no_sentence() -> None:
    # "f.d." does not end the sentence: the list after it is in the sentence that holds the question's words.
    text = ("Medverkande aktörer är, förutom Länsstyrelsen: Storsthlm (f.d. Kommunförbundet i Stockholms län), "
            "Arbetsförmedlingen, Stockholms läns landsting samt Stockholms stad.")
    found = highlight_of("vilka är medverkande aktörer i kompetensarena", text)
    assert found is not None and found.text == "Arbetsförmedlingen, Stockholms läns landsting samt Stockholms stad"


def answer_of(snapshot: OpenSnapshot, question: str) -> Any:
    answer = ask(snapshot, question).answer
    assert answer is not None, question
    return answer


def assert_fact(answer: Any, fact: str) -> None:
    assert answer.highlight is not None, answer.text
    assert answer.highlight.text == fact
    assert answer.text[answer.highlight.start : answer.highlight.end] == fact


def test_a_date_question_highlights_the_period(seed_snapshot: OpenSnapshot) -> None:
    assert_fact(answer_of(seed_snapshot, "när pågick Utveckla svenska städer?"), "2016–2019")


def test_a_when_question_highlights_the_date(seed_snapshot: OpenSnapshot) -> None:
    answer = answer_of(seed_snapshot, "vilket år tog region stockholm över det regionala utvecklingsansvaret")
    assert_fact(answer, "från och med den 1 januari 2019")


def test_an_amount_question_highlights_the_number(seed_snapshot: OpenSnapshot) -> None:
    assert_fact(answer_of(seed_snapshot, "hur många pilotprojekt finansierade tillväxtverket 2018-2020?"), "tolv")


def test_a_person_question_highlights_the_name(seed_snapshot: OpenSnapshot) -> None:
    assert_fact(answer_of(seed_snapshot, "vem är kontaktperson för Kompetensarena Stockholm"), "Fredrik Wikström")


def test_a_body_question_highlights_the_body(seed_snapshot: OpenSnapshot) -> None:
    answer = answer_of(seed_snapshot, "vilken myndighet finansierade uppdraget om jämställd tillväxt")
    assert_fact(answer, "Tillväxtverket")


def test_a_list_question_highlights_the_items(seed_snapshot: OpenSnapshot) -> None:
    answer = answer_of(seed_snapshot, "vilka kommuner var pilotkommuner?")
    assert answer.highlight is not None
    assert answer.highlight.text.startswith("Flen, Gotland")
    assert answer.highlight.text.endswith("Östhammar och Överkalix")


def test_a_how_question_has_no_highlight(seed_snapshot: OpenSnapshot) -> None:
    assert answer_of(seed_snapshot, "hur jobbar länsstyrelsen med tillväxt").highlight is None


def test_the_api_carries_the_highlight(seed_client: FlaskClient) -> None:
    data = seed_client.get("/api/v1/ask", query_string={"q": "när pågick Utveckla svenska städer?"}).get_json()
    answer = data["answer"]
    assert answer["highlight"] == {"text": "2016–2019", "start": answer["text"].index("2016–2019"),
                                   "end": answer["text"].index("2016–2019") + len("2016–2019")}
    data = seed_client.get("/api/v1/ask", query_string={"q": "hur jobbar länsstyrelsen med tillväxt"}).get_json()
    assert data["answer"]["highlight"] is None
