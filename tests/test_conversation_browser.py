"""The conversation as citizens and site owners use it, in a real Chromium: one result view in every turn, the
address as the state, focus and announcements, sources with publisher and date, the widget's verdicts on other
origins, statistics that count real searches, accessibility on desktop and phone."""

from __future__ import annotations

import functools
import http.server
import sqlite3
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, ViewportSize, expect
from werkzeug.serving import make_server

from search_app.web.app import create_app
from tests.test_widget import AXE, QuietHandler, axe_violations, host_page, host_site, widget_input  # noqa: F401

pytestmark = pytest.mark.browser

BOX = "Din fråga eller dina sökord"
PHONE: ViewportSize = {"width": 390, "height": 844}


def ask(page: Page, question: str) -> None:
    """Ask ``question`` in the chat and wait for its turn's answer or results."""
    turns = page.locator("#samtal .turn").count()
    box = page.get_by_label(BOX)
    box.fill(question)
    box.press("Enter")
    expect(page.locator("#samtal .turn:not([aria-busy])")).to_have_count(turns + 1)


def test_every_chat_turn_has_the_full_result_list_with_filters_and_paging(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    ask(page, "vilka kommuner var pilotkommuner?")
    ask(page, "hur arbetar man med tillväxt i regionen?")
    turn = page.locator("#samtal .turn").nth(1)
    expect(turn.locator(".hits .hit")).to_have_count(10)
    expect(turn.locator(".count")).to_contain_text("träffar")
    publishers = turn.get_by_role("navigation", name="Filtrera träffarna").locator("a")
    expect(publishers.first).to_be_visible()
    choice = turn.get_by_role("link", name="Länsstyrelsen")
    expect(choice.first).to_be_visible()
    choice.first.click()
    turn = page.locator("#samtal .turn").nth(1)  # rendered anew in place, the first turn untouched
    expect(turn.locator("strong[aria-current=true]")).to_contain_text("Länsstyrelsen")
    for publisher in turn.locator(".hit .publisher").all_inner_texts():
        assert publisher.startswith("Länsstyrelsen"), publisher
    assert "utgivare=" in page.url
    expect(page.locator("#samtal .turn").first.locator(".answer-text")).to_contain_text("Överkalix")
    page.goto(live_server + "/")
    ask(page, "tillväxt")
    turn = page.locator("#samtal .turn").last
    turn.get_by_role("link", name="Nästa sida").click()
    expect(page.locator("#samtal .turn").last.get_by_role("link", name="Föregående sida")).to_be_visible()
    assert "sida=2" in page.url


def test_the_address_follows_the_turns_reload_back_and_a_copied_link(page: Page, browser: Browser,
                                                                     live_server: str) -> None:
    first, follow_up = "vilka kommuner var pilotkommuner?", "och när pågick det?"
    page.goto(live_server + "/")
    ask(page, first)
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query) == {"q": [first]}
    ask(page, follow_up)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)
    assert query == {"q": [follow_up], "efter": [first]}  # with what the follow-up borrows
    page.go_back()
    expect(page).to_have_url(live_server + "/?" + urllib.parse.urlencode({"q": first}))
    expect(page.locator("#samtal .turn").first.locator("h2")).to_be_focused()
    page.go_forward()
    expect(page.locator("#samtal .turn").nth(1).locator("h2")).to_be_focused()
    copied = page.url
    page.reload()
    expect(page.locator("#samtal .turn")).to_have_count(1)
    expect(page.locator("#samtal .turn h2")).to_contain_text(follow_up)
    expect(page.locator("#samtal .answer-text")).to_contain_text("2015–2018")
    page.go_back()  # the turn before the reload, rendered anew
    expect(page.locator("#samtal .turn h2")).to_contain_text(first)
    expect(page.locator("#samtal .answer-text")).to_contain_text("Överkalix")
    context = browser.new_context(java_script_enabled=False)
    no_script = context.new_page()
    no_script.goto(copied)
    expect(no_script.locator("#samtal .answer-text")).to_contain_text("2015–2018")
    context.close()


def test_the_new_turn_is_scrolled_into_view_and_announced_once(page: Page, live_server: str) -> None:
    page.set_viewport_size(PHONE)
    page.goto(live_server + "/")
    for question in ("vilka kommuner var pilotkommuner?", "när pågick utveckla svenska städer",
                     "vem är kontaktperson för Kompetensarena Stockholm"):
        ask(page, question)
    last = page.locator("#samtal .turn").last
    expect(last.locator("h2")).to_be_in_viewport()
    announced = page.locator("#nytt-svar")
    expect(announced).to_contain_text("Svar: ")
    expect(announced).to_contain_text("Fredrik Wikström")
    text = announced.inner_text()
    assert "Överkalix" not in text and "2016–2019" not in text  # the earlier turns are not read again
    assert page.locator("[aria-live]").count() == 1
    headings = page.get_by_role("heading", level=2)
    expect(headings).to_have_count(3)


