"""Crawling a real (loopback) site, HTML pages and PDFs into the index, and answering from them."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from indexer.documents import DocumentError, read_corpus
from indexer.html_pages import read_html
from indexer.pdf_pages import read_pdf
from indexer.snapshot import current_snapshot
from search_app import create_app
from search_app.cli import main
from tests.site_fixture import Site, page, pdf


@pytest.fixture()
def site():
    with Site() as served:
        yield served


def crawl(site: Site, *args: str):
    return CliRunner().invoke(main, ["crawl", f"{site.base}/sitemap.xml", "--delay", "0", "--timeout", "1", *args])


def test_the_crawl_obeys_robots_stays_polite_and_names_every_failed_address(site, tmp_path):
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


def test_a_crawled_page_answers_with_a_link_to_its_heading_and_a_pdf_with_its_page(site, tmp_path):
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


def test_crawling_again_changes_nothing_and_indexing_again_does_no_work(site, tmp_path):
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


def test_an_html_page_keeps_its_main_content_headings_and_metadata():
    html = page("Bygglov", '<h1>Bygglov</h1><p>Text om <b>bygglov</b>.</p><h2 id="avgift">Avgift</h2>'
                "<p>Avgiften beror på storleken.</p><table><tr><th>Åtgärd</th><th>Avgift</th></tr>"
                "<tr><td>Nybyggnad</td><td>20 000 kr</td></tr></table>",
                canonical="https://exempelby.se/bygglov", description="Om bygglov")
    doc = read_html(html, "test", url="https://exempelby.se/annan-adress")
    assert doc.url == "https://exempelby.se/bygglov"  # the canonical address wins
    assert doc.title == "Bygglov - Exempelby kommun" and doc.language == "sv" and doc.description == "Om bygglov"
    assert "## Avgift {#avgift}" in doc.text and "Nybyggnad | 20 000 kr" in doc.text
    assert "kakor" not in doc.text and "Storgatan" not in doc.text and "Intranät" not in doc.text


def test_a_page_without_any_address_is_refused():
    with pytest.raises(DocumentError, match="url saknas"):
        read_html(b"<html><body><p>Text</p></body></html>", "test")


def test_a_broken_pdf_in_the_corpus_is_reported_and_the_rest_indexed(tmp_path):
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


def test_pdf_pages_become_sections_that_link_to_their_page():
    doc = read_pdf(pdf(["Första sidan om parker.", "Andra sidan om lekplatser."]), "test",
                   url="https://exempelby.se/parker.pdf")
    assert doc.kind == "pdf"
    assert "## Sida 2 {#page=2}" in doc.text and "lekplatser" in doc.text


def test_a_changed_page_is_replaced_and_a_removed_one_deleted_on_the_next_crawl(site, tmp_path):
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
    assert "1 ändrade, 1 borttagna" in again.output
    client = create_app({"TESTING": True, "INDEX_DIR": str(index)}).test_client()
    answer = client.get("/api/ask", query_string={"q": "hur lång är handläggningstiden för bygglov?"}).get_json()
    assert "sex veckor" in answer["answer"]["text"]
    found = client.get("/api/search", query_string={"q": "bygglovsansökningar 412"}).get_json()["results"]
    assert not [r for r in found if "arsrapport.pdf" in r["url"]]  # the bygglov pages may still be near in meaning


def test_the_title_in_an_article_header_is_kept_and_the_site_banner_dropped():
    html = ("<html lang='sv'><head><title>Avfall</title></head><body><header><nav>Meny</nav>Kommunens logga</header>"
            "<article><header><h1 id='avfall'>Avfall och återvinning</h1></header><p>Sopor hämtas varannan vecka.</p>"
            "</article><footer>Kontakta oss</footer></body></html>")
    doc = read_html(html, "test", url="https://exempelby.se/avfall")
    assert "# Avfall och återvinning {#avfall}" in doc.text and "Sopor hämtas" in doc.text
    assert "logga" not in doc.text and "Meny" not in doc.text and "Kontakta oss" not in doc.text


def test_a_crawl_from_the_start_page_follows_its_links_to_pages_and_pdfs(site, tmp_path):
    corpus = tmp_path / "corpus"
    result = CliRunner().invoke(main, ["crawl", f"{site.base}/", "--corpus", str(corpus), "--delay", "0",
                                       "--timeout", "1"])
    assert result.exit_code == 0, result.output
    fetched = {path for path in site.requests if not path.endswith((".txt",))}
    assert {"/", "/bygglov.html", "/arsrapport.pdf"} <= fetched  # linked from the start page
    assert "/privat/intern.html" not in fetched  # linked from the header, forbidden by robots.txt
    assert sorted(path.suffix for path in corpus.rglob("*") if path.suffix in (".html", ".pdf")) == [
        ".html", ".html", ".pdf"]
