"""Take the screenshots in docs/ anew: the page with a conversation, the widget on a host page and on a phone.

    .venv/bin/python -m tests.screenshots

It indexes corpus/ into a temporary folder, serves it on a free loopback port and drives Debian's Chromium.
"""

from __future__ import annotations

import functools
import http.server
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import ViewportSize, expect, sync_playwright
from werkzeug.serving import make_server

from search_app.web.app import create_app
from tests.conftest import CHROMIUM, CORPUS, ROOT, build_index
from tests.test_widget import QuietHandler, host_page

DOCS = ROOT / "docs"


def main() -> None:
    """Serve an index of corpus/ and take the three screenshots."""
    with tempfile.TemporaryDirectory() as folder:
        index = build_index(CORPUS, Path(folder) / "index")
        host = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                               functools.partial(QuietHandler, directory=folder))
        origin = f"http://127.0.0.1:{host.server_address[1]}"
        app = create_app({"INDEX_DIR": str(index), "ANALYTICS_DB": "", "RATE_LIMIT_PER_MINUTE": 0,
                          "ALLOWED_ORIGINS": origin})  # the host page may send verdicts: its buttons show
        sok = make_server("127.0.0.1", 0, app, threaded=True)
        endpoint = f"http://127.0.0.1:{sok.server_port}"
        (Path(folder) / "index.html").write_text(host_page(endpoint), encoding="utf-8")
        for server in (sok, host):
            threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            shoot(endpoint, origin)
        finally:
            for server in (sok, host):
                server.shutdown()


def shoot(endpoint: str, host: str) -> None:
    """The page after two questions, and the widget answering on a host page (desktop and phone)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 1300}, locale="sv-SE")
        page.goto(endpoint + "/")
        box = page.get_by_label("Din fråga eller dina sökord")
        for question in ("vilka kommuner var pilotkommuner?", "och när pågick det?"):
            box.fill(question)
            box.press("Enter")
            expect(page.locator("#samtal .turn:not([aria-busy]) .answer-text").last).to_contain_text(
                "Överkalix" if "vilka" in question else "2015")
        page.locator("#samtal .turn").last.scroll_into_view_if_needed()
        page.screenshot(path=str(DOCS / "page.png"))
        sizes: tuple[tuple[str, ViewportSize, int], ...] = (("widget-host-page.png", {"width": 900, "height": 1000}, 1),
                                                            ("widget-phone.png", {"width": 390, "height": 844}, 2))
        for name, viewport, scale in sizes:
            widget = browser.new_page(viewport=viewport, device_scale_factor=scale, locale="sv-SE")
            widget.goto(host + "/index.html")
            widget.locator("sok-search").get_by_role("combobox").type("vilka kommuner var pilotkommuner?")
            expect(widget.locator("sok-search .sok-answer")).to_contain_text("Överkalix")
            expect(widget.locator("sok-search .sok-feedback-button").first).to_be_visible()
            widget.screenshot(path=str(DOCS / name))
        browser.close()


if __name__ == "__main__":
    main()
