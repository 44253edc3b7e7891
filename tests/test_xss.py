"""Nothing a document or a query contains is ever run: the page, the chat and the widget."""

import json
from collections.abc import Iterator
from urllib.parse import quote, urlparse

import pytest
from playwright.sync_api import Browser, Dialog, Locator, Page, Route, expect

from tests.test_widget import host_site, widget_input  # noqa: F401  (fixture and helper)

pytestmark = pytest.mark.browser
HOSTILE_QUERY = 'skräppost "><img src=x onerror=alert(4)> <script>alert(5)</script> javascript:alert(6)'


@pytest.fixture()
def guarded(browser: Browser) -> Iterator[Page]:
    """A page that records dialogs and script errors; the test fails if any happened."""
    context = browser.new_context()
    page = context.new_page()
    events: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        events.append("dialog: " + dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: events.append("error: " + str(error)))
    yield page
    context.close()
    assert events == []


def link_schemes(page: Page, selector: str="a[href]") -> set[str]:
    hrefs = page.locator(selector).evaluate_all("nodes => nodes.map(n => n.href)")
    return {urlparse(href).scheme for href in hrefs}


def test_server_rendered_results_escape_documents_and_queries(guarded: Page, live_server: str) -> None:
    guarded.goto(live_server + "/?q=" + quote(HOSTILE_QUERY))
    expect(guarded.locator(".hit-link").first).to_contain_text("<script>alert('titel')</script> Testsida")
    expect(guarded.locator(".snippet").first).to_contain_text('"><img src=x onerror=alert(2)>')
    assert guarded.locator("main img, main script").count() == 0
    assert link_schemes(guarded) <= {"http", "https"}
    assert guarded.get_by_label("Din fråga eller dina sökord").input_value() == HOSTILE_QUERY


def test_chat_shows_hostile_text_as_text(guarded: Page, live_server: str) -> None:
    guarded.goto(live_server + "/")
    box = guarded.get_by_label("Din fråga eller dina sökord")
    box.fill(HOSTILE_QUERY)
    box.press("Enter")
    expect(guarded.locator(".turn .question")).to_have_text(HOSTILE_QUERY)
    expect(guarded.locator(".turn")).to_contain_text("Skräppost")
    assert guarded.locator("#samtal img, #samtal script").count() == 0
    assert link_schemes(guarded, "#samtal a[href]") <= {"http", "https"}


def test_widget_shows_hostile_text_as_text(guarded: Page, host_site: str) -> None:  # noqa: F811
    guarded.goto(host_site + "/index.html")
    widget_input(guarded).type(HOSTILE_QUERY)
    expect(guarded.locator("sok-search .sok-title").first).to_be_visible()
    expect(guarded.locator("sok-search .sok-snippet").first).to_contain_text("<script>")
    counts = guarded.locator("sok-search").evaluate(
        "host => host.shadowRoot.querySelectorAll('img, script, iframe').length")
    assert counts == 0
    assert link_schemes(guarded, "sok-search a[href]") <= {"http", "https"}


#: Snippets as the API sends them, and worse: the chat and the widget must keep the same text and <mark>s.
SNIPPETS = [
    "a <mark>marked</mark> word",
    '"><img src=x onerror=alert(7)> <mark>still text</mark>',
    "<script>alert(8)</script>after",
    "<mark><b>nested</b> bold</mark> <a href='javascript:alert(9)'>link</a>",
    "</p><mark>outside the paragraph</mark>",
    "<div>a block</div> closes the paragraph",
    "<!-- a comment --> text",
    "<frameset>",  # the parsed body has no first child
    "",
]


def snippet_shapes(locator: Locator) -> list:
    return locator.evaluate_all("nodes => nodes.map(n => [...n.childNodes].map(c => [c.nodeName, c.textContent]))")


def fake_passages() -> list[dict]:
    return [{"url": f"https://example.se/sida-{number}", "title": f"Sida {number}", "section": f"Sida {number}",
             "snippet": snippet, "publisher": "Testverket"} for number, snippet in enumerate(SNIPPETS)]


def answer_with(route: Route, body: dict) -> None:
    route.fulfill(status=200, content_type="application/json", headers={"Access-Control-Allow-Origin": "*"},
                  body=json.dumps(body))


def test_the_widget_sanitises_snippets_to_text_and_marks(guarded: Page, live_server: str, host_site: str) -> None:  # noqa: F811
    # The chat shows turns the server renders (templates/turn.html, escaped by Jinja, as the page without
    # JavaScript): the widget is the one place that builds snippets from JSON in the browser.
    passages = fake_passages()
    guarded.route(live_server + "/api/search?*", lambda route: answer_with(
        route, {"query": "snippets", "total": len(passages), "partial": False, "suggestion": None,
                "results": passages, "facets": {}}))
    guarded.route(live_server + "/api/suggest?*", lambda route: answer_with(
        route, {"query": "snippets", "suggestions": []}))
    guarded.goto(host_site + "/index.html")
    widget_input(guarded).type("snippets")
    expect(guarded.locator("sok-search .sok-snippet")).to_have_count(len(SNIPPETS))
    widget = snippet_shapes(guarded.locator("sok-search .sok-snippet"))
    assert widget[0] == [["#text", "a "], ["MARK", "marked"], ["#text", " word"]]
    assert {name for shape in widget for name, _ in shape} <= {"#text", "MARK"}
