"""The Swedish page in a real Chromium (Debian's /usr/bin/chromium) driven by Playwright."""

import urllib.parse

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser


def test_asking_on_the_page_shows_the_answer_with_its_source(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    box = page.get_by_label("Din fråga eller dina sökord")
    box.fill("vilka kommuner var pilotkommuner?")
    box.press("Enter")
    answer = page.locator(".answer-text").first
    expect(answer).to_contain_text("Flen, Gotland, Haninge")
    source = page.locator(".answer .source a").first
    expect(source).to_have_text("Det här har vi gjort tidigare › Stärkt lokal attraktionskraft")
    assert (source.get_attribute("href") or "").startswith("https://tillvaxtverket.se/")
    expect(page.locator("#nytt-svar")).to_have_attribute("aria-live", "polite")
    expect(page.locator("#nytt-svar")).to_contain_text("Svar: ")
    expect(page.locator("#samtal")).not_to_have_attribute("aria-live", "polite")  # turns are not read again
    expect(box).to_be_focused()


def test_follow_up_questions_stay_in_the_conversation(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    box = page.get_by_label("Din fråga eller dina sökord")
    box.fill("vem är kontaktperson för Kompetensarena Stockholm")
    box.press("Enter")
    expect(page.locator(".answer-text").first).to_contain_text("Fredrik Wikström")
    box.fill("hur förnyar jag mitt pass")
    page.get_by_role("button", name="Sök").click()
    expect(page.locator(".turn")).to_have_count(2)
    expect(page.locator(".turn").nth(1)).to_contain_text("Jag hittade inget säkert svar")


def test_search_works_without_javascript(browser: Browser, live_server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/?" + urllib.parse.urlencode({"q": "jämställdhet"}))
    expect(page.locator(".hit-link").first).to_contain_text("Jämställd tillväxt Stockholm")
    expect(page.locator(".snippet mark").first).to_be_visible()
    page.get_by_label("Din fråga eller dina sökord").fill("pilotkommuner")
    page.get_by_role("button", name="Sök").click()
    expect(page).to_have_url(live_server + "/?q=pilotkommuner")
    expect(page.locator(".hit-link").first).to_contain_text("Stärkt lokal attraktionskraft")
    context.close()


def test_keyboard_only_use(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the skip link
    expect(page.get_by_label("Din fråga eller dina sökord")).to_be_focused()
    page.keyboard.type("när pågick utveckla svenska städer")
    page.keyboard.press("Enter")
    expect(page.locator(".answer-text").first).to_contain_text("2016–2019")


def test_chat_resolves_a_follow_up_question(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    box = page.get_by_label("Din fråga eller dina sökord")
    box.fill("vilka kommuner var pilotkommuner?")
    box.press("Enter")
    expect(page.locator(".answer-text").first).to_contain_text("Överkalix")
    box.fill("och när pågick det?")
    box.press("Enter")
    second = page.locator(".turn").nth(1)
    expect(second.locator(".answer-text")).to_contain_text("2015–2018")
    expect(second.locator(".answer .source a")).to_contain_text("Stärkt lokal attraktionskraft")


def test_chat_offers_a_spelling_suggestion(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    box = page.get_by_label("Din fråga eller dina sökord")
    box.fill("kompetensarna")
    box.press("Enter")
    suggestion = page.get_by_role("link", name="kompetensarena", exact=True)
    expect(suggestion).to_be_visible()
    suggestion.click()
    expect(page.locator(".turn")).to_have_count(2)
    expect(page.locator(".turn").nth(1).locator(".question")).to_have_text("kompetensarena")


def test_opening_a_result_is_counted_for_the_site_owner(page: Page, live_server: str) -> None:
    import re
    import time
    import urllib.request

    from tests.conftest import LIVE_ADMIN_TOKEN

    page.goto(live_server + "/?" + urllib.parse.urlencode({"q": "jämställdhet"}))
    page.locator("#samtal .hit-link").first.click()  # the beacon goes before the page is left
    deadline = time.monotonic() + 10
    html = ""
    while time.monotonic() < deadline:
        request = urllib.request.Request(live_server + "/admin/stats",
                                         headers={"Authorization": f"Bearer {LIVE_ADMIN_TOKEN}"})
        with urllib.request.urlopen(request) as response:
            html = response.read().decode()
        # Columns: question, language, searches, hits, clicks.
        row = re.search(r"<td dir=\"auto\">jämställdhet</td><td>[^<]*</td><td>\d+</td><td>[^<]*</td><td>(\d+)</td>",
                        html)
        if row and int(row.group(1)) >= 1:
            break
        time.sleep(0.3)
    assert row and int(row.group(1)) >= 1, html[-1500:]
