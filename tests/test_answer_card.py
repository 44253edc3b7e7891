"""The answer card on every surface: a shared /?q= link answers without JavaScript, the chat carries
it on without showing it twice, and the page, the chat and the widget put the exact fact in bold."""

import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from search_app.web.answer_card import CONFIDENCE_WORDING, confidence_wording, split_at_fact
from tests.test_widget import AXE, axe_violations, host_site, widget_input  # noqa: F401  (fixture and helpers)

#: (question, the fact the card shows in bold, the source it links) on the pages the live server serves:
#: the seed pages and the test corpus's municipality page (the one with a price).
FACTS = [
    ("när pågick utveckla svenska städer", "2016–2019", "Det här har vi gjort tidigare › Utveckla svenska städer"),
    ("hur mycket kostar bygglov för en altan", "4 500 kronor", "Bygglov för altan › Avgift"),
    ("hur många pilotprojekt finansierade tillväxtverket", "tolv",
     "Det här har vi gjort tidigare › Pilotprojekt inom Tillväxtskapande samhällsplanering"),
    ("vem är kontaktperson för Kompetensarena Stockholm", "Fredrik Wikström", "Tillväxt › Kompetensarena Stockholm"),
]
IDS = ["date", "amount", "count", "person"]


def shared_link(live_server: str, question: str) -> str:
    return live_server + "/?" + urllib.parse.urlencode({"q": question})


def ask_in_chat(page: Page, live_server: str, question: str) -> None:
    page.goto(live_server + "/")
    box = page.get_by_label("Din fråga eller dina sökord")
    box.fill(question)
    box.press("Enter")


@pytest.fixture()
def no_script(browser: Browser) -> Iterator[Page]:
    """A page with JavaScript turned off."""
    context = browser.new_context(java_script_enabled=False, locale="sv-SE")
    yield context.new_page()
    context.close()


def test_the_fact_is_cut_by_code_points() -> None:
    text = "🇸🇪 Bidraget är 4 500 kronor."
    start = text.index("4 500")
    assert split_at_fact(text, {"text": "4 500 kronor", "start": start, "end": start + 12}) == (
        "🇸🇪 Bidraget är ", "4 500 kronor", ".")


@pytest.mark.parametrize("highlight", [None, {}, {"text": "x", "start": 0, "end": 1},
                                       {"text": "Bidraget", "start": 5, "end": 99}, {"text": "B", "start": "0"}])
def test_a_missing_or_wrong_highlight_leaves_the_sentence_whole(highlight: Any) -> None:
    assert split_at_fact("Bidraget är stort.", highlight) == ("Bidraget är stort.", "", "")


def test_confidence_wording_from_the_surest_down() -> None:
    assert confidence_wording(1.0) == CONFIDENCE_WORDING[0][1] == "Svaret passar frågan väl."
    # 0.5 to 0.9 held the gold answer about as often throughout (SweQUAD-MC): one wording, not "delvis".
    for confidence in (0.85, 0.6):
        assert confidence_wording(confidence) == "Svaret passar troligen frågan. Kontrollera gärna i källan."
    assert confidence_wording(0.3) == CONFIDENCE_WORDING[2][1] == "Osäkert svar. Kontrollera i källan."


@pytest.mark.browser
def test_a_shared_link_shows_the_answer_card_before_the_results_without_javascript(no_script: Page,
                                                                                   live_server: str) -> None:
    no_script.goto(shared_link(live_server, "när pågick utveckla svenska städer"))
    card = no_script.locator("#samtal .answer")
    expect(card).to_have_count(1)
    expect(card.locator(".answer-text")).to_contain_text("pågick 2016–2019")
    source = card.locator(".source a")
    expect(source).to_have_text("Det här har vi gjort tidigare › Utveckla svenska städer")
    assert (source.get_attribute("href") or "").startswith("https://tillvaxtverket.se/")
    expect(card.locator(".confidence")).to_have_text(confidence_wording(1.0))
    expect(no_script.locator("#samtal .hit-link").first).to_be_visible()
    order = no_script.locator("#samtal .answer, #samtal .hit").evaluate_all("nodes => nodes[0].className")
    assert order == "answer"


