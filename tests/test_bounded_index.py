"""Bounded work at index time: no page, file or front matter can make a build spend minutes or gigabytes.

Each test generates its hostile input (small where the effect scales) and asserts the bound: the
time under a generous limit, sizes under a cap. The limits are those of ``indexer.budgets``.
"""

from __future__ import annotations

import gzip
import io
import random
import signal
import socket
import threading
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from indexer import budgets
from indexer.build import SemanticOptions, build_snapshot
from indexer.corpus.crawl.crawler import Crawler
from indexer.corpus.crawl.http import Fetcher, FetchError
from indexer.corpus.model import Document, DocumentError, Problem
from indexer.corpus.readers import read_corpus
from indexer.corpus.readers.html import read_html
from indexer.corpus.readers.pdf import read_pdf
from indexer.sections.split import Section, split_document
from search_app.cli import main
from search_app.web.app import create_app
from tests.site_fixture import Site, page

#: Tests that touch no search engine run once, in the Whoosh pass of ``make test`` (the tantivy pass skips slow ones).
ENGINE_FREE = pytest.mark.slow

WORDS = ["bygglov", "ansökan", "kommunen", "handläggning", "avgift", "tillstånd", "beslut", "nämnden", "fastighet",
         "ritning", "strandskydd", "dispens", "detaljplan", "grannar", "samråd"]