def test_publisher_site_and_date_on_the_card_and_every_result(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    ask(page, "när krävs bygglov för en altan?")
    turn = page.locator("#samtal .turn").last
    origin = turn.locator(".answer .origin")
    expect(origin).to_have_text("Exempelby kommun · exempelby.se · Uppdaterad 3 maj 2024")
    hits = turn.locator(".hit")
    for index in range(hits.count()):
        expect(hits.nth(index).locator(".source .site")).not_to_be_empty()
        expect(hits.nth(index).locator(".source .publisher")).not_to_be_empty()
    expect(turn.locator(".hit .date").first).to_have_text("Uppdaterad 3 maj 2024")


@pytest.fixture(scope="module")
def listed_site(tmp_path_factory: pytest.TempPathFactory, mixed_index: Path) -> Iterator[tuple[str, str, Flask, Path]]:
    """A host page on its own origin and a Sök server (on loopback) that lists that origin in ALLOWED_ORIGINS."""
    folder = tmp_path_factory.mktemp("listed-host")
    host = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    origin = f"http://127.0.0.1:{host.server_address[1]}"
    database = folder.parent / f"{folder.name}-analytics.sqlite"
    app = create_app({"INDEX_DIR": str(mixed_index), "ALLOWED_ORIGINS": origin, "ANALYTICS_DB": str(database),
                      "RATE_LIMIT_PER_MINUTE": 0})
    sok = make_server("127.0.0.1", 0, app, threaded=True)
    endpoint = f"http://127.0.0.1:{sok.server_port}"
    (folder / "index.html").write_text(host_page(endpoint), encoding="utf-8")
    threads = [threading.Thread(target=server.serve_forever, daemon=True) for server in (host, sok)]
    for thread in threads:
        thread.start()
    yield origin, endpoint, app, database
    for server in (host, sok):
        server.shutdown()
        server.server_close()
    app.extensions["sok_index"].close()


def rows(app: Flask, database: Path, sql: str) -> list[tuple]:
    """Rows of the statistics file once the worker's buffer is written."""
    app.extensions["sok_analytics"].flush()
    with sqlite3.connect(database) as connection:
        return connection.execute(sql).fetchall()


def test_the_widget_on_an_unlisted_origin_shows_no_verdict_buttons(page: Page, host_site: str) -> None:  # noqa: F811
    page.goto(host_site + "/index.html")  # live_server lists no origin: ALLOWED_ORIGINS is "*"
    widget_input(page).type("vilka kommuner var pilotkommuner?")
    answer = page.locator("sok-search .sok-answer")
    expect(answer).to_contain_text("Överkalix")
    page.wait_for_timeout(500)  # the answer to GET /api/v1/feedback has come
    expect(answer.get_by_role("button")).to_have_count(0)
    expect(answer).not_to_contain_text("Fick du svar")


def test_the_widget_on_a_listed_origin_sends_a_verdict_that_reaches_the_statistics(
        page: Page, listed_site: tuple[str, str, Flask, Path],
) -> None:
    origin, _, app, database = listed_site
    page.goto(origin + "/index.html")
    widget_input(page).type("när pågick utveckla svenska städer?")
    group = page.locator("sok-search .sok-answer").get_by_role("group", name="Fick du svar på din fråga?")
    group.get_by_role("button", name="Nej").click()
    expect(group.get_by_role("status")).to_have_text("Tack för ditt svar!")
    deadline = time.monotonic() + 10
    while not (found := rows(app, database, "SELECT query, helpful FROM feedback")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert found == [("när pågick utveckla svenska städer", 0)]


def test_keystrokes_and_head_requests_do_not_count(page: Page, listed_site: tuple[str, str, Flask, Path]) -> None:
    origin, endpoint, app, database = listed_site
    before = rows(app, database, "SELECT COUNT(*) FROM searches")[0][0]
    page.goto(origin + "/index.html")
    box = widget_input(page)
    box.type("pilotkommuner", delay=120)
    page.wait_for_timeout(600)  # searched as typed: prefixes were asked for, and not counted
    expect(page.locator("sok-search [role=option]").first).to_be_visible()
    box.press("Enter")  # submitted: counted once
    expect(page.locator("sok-search .sok-status")).to_contain_text("träff")
    page.wait_for_timeout(300)
    request = urllib.request.Request(endpoint + "/?q=pilotkommuner", method="HEAD")
    urllib.request.urlopen(request).close()
    counted = rows(app, database, "SELECT query FROM searches")[before:]
    assert counted == [("pilotkommuner",)]


def _states(page: Page, live_server: str) -> Iterator[tuple[str, Callable[[], object]]]:
    """Every state of the page worth checking: empty, an empty search, no results, a turn without and with
    JavaScript, a conversation with a filter, the statement page and the widget open."""
    yield "tom sida", lambda: page.goto(live_server + "/")
    yield "tom sökning", lambda: page.goto(live_server + "/?q=")
    yield "inga träffar", lambda: page.goto(live_server + "/?q=zxqwvy")
    yield "delad länk", lambda: page.goto(live_server + "/?" + urllib.parse.urlencode({"q": "tillväxt"}))

    def conversation() -> None:
        page.goto(live_server + "/")
        ask(page, "vilka kommuner var pilotkommuner?")
        ask(page, "och när pågick det?")
        page.locator("#samtal .turn").last.get_by_role("navigation", name="Filtrera träffarna", exact=False) \
            .locator("a").first.click()
        expect(page.locator("#samtal .turn").last.locator("strong[aria-current=true]")).to_be_visible()
    yield "samtal", conversation
    yield "tillgänglighet", lambda: page.goto(live_server + "/tillganglighet")

    def widget() -> None:
        page.goto(live_server + "/demo")
        widget_input(page).type("vilka kommuner var pilotkommuner?")
        expect(page.locator("sok-search .sok-answer")).to_be_visible()
    yield "sökruta", widget


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["dator", "mobil"])
def test_axe_finds_no_violations_in_any_state_on_desktop_and_phone(browser: Browser, live_server: str,
                                                                   viewport: ViewportSize | None) -> None:
    if not AXE.exists():
        pytest.fail("axe-core saknas: kör 'npm ci' (make test gör det)")
    context = (browser.new_context(bypass_csp=True, locale="sv-SE", viewport=viewport) if viewport
               else browser.new_context(bypass_csp=True, locale="sv-SE"))
    page = context.new_page()
    missing: list[str] = []
    page.on("response", lambda response: missing.append(response.url) if response.status == 404 else None)
    for name, reach in _states(page, live_server):
        reach()
        assert axe_violations(page) == [], name
    assert missing == []  # no 404 on any page load (the favicon is there)
    context.close()


def test_tap_targets_are_at_least_44_px_on_a_phone(browser: Browser, live_server: str) -> None:
    context = browser.new_context(viewport=PHONE, locale="sv-SE")
    page = context.new_page()
    page.goto(live_server + "/")
    ask(page, "vilka kommuner var pilotkommuner?")
    turn = page.locator("#samtal .turn").last
    targets = [*turn.locator("button, .facets a, .pages a, .hit-link, .answer .source a").all(),
               page.get_by_role("button", name="Sök"), page.get_by_label(BOX),
               page.get_by_role("link", name="Tillgänglighetsredogörelse")]
    assert len(targets) > 8
    for target in targets:
        box = target.bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 44, (target, box)
    placeholder = page.get_by_label(BOX)
    fits = placeholder.evaluate("""n => { const c = document.createElement('canvas').getContext('2d');
        const s = getComputedStyle(n); c.font = s.fontSize + ' ' + s.fontFamily;
        const room = n.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
        return c.measureText(n.placeholder).width <= room; }""")
    assert fits, "the placeholder is cut off"
    page.goto(live_server + "/demo")
    widget_input(page).type("vilka kommuner var pilotkommuner?")
    buttons = page.locator("sok-search .sok-feedback-button")
    expect(buttons.first).to_be_visible()
    for target in [*buttons.all(), page.locator("sok-search .sok-all")]:
        box = target.bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 44, box
    context.close()


def test_an_error_keeps_the_question_and_offers_to_try_again(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.route("**/tur", lambda route: route.abort())
    box = page.get_by_label(BOX)
    box.fill("vilka kommuner var pilotkommuner?")
    box.press("Enter")
    turn = page.locator("#samtal .turn").last
    expect(turn.get_by_role("alert")).to_contain_text("Tjänsten svarar inte")
    expect(box).to_have_value("vilka kommuner var pilotkommuner?")
    page.unroute("**/tur")
    box.fill("")
    page.get_by_role("button", name="Försök igen").click()
    expect(page.locator("#samtal .turn .answer-text")).to_contain_text("Överkalix")
    expect(page.get_by_role("alert")).to_have_count(0)


def test_the_widget_says_no_results_without_offering_all_results(page: Page, host_site: str) -> None:  # noqa: F811
    page.goto(host_site + "/index.html")
    widget_input(page).type("zxqwvyq")
    expect(page.locator("sok-search .sok-status")).to_have_text("Inga träffar.")
    expect(page.locator("sok-search .sok-all")).to_be_hidden()
