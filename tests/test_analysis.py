"""Golden tables for the Swedish analysis chain: (text, expected tokens/terms) rows."""

import itertools
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.language import analysis
from indexer.language.analysis import analyze, stem_word, terms, tokenize

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
def test_tokenizer_keeps_swedish_tokens_whole(text: str, expected: list[str]) -> None:
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
def test_snowball_swedish_stems(word: str, expected: str) -> None:
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
def test_query_terms(text: str, expected: list[str]) -> None:
    assert terms(text) == expected


def test_query_syntax_is_only_words() -> None:
    assert terms('"pilotkommuner" AND kommun* OR title:flen?') == terms("pilotkommuner and kommun or title flen")


def test_positions_and_offsets_point_into_the_text() -> None:
    text = "Satsningen Utveckla svenska städer pågick 2016–2019."
    for token in analyze(text):
        assert text[token.start : token.end].lower().startswith(token.text[:3])


DECOMPOSED = [
    ("tillva\u0308xt", "tillväxt"),
    ("O\u0308verkalix och A\u030angermanland", "Överkalix och Ångermanland"),
    ("Cafe\u0301 pa\u030a Sko\u0308vde", "Café på Skövde"),
]


@pytest.mark.parametrize(("decomposed", "composed"), DECOMPOSED)
def test_decomposed_text_is_analysed_as_the_composed_form(decomposed: str, composed: str) -> None:
    assert terms(decomposed) == terms(composed)
    assert [token.text for token in tokenize(decomposed)] == [token.text for token in tokenize(composed)]


INVISIBLE = {"zero-width space": "\u200b", "zero-width non-joiner": "\u200c", "zero-width joiner": "\u200d",
             "word joiner": "\u2060", "soft hyphen": "\u00ad", "byte order mark": "\ufeff",
             "left-to-right mark": "\u200e"}


@pytest.mark.parametrize("char", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_an_invisible_character_inside_a_word_does_not_split_it(char: str) -> None:
    text = f"hållbar till{char}växt"
    assert terms(text) == terms("hållbar tillväxt") == ["hållb", "tillväxt"]
    assert [text[token.start : token.end] for token in tokenize(text)] == ["hållbar", f"till{char}växt"]


def test_every_kind_of_space_is_a_space() -> None:
    assert analysis.normalize("4\u00a0500\u202fkronor,\u2007tio\u3000år") == "4 500 kronor, tio år"
    assert analysis.words("för\u00a0företag") == ["för", "företag"]


def test_the_invisible_characters_are_every_format_character() -> None:
    format_chars = {chr(code) for code in range(0x110000) if unicodedata.category(chr(code)) == "Cf"}
    assert {char for char in format_chars if analysis.normalize(f"a{char}b") == "ab"} == format_chars


# Letters that NFC composes or replaces (Swedish, Hangul jamo, Tamil, Tibetan, Devanagari, the Ångström
# sign), combining marks, format characters and spaces.
_UNICODE_TEXT = st.text(st.sampled_from([*"aAoOuUkx -.'", "\u0308", "\u030a", "\u0301", "\u0323",
                                         "\u200b", "\u00ad", "\u2060", "\ufeff", "\u00a0",
                                         "\u1100", "\u1161", "\u11a8", "\u0b92", "\u0bd7",
                                         "\u212b", "\u0f73", "\u0f40", "\u0958", "ö", "å"]),
                        max_size=30)


@settings(max_examples=300, deadline=None)
@given(text=_UNICODE_TEXT)
def test_each_token_span_holds_its_word_in_the_text_as_given(text: str) -> None:
    tokens = list(tokenize(text))
    assert [token.text for token in tokens] == analysis.token_words(text)
    assert [(token.start, token.end) for token in tokens] == list(analysis.token_spans(text))
    for token in tokens:  # a span may take in a character NFC joined to the word's first letter
        assert token.text in analysis.normalize(text[token.start : token.end])


_SWEDISH_TEXT = st.text(st.sampled_from([*"aAoOeE kx-.'", "\u0308", "\u030a", "\u0301", "\u200b", "\u00ad",
                                         "\u2060", "\u200d", "\ufeff", "\u00a0", "\u212b"]),
                        max_size=30)


@settings(max_examples=300, deadline=None)
@given(text=_SWEDISH_TEXT)
def test_token_spans_in_swedish_text_are_exact(text: str) -> None:
    spans = list(analysis.token_spans(text))
    assert all(end <= start for (_, end), (start, _) in itertools.pairwise(spans))
    for word, (start, end) in zip(analysis.token_words(text), spans, strict=True):
        assert analysis.normalize(text[start:end]).startswith(word)


def _composed_pairs() -> list[tuple[str, str]]:
    """(two characters, the one character NFC makes of them), for every such pair in Unicode."""
    pairs = [("\u1100\u1161", "\uac00"), ("\uac00\u11a8", "\uac01")]  # Hangul syllables are composed by rule
    for code in range(0x20000):  # no character above U+1FFFF decomposes into two
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            two = "".join(chr(int(part, 16)) for part in parts)
            if unicodedata.normalize("NFC", two) == chr(code):
                pairs.append((two, chr(code)))
    return pairs


def test_every_character_nfc_composes_is_one_token_spanning_both_parts() -> None:
    wrong = []
    for two, one in _composed_pairs():
        expected = [(one, 0, 2)] if analysis._TOKEN_RE.fullmatch(one) else []
        tokens = [(token.text, token.start, token.end) for token in tokenize(two)]
        if tokens != expected:
            wrong.append((two, tokens, expected))
    assert not wrong, wrong[:10]
