"""Crawling a real (loopback) site, HTML pages and PDFs into the index, and answering from them."""

from __future__ import annotations

import email.utils
import gzip
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from indexer.corpus.crawl import http as http_module
from indexer.corpus.model import DocumentError
from indexer.corpus.readers import read_corpus
from indexer.corpus.readers.html import read_html
from indexer.corpus.readers.pdf import read_pdf
from indexer.snapshot.reader import current_snapshot
from search_app.cli import main
from search_app.web.app import create_app
from tests.site_fixture import Site, page, pdf


@pytest.fixture()
def site() -> Iterator[Site]:
    with Site() as served:
        yield served


def crawl(site: Site, *args: str) -> Result:
    return CliRunner().invoke(main, ["crawl", f"{site.base}/sitemap.xml", "--delay", "0", "--timeout", "1", *args])


def crawl_from(site: Site, path: str, corpus: Path, *args: str) -> Result:
    """``sok crawl`` from ``path`` of the site (a page or a sitemap) into ``corpus``."""
    return CliRunner().invoke(main, ["crawl", f"{site.base}{path}", "--corpus", str(corpus), "--delay", "0",
                                     "--timeout", "1", *args])


def sitemap(site: Site, paths: list[str], tag: str = "urlset") -> bytes:
    """A sitemap (``urlset``) or sitemap index (``sitemapindex``) of the site's ``paths``."""
    item = "url" if tag == "urlset" else "sitemap"
    return (f'<?xml version="1.0" encoding="UTF-8"?><{tag} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(f"<{item}><loc>{site.base}{path}</loc></{item}>" for path in paths) + f"</{tag}>").encode()


def stored_urls(corpus: Path) -> set[str]:
    """The addresses of the pages a crawl stored (from their sidecars)."""
    return {line.split(": ", 1)[1] for sidecar in corpus.rglob("*.meta.yml")
            for line in sidecar.read_text(encoding="utf-8").splitlines() if line.startswith("url: ")}


def times_of(site: Site, path: str) -> list[float]:
    """When the site was asked for ``path``, in order."""
    return [when for requested, when in site.request_times if requested == path]


def test_the_crawl_obeys_robots_stays_polite_and_names_every_failed_address(site: Site, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    result = crawl(site, "--corpus", str(corpus))
    assert result.exit_code == 0, result.output
    assert not [path for path in site.requests if path.startswith("/privat/")]  # robots.txt obeyed
    output = result.output
    assert f"{site.base}/saknas.html: HTTP 404" in output
    assert f"{site.base}/slinga-a: omdirigeringsslinga" in output
    assert f"{site.base}/langsam.html: svarade inte inom 1 s" in output
    assert f"{site.base}/privat/intern.html" in output and "robots.txt" in output
    assert f"{site.base}/flyttad → {site.base}/bygglov-ny.html" in output
    stored = sorted(path.suffix for path in corpus.rglob("*") if path.suffix in (".html", ".pdf"))
    assert stored == [".html", ".html", ".html", ".pdf"]  # start page, bygglov, the redirect's target, the PDF


def test_a_crawled_page_answers_with_a_link_to_its_heading_and_a_pdf_with_its_page(site: Site, tmp_path: Path) -> None:
    index = tmp_path / "index"
    result = crawl(site, "--corpus", str(tmp_path / "corpus"), "--index", str(index))
    assert result.exit_code == 0, result.output
    client = create_app({"TESTING": True, "INDEX_DIR": str(index)}).test_client()
    body = client.get("/api/ask", query_string={"q": "hur lång är handläggningstiden för bygglov?"}).get_json()
    answer = body["answer"]
    assert answer and "tio veckor" in answer["text"]
    assert answer["url"].startswith(f"{site.base}/bygglov.html#ansokan:~:text=")
    assert "Godkänn alla kakor" not in str(body) and "Storgatan" not in str(body)  # furniture is not content
    found = client.get("/api/search", query_string={"q": "bygglovsansökningar 412"}).get_json()["results"][0]
    assert found["url"] == f"{site.base}/arsrapport.pdf#page=2"
    assert found["kind"] == "pdf"


def test_crawling_again_changes_nothing_and_indexing_again_does_no_work(site: Site, tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    assert crawl(site, "--corpus", str(corpus), "--index", str(index)).exit_code == 0
    files = {path: path.stat().st_mtime_ns for path in corpus.rglob("*") if path.is_file()}
    snapshot_before = current_snapshot(index)
    site.requests.clear()
    again = crawl(site, "--corpus", str(corpus), "--index", str(index))
    assert again.exit_code == 0, again.output
    assert "0 nya eller ändrade" in again.output and "4 oförändrade" in again.output
    assert {path: path.stat().st_mtime_ns for path in corpus.rglob("*") if path.is_file()} == files
    assert current_snapshot(index) == snapshot_before  # no new snapshot: nothing to index
    assert "redan aktuellt" in again.output


def test_an_html_page_keeps_its_main_content_headings_and_metadata() -> None:
    html = page("Bygglov", '<h1>Bygglov</h1><p>Text om <b>bygglov</b>.</p><h2 id="avgift">Avgift</h2>'
                "<p>Avgiften beror på storleken.</p><table><tr><th>Åtgärd</th><th>Avgift</th></tr>"
                "<tr><td>Nybyggnad</td><td>20 000 kr</td></tr></table>",
                canonical="https://exempelby.se/bygglov", description="Om bygglov")
    doc = read_html(html, "test", url="https://exempelby.se/annan-adress")
    assert doc.url == "https://exempelby.se/bygglov"  # the canonical address wins
    assert doc.title == "Bygglov - Exempelby kommun" and doc.language == "sv" and doc.description == "Om bygglov"
    assert "## Avgift {#avgift}" in doc.text and "Nybyggnad | 20 000 kr" in doc.text
    assert "kakor" not in doc.text and "Storgatan" not in doc.text and "Intranät" not in doc.text


def test_a_page_without_any_address_is_refused() -> None:
    with pytest.raises(DocumentError, match="url saknas"):
        read_html(b"<html><body><p>Text</p></body></html>", "test")


def test_a_broken_pdf_in_the_corpus_is_reported_and_the_rest_indexed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "rapport.pdf").write_bytes(pdf(["Rapport om cykelvägar i Exempelby."]))
    (corpus / "rapport.pdf.meta.yml").write_text("url: https://exempelby.se/rapport.pdf\npublisher: Exempelby\n")
    (corpus / "trasig.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    (corpus / "trasig.pdf.meta.yml").write_text("url: https://exempelby.se/trasig.pdf\n")
    (corpus / "utan-adress.pdf").write_bytes(pdf(["Text"]))
    read = read_corpus(corpus)
    assert [doc.url for doc in read.documents] == ["https://exempelby.se/rapport.pdf"]
    reasons = {problem.source.rsplit("/", 1)[-1]: problem.reason for problem in read.problems}
    assert "PDF-filen kan inte läsas" in reasons["trasig.pdf"]
    assert "url saknas" in reasons["utan-adress.pdf"]


def test_pdf_pages_become_sections_that_link_to_their_page() -> None:
    doc = read_pdf(pdf(["Första sidan om parker.", "Andra sidan om lekplatser."]), "test",
                   url="https://exempelby.se/parker.pdf")
    assert doc.kind == "pdf"
    assert "## Sida 2 {#page=2}" in doc.text and "lekplatser" in doc.text


def test_a_changed_page_is_replaced_and_a_removed_one_deleted_on_the_next_crawl(site: Site, tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    assert crawl(site, "--corpus", str(corpus), "--index", str(index)).exit_code == 0
    kind, _ = site.pages["/bygglov.html"]
    site.pages["/bygglov.html"] = (kind, page("Bygglov", '<h1>Bygglov</h1><h2 id="ansokan">Ansökan</h2>'
                                              "<p>Handläggningstiden är nu sex veckor.</p>",
                                              canonical=f"{site.base}/bygglov.html"))
    del site.pages["/arsrapport.pdf"]
    again = crawl(site, "--corpus", str(corpus), "--index", str(index))
    assert again.exit_code == 0, again.output
    assert f"Borttagen från korpusen (finns inte längre): {site.base}/arsrapport.pdf" in again.output
    assert "1 ändrat, 1 borttaget" in again.output
    client = create_app({"TESTING": True, "INDEX_DIR": str(index)}).test_client()
    answer = client.get("/api/ask", query_string={"q": "hur lång är handläggningstiden för bygglov?"}).get_json()
    assert "sex veckor" in answer["answer"]["text"]
    found = client.get("/api/search", query_string={"q": "bygglovsansökningar 412"}).get_json()["results"]
    assert not [r for r in found if "arsrapport.pdf" in r["url"]]  # the bygglov pages may still be near in meaning


def test_the_title_in_an_article_header_is_kept_and_the_site_banner_dropped() -> None:
    html = ("<html lang='sv'><head><title>Avfall</title></head><body><header><nav>Meny</nav>Kommunens logga</header>"
            "<article><header><h1 id='avfall'>Avfall och återvinning</h1></header><p>Sopor hämtas varannan vecka.</p>"
            "</article><footer>Kontakta oss</footer></body></html>")
    doc = read_html(html, "test", url="https://exempelby.se/avfall")
    assert "# Avfall och återvinning {#avfall}" in doc.text and "Sopor hämtas" in doc.text
    assert "logga" not in doc.text and "Meny" not in doc.text and "Kontakta oss" not in doc.text


def test_a_crawl_from_the_start_page_follows_its_links_to_pages_and_pdfs(site: Site, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    result = CliRunner().invoke(main, ["crawl", f"{site.base}/", "--corpus", str(corpus), "--delay", "0",
                                       "--timeout", "1"])
    assert result.exit_code == 0, result.output
    fetched = {path for path in site.requests if not path.endswith((".txt",))}
    assert {"/", "/bygglov.html", "/arsrapport.pdf"} <= fetched  # linked from the start page
    assert "/privat/intern.html" not in fetched  # linked from the header, forbidden by robots.txt
    assert sorted(path.suffix for path in corpus.rglob("*") if path.suffix in (".html", ".pdf")) == [
        ".html", ".html", ".pdf"]


# -- robots.txt as RFC 9309 says ------------------------------------------------


def test_a_robots_txt_reached_through_five_redirects_is_obeyed(site: Site, tmp_path: Path) -> None:
    hops = ["/robots.txt", "/r1", "/r2", "/r3", "/r4", "/regler/robots.txt"]
    site.redirects = dict(pairwise(hops))  # five redirects
    site.pages["/regler/robots.txt"] = ("text/plain", b"User-agent: *\nDisallow: /privat/\nDisallow: /bygglov.html\n")
    result = crawl_from(site, "/sitemap.xml", tmp_path / "corpus")
    assert result.exit_code == 0, result.output
    assert "/bygglov.html" not in site.requests and not [p for p in site.requests if p.startswith("/privat/")]
    assert f"Hoppar över {site.base}/bygglov.html: förbjuden i robots.txt" in result.output
    assert f"{site.base}/" in stored_urls(tmp_path / "corpus")  # what the rules allow is still fetched


def test_a_robots_txt_redirected_more_than_five_times_stops_the_crawl_and_says_why(site: Site, tmp_path: Path) -> None:
    hops = ["/robots.txt", "/r1", "/r2", "/r3", "/r4", "/r5", "/regler/robots.txt"]
    site.redirects = dict(pairwise(hops))  # six redirects
    result = crawl_from(site, "/sitemap.xml", tmp_path / "corpus")
    assert result.exit_code == 1, result.output  # a crawl that fetched nothing because of robots.txt fails
    assert f"{site.base}/robots.txt: robots.txt omdirigeras mer än 5 gånger; hämtar inget" in result.output
    assert "webbplatsen hämtades inte" in result.output
    assert set(site.requests) <= set(hops[:-1])  # not one page
    assert not stored_urls(tmp_path / "corpus")


def test_robots_rules_use_wildcards_the_longest_match_and_our_own_group(site: Site, tmp_path: Path) -> None:
    site.pages["/robots.txt"] = ("text/plain", b"User-agent: *\nDisallow: /\n\n"
                                 b"User-agent: SokBot\nDisallow: /privat/\nAllow: /privat/oppet.html\n"
                                 b"Disallow: /*.pdf$\nDisallow: /*?\nDisallow: /lika.html\nAllow: /lika.html\n")
    links = ["/privat/oppet.html", "/privat/intern.html", "/arsrapport.pdf", "/sok?q=bygglov", "/lika.html",
             "/bygglov.html"]
    site.pages["/"] = ("text/html", page("Startsida", "".join(f'<a href="{link}">Länk</a>' for link in links)))
    site.pages["/privat/oppet.html"] = ("text/html", page("Öppet", "<p>Öppettider för kontaktcenter.</p>"))
    site.pages["/lika.html"] = ("text/html", page("Lika", "<p>Allow vinner när reglerna är lika långa.</p>"))
    result = crawl_from(site, "/", tmp_path / "corpus")
    assert result.exit_code == 0, result.output
    assert {"/privat/oppet.html", "/lika.html", "/bygglov.html"} <= set(site.requests)  # the longer Allow wins
    assert not {"/privat/intern.html", "/arsrapport.pdf", "/sok?q=bygglov"} & set(site.requests)  # * and $
    assert f"Hoppar över {site.base}/arsrapport.pdf: förbjuden i robots.txt" in result.output


def test_only_the_first_500_kib_of_a_robots_txt_are_read(site: Site, tmp_path: Path) -> None:
    padding = b"".join(b"# " + b"x" * 97 + b"\n" for _ in range(5200))  # 520 000 bytes of comments
    site.pages["/robots.txt"] = ("text/plain", b"User-agent: *\nDisallow: /privat/\n" + padding
                                 + b"Disallow: /bygglov.html\n")
    result = crawl_from(site, "/sitemap.xml", tmp_path / "corpus")
    assert result.exit_code == 0, result.output
    assert not [path for path in site.requests if path.startswith("/privat/")]
    assert f"{site.base}/bygglov.html" in stored_urls(tmp_path / "corpus")  # its rule lies past 500 KiB


def test_a_robots_txt_answering_429_stops_the_crawl_after_backing_off(site: Site, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http_module, "BACKOFF_S", 0.05)
    site.answers["/robots.txt"] = [(429, {}, b"")] * 10
    result = crawl_from(site, "/sitemap.xml", tmp_path / "corpus")
    assert result.exit_code == 1, result.output
    assert f"{site.base}/robots.txt: robots.txt gav HTTP 429; hämtar inget" in result.output
    assert site.requests == ["/robots.txt"] * (http_module.MAX_RETRIES + 1)  # asked again, then nothing else
    assert not stored_urls(tmp_path / "corpus")


def test_a_robots_txt_answering_503_with_retry_after_is_asked_again_and_obeyed(site: Site, tmp_path: Path) -> None:
    site.answers["/robots.txt"] = [(503, {"Retry-After": "1"}, b"")]
    result = crawl_from(site, "/sitemap.xml", tmp_path / "corpus")
    assert result.exit_code == 0, result.output
    first, second = times_of(site, "/robots.txt")
    assert second - first >= 1.0
    assert not [path for path in site.requests if path.startswith("/privat/")]
    assert f"{site.base}/bygglov.html" in stored_urls(tmp_path / "corpus")


def test_a_crawl_delay_of_a_day_is_neither_obeyed_nor_ignored_the_crawl_stops(site: Site, tmp_path: Path) -> None:
    _, rules = site.pages["/robots.txt"]
    site.pages["/robots.txt"] = ("text/plain", b"User-agent: *\nCrawl-delay: 86400\n" + rules)
    result = crawl_from(site, "/sitemap.xml", tmp_path / "corpus")
    assert result.exit_code == 1, result.output
    assert "Crawl-delay 86400 s, mer än 60 s; hämtar inget" in result.output
    assert site.requests == ["/robots.txt"]


# -- sitemaps -------------------------------------------------------------------


def test_the_sitemaps_robots_txt_names_are_used_when_the_crawl_starts_from_a_page(site: Site, tmp_path: Path) -> None:
    _, rules = site.pages["/robots.txt"]
    site.pages["/robots.txt"] = ("text/plain", rules + f"Sitemap: {site.base}/karta.xml.gz\n"
                                 "Sitemap: https://annan.example/sitemap.xml\n".encode())
    site.pages["/karta.xml.gz"] = ("application/gzip", gzip.compress(
        sitemap(site, ["/karta-sidor.xml.gz"], tag="sitemapindex")))
    site.pages["/karta-sidor.xml.gz"] = ("application/x-gzip", gzip.compress(
        sitemap(site, ["/bygglov-ny.html", "/bygglov.html"])))
    result = crawl_from(site, "/", tmp_path / "corpus")
    assert result.exit_code == 0, result.output
    # /bygglov-ny.html is linked from no page: only the gzipped sitemap behind the index names it
    assert {f"{site.base}/", f"{site.base}/bygglov-ny.html", f"{site.base}/bygglov.html"} <= stored_urls(
        tmp_path / "corpus")
    assert "https://annan.example/sitemap.xml: sitemap i robots.txt på en annan webbplats" in result.output


def test_a_gzipped_sitemap_given_as_start_is_unpacked(site: Site, tmp_path: Path) -> None:
    site.pages["/sitemap.xml.gz"] = ("application/octet-stream", gzip.compress(
        sitemap(site, ["/", "/bygglov.html", "/arsrapport.pdf"])))
    result = crawl_from(site, "/sitemap.xml.gz", tmp_path / "corpus")
    assert result.exit_code == 0, result.output
    assert stored_urls(tmp_path / "corpus") == {f"{site.base}/", f"{site.base}/bygglov.html",
                                                 f"{site.base}/arsrapport.pdf"}


def test_a_sitemap_that_cannot_be_read_removes_nothing_from_the_corpus(site: Site, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    site.pages["/karta.xml.gz"] = ("application/gzip", gzip.compress(sitemap(site, ["/", "/bygglov.html"])))
    assert crawl_from(site, "/karta.xml.gz", corpus).exit_code == 0
    before = stored_urls(corpus)
    site.pages["/karta.xml.gz"] = ("application/gzip", b"\x1f\x8b" + b"inte gzip" * 10)
    again = crawl_from(site, "/karta.xml.gz", corpus)
    assert again.exit_code == 0, again.output
    assert f"{site.base}/karta.xml.gz: sitemap är en trasig gzip-fil; hoppar över" in again.output
    assert "Borttagen" not in again.output and stored_urls(corpus) == before == {f"{site.base}/",
                                                                                 f"{site.base}/bygglov.html"}


def test_a_gzip_bomb_sitemap_is_refused_without_unpacking_it_into_memory(site: Site, tmp_path: Path) -> None:
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    bomb = packer.compress(b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
    spaces = b" " * 2**20
    bomb += b"".join(packer.compress(spaces) for _ in range(10 * http_module.MAX_BYTES // 2**20))  # ten times
    bomb += packer.compress(f"<url><loc>{site.base}/bygglov.html</loc></url></urlset>".encode()) + packer.flush()
    site.pages["/karta.xml.gz"] = ("application/gzip", bomb)
    tracemalloc.start()
    try:
        result = crawl_from(site, "/karta.xml.gz", tmp_path / "corpus")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.exit_code == 0, result.output
    limit_mb = http_module.MAX_BYTES // 2**20
    assert f"{site.base}/karta.xml.gz: sitemap är större än {limit_mb} MB uppackad; hoppar över" in result.output
    assert peak < 3 * http_module.MAX_BYTES  # unpacked in full it would take ten times the limit
    assert "/bygglov.html" not in site.requests


# -- 429 and 503: waiting as the server asks --------------------------------------


def test_pages_answering_429_or_503_are_fetched_after_their_retry_after(site: Site, tmp_path: Path) -> None:
    site.answers["/bygglov.html"] = [(503, {"Retry-After": "1"}, b"")]
    later = int(time.time()) + 3
    site.answers["/arsrapport.pdf"] = [(429, {"Retry-After": email.utils.formatdate(later, usegmt=True)}, b"")]
    result = crawl_from(site, "/sitemap.xml", tmp_path / "corpus")
    assert result.exit_code == 0, result.output
    assert {f"{site.base}/bygglov.html", f"{site.base}/arsrapport.pdf"} <= stored_urls(tmp_path / "corpus")
    first, second = times_of(site, "/bygglov.html")
    assert second - first >= 1.0  # Retry-After in seconds
    assert times_of(site, "/arsrapport.pdf")[1] >= later  # Retry-After as an HTTP date


def test_a_page_that_stays_unavailable_is_asked_again_with_growing_pauses_then_reported(
        site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(http_module, "BACKOFF_S", 0.2)
    site.answers["/bygglov.html"] = [(503, {}, b"")] * 10
    result = crawl_from(site, "/sitemap.xml", tmp_path / "corpus")
    assert result.exit_code == 0, result.output
    tries = http_module.MAX_RETRIES + 1
    assert f"{site.base}/bygglov.html: HTTP 503 (efter {tries} försök)" in result.output
    asked = times_of(site, "/bygglov.html")
    assert len(asked) == tries
    pauses = [later - earlier for earlier, later in pairwise(asked)]
    assert all(pause >= 0.2 * 2**n for n, pause in enumerate(pauses)), pauses  # 0.2, 0.4, 0.8 s
    assert f"{site.base}/arsrapport.pdf" in stored_urls(tmp_path / "corpus")  # the crawl went on


def test_a_retry_after_longer_than_the_cap_is_not_waited_for_and_the_page_reported(site: Site, tmp_path: Path) -> None:
    site.answers["/bygglov.html"] = [(429, {"Retry-After": "3600"}, b"")]
    started = time.monotonic()
    result = crawl_from(site, "/sitemap.xml", tmp_path / "corpus")
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < http_module.MAX_RETRY_AFTER_S
    assert site.requests.count("/bygglov.html") == 1  # not asked again before the hour is up
    assert (f"{site.base}/bygglov.html: HTTP 429 (servern ber om en paus på 3600 s; försök igen senare)"
            in result.output)
