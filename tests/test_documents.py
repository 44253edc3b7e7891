"""Reading corpus files and JSON Lines: good input is read, bad input is named with its reason."""

import json

from indexer.documents import iter_jsonl, read_corpus, read_corpus_file
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
