"""The embeddable widget on host pages from another origin, in a real Chromium."""

import functools
import gzip
import http.server
import json
import re
import threading
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from flask.testing import FlaskClient
from playwright.sync_api import Browser, Locator, Page, expect

from indexer.language.questions import opens_question
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

WIDGET = ROOT / "search_app" / "web" / "static" / "widget.js"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
HOSTILE_CSS = """
* { display: inline !important; font-size: 9px !important; color: red !important;
    background: yellow !important; position: static !important; visibility: visible !important; }
input, div, span { width: 10px !important; height: 10px !important; border: 5px dotted lime !important; }
sok-search { font-family: "Comic Sans MS" !important; letter-spacing: 5px; }
"""


def host_page(endpoint: str, extra_head: str = "", attributes: str = "") -> str:
    return f"""<!doctype html><html lang="sv"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Exempelby kommun</title>
{extra_head}<script src="{endpoint}/widget.js" defer></script></head>
<body><header><h1>Exempelby kommun</h1></header><main><p>Välkommen.</p>
<sok-search {attributes}></sok-search></main></body></html>"""


@pytest.fixture(scope="module")
def host_site(tmp_path_factory: pytest.TempPathFactory, live_server: str) -> Iterator[str]:
    """Host pages on another origin (another port) that embed the widget."""
    folder = tmp_path_factory.mktemp("host")
    (folder / "index.html").write_text(host_page(live_server), encoding="utf-8")
    (folder / "hostile.html").write_text(host_page(live_server, f"<style>{HOSTILE_CSS}</style>"), encoding="utf-8")
    (folder / "english.html").write_text(host_page(live_server, attributes='lang="en" limit="3"'), encoding="utf-8")
    (folder / "down.html").write_text(
        host_page(live_server, attributes='endpoint="http://127.0.0.1:9"'), encoding="utf-8")
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def widget_input(page: Page) -> Locator:
    return page.locator("sok-search").get_by_role("combobox")


def test_question_shows_the_answer_card_and_keyboard_moves_through_results(page: Page, host_site: str,
                                                                           live_server: str) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(host_site + "/index.html")
    box = widget_input(page)
    box.click()
    box.type("vilka kommuner var pilotkommuner?")
    answer = page.locator("sok-search .sok-answer")
    expect(answer).to_contain_text("Flen, Gotland, Haninge")
    expect(page.locator("sok-search .sok-status")).to_contain_text("träff")
    expect(box).to_have_attribute("aria-expanded", "true")
    options = page.locator("sok-search [role=option]")
    expect(options.first).to_be_visible()
    box.press("ArrowDown")
    first_id = options.nth(0).get_attribute("id")
    expect(box).to_have_attribute("aria-activedescendant", first_id)
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", options.nth(1).get_attribute("id"))
    # Move to the first search result (after the suggestions) and open it with Enter.
    result_index = page.locator("sok-search [role=option]").evaluate_all(
        "nodes => nodes.findIndex(n => n.querySelector('.sok-title'))")
    for _ in range(result_index - 1):
        box.press("ArrowDown")
    with page.expect_navigation():
        box.press("Enter")
    assert page.url.startswith("https://tillvaxtverket.se/")
    hosts = {urlparse(url).netloc for url in requests if url.startswith("http")}
    assert hosts <= {urlparse(host_site).netloc, urlparse(live_server).netloc, "tillvaxtverket.se"}


def test_escape_closes_and_ctrl_k_focuses(page: Page, host_site: str) -> None:
    page.goto(host_site + "/index.html")
    page.locator("h1").click()
    page.keyboard.press("Control+k")
    box = widget_input(page)
    expect(box).to_be_focused()
    box.type("pilotkommuner")
    expect(page.locator("sok-search .sok-panel")).to_be_visible()
    box.press("Escape")
    expect(page.locator("sok-search .sok-panel")).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")


def test_show_all_results_opens_the_full_page(page: Page, host_site: str, live_server: str) -> None:
    page.goto(host_site + "/index.html")
    widget_input(page).type("jämställdhet")
    link = page.locator("sok-search .sok-all")
    expect(link).to_have_attribute("href", live_server + "/?q=j%C3%A4mst%C3%A4lldhet")


def test_results_are_grouped_under_their_page(page: Page, host_site: str) -> None:
    page.goto(host_site + "/index.html")
    widget_input(page).type("samhällsplanering")
    groups = page.locator("sok-search [role=group]")
    expect(groups.first).to_be_visible()
    titles = groups.locator(".sok-group-title").all_text_contents()
    assert "Tillväxt" in titles and "Det här har vi gjort tidigare" in titles
    tillvaxtverket = groups.filter(has=page.locator(".sok-group-title", has_text="Det här har vi gjort tidigare"))
    assert tillvaxtverket.locator("[role=option]").count() >= 2
    expect(page.locator("sok-search mark").first).to_be_visible()


def test_hostile_host_css_cannot_break_the_widget(page: Page, host_site: str) -> None:
    page.goto(host_site + "/hostile.html")
    box = widget_input(page)
    bounds = box.bounding_box()
    assert bounds is not None
    width = bounds["width"]
    assert width > 100
    box.type("vilka kommuner var pilotkommuner?")
    expect(page.locator("sok-search .sok-answer")).to_contain_text("Överkalix")
    font = page.locator("sok-search .sok-answer p").evaluate("n => getComputedStyle(n).fontSize")
    assert font == "16px"


