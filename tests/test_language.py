"""Golden tests for the language features: compounds, folding, grams, protected words,
question types and follow-ups."""

import pytest

from indexer.fields import SwedishAnalyzer, word_grams
from indexer.language.analysis import fold
from indexer.language.compounds import CompoundSplitter
from indexer.language.lexicon import build_lexicon
from indexer.language.questions import focus_term, holds_fact_of_kind, is_follow_up, question_type


@pytest.fixture(scope="module")
def splitter() -> CompoundSplitter:
    return CompoundSplitter(build_lexicon(["kompetensarena", "pilotkommunerna"]))


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("samhällsplaneringen", ["samhälle", "planeringen"]),  # linking -s-, the modifier's -e dropped
        ("pilotkommunerna", ["pilot", "kommunerna"]),
        ("bredbandsutbyggnad", ["bredband", "utbyggnad"]),
        ("utvecklingsledare", ["utveckling", "ledare"]),
        ("arbetsmarknaden", ["arbete", "marknaden"]),
        ("kompetensarena", ["kompetens", "arena"]),  # a corpus word the word list lacks
        ("regeringsuppdraget", ["regering", "uppdraget"]),
        ("planering", ["planering"]),  # not a compound of "plan" + "ring"
        ("kommunerna", ["kommunerna"]),
        ("utveckling", ["utveckling"]),
    ],
)
def test_compound_splitting(splitter: CompoundSplitter, word: str, parts: list[str]) -> None:
    assert splitter.split(word) == parts


def test_compound_parts_are_stemmed_and_at_least_four_letters(splitter: CompoundSplitter) -> None:
    analyzer = SwedishAnalyzer(splitter.lexicon)
    assert analyzer.compound_parts("samhällsplaneringen") == ["samhäll", "planering"]
    assert analyzer.compound_parts("pilotkommunerna") == ["pilot", "kommun"]
    assert analyzer.compound_parts("kommun") == []


@pytest.mark.parametrize(("text", "folded"), [("Överkalix", "Överkalix".translate({})), ("överkalix", "overkalix"),
                                              ("samhällsplanering", "samhallsplanering"), ("årsmöte", "arsmote")])
def test_folding(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_four_grams_are_folded() -> None:
    assert word_grams("Östhammar".lower()) == ["osth", "stha", "tham", "hamm", "amma", "mmar"]
    assert word_grams("eu") == []
    assert word_grams("eu-finansierat")[:2] == ["fina", "inan"]


def test_index_fields_of_a_section(splitter: CompoundSplitter) -> None:
    fields = SwedishAnalyzer(splitter.lexicon).index_fields(
        ("Det här har vi gjort tidigare", "Stärkt lokal attraktionskraft"), "De tio pilotkommunerna Överkalix.")
    assert fields["body"] == "tio pilotkommun överkalix"
    assert fields["folded"] == "gjort tid stark lokal attraktionskraft tio pilotkommun overkalix"
    assert fields["parts"] == "attraktion kraft pilot kommun"
    assert "kommu" not in fields["grams"].split() and "komm" in fields["grams"].split()
    assert "attraktionskraft" in fields["head"]


def test_protected_words_are_not_stemmed() -> None:
    assert SwedishAnalyzer().terms("Projekt Sthlm") == ["projek", "sthlm"]
    assert SwedishAnalyzer(protected=frozenset({"projekt"})).terms("Projekt Sthlm") == ["projekt", "sthlm"]


def test_neuter_definite_et_is_dropped_for_known_words(splitter: CompoundSplitter) -> None:
    analyzer = SwedishAnalyzer(splitter.lexicon)
    assert analyzer.terms("projektet projekt") == ["projek"]
    assert analyzer.terms("landstinget landsting") == ["landsting"]
    assert analyzer.terms("paket") == ["paket"]  # "pak" is too short to be the bare word


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("vem är kontaktperson för Kompetensarena Stockholm", "contact"),
        ("vilka ska jag kontakta om bygglov", "contact"),
        ("vilken handläggare har mitt ärende", "contact"),
        ("vilken terapimetod kräver intensiv kontakt med patienten", "other"),
        ("vilken inriktning innebär mycket patientkontakt", "other"),
        ("vem leder projektet", "person"),
        ("när pågick satsningen", "time"),
        ("hur länge pågår projektet", "time"),
        ("vilket år startade programmet", "time"),
        ("hur många pilotprojekt fanns det", "number"),
        ("hur mycket kostar ett bygglov", "amount"),
        ("hur mycket pengar fick projektet", "amount"),
        ("hur mycket snö föll i vintras", "number"),
        ("vem beslutar om bygglov", "who"),
        ("vem är rektor för skolan", "person"),
        ("hur lång tid tar handläggningen", "time"),
        ("vilka kommuner var pilotkommuner", "list"),
        ("vad är innovationskraft sthlm", "definition"),
        ("pilotkommuner", "other"),
    ],
)
def test_question_types(question: str, kind: str) -> None:
    assert question_type(question) == kind


@pytest.mark.parametrize(
    ("sentence", "kind", "expected"),
    [
        ("Satsningen pågick 2016–2019.", "time", True),
        ("Projektet pågår till september 2020.", "time", True),
        ("Satsningen var lyckad.", "time", False),
        ("Föräldrapenning betalas ut i 480 dagar per barn.", "time", True),
        ("Handläggningen tar normalt tio veckor.", "time", True),
        ("Myndigheten får 500 000 kronor för uppdraget.", "amount", True),
        ("Avgiften beror på husets storlek.", "amount", False),
        ("Uppdraget ges till Skatteverket.", "who", True),
        ("Uppdraget ges till Skatteverket.", "person", False),
        ("Regeringen utser Anna Block Mazoyer till ny ambassadör.", "person", True),
        ("Vi finansierade tolv pilotprojekt.", "number", True),
        ("Fredrik Wikström, projekt- och utvecklingsledare", "person", True),
        ("Kompetensarena Stockholm är ett projekt.", "person", False),
        ("Flen, Gotland, Haninge och Överkalix.", "list", True),
        ("Innovationskraft Sthlm är en samverkansplattform.", "definition", True),
    ],
)
def test_sentences_offer_the_fact_asked_for(sentence: str, kind: str, expected: bool) -> None:
    assert holds_fact_of_kind(sentence, kind) is expected


def test_focus_of_a_question(splitter: CompoundSplitter) -> None:
    analyzer = SwedishAnalyzer(splitter.lexicon)
    assert focus_term("vilka tre områden skulle stödjas", analyzer) == "områd"
    assert focus_term("hur många pilotprojekt fanns", analyzer) == "pilotprojek"


def test_the_focus_term_is_the_indexed_stem(splitter: CompoundSplitter) -> None:
    # One chain: the focus is the term the index holds ("projektet" → "projekt" → "projek"), not a bare Snowball stem.
    analyzer = SwedishAnalyzer(splitter.lexicon)
    assert focus_term("vilka projektet finns", analyzer) == analyzer.terms("projektet")[0] == "projek"


@pytest.mark.parametrize(
    ("question", "follow_up"),
    [("och när pågick det?", True), ("vem är kontakt där?", True), ("och målen?", True),
     ("vilka kommuner var pilotkommuner", False), ("hur länge pågår kompetensarena", False)],
)
def test_follow_up_detection(splitter: CompoundSplitter, question: str, follow_up: bool) -> None:
    assert is_follow_up(question, SwedishAnalyzer(splitter.lexicon)) is follow_up
