""""Fick du svar på din fråga?" under an answer on the page, in the chat and in the widget, in a real Chromium."""

from __future__ import annotations

import html
import sqlite3
import time
import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.conftest import LIVE_ADMIN_TOKEN, live_server_log
from tests.test_widget import AXE, axe_violations, widget_input

pytestmark = pytest.mark.browser

ASKED = "Fick du svar på din fråga?"
THANKS = "Tack för ditt svar!"


def unhelpful_table(live_server: str) -> str:
    """The statistics page's table of questions answered "Nej" (the page flushes the worker's rows first)."""
    request = urllib.request.Request(live_server + "/admin/stats",
                                     headers={"Authorization": f"Bearer {LIVE_ADMIN_TOKEN}"})
    with urllib.request.urlopen(request) as response:
        page = html.unescape(response.read().decode())
    return page[page.index('id="svaret-nej-rubrik"'):]


def wait_until_listed(live_server: str, questions: list[str]) -> set[str]:
    """The questions stored with the verdict "Nej" once every one of ``questions`` is (beacons arrive a moment later).

    Read from the live server's statistics file after its statistics page has flushed the worker's
    rows: the page's own table lists the 20 most frequent, and the contract test's generated
    verdicts on the same server may fill it (tests/test_feedback.py checks the table itself).
    """
    deadline = time.monotonic() + 10
    while True:
        unhelpful_table(live_server)  # the statistics page flushes the worker's rows
        with sqlite3.connect(live_server_log.analytics or "") as connection:
            unhelpful = {query for (query,) in connection.execute("SELECT query FROM feedback WHERE helpful = 0")}
        if set(questions) <= unhelpful or time.monotonic() > deadline:
            return unhelpful
        time.sleep(0.3)


def answer_nej(scope: Page | Locator) -> None:
    """Click "Nej" in the verdict group under an answer and see the thanks."""
    group = scope.get_by_role("group", name=ASKED)
    expect(group).to_be_visible()
    group.get_by_role("button", name="Nej").click()
    expect(group.get_by_role("status")).to_have_text(THANKS)
    expect(group.get_by_role("button")).to_have_count(0)


def test_nej_on_the_page_in_the_chat_and_in_the_widget_is_stored_masked(page: Page, live_server: str) -> None:
    on_page = "när pågick utveckla svenska städer? ring 070-123 45 67"
    page.goto(live_server + "/?" + urllib.parse.urlencode({"q": on_page}))
    shared_card = page.locator("#samtal .turn").first  # rendered by the server for a shared link
    expect(shared_card.locator(".answer-text")).to_contain_text("2016–2019")
    answer_nej(shared_card)

    in_chat = "vem är kontaktperson för Kompetensarena Stockholm? svara till anna.svensson@exempel.se"
    box = page.get_by_label("Din fråga eller dina sökord")
    box.fill(in_chat)
    box.press("Enter")
    turn = page.locator("#samtal .turn").filter(has_text="Kompetensarena").last
    expect(turn.locator(".answer-text")).to_be_visible()
    answer_nej(turn)

    in_widget = "vilka kommuner var pilotkommuner 19850101-1234"
    page.goto(live_server + "/demo")
    widget_input(page).type(in_widget)
    expect(page.locator("sok-search .sok-answer")).to_be_visible()
    answer_nej(page.locator("sok-search .sok-answer"))

    stored = ["när pågick utveckla svenska städer? ring [telefon]",
              "vem är kontaktperson för kompetensarena stockholm? svara till [e-post]",
              "vilka kommuner var pilotkommuner [personnummer]"]
    unhelpful = wait_until_listed(live_server, stored)
    for question in stored:
        assert question in unhelpful, (question, sorted(unhelpful)[:50])
    for secret in ("070-123", "anna.svensson", "exempel.se", "19850101", "1234"):
        assert not any(secret in question for question in unhelpful), secret