@pytest.fixture()
def site() -> Iterator[Site]:
    with Site() as served:
        yield served


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Fail with TimeoutError when the block runs longer than ``seconds`` (so that a regression fails, not hangs)."""

    def expire(*_args: object) -> None:
        raise TimeoutError(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def prose(size: int, seed: int = 1, paragraph_sentences: int = 0) -> str:
    """About ``size`` characters of generated Swedish sentences; in paragraphs when asked, else on one line."""
    rng = random.Random(seed)
    sentences, total = [], 0
    while total < size:
        sentence = " ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "."
        sentences.append(sentence)
        total += len(sentence) + 1
    if not paragraph_sentences:
        return " ".join(sentences)
    return "\n\n".join(" ".join(sentences[start:start + paragraph_sentences])
                       for start in range(0, len(sentences), paragraph_sentences))


def markdown_file(title: str, url: str, body: str) -> str:
    return f"---\ntitle: {title}\nurl: {url}\n---\n{body}\n"


# -- 1. Sections are cut to MAX_SECTION_CHARS ------------------------------------------------------


@ENGINE_FREE
@pytest.mark.parametrize("paragraph_sentences", [5, 0], ids=["paragraphs", "one-line"])
def test_a_two_megabyte_headingless_page_becomes_bounded_sections_that_keep_their_heading(
        paragraph_sentences: int,
) -> None:
    text = "## Bygglov i stort {#bygglov}\n\n" + prose(2_000_000, paragraph_sentences=paragraph_sentences)
    doc = Document(url="https://kommun.example.se/stor", title="Stor sida", text=text)
    started = time.monotonic()
    with time_limit(30):
        sections = split_document(doc)
    elapsed = time.monotonic() - started
    assert elapsed < 15, elapsed
    assert len(sections) >= 2_000_000 // budgets.MAX_SECTION_CHARS
    assert max(len(section.text) for section in sections) <= budgets.MAX_SECTION_CHARS
    assert {section.heading_path for section in sections} == {("Stor sida", "Bygglov i stort")}
    assert {section.anchor for section in sections} == {"bygglov"}
    assert len({section.id for section in sections}) == len(sections)
    assert split_document(doc)[7].id == sections[7].id  # stable from build to build
    # Cut between sentences (words in the one-line page only when a sentence would not fit): no word is split.
    words = set(WORDS) | {word.capitalize() for word in WORDS}
    for section in sections[:50]:
        assert set(section.text.replace(".", " ").split()) <= words
        assert section.text.endswith(".")
    assert "".join(section.text for section in sections).count(".") == text.count(".")


def test_a_single_word_longer_than_the_cap_is_cut_and_nothing_is_lost() -> None:
    word = "å" * (3 * budgets.MAX_SECTION_CHARS + 5)
    doc = Document(url="https://kommun.example.se/ord", title="Ord", text=f"Inledning här.\n\n{word}\n")
    sections = split_document(doc)
    assert max(len(section.text) for section in sections) <= budgets.MAX_SECTION_CHARS
    assert sum(section.text.count("å") for section in sections) == len(word)


def test_a_question_matching_a_huge_headingless_page_is_answered_fast_and_small(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rng = random.Random(7)
    filler = " ".join(" ".join(rng.choice(WORDS) for _ in range(14)).capitalize() + "." for _ in range(3500))
    (corpus / "stor.md").write_text(markdown_file("Stor sida", "https://kommun.example.se/stor", filler))
    (corpus / "liten.md").write_text(markdown_file(
        "Strandskydd", "https://kommun.example.se/strandskydd",
        "## Dispens\n\nStrandskyddsdispens söks hos miljönämnden och kostar 7000 kronor."))
    result = read_corpus(corpus)
    assert not result.problems
    with time_limit(120):
        report = build_snapshot(tmp_path / "index", result.documents, language_dir=corpus,
                                semantic=SemanticOptions(enabled=False))
    assert report.manifest.sections > len(filler) // budgets.MAX_SECTION_CHARS
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index"), "RATE_LIMIT_PER_MINUTE": 0})
    client = app.test_client()
    try:
        for path in ("/api/search", "/api/ask"):
            started = time.monotonic()
            with time_limit(30):
                response = client.get(path, query_string={"q": "avgift för bygglov hos nämnden"})
            elapsed = time.monotonic() - started
            assert response.status_code == 200
            assert elapsed < 10, (path, elapsed)
            assert len(response.data) < 20 * budgets.MAX_SECTION_CHARS, (path, len(response.data))
            assert "kommun.example.se/stor" in response.get_data(as_text=True)
    finally:
        app.extensions["sok_index"].close()


# -- 3. Readers never recurse on document depth; one bad file never breaks the build ----------------


def nested_page(depth: int) -> str:
    return ("<html><head><title>Djup sida</title></head><body>" + "<div>" * depth + "<p>Text längst in.</p>"
            + "</div>" * depth + "</body></html>")


def test_html_nested_three_thousand_levels_is_refused_fast_with_the_reason() -> None:
    started = time.monotonic()
    with time_limit(20), pytest.raises(DocumentError, match="nästlad djupare än"):
        read_html(nested_page(3000), "djup.html", url="https://kommun.example.se/djup")
    assert time.monotonic() - started < 5
    shallow = read_html(nested_page(budgets.MAX_HTML_DEPTH - 10), "grund.html", url="https://kommun.example.se/g")
    assert "Text längst in." in shallow.text


def test_a_deep_page_is_skipped_with_its_reason_and_every_build_goes_on(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "djup.html").write_text(nested_page(3000))
    (corpus / "djup.html.meta.yml").write_text("url: https://kommun.example.se/djup\n")
    (corpus / "bygglov.md").write_text(markdown_file("Bygglov", "https://kommun.example.se/bygglov",
                                                     "Du ansöker om bygglov hos byggnadsnämnden."))
    for build in range(2):  # the page stays in the corpus: the next build must not fail on it either
        started = time.monotonic()
        with time_limit(120):
            result = CliRunner().invoke(main, ["index", "--corpus", str(corpus), "--index", str(tmp_path / "index"),
                                               "--no-semantic", "--force"])
        assert result.exit_code == 0, result.output
        assert "djup.html: sidan är nästlad djupare än" in result.output
        assert "1 dokument" in result.output, build
        assert time.monotonic() - started < 60


def test_a_reader_failing_in_any_way_reports_that_file_and_reads_the_rest(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from indexer.corpus import readers

    def broken(path: Path) -> None:
        raise RuntimeError("en bugg i läsaren")

    monkeypatch.setitem(readers.READERS, ".htm", broken)
    (tmp_path / "trasig.htm").write_text("<html></html>")
    (tmp_path / "bra.md").write_text(markdown_file("Bra", "https://kommun.example.se/bra", "Text."))
    result = read_corpus(tmp_path)
    assert [doc.title for doc in result.documents] == ["Bra"]
    assert [problem.reason for problem in result.problems] == ["kunde inte läsas (RuntimeError: en bugg i läsaren)"]


def test_a_document_the_sectioner_fails_on_is_reported_and_the_rest_built_twice(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from indexer import workers

    def failing_on_one(doc: Document) -> list[Section]:
        if doc.url.endswith("/trasig"):
            raise RecursionError("maximum recursion depth exceeded")
        return split_document(doc)

    monkeypatch.setattr(workers, "split_document", failing_on_one)
    documents = [Document(url="https://kommun.example.se/trasig", title="Trasig", text="Text.", source="trasig.md"),
                 Document(url="https://kommun.example.se/hel", title="Hel", text="Du ansöker om bygglov.")]
    for force in (False, True):  # the same corpus builds again
        report = build_snapshot(tmp_path / "index", documents, semantic=SemanticOptions(enabled=False), force=force)
        assert report.manifest.documents == 1 and report.manifest.sections == 1
        assert [str(problem) for problem in report.problems] == [
            "trasig.md: kunde inte delas i avsnitt (RecursionError: maximum recursion depth exceeded)"]


# -- 4. PDF text extraction is bounded in content, characters and time --------------------------------


def shared_stream_pdf(pages: int, stream_bytes: int) -> bytes:
    """A PDF whose ``pages`` pages all draw one content stream of ``stream_bytes`` (compressed: a small file)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica")}))
    line = b"BT /F1 12 Tf 72 712 Td (Ansokan om bygglov) Tj ET\n"
    stream = DecodedStreamObject()
    stream.set_data(line * (stream_bytes // len(line)))
    contents = writer._add_object(stream.flate_encode())
    for _ in range(pages):
        page = writer.add_blank_page(612, 792)
        page[NameObject("/Contents")] = contents
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_whose_twenty_pages_share_one_huge_content_stream_is_refused_fast() -> None:
    data = shared_stream_pdf(20, 5_000_000)
    assert len(data) < 100_000  # a small file
    started = time.monotonic()
    with time_limit(30), pytest.raises(DocumentError, match="sidinnehåll"):
        read_pdf(data, "bomb.pdf", url="https://kommun.example.se/bomb.pdf")
    assert time.monotonic() - started < 5


@ENGINE_FREE
def test_pdf_text_extraction_stops_at_its_time_and_character_budgets(monkeypatch: pytest.MonkeyPatch) -> None:
    from indexer.corpus.readers import pdf

    data = shared_stream_pdf(20, 200_000)  # under the content caps: about 0.5 s of parsing per page
    monkeypatch.setattr(pdf, "MAX_PDF_SECONDS", 1.0)
    started = time.monotonic()
    with time_limit(30), pytest.raises(DocumentError, match="1 s"):
        read_pdf(data, "lang.pdf", url="https://kommun.example.se/lang.pdf")
    assert time.monotonic() - started < 4
    monkeypatch.setattr(pdf, "MAX_PDF_SECONDS", 60.0)
    monkeypatch.setattr(pdf, "MAX_PDF_TEXT_CHARS", 100_000)
    with time_limit(30), pytest.raises(DocumentError, match="tecken text"):
        read_pdf(data, "lang.pdf", url="https://kommun.example.se/lang.pdf")


# -- 5. Front matter: no YAML aliases, a size cap, text fields only -----------------------------------


def test_a_yaml_alias_bomb_in_front_matter_is_refused_in_milliseconds(tmp_path: Path) -> None:
    levels = ['a: &a ["hahahahahahahahahaha"]'] + [
        f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 9)}]" for n in range(7)]
    (tmp_path / "bomb.md").write_text("---\n" + "\n".join(levels) + "\ntitle: *h\nurl: https://x.se/b\n---\nText.\n")
    assert (tmp_path / "bomb.md").stat().st_size < 1000  # expands to 9**7 * 20 characters: over 90 MB
    started = time.monotonic()
    with time_limit(20):
        result = read_corpus(tmp_path)
    assert time.monotonic() - started < 2
    assert not result.documents
    assert "alias" in result.problems[0].reason