def test_english_strings_and_limit(page: Page, host_site: str) -> None:
    page.goto(host_site + "/english.html")
    box = widget_input(page)
    expect(box).to_have_attribute("placeholder", "Search or ask a question")
    box.type("tillväxt")
    expect(page.locator("sok-search .sok-all")).to_have_text("Show all results")
    expect(page.locator("sok-search [role=option] .sok-title")).to_have_count(3)


def test_endpoint_down_is_shown_in_swedish_without_errors(page: Page, host_site: str) -> None:
    page.goto(host_site + "/down.html")
    widget_input(page).type("pilotkommuner")
    expect(page.locator("sok-search .sok-error")).to_have_text("Sök kan inte nås just nu. Försök igen om en stund.")


def test_no_cookies_and_no_storage(page: Page, host_site: str) -> None:
    page.goto(host_site + "/index.html")
    widget_input(page).type("pilotkommuner")
    expect(page.locator("sok-search [role=option]").first).to_be_visible()
    assert page.context.cookies() == []
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0


def test_narrow_phone_and_200_percent_zoom(browser: Browser, host_site: str) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640}, device_scale_factor=2)
    page = context.new_page()
    page.goto(host_site + "/index.html")
    box = widget_input(page)
    box.type("pilotkommuner")
    panel = page.locator("sok-search .sok-panel")
    expect(panel).to_be_visible()
    bounds = panel.bounding_box()
    assert bounds is not None and bounds["width"] <= 320
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


def axe_violations(page: Page) -> list:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]


def test_axe_finds_no_violations_in_the_open_widget(page: Page, host_site: str) -> None:
    if not AXE.exists():
        pytest.fail("axe-core saknas: kör 'npm ci' (make test gör det)")
    page.goto(host_site + "/index.html")
    widget_input(page).type("vilka kommuner var pilotkommuner?")
    expect(page.locator("sok-search .sok-answer")).to_be_visible()
    assert axe_violations(page) == []


def test_axe_finds_no_violations_on_the_main_page_and_demo(browser: Browser, live_server: str) -> None:
    # Sök's own pages forbid inline scripts; only the test's injection of axe may bypass that.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(live_server + "/?q=pilotkommuner")
    assert axe_violations(page) == []
    page.goto(live_server + "/demo")
    widget_input(page).type("vilka kommuner var pilotkommuner?")
    expect(page.locator("sok-search .sok-answer")).to_be_visible()
    assert axe_violations(page) == []
    context.close()


def test_demo_widget_is_styled_under_the_strict_content_security_policy(page: Page, live_server: str) -> None:
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy"
            in message.text else None)
    page.goto(live_server + "/demo")
    box = widget_input(page)
    box.type("pilotkommuner")
    expect(page.locator("sok-search [role=option]").first).to_be_visible()
    border = page.locator("sok-search .sok-box").evaluate("n => getComputedStyle(n).borderTopStyle")
    assert border == "solid"
    assert violations == []


def test_widget_size_budget() -> None:
    css_and_js = WIDGET.read_bytes()
    assert len(gzip.compress(css_and_js, compresslevel=9)) <= 20 * 1024


def test_widget_is_served_with_a_javascript_type(client: FlaskClient) -> None:
    with client.get("/widget.js") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/javascript"
        source = response.get_data(as_text=True)
    assert 'customElements.define("sok-search"' in source
    assert "localStorage" not in source and "document.cookie" not in source


def test_the_widget_and_the_page_agree_on_what_is_a_question(client: FlaskClient) -> None:
    """The widget decides question or search before it asks the server; it decides by the page's own rule."""
    source = client.get("/widget.js").get_data(as_text=True)
    served = re.search(r'var QUESTION_WORDS = new RegExp\(("(?:[^"\\]|\\.)*"), "i"\)', source)
    assert served, "the served widget carries no question rule"
    pattern = re.compile(json.loads(served.group(1)), re.IGNORECASE)
    texts = ["vad kostar det", "Vilka kommuner var pilotkommuner", "är det öppet i dag", "ärendet", "hur?",
             "finns det stöd", "bidrag", "when is it open", "varför", "varförslag", "Vems ansvar", "pilotkommuner"]
    for text in texts:
        assert (bool(pattern.match(text)) or text.endswith("?")) is opens_question(text), text
    assert "vad|" not in WIDGET.read_text(encoding="utf-8")  # no copy of the words in the file itself


def test_a_question_without_a_question_mark_gets_the_answer_card(page: Page, host_site: str) -> None:
    asked: list[str] = []
    page.on("request", lambda request: asked.append(urlparse(request.url).path))
    page.goto(host_site + "/index.html")
    widget_input(page).type("Vilka kommuner var pilotkommuner")
    expect(page.locator("sok-search .sok-answer")).to_contain_text("Flen, Gotland, Haninge")
    assert "/api/v1/ask" in asked or "/api/ask" in asked


def test_no_empty_answer_card_for_plain_searches(page: Page, host_site: str) -> None:
    page.goto(host_site + "/index.html")
    widget_input(page).type("jämställdhet")
    expect(page.locator("sok-search [role=option]").first).to_be_visible()
    expect(page.locator("sok-search .sok-answer")).to_be_hidden()


def test_too_many_requests_is_shown_in_swedish(page: Page, host_site: str, live_server: str) -> None:
    page.route(live_server + "/api/**", lambda route: route.fulfill(
        status=429, headers={"Retry-After": "5", "Access-Control-Allow-Origin": "*"},
        content_type="application/problem+json", body='{"type": "/api/docs#problem-too-many-requests", "status": 429}'))
    page.goto(host_site + "/index.html")
    widget_input(page).type("pilotkommuner")
    expect(page.locator("sok-search .sok-error")).to_have_text(
        "För många sökningar just nu. Vänta en stund och försök igen.")
