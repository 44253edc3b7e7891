"""Reading corpus files and JSON Lines: good input is read, bad input is named with its reason."""

import json
import time
import tracemalloc

from indexer import documents
from indexer.documents import Document, Problem, iter_jsonl, read_corpus, read_corpus_file
from tests.conftest import CORPUS


def test_seed_pages_are_in_the_corpus_unchanged():
    seeds = CORPUS.parent.parent / "shared" / "seeds"
    docs = {doc.title: doc for doc in read_corpus(CORPUS).documents}
    assert set(docs) >= {"Det här har vi gjort tidigare", "Tillväxt"}
    assert docs["Tillväxt"].publisher == "Länsstyrelsen Stockholm"
    assert docs["Tillväxt"].url == "https://www.lansstyrelsen.se/stockholm/foretag/samhalle-och-utveckling/tillvaxt.html"
    if seeds.is_dir():
        for name, title in (("003_0ad75528ec28f3fa.txt", "Tillväxt"),
                            ("000_81ad930d81018160.txt", "Det här har vi gjort tidigare")):
            assert docs[title].text == (seeds / name).read_text(encoding="utf-8")


def write(tmp_path, name, content: bytes):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_front_matter_fields(tmp_path):
    path = write(tmp_path, "a.md", "---\ntitle: Sida\nurl: https://x.se/a\npublisher: Kommunen\n---\nText här.\n"
                 .encode())
    doc = read_corpus_file(path)
    assert (doc.title, doc.url, doc.publisher, doc.language, doc.text) == (
        "Sida", "https://x.se/a", "Kommunen", "sv", "Text här.\n")


def test_bad_files_are_reported_and_the_rest_is_read(tmp_path):
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


def test_jsonl_rows_and_their_problems(tmp_path):
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
    docs = [item for item in items if hasattr(item, "url")]
    problems = [str(item) for item in items if not hasattr(item, "url")]
    assert [(d.title, d.publisher, d.published) for d in docs] == [("Ett", "P", "2020-01-01")]
    assert len(problems) == 4
    assert any(":2: inte giltig JSON" in p for p in problems)
    assert any(":3: fältet text saknas" in p for p in problems)
    assert any(":6: inte giltig UTF-8" in p for p in problems)


def _row(number: int, text: str = "Text.") -> str:
    return json.dumps({"url": f"https://x.se/{number}", "title": f"Rad {number}", "text": text})


def test_an_overlong_jsonl_row_is_named_and_the_next_rows_are_read(tmp_path, monkeypatch):
    monkeypatch.setattr(documents, "MAX_JSONL_ROW_BYTES", 1000)
    rows = [_row(1), _row(2, "ord " * 2000), _row(3, "x" * 900), _row(4, "ord " * 300_000)]
    path = write(tmp_path, "in.jsonl", "\n".join(rows).encode())  # the last row has no line break
    items = list(iter_jsonl(path))
    assert [item.title for item in items if isinstance(item, Document)] == ["Rad 1", "Rad 3"]
    problems = [str(item) for item in items if isinstance(item, Problem)]
    assert problems == [f"{path}:2: raden är större än 1000 byte (samma gräns som för en fil); den hoppas över",
                        f"{path}:4: raden är större än 1000 byte (samma gräns som för en fil); den hoppas över"]


def test_a_25_mb_jsonl_row_is_refused_fast_without_being_read_whole(tmp_path, monkeypatch):
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
    monkeypatch.setattr(documents, "MAX_JSONL_ROW_BYTES", 1024 * 1024)
    tracemalloc.start()
    try:
        items = list(iter_jsonl(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(items) == 3 and isinstance(items[1], Problem)
    assert peak < 8 * 1024 * 1024