def test_front_matter_fields_must_be_text_and_large_front_matter_is_refused(tmp_path: Path) -> None:
    (tmp_path / "mapping.md").write_text("---\ntitle:\n  sv: Bygglov\nurl: https://x.se/m\n---\nText.\n")
    (tmp_path / "lista.md").write_text("---\ntitle: Bygglov\npublisher: [a, b]\nurl: https://x.se/l\n---\nText.\n")
    (tmp_path / "stor.md").write_text("---\ntitle: Stor\nurl: https://x.se/s\ndescription: "
                                      + "ord " * 20_000 + "\n---\nText.\n")
    (tmp_path / "tal.md").write_text("---\ntitle: 2025\nurl: https://x.se/t\n---\nText.\n")
    result = read_corpus(tmp_path)
    assert [doc.title for doc in result.documents] == ["2025"]  # a number is text enough
    reasons = {problem.source.rsplit("/", 1)[1]: problem.reason for problem in result.problems}
    assert reasons["mapping.md"] == "fältet title måste vara text, inte dict"
    assert reasons["lista.md"] == "fältet publisher måste vara text, inte list"
    assert reasons["stor.md"] == f"front matter är större än {budgets.MAX_FRONT_MATTER_BYTES // 1024} KB"


# -- 11. Corpus hygiene -------------------------------------------------------------------------------


