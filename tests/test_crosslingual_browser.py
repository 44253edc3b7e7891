"""A question in English and in Arabic, in a real Chromium, on the page and in the widget on another site: the card
says in the question's language that the answer is in Swedish and from whose page, the Swedish fact in bold, the
Arabic card right to left with the Swedish answer left to right."""

from __future__ import annotations

import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.test_conversation_browser import ask
from tests.test_crosslingual import ARABIC, ENGLISH
from tests.test_widget import QuietHandler, host_site, widget_input  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", autouse=True)
def warm(live_server: str) -> None:
    """The served worker's first question in another language loads the language model and embeds the reference
    sentences (a second or more on a busy machine): asked once before the browser waits its five seconds."""
    for question in (ENGLISH, ARABIC):
        with urllib.request.urlopen(f"{live_server}/api/v1/ask?{urllib.parse.urlencode({'q': question})}",
                                    timeout=120) as response:
            assert response.status == 200


def direction(locator: Locator) -> str:
    """The text direction the browser lays ``locator`` out in."""
    return str(locator.evaluate("element => getComputedStyle(element).direction"))


def test_the_page_answers_in_english_from_the_swedish_page(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    ask(page, ENGLISH)
    card = page.locator("#samtal .answer")
    expect(card).to_have_attribute("lang", "en")
    expect(card.locator(".answer-language")).to_have_text("The answer is in Swedish, from Tillväxtverket's page:")
    expect(card.locator(".answer-text strong")).to_have_text("2018–2020")
    expect(card.get_by_text("Source:")).to_be_visible()
    assert direction(card) == "ltr"


def test_the_page_shows_the_arabic_card_right_to_left(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    ask(page, ARABIC)
    card = page.locator("#samtal .answer")
    expect(card).to_have_attribute("dir", "rtl")
    expect(card.locator(".answer-language")).to_have_text("الإجابة باللغة السويدية، من صفحة Tillväxtverket:")
    expect(card.locator(".answer-text strong")).to_have_text("2018–2020")
    assert direction(card) == "rtl" and direction(card.locator(".answer-language")) == "rtl"
    assert direction(card.locator(".answer-text")) == "ltr"  # the Swedish answer reads left to right
    assert direction(page.locator("#samtal .turn h2")) == "rtl"  # the question as typed (dir=auto)
    border = card.evaluate("e => [getComputedStyle(e).borderRightWidth, getComputedStyle(e).borderLeftWidth]")
    assert border == ["4px", "0px"]  # the accent stands where an Arabic reader starts


def test_the_widget_answers_in_english_and_in_arabic(page: Page, host_site: str) -> None:  # noqa: F811
    page.goto(host_site + "/index.html")
    box = widget_input(page)
    box.click()
    box.type(ENGLISH)
    answer = page.locator("sok-search .sok-answer")
    expect(answer.locator(".sok-language")).to_have_text("The answer is in Swedish, from Tillväxtverket's page:")
    expect(answer.locator("strong")).to_have_text("2018–2020")
    expect(answer).to_have_attribute("lang", "en")
    box.fill("")
    box.type(ARABIC)
    expect(answer.locator(".sok-language")).to_have_text("الإجابة باللغة السويدية، من صفحة Tillväxtverket:")
    expect(answer).to_have_attribute("dir", "rtl")
    expect(answer.locator("strong")).to_have_text("2018–2020")
    assert direction(answer) == "rtl"
    assert direction(answer.locator("p[lang=sv]")) == "ltr"
    box.fill("")
    box.type("när finansierades pilotprojekten?")  # a Swedish question after them: the widget's own words again
    expect(answer.locator("h2")).to_have_text("Svar")
    expect(answer.locator(".sok-language")).to_have_count(0)
    expect(answer).not_to_have_attribute("dir", "rtl")