def test_the_verdict_buttons_work_from_the_keyboard(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    box = page.get_by_label("Din fråga eller dina sökord")
    box.fill("när pågick utveckla svenska städer")
    box.press("Enter")
    group = page.get_by_role("group", name=ASKED)
    expect(group).to_be_visible()
    expect(box).to_be_focused()
    nej = group.get_by_role("button", name="Nej")
    for _ in range(10):  # the search button, the source link, "Ja", then "Nej"
        if nej.evaluate("node => node === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(nej).to_be_focused()
    page.keyboard.press("Enter")
    thanks = group.get_by_role("status")
    expect(thanks).to_have_text(THANKS)
    expect(thanks).to_be_focused()  # the keyboard's place is kept, not lost to the page's top

    page.goto(live_server + "/demo")
    widget = widget_input(page)
    widget.type("när började projektet kompetensarena stockholm?")
    answer = page.locator("sok-search .sok-answer")
    expect(answer.get_by_role("group", name=ASKED)).to_be_visible()
    nej = answer.get_by_role("button", name="Nej")
    for _ in range(5):  # the answer's source link, "Ja", then "Nej"
        page.keyboard.press("Tab")
        if nej.evaluate("node => node === node.getRootNode().activeElement"):
            break
    page.keyboard.press("Space")
    expect(answer.get_by_role("status")).to_have_text(THANKS)
    # Stored without the "?" that ends it: the same question with or without one is one row for staff.
    table = wait_until_listed(live_server, ["när pågick utveckla svenska städer",
                                            "när började projektet kompetensarena stockholm"])
    assert {"när pågick utveckla svenska städer", "när började projektet kompetensarena stockholm"} <= table


def test_nej_on_a_follow_up_in_the_chat_is_listed_with_the_question_it_follows(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    box = page.get_by_label("Din fråga eller dina sökord")
    for question in ("hur länge pågår Kompetensarena Stockholm?", "och vilka aktörer medverkar?"):
        box.fill(question)
        box.press("Enter")
        expect(page.locator("#samtal .turn").filter(has_text=question).locator(".answer-text")).to_be_visible()
    follow_up = page.locator("#samtal .turn").filter(has_text="och vilka aktörer medverkar?")
    answer_nej(follow_up)
    listed = "och vilka aktörer medverkar (följdfråga till: hur länge pågår kompetensarena stockholm)"
    assert listed in wait_until_listed(live_server, [listed])

    follow_up.locator(".source a").click()  # its click is counted for the search it belongs to
    deadline, clicks = time.monotonic() + 10, 0
    while clicks < 1 and time.monotonic() < deadline:
        unhelpful_table(live_server)  # the statistics page flushes the worker's rows
        with sqlite3.connect(live_server_log.analytics or "") as connection:  # the top-20 table may not list it
            clicks = connection.execute("SELECT COUNT(*) FROM clicks WHERE query = ?", (listed,)).fetchone()[0]
        time.sleep(0.3)
    assert clicks == 1


def test_without_javascript_the_page_asks_with_a_form_and_with_it_once(browser: Browser, page: Page,
                                                                       live_server: str) -> None:
    question = "när pågick projektet kompetensarena?"
    context = browser.new_context(java_script_enabled=False, locale="sv-SE")
    no_script = context.new_page()
    no_script.goto(live_server + "/?" + urllib.parse.urlencode({"q": question}))
    form = no_script.get_by_role("form", name=ASKED)
    expect(form).to_be_visible()
    form.get_by_role("button", name="Nej").click()
    expect(no_script.get_by_role("status")).to_have_text(THANKS)
    no_script.get_by_role("link", name="Tillbaka till frågan").click()
    expect(no_script.locator("#samtal .answer-text")).to_contain_text("september 2020")
    context.close()
    listed = question.rstrip("?")  # stored as one row with the same question without its "?"
    assert listed in wait_until_listed(live_server, [listed])

    page.goto(live_server + "/?" + urllib.parse.urlencode({"q": question}))  # JavaScript on: its buttons, once
    expect(page.get_by_role("group", name=ASKED)).to_have_count(1)
    expect(page.get_by_role("form", name=ASKED)).to_have_count(0)


def test_axe_finds_no_violations_in_the_form_and_the_thanks_page(browser: Browser, live_server: str) -> None:
    if not AXE.exists():
        pytest.fail("axe-core saknas: kör 'npm ci' (make test gör det)")
    context = browser.new_context(bypass_csp=True)  # only the test's injection of axe bypasses the policy
    context.route("**/chat.js", lambda route: route.abort())  # the page as a browser without JavaScript has it
    page = context.new_page()
    page.goto(live_server + "/?" + urllib.parse.urlencode({"q": "när pågick utveckla svenska städer"}))
    expect(page.get_by_role("form", name=ASKED)).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("form", name=ASKED).get_by_role("button", name="Ja").click()
    expect(page.get_by_role("status")).to_have_text(THANKS)
    assert axe_violations(page) == []
    context.close()


def test_axe_finds_no_violations_around_the_verdict_buttons(browser: Browser, live_server: str) -> None:
    if not AXE.exists():
        pytest.fail("axe-core saknas: kör 'npm ci' (make test gör det)")
    context = browser.new_context(bypass_csp=True)  # only the test's injection of axe bypasses the policy
    page = context.new_page()
    page.goto(live_server + "/?" + urllib.parse.urlencode({"q": "när pågick utveckla svenska städer"}))
    expect(page.get_by_role("group", name=ASKED)).to_be_visible()
    box = page.get_by_label("Din fråga eller dina sökord")
    box.fill("vilka kommuner var pilotkommuner?")
    box.press("Enter")
    expect(page.get_by_role("group", name=ASKED)).to_have_count(2)
    assert axe_violations(page) == []
    page.get_by_role("group", name=ASKED).first.get_by_role("button", name="Ja").click()
    expect(page.get_by_text(THANKS)).to_be_visible()
    assert axe_violations(page) == []
    page.goto(live_server + "/demo")
    widget_input(page).type("vilka kommuner var pilotkommuner?")
    expect(page.locator("sok-search").get_by_role("group", name=ASKED)).to_be_visible()
    assert axe_violations(page) == []
    context.close()