@pytest.mark.browser
def test_only_the_first_results_page_repeats_the_answer(no_script: Page, live_server: str) -> None:
    no_script.goto(shared_link(live_server, "tillväxt") + "&sida=2")
    expect(no_script.locator("#samtal .hit-link").first).to_be_visible()
    expect(no_script.locator(".answer")).to_have_count(0)


@pytest.mark.browser
def test_the_chat_carries_on_from_a_shared_answer_without_showing_it_twice(page: Page, live_server: str) -> None:
    page.goto(shared_link(live_server, "vilka kommuner var pilotkommuner?"))
    expect(page.locator(".answer-text")).to_have_count(1)
    expect(page.locator(".answer-text")).to_contain_text("Överkalix")
    box = page.get_by_label("Din fråga eller dina sökord")
    box.fill("och när pågick det?")  # borrows its subject from the shared question
    box.press("Enter")
    expect(page.locator(".turn")).to_have_count(2)
    expect(page.locator(".turn").nth(1).locator(".answer-text")).to_contain_text("2015–2018")
    expect(page.locator(".answer-text")).to_have_count(2)


@pytest.mark.browser
@pytest.mark.parametrize(("question", "fact", "source"), FACTS, ids=IDS)
def test_the_page_without_javascript_shows_the_fact_in_bold(no_script: Page, live_server: str, question: str, fact: str,
                                                            source: str) -> None:
    no_script.goto(shared_link(live_server, question))
    card = no_script.locator("#samtal .answer")
    expect(card.locator(".answer-text strong")).to_have_text(fact)
    expect(card.locator(".source a")).to_have_text(source)
    first = card.locator("p").first  # what a screen reader hears first
    expect(first).to_have_text(f"Svar: {fact}.")
    expect(first).to_have_class("visually-hidden")


@pytest.mark.browser
@pytest.mark.parametrize(("question", "fact", "source"), FACTS, ids=IDS)
def test_the_chat_shows_the_fact_in_bold_and_the_same_card_as_the_page(page: Page, no_script: Page, live_server: str,
                                                                       question: str, fact: str, source: str) -> None:
    ask_in_chat(page, live_server, question)
    card = page.locator(".turn .answer")
    expect(card.locator(".answer-text strong")).to_have_text(fact)
    expect(card.locator("p").first).to_have_text(f"Svar: {fact}.")
    no_script.goto(shared_link(live_server, question))
    assert card.inner_text() == no_script.locator("#samtal .answer").inner_text()


@pytest.mark.browser
@pytest.mark.parametrize(("question", "fact", "source"), FACTS, ids=IDS)
def test_the_widget_shows_the_fact_in_bold_and_says_it_first(page: Page, host_site: str,  # noqa: F811
                                                             question: str, fact: str, source: str) -> None:
    page.goto(host_site + "/index.html")
    widget_input(page).type(question)
    answer = page.locator("sok-search .sok-answer")
    expect(answer.locator("strong")).to_have_text(fact)
    expect(answer.locator(".sok-hidden")).to_have_text(f"{fact}.")
    expect(page.locator("sok-search .sok-status")).to_contain_text(f"Svar: {fact}.")
    assert answer.locator("strong").evaluate("n => getComputedStyle(n).fontWeight") == "700"


@pytest.mark.browser
def test_the_chat_and_the_widget_cut_the_fact_by_code_points(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    parts = page.evaluate("""() => SokDom.factParts("🇸🇪 Bidraget är 4 500 kronor.",
                                                    {text: "4 500 kronor", start: 15, end: 27})""")
    assert parts == ["🇸🇪 Bidraget är ", "4 500 kronor", "."]
    assert page.evaluate("() => SokDom.factParts('Bidraget', {text: 'x', start: 0, end: 1})") is None


@pytest.mark.browser
def test_axe_finds_no_violations_in_the_answer_cards(browser: Browser, live_server: str) -> None:
    if not AXE.exists():
        pytest.fail("axe-core saknas: kör 'npm ci' (make test gör det)")
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(shared_link(live_server, FACTS[0][0]))
    expect(page.locator("#samtal .answer")).to_have_count(1)
    box = page.get_by_label("Din fråga eller dina sökord")
    box.fill(FACTS[-1][0])
    box.press("Enter")
    expect(page.locator("#samtal .answer")).to_have_count(2)
    assert axe_violations(page) == []
    context.close()
