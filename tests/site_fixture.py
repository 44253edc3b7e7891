"""A small Swedish municipal site served on loopback, for the crawler tests.

It has a sitemap, a robots.txt that forbids /privat/, HTML pages with page
furniture (navigation, header, footer, a cookie banner), a PDF, a 404, a
redirect, a redirect loop and a page slower than the crawler waits for. Pages
answer conditional requests (ETag) with 304. Every request path is logged,
and when it came.

A test may add redirects (``redirects``: path to Location) and answers given
before a path's page (``answers``: path to a list of (status, headers, body),
each given once, in order), e.g. a 503 with ``Retry-After`` and then the page.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FURNITURE = """
<header class="site-header"><a href="/">Exempelby kommun</a><nav><a href="/">Start</a>
<a href="/bygglov.html">Bygglov</a><a href="/privat/intern.html">Intranät</a></nav></header>
<div id="cookie-banner">Vi använder kakor. <button>Godkänn alla kakor</button></div>
"""
FOOTER = "<footer><p>Exempelby kommun, Storgatan 1. Telefon 0123-45 67 89.</p></footer>"


def page(title: str, main: str, canonical: str = "", description: str = "") -> bytes:
    head = f"<title>{title} - Exempelby kommun</title>"
    if canonical:
        head += f'<link rel="canonical" href="{canonical}">'
    if description:
        head += f'<meta name="description" content="{description}">'
    return (f'<!doctype html><html lang="sv"><head><meta charset="utf-8">{head}</head><body>{FURNITURE}'
            f"<main>{main}</main>{FOOTER}</body></html>").encode()


def pdf(pages: list[str]) -> bytes:
    """A minimal PDF with one line of Helvetica text per page (WinAnsi, so å, ä, ö work)."""
    objects: list[bytes] = []
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for index, text in enumerate(pages):
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("cp1252")
        stream = b"BT /F1 11 Tf 50 750 Td (" + escaped + b") Tj ET"
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >>"
                       f" /Contents {5 + 2 * index} 0 R >>".encode())
        objects.append(b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


class Site:
    """The fixture site; ``pages`` may be changed between crawls."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.request_times: list[tuple[str, float]] = []  # (path, time.time()) of every request
        self.redirects: dict[str, str] = {}
        self.answers: dict[str, list[tuple[int, dict[str, str], bytes]]] = {}
        self.slow_s = 3.0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.pages: dict[str, tuple[str, bytes]] = {}
        self._fill()
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _fill(self) -> None:
        b = self.base
        html = "text/html; charset=utf-8"
        self.pages = {
            "/robots.txt": ("text/plain", b"User-agent: *\nDisallow: /privat/\n"),
            "/sitemap.xml": ("application/xml", (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                + "".join(f"<url><loc>{b}{path}</loc></url>" for path in (
                    "/", "/bygglov.html", "/privat/intern.html", "/saknas.html", "/slinga-a", "/flyttad",
                    "/langsam.html", "/arsrapport.pdf"))
                + "</urlset>").encode()),
            "/": (html, page("Startsida", '<h1>Välkommen till Exempelby</h1><p>Här finns kommunens tjänster.</p>'
                             '<ul><li><a href="/bygglov.html">Bygglov</a></li>'
                             '<li><a href="/arsrapport.pdf">Årsrapport 2025</a></li></ul>')),
            "/bygglov.html": (html, page(
                "Bygglov",
                '<h1>Bygglov</h1><p>Du behöver bygglov för att bygga nytt eller bygga till.</p>'
                '<h2 id="ansokan">Så ansöker du om bygglov</h2>'
                '<p>Du ansöker om bygglov hos byggnadsnämnden med e-tjänsten. Handläggningstiden är tio veckor '
                'från det att ansökan är komplett.</p><ul><li>Situationsplan</li><li>Fasadritningar</li></ul>'
                '<h2 id="avgift">Avgift</h2><p>Avgiften för ett bygglov beror på byggnadens storlek.</p>',
                canonical=f"{b}/bygglov.html", description="Om bygglov i Exempelby kommun")),
            "/privat/intern.html": (html, page("Intranät", "<p>Hemlig personalinformation om lönerna.</p>")),
            "/bygglov-ny.html": (html, page(
                "Strandskydd", '<h1>Strandskydd</h1><h2 id="dispens">Dispens</h2>'
                "<p>Strandskyddsdispens söks hos miljönämnden och kostar 7000 kronor.</p>")),
            "/arsrapport.pdf": ("application/pdf", pdf([
                "Årsrapport 2025 för Exempelby kommun",
                "Antalet bygglovsansökningar ökade till 412 stycken under året.",
            ])),
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                # The crawler may hang up first (it reads no error bodies, and gives up on slow pages).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._answer()

            def _answer(self) -> None:
                site.requests.append(self.path)
                site.request_times.append((self.path, time.time()))
                if site.answers.get(self.path):
                    return self._scripted(*site.answers[self.path].pop(0))
                if self.path in site.redirects:
                    return self._redirect(site.redirects[self.path])
                if self.path == "/langsam.html":
                    time.sleep(site.slow_s)
                if self.path in ("/slinga-a", "/slinga-b"):
                    return self._redirect("/slinga-b" if self.path == "/slinga-a" else "/slinga-a")
                if self.path == "/flyttad":
                    return self._redirect("/bygglov-ny.html")
                if self.path not in site.pages:
                    self.send_response(404)
                    self.send_header("Content-Type", "text/html")
                    self.end_headers()
                    self.wfile.write(b"<html><body>Sidan finns inte</body></html>")
                    return
                kind, body = site.pages[self.path]
                etag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _scripted(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _redirect(self, location: str) -> None:
                self.send_response(301)
                self.send_header("Location", location)
                self.end_headers()

        return Handler

    def __enter__(self) -> Site:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.slow_s = 0
        self.server.shutdown()
        self.server.server_close()
