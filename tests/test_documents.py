"""Reading corpus files and JSON Lines: good input is read, bad input is named with its reason."""

import json
import time
import tracemalloc
from pathlib import Path

import pytest

from indexer.corpus.model import Document, DocumentError, Problem
from indexer.corpus.readers import jsonl, read_corpus, read_corpus_file
from indexer.corpus.readers.jsonl import iter_jsonl
from tests.conftest import CORPUS


def test_seed_pages_are_in_the_corpus_unchanged(shared_seeds: Path) -> None:
    seeds = shared_seeds
    docs = {doc.title: doc for doc in read_corpus(CORPUS).documents}
    assert set(docs) >= {"Det här har vi gjort tidigare", "Tillväxt"}
    assert docs["Tillväxt"].publisher == "Länsstyrelsen Stockholm"
    assert docs["Tillväxt"].url == "https://www.lansstyrelsen.se/stockholm/foretag/samhalle-och-utveckling/tillvaxt.html"
    for name, title in (("003_0ad75528ec28f3fa.txt", "Tillväxt"),
                        ("000_81ad930d81018160.txt", "Det här har vi gjort tidigare")):
        assert docs[title].text == (seeds / name).read_text(encoding="utf-8")


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_front_matter_fields(tmp_path: Path) -> None:
    path = write(tmp_path, "a.md", "---\ntitle: Sida\nurl: https://x.se/a\npublisher: Kommunen\n---\nText här.\n"
                 .encode())
    doc = read_corpus_file(path)
    assert (doc.title, doc.url, doc.publisher, doc.language, doc.text) == (
        "Sida", "https://x.se/a", "Kommunen", "sv", "Text här.\n")


def test_bad_files_are_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    write(tmp_path, "good.md", b"---\ntitle: Bra\nurl: https://x.se/bra\n---\nInneh\xc3\xa5ll.\n")
    write(tmp_path, "latin1.md", b"---\ntitle: Fel\nurl: https://x.se/fel\n---\nInneh\xe5ll.\n")
    write(tmp_path, "empty.md", b"")
    write(tmp_path, "nofront.md", b"Bara text utan metadata.\n")
    write(tmp_path, "broken.md", b"---\ntitle: [oavslutad\nurl: https://x.se/b\n---\nText.\n")
    write(tmp_path, "nourl.md", b"---\ntitle: Utan url\n---\nText.\n")
    write(tmp_path, "unclosed.md", b"---\ntitle: X\nurl: https://x.se/u\nText.\n")
    write(tmp_path, "js.md", b"---\ntitle: X\nurl: javascript:alert(1)\n---\nText.\n")
    result = read_corpus(tmp_path)
    assert [doc.title for doc in result.documents] == ["Bra"]
    reasons = {p.source.rsplit("/", 1)[-1]: p.reason for p in result.problems}
    assert "UTF-8" in reasons["latin1.md"]
    assert "front matter saknas" in reasons["empty.md"]
    assert "front matter saknas" in reasons["nofront.md"]
    assert "YAML" in reasons["broken.md"]
    assert "url" in reasons["nourl.md"]
    assert "avslutas inte" in reasons["unclosed.md"]
    assert "http" in reasons["js.md"]


def test_jsonl_rows_and_their_problems(tmp_path: Path) -> None:
    rows = [
        json.dumps({"url": "https://x.se/1", "title": "Ett", "text": "# Ett\n\nText.", "publisher": "P",
                    "published": "2020-01-01"}),
        "{inte json",
        json.dumps({"url": "https://x.se/2", "title": "Två"}),
        json.dumps(["lista"]),
        "",
    ]
    path = write(tmp_path, "in.jsonl", ("\n".join(rows) + "\n").encode() + b"\xff\xfe\n")
    items = list(iter_jsonl(path))
    docs = [item for item in items if isinstance(item, Document)]
    problems = [str(item) for item in items if not isinstance(item, Document)]
    assert [(d.title, d.publisher, d.published) for d in docs] == [("Ett", "P", "2020-01-01")]
    assert len(problems) == 4
    assert any(":2: inte giltig JSON" in p for p in problems)
    assert any(":3: fältet text saknas" in p for p in problems)
    assert any(":6: inte giltig UTF-8" in p for p in problems)


URLS = [
    # (url as written, url read) — a valid URL is kept exactly; others are percent-encoded (IDNA for the host)
    ("https://x.se/a/b?c=1&d=2#avsnitt", "https://x.se/a/b?c=1&d=2#avsnitt"),
    ("https://x.se/%C3%A5r", "https://x.se/%C3%A5r"),
    ('https://x.se/en sida/"citat"/<b>?q=a b&r="x"', "https://x.se/en%20sida/%22citat%22/%3Cb%3E?q=a%20b&r=%22x%22"),
    ("https://x.se/år/öl", "https://x.se/%C3%A5r/%C3%B6l"),
    ("https://räksmörgås.se/sida", "https://xn--rksmrgs-5wao1o.se/sida"),
    ("https://x.se/a\\b's", "https://x.se/a%5Cb%27s"),
    ("https://x.se/50%", "https://x.se/50%25"),
    ("HTTPS://x.se:8443/", "https://x.se:8443/"),
]


def test_page_urls_are_read_as_valid_percent_encoded_urls(tmp_path: Path) -> None:
    for number, (written, _) in enumerate(URLS):
        quoted = written.replace("'", "''")
        write(tmp_path, f"{number}.md", f"---\ntitle: Sida\nurl: '{quoted}'\n---\nText.\n".encode())
    read = {int(Path(doc.source).stem): doc.url for doc in read_corpus(tmp_path).documents}
    assert [(written, read.get(number)) for number, (written, _) in enumerate(URLS)] == URLS


