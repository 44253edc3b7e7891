"""Golden tables for the Swedish analysis chain: (text, expected tokens/terms) rows."""

import pytest

from indexer.analysis import analyze, stem_word, terms, tokenize

TOKENS = [
    ("Vi kallar det för J+.", ["Vi", "kallar", "det", "för", "J+"]),
    ("EU:s strukturfonder", ["EU:s", "strukturfonder"]),
    ("pågick 2016–2019 och", ["pågick", "2016–2019", "och"]),
    ("under 2016 – 2018", ["under", "2016–2018"]),
    ("Storsthlm (f.d. Kommunförbundet)", ["Storsthlm", "f", "d", "Kommunförbundet"]),
    ("EU-finansierat projekt- och utvecklingsledare", ["EU-finansierat", "projekt", "och", "utvecklingsledare"]),
    ("4 500 kronor, 1,2 meter", ["4", "500", "kronor", "1,2", "meter"]),
    ("Överkalix, Östhammar och Härjedalen", ["Överkalix", "Östhammar", "och", "Härjedalen"]),
    ("e-post: anna@exempel.se", ["e-post", "anna", "exempel", "se"]),
    ("citat \"ord\" * ? AND title:flen", ["citat", "ord", "AND", "title", "flen"]),
    ("FN:s och tv:n", ["FN:s", "och", "tv:n"]),
]


@pytest.mark.parametrize(("text", "expected"), TOKENS)
def test_tokenizer_keeps_swedish_tokens_whole(text, expected):
    assert [token.text for token in tokenize(text)] == expected


STEMS = [
    ("pilotkommuner", "pilotkommun"),
    ("pilotkommunerna", "pilotkommun"),
    ("kommunerna", "kommun"),
    ("strategier", "strategi"),
    ("finansierade", "finansier"),
    ("samhällsplaneringen", "samhällsplanering"),
    ("jämställdhet", "jämställd"),
    ("utvecklingsledare", "utvecklingsled"),
]


@pytest.mark.parametrize(("word", "expected"), STEMS)
def test_snowball_swedish_stems(word, expected):
    assert stem_word(word) == expected


TERMS = [
    ("Vilka kommuner var pilotkommuner?", ["kommun", "pilotkommun"]),
    ("EU:s strukturfonder", ["eu", "strukturfond"]),
    ("Vi kallar det för J+", ["kall", "j+"]),
    ("satsningen pågick 2016–2019", ["satsning", "pågick", "2016–2019", "2016", "2019"]),
    ("EU-finansierat", ["eu-finansier", "eu", "finansier"]),
    ("och det är att", []),
]


@pytest.mark.parametrize(("text", "expected"), TERMS)
def test_query_terms(text, expected):
    assert terms(text) == expected


def test_query_syntax_is_only_words():
    assert terms('"pilotkommuner" AND kommun* OR title:flen?') == terms("pilotkommuner and kommun or title flen")


def test_positions_and_offsets_point_into_the_text():
    text = "Satsningen Utveckla svenska städer pågick 2016–2019."
    for token in analyze(text):
        assert text[token.start : token.end].lower().startswith(token.text[:3])
