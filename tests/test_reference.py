"""Sentences that point back, and the answer card that shows what they point to."""

from typing import Any

import pytest

from indexer.language.reference import antecedent, definite_form_of, points_back, repeats_earlier_noun
from search_app.answer.ask import ask
from search_app.answer.sentences import GAP, context_before
from search_app.query.snapshot import OpenSnapshot

POINTING = [
    ("Vi kallar det för J+.", True),
    ("Det innebär att vi även tar hänsyn till faktorer som ålder.", True),
    ("Dessa påverkar människors handlingsutrymme.", True),
    ("I detta uppdrag ingår bland annat frågor om näringsliv.", True),
    ("Det här projektet pågår till 2020.", True),
    ("De har tagit fram en plan.", True),
    ("Hon är projektledare.", True),
    ("Utöver det erbjuder vi rådgivning.", True),
    ("Det finns många kommuner i länet.", False),  # an existential "det"
    ("Det är viktigt att söka i tid.", False),  # "det" before a clause
    ("Det går att ansöka digitalt.", False),
    ("Det som krävs är en ansökan.", False),
    ("De kommuner som deltar får stöd.", False),  # a noun phrase
    ("De tre områdena var:", False),
    ("Den fysiska samhällsplaneringen.", False),
    ("Den senaste rapporten kom 2020.", False),
    ("Länsstyrelsen fördelar bidrag och stöd.", False),
    ("Vi vet att det finns fler skillnader än kön och att dessa påverkar oss.", False),  # too late to point out
    ("Det är ett fysiskt arbete som kräver god kondition.", True),
    ("Det är inte rektorn som utser ombuden.", False),  # a cleft sentence
    ("Det är vanligt, framför allt i grundskolan, att läraren ingår i ett arbetslag.", False),
    ("Hos dem ska du be om en sammanställning.", True),
    ("Om det uppstår ett fel måste elektrikern rätta till felet.", False),  # "det" opens a clause
    ("Utredningen redovisar även de delar av uppdraget som rör sändningar.", False),  # "de" before a noun
    ("Den 7 oktober begicks ett brott.", False),
    ("Chefen har det övergripande ansvaret.", False),  # a participle, not a verb
    ("Inom ramen för den här överenskommelsen kan vi satsa mer.", True),
]


@pytest.mark.parametrize(("sentence", "expected"), POINTING)
def test_pronouns_and_demonstratives_that_point_back(sentence: str, expected: bool) -> None:
    assert points_back(sentence) is expected


DEFINITE = [
    ("projektet", "projekt", "ett", True), ("programmet", "program", "ett", True), ("området", "område", "ett", True),
    ("områdena", "områden", "tre", True), ("kommunerna", "kommuner", "några", True),
    ("pilotprojekten", "pilotprojekt", "tolv", True), ("kommunen", "kommun", "en", True),
    ("skolan", "skola", "en", True), ("hovslagaren", "hovslagare", "en", True), ("mannen", "man", "en", True),
    ("arbeten", "arbete", "ett", False),  # a neuter noun's plural, not its definite form
    ("viktigt", "viktig", "en", False), ("utvecklat", "utveckla", "en", False), ("projekt", "projekt", "ett", False),
]


@pytest.mark.parametrize(("word", "earlier", "determiner", "expected"), DEFINITE)
def test_definite_forms(word: str, earlier: Any, determiner: Any, expected: bool) -> None:
    assert definite_form_of(word, earlier, determiner) is expected


def test_a_definite_noun_points_to_the_sentence_that_introduced_it() -> None:
    assert repeats_earlier_noun("Projektet pågår till 2020.", "X är ett EU-finansierat projekt för vuxna.")
    assert repeats_earlier_noun("De tre områdena var:", "Uppdraget gav tre huvudsakliga områden.")
    # Not introduced (a verb, or a noun already definite): nothing to point to.
    assert not repeats_earlier_noun("Ansökan ska vara inne i tid.", "Du kan ansöka om bidrag.")
    assert not repeats_earlier_noun("Länsstyrelsen fördelar bidrag.", "Länsstyrelsen arbetar i länet.")


def test_the_antecedent_is_the_sentence_before_or_the_introducing_one() -> None:
    sentences = ["Kompetensarena är ett projekt för vuxna.", "Målet är att främja utbildning.",
                 "Projektet pågår till 2020.", "Vi kallar det för K+."]
    assert antecedent(sentences, 2) == 0
    assert antecedent(sentences, 3) == 2
    assert antecedent(sentences, 1) is None
    assert antecedent(sentences, 0) is None


def test_context_follows_a_chain_and_marks_a_gap() -> None:
    sentences = ["Ett perspektiv.", "Det innebär mer.", "Vi kallar det för J+."]
    assert context_before(sentences, 2) == "Ett perspektiv. Det innebär mer. "
    assert context_before(["Det är ett projekt.", "Målet är gott.", "Projektet pågår."], 2) == \
        "Det är ett projekt." + GAP
    assert context_before(sentences, 0) == ""


def test_the_answer_holds_the_sentence_it_points_back_to(seed_snapshot: OpenSnapshot) -> None:
    answer = ask(seed_snapshot, "vad är J+").answer
    assert answer is not None
    assert answer.text.endswith("Vi kallar det för J+.")
    assert "Det innebär att vi även tar hänsyn till faktorer som ålder" in answer.text
    # The link still leads to the answering sentence itself.
    assert "text=Vi%20kallar%20det%20f%C3%B6r%20J%2B." in answer.url