BAD_URLS = [
    # (url as written in YAML, the reason given)
    ('"https://x.se/rad\\nbrytning"', "url innehåller styrtecken eller ogiltiga tecken (till exempel en radbrytning): "
                                       "'https://x.se/rad\\nbrytning'"),
    ('"https://x.se/tabb\\tar"', "url innehåller styrtecken eller ogiltiga tecken (till exempel en radbrytning): "
                                  "'https://x.se/tabb\\tar'"),
    ("https://anna:hemligt@x.se/", "url får inte innehålla användarnamn eller lösenord: https://anna:hemligt@x.se/"),
    ("https:///bara-en-sökväg", "url saknar värdnamn: https:///bara-en-sökväg"),
    ("https://x.se/a#:~:text=fel", "url:ens fragment innehåller redan ':~:' (ett textdirektiv): https://x.se/a#:~:text=fel"),
    ("https://x .se/", "url har ett ogiltigt värdnamn: https://x .se/"),
    ("https://x.se:99999/", "url kan inte tolkas: https://x.se:99999/"),
]


def test_urls_that_cannot_be_made_valid_are_refused_with_the_reason(tmp_path: Path) -> None:
    for number, (written, _) in enumerate(BAD_URLS):
        write(tmp_path, f"{number}.md", f"---\ntitle: Sida\nurl: {written}\n---\nText.\n".encode())
    result = read_corpus(tmp_path)
    assert not result.documents
    reasons = {int(Path(problem.source).stem): problem.reason for problem in result.problems}
    assert [(written, reasons.get(number)) for number, (written, _) in enumerate(BAD_URLS)] == BAD_URLS


def test_a_heading_id_that_cannot_be_a_link_refuses_the_page_by_name(tmp_path: Path) -> None:
    write(tmp_path, "ok.md", "---\ntitle: Ok\nurl: https://x.se/ok\n---\n## Avgift {#avgift-\"för\"<år>}\n\nText.\n"
          .encode())
    write(tmp_path, "directive.md", b"---\ntitle: D\nurl: https://x.se/d\n---\n## Avgift {#a:~:text=fel}\n\nText.\n")
    write(tmp_path, "control.md", b"---\ntitle: C\nurl: https://x.se/c\n---\n## Avgift {#a\x07b}\n\nText.\n")
    result = read_corpus(tmp_path)
    assert [doc.title for doc in result.documents] == ["Ok"]
    reasons = {p.source.rsplit("/", 1)[-1]: p.reason for p in result.problems}
    assert "':~:'" in reasons["directive.md"] and "a:~:text=fel" in reasons["directive.md"]
    assert "styrtecken" in reasons["control.md"]


def test_an_html_page_with_an_unusable_canonical_url_keeps_its_fetch_address(tmp_path: Path) -> None:
    from indexer.corpus.readers.html import read_html

    html = '<html><head><title>T</title><link rel="canonical" href="https://x.se/a&#10;b"></head><p>Text.</p></html>'
    assert read_html(html, "t.html", url="https://x.se/hämtad").url == "https://x.se/h%C3%A4mtad"
    with pytest.raises(DocumentError, match="styrtecken"):
        read_html(html, "t.html")


def _row(number: int, text: str = "Text.") -> str:
    return json.dumps({"url": f"https://x.se/{number}", "title": f"Rad {number}", "text": text})


def test_an_overlong_jsonl_row_is_named_and_the_next_rows_are_read(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonl, "MAX_JSONL_ROW_BYTES", 1000)
    rows = [_row(1), _row(2, "ord " * 2000), _row(3, "x" * 900), _row(4, "ord " * 300_000)]
    path = write(tmp_path, "in.jsonl", "\n".join(rows).encode())  # the last row has no line break
    items = list(iter_jsonl(path))
    assert [item.title for item in items if isinstance(item, Document)] == ["Rad 1", "Rad 3"]
    problems = [str(item) for item in items if isinstance(item, Problem)]
    assert problems == [f"{path}:2: raden är större än 1000 byte (samma gräns som för en fil); den hoppas över",
                        f"{path}:4: raden är större än 1000 byte (samma gräns som för en fil); den hoppas över"]


def test_a_25_mb_jsonl_row_is_refused_fast_without_being_read_whole(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "stor.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("\n".join([_row(1), _row(2, "ord " * (25 * 1024 * 1024 // 4)), _row(3)]) + "\n")
    assert path.stat().st_size > 25 * 1024 * 1024
    started = time.monotonic()
    items = list(iter_jsonl(path))
    assert time.monotonic() - started < 5
    assert [item.title for item in items if isinstance(item, Document)] == ["Rad 1", "Rad 3"]
    assert [str(item) for item in items if isinstance(item, Problem)] == [
        f"{path}:2: raden är större än 20 MB (samma gräns som för en fil); den hoppas över"]
    # With a 1 MB limit the same file is read holding a few MB at most: the row is skipped in pieces.
    monkeypatch.setattr(jsonl, "MAX_JSONL_ROW_BYTES", 1024 * 1024)
    tracemalloc.start()
    try:
        items = list(iter_jsonl(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(items) == 3 and isinstance(items[1], Problem)
    assert peak < 8 * 1024 * 1024