def test_a_symlink_to_a_file_outside_the_corpus_is_refused(tmp_path: Path) -> None:
    corpus, outside = tmp_path / "corpus", tmp_path / "hemligt"
    corpus.mkdir()
    outside.mkdir()
    (outside / "lonelista.md").write_text(markdown_file("Löner", "https://x.se/loner", "Hemliga löner."))
    (corpus / "lank.md").symlink_to(outside / "lonelista.md")
    (corpus / "inne.md").write_text(markdown_file("Inne", "https://x.se/inne", "Text."))
    (corpus / "lank-inne.md").symlink_to(corpus / "inne.md")  # a link within the corpus is fine
    result = read_corpus(corpus)
    assert sorted(doc.title for doc in result.documents) == ["Inne", "Inne"]
    assert [(problem.source.rsplit("/", 1)[1], "utanför korpusmappen" in problem.reason)
            for problem in result.problems] == [("lank.md", True)]


def test_control_characters_are_removed_from_text_and_metadata(tmp_path: Path) -> None:
    (tmp_path / "styr.md").write_bytes(b"---\ntitle: \"Bygg\\0lov\\x07\"\nurl: https://x.se/s\n---\n"
                                       b"Du s\x00\x00\xc3\xb6ker\x1b bygglov\x7f.\tTabb.\n\nN\xc3\xa4sta.\n")
    result = read_corpus(tmp_path)
    assert not result.problems
    doc = result.documents[0]
    assert doc.title == "Bygglov"
    assert doc.text == "Du söker bygglov.\tTabb.\n\nNästa.\n"


def test_kind_must_match_the_reader(tmp_path: Path) -> None:
    (tmp_path / "fel.md").write_text("---\ntitle: Fel\nurl: https://x.se/f\nkind: pdf\n---\nText.\n")
    (tmp_path / "ratt.md").write_text("---\ntitle: Rätt\nurl: https://x.se/r\nkind: page\n---\nText.\n")
    result = read_corpus(tmp_path)
    assert [doc.title for doc in result.documents] == ["Rätt"]
    assert result.problems[0].reason.startswith("kind: pdf passar inte")


def test_a_file_name_with_a_newline_stays_on_one_report_line(tmp_path: Path) -> None:
    (tmp_path / "rad\nbrytning.md").write_text("ingen front matter\n")
    result = read_corpus(tmp_path)
    lines = str(result.problems[0]).splitlines()
    assert len(lines) == 1 and "rad\\nbrytning.md" in lines[0]
    assert "\n" not in str(Problem("a\nb\x00.md", "orsak\r\nmer"))


# -- 6. The crawler: a deadline for the whole of each fetch -------------------------------------------


class TrickleServer:
    """A loopback server that answers every request a byte at a time, ``interval_s`` apart.

    ``headers_too`` trickles the header lines as well, not only the body.
    """

    def __init__(self, interval_s: float, headers_too: bool = False) -> None:
        self.interval_s, self.headers_too = interval_s, headers_too
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/sida.html"
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        body = b"<html><head><title>Droppvis</title></head><body>" + b"x" * 200 + b"</body></html>"
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body)
        with conn:
            try:
                conn.recv(4096)
                if not self.headers_too:
                    conn.sendall(head)
                for byte in (head if self.headers_too else b"") + body:
                    if self.stop.wait(self.interval_s):
                        return
                    conn.sendall(bytes([byte]))
            except OSError:
                return  # the crawler hung up

    def close(self) -> None:
        self.stop.set()
        self.listener.close()


