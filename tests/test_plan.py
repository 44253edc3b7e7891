"""search_app/query/plan.py: the ranking rules its weights make (headings over body, phrases over scattered words,
whole words over parts) and its synonyms."""

from collections.abc import Iterator

import pytest

from indexer.build import build_snapshot
from indexer.corpus.model import Document
from indexer.fields import SwedishAnalyzer
from indexer.language.compounds import CompoundSplitter
from indexer.language.lexicon import build_lexicon
from indexer.snapshot.reader import current_snapshot
from search_app.query.plan import Synonyms, plan_query
from search_app.query.search import search
from search_app.query.snapshot import OpenSnapshot, open_snapshot

FILLER = "Här finns mer text om hur arbetet går till i praktiken och vem som gör vad under året. "


def page(slug: str, title: str, text: str) -> Document:
    return Document(url=f"https://example.se/{slug}", title=title, text=text)


@pytest.fixture(scope="module")
def snap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenSnapshot]:
    documents = [
        page("rubrik", "Cykelparkering", "Information om platser vid stationen. " + FILLER),
        page("brodtext", "Stationen", "Vid stationen finns cykelparkering och taxi. " + FILLER),
        page("fras", "Ansvar", "Det regionala utvecklingsansvaret flyttas till regionen. " + FILLER),
        page("spritt", "Ansvar i länet", "Regionala frågor har många. " + FILLER + "Utvecklingsansvaret ligger kvar. "),
        page("hel", "Planering", "Planering av nya bostäder i kommunen. " + FILLER),
        page("del", "Samhälle", "Samhällsplanering för nya bostäder i kommunen. " + FILLER),
    ]
    root = tmp_path_factory.mktemp("ranking")
    build_snapshot(root, documents)
    opened = open_snapshot(current_snapshot(root))
    yield opened
    opened.engine.close()


def urls(snap: OpenSnapshot, query: str) -> list[str]:
    return [p.url.split("#")[0].rsplit("/", 1)[1] for p in search(snap, query, limit=10).passages]


#: (rule, question, the page that must rank higher, the page it must outrank)
RULES = [
    ("a heading match above a body match", "cykelparkering", "rubrik", "brodtext"),
    ("words standing together above scattered words", "regionala utvecklingsansvaret", "fras", "spritt"),
    ("a whole word above a compound part", "planering", "hel", "del"),
]


@pytest.mark.parametrize(("question", "higher", "lower"), [rule[1:] for rule in RULES], ids=[rule[0] for rule in RULES])
def test_the_plans_weights_rank_one_page_above_the_other(snap: OpenSnapshot, question: str, higher: str,
                                                          lower: str) -> None:
    assert urls(snap, question)[:2] == [higher, lower]  # the only two pages holding the question's words


@pytest.fixture(scope="module")
def splitter() -> CompoundSplitter:
    return CompoundSplitter(build_lexicon(["kompetensarena", "pilotkommunerna"]))


def test_a_part_typed_alone_is_searched_in_the_parts_field(splitter: CompoundSplitter) -> None:
    plan = plan_query("planering", SwedishAnalyzer(splitter.lexicon))
    parts = {(t.field, t.term) for t in plan.terms}
    assert ("parts", "planering") in parts and ("body", "planering") in parts
    whole = {t.field: t.weight for t in plan.terms if t.term == "planering"}
    assert whole["body"] > whole["parts"]  # a whole-word match ranks above a part match


def test_synonyms_expand_questions_both_ways(splitter: CompoundSplitter) -> None:
    analyzer = SwedishAnalyzer(splitter.lexicon)
    synonyms = Synonyms.parse("landsting, region\n# kommentar\nbidrag, stöd, finansiering\n", analyzer)
    assert synonyms.expand(analyzer.terms("landstinget i Stockholm")) == ["region"]
    assert synonyms.expand(analyzer.terms("regionens ansvar")) == ["landsting"]
    assert synonyms.expand(analyzer.terms("söka bidrag")) == ["stöd", "finansiering"]
    assert synonyms.expand(analyzer.terms("cykelbana")) == []


def test_multiword_synonym_entries() -> None:
    analyzer = SwedishAnalyzer()
    synonyms = Synonyms.parse("jämställdhet, jämlikhet mellan kvinnor och män", analyzer)
    assert synonyms.expand(analyzer.terms("jämlikhet mellan kvinnor och män")) == ["jämställd"]
    assert synonyms.expand(analyzer.terms("kvinnor")) == []