@ENGINE_FREE
@pytest.mark.parametrize("headers_too", [False, True], ids=["body", "headers"])
def test_a_server_sending_a_byte_at_a_time_is_cut_off_at_the_fetch_deadline(headers_too: bool) -> None:
    server = TrickleServer(0.1, headers_too)  # every wait is short: the per-read timeout never fires
    fetcher = Fetcher(delay_s=0, timeout_s=2, deadline_s=1)
    started = time.monotonic()
    try:
        with time_limit(20), pytest.raises(FetchError, match="tog mer än 1 s"):
            fetcher.get(server.url)
    finally:
        server.close()
    assert time.monotonic() - started < 3  # the whole page would take 25 s or more


# -- 7. The crawler collects no more addresses than --max-pages can use --------------------------------


def measured_crawl(start: str, corpus: Path, max_pages: int) -> tuple[Any, int, float]:
    """Crawl ``start`` into ``corpus`` within a minute: (the report, peak traced bytes, seconds)."""
    started = time.monotonic()
    tracemalloc.start()
    try:
        with time_limit(60):
            report = Crawler(start, corpus, max_pages=max_pages, delay_s=0, timeout_s=2).run()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return report, peak, time.monotonic() - started


@ENGINE_FREE
def test_a_sitemap_index_of_many_big_gzipped_sitemaps_with_max_pages_1_stays_small_and_fast(site: Site,
                                                                                            tmp_path: Path) -> None:
    urlset = ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
              + "".join(f"<url><loc>{site.base}/sida-{number}.html</loc></url>" for number in range(50_000))
              + "</urlset>").encode()
    packed = gzip.compress(urlset)
    children = [f"/karta-{number}.xml.gz" for number in range(25)]
    for path in children:
        site.pages[path] = ("application/gzip", packed)
    site.pages["/index.xml"] = ("application/xml", (
        '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<sitemap><loc>{site.base}{path}</loc></sitemap>" for path in children)
        + "</sitemapindex>").encode())
    report, peak, seconds = measured_crawl(f"{site.base}/index.xml", tmp_path / "corpus", max_pages=1)
    assert seconds < 15
    assert sum(path in children for path in site.requests) == 1  # one sitemap held more than enough addresses
    assert len(report.fetched) <= 1
    assert peak < 3 * len(urlset) + 20 * 2**20, peak  # the unpacked sitemap, not its 50,000 addresses as objects
    assert not report.removed


@ENGINE_FREE
def test_a_page_of_a_hundred_thousand_links_costs_little_memory_and_collects_a_bounded_queue(site: Site,
                                                                                             tmp_path: Path) -> None:
    links = "".join(f'<a href="/lank-{number}.html">Länk {number}</a> ' for number in range(100_000))
    site.pages["/"] = ("text/html", page("Många länkar", f"<h1>Länkar</h1><p>{links}</p>"))
    del site.pages["/robots.txt"]  # no sitemap named: the crawl follows links
    report, peak, seconds = measured_crawl(f"{site.base}/", tmp_path / "corpus", max_pages=3)
    assert seconds < 15
    assert len(report.fetched) == 3 and len(site.requests) == 4  # robots.txt and the three pages
    assert peak < 40 * 2**20, peak  # a tree of the 4 MB page would take hundreds of MB
    assert not report.removed


# -- 11. A gzip-encoded page is stored decoded --------------------------------------------------------


@ENGINE_FREE
def test_a_page_sent_gzip_encoded_unasked_is_stored_decoded_and_indexed(site: Site, tmp_path: Path) -> None:
    _kind, body = site.pages["/bygglov.html"]
    site.answers["/bygglov.html"] = [(200, {"Content-Type": "text/html", "Content-Encoding": "gzip"},
                                      gzip.compress(body))]
    corpus = tmp_path / "corpus"
    report = Crawler(f"{site.base}/sitemap.xml", corpus, max_pages=10, delay_s=0, timeout_s=1).run()
    stored = next(path for path, url in zip(report.files, report.fetched, strict=True) if url.endswith("/bygglov.html"))
    assert stored.read_bytes() == body
    titles = [doc.title for doc in read_corpus(corpus).documents]
    assert "Bygglov - Exempelby kommun" in titles
