"""Every URL the API returns is a valid, percent-encoded absolute http(s) URL, whatever the corpus holds.

A hostile corpus (page URLs with spaces, quotes, non-ASCII and line breaks,
heading ids with quotes, angle brackets and their own ``:~:text=``) is indexed
with ``sok index``; what can be made valid is encoded, what cannot is refused
and named in the build's report.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from search_app.cli import main
from search_app.query.links import deep_link
from search_app.web.app import create_app

#: RFC 3986: unreserved, reserved and "%" (of a percent-encoding), nothing else.
URL_CHARS = set(string.ascii_letters + string.digits + "-._~" + ":/?#[]@" + "!$&'()*+,;=" + "%")


def check_url(url: str) -> None:
    """``url`` parses as an absolute http(s) URL with a host and only RFC 3986 characters."""
    parts = urlsplit(url)
    assert parts.scheme in ("http", "https"), url
    assert parts.hostname and parts.hostname.isascii(), url
    assert parts.username is None and parts.password is None, url
    assert set(url) <= URL_CHARS, (url, set(url) - URL_CHARS)
    assert not re.search(r"%(?![0-9A-Fa-f]{2})", url), url
    assert url.count("#") <= 1 and url.count(":~:") <= 1, url
    assert not set("\"'<> \n\\") & set(url), url


def test_deep_link_percent_encodes_a_heading_id() -> None:
    assert deep_link("https://x.se/a", "Avgift", anchor='översikt"<b>') == (
        "https://x.se/a#%C3%B6versikt%22%3Cb%3E:~:text=Avgift")
    link = deep_link("https://x.se/a", "Avgift", anchor="a:~:text=ond")
    assert link == "https://x.se/a#a%3A~%3Atext=ond:~:text=Avgift"
    check_url(link)


def test_deep_link_escapes_a_stored_url_it_did_not_read_itself() -> None:
    link = deep_link('https://x.se/en sida/"x"', "Avgift för bygglov")
    assert link == "https://x.se/en%20sida/%22x%22#:~:text=Avgift%20f%C3%B6r%20bygglov"
    check_url(link)


def page(url: str, body: str, title: str = "Bygglov") -> str:
    return f"---\ntitle: {title}\nurl: {json.dumps(url)}\n---\n{body}\n"


HEADINGS = (
    '## Avgift för bygglov {#avgift"onclick=x}\n\nBygglov kostar 5 000 kronor i kommunen.\n\n'
    "## Översikt {#översikt<b>}\n\nAnsök om bygglov innan du bygger.\n\n"
    "## Handläggning {#'a%20b\\c'}\n\nEtt bygglov handläggs på tio veckor.\n"
)
#: Corpus files, each with the page URL the API should give (None: the page is refused, for the reason given).
CORPUS = {
    "mellanslag.md": (page('https://exempel.se/en sida/"citat"/<b>?q=a b&r="x"', HEADINGS),
                      "https://exempel.se/en%20sida/%22citat%22/%3Cb%3E?q=a%20b&r=%22x%22"),
    "idn.md": (page("https://räksmörgås.se/bygg/ärende's", "## Bygglov {#bygglov}\n\nSök bygglov här."),
               "https://xn--rksmrgs-5wao1o.se/bygg/%C3%A4rende%27s"),
    "backslash.md": (page("https://exempel.se/a\\b<script>", "Bygglov behövs för nybyggnad."),
                     "https://exempel.se/a%5Cb%3Cscript%3E"),
    "radbrytning.md": (page("https://exempel.se/a\nb", "Bygglov och rivningslov."), "styrtecken"),
    "anvandare.md": (page("https://anna:hemligt@exempel.se/", "Bygglov för altan."), "användarnamn"),
    "direktiv.md": (page("https://exempel.se/sida#:~:text=falsk", "Bygglov för garage."), "':~:'"),
    "utan-vard.md": (page("https:///sida", "Bygglov för plank."), "värdnamn"),
    "rubrik-id.md": (page("https://exempel.se/id", "## Bygglov {#a:~:text=ond}\n\nBygglov för mur."), "':~:'"),
    "rubrik-styrtecken.md": (page("https://exempel.se/styr", "## Bygglov {#a\x1b[31mb}\n\nBygglov för pool."),
                             "styrtecken"),
    "sida.html": ('<html lang="sv"><head><title>Bygglov på webben</title>'
                  '<link rel="canonical" href="https://exempel.se/html sida?x=&quot;y&quot;"></head><body><main>'
                  '<h2 id="Översikt">Översikt</h2><p>Bygglov söks hos byggnadsnämnden.</p>'
                  '<h2 id="a:b">Avgift</h2><p>Avgiften för bygglov beror på åtgärden.</p>'
                  '<h2 id="c:~:text=ond">Handläggning</h2><p>Bygglov handläggs snabbt.</p></main></body></html>',
                  "https://exempel.se/html%20sida?x=%22y%22"),
}
JSONL_ROWS = [
    ({"url": "https://exempel.se/rad ett/<i>", "title": "Rad", "text": "## Bygglov {#rad\"1}\n\nBygglov för rad."},
     "https://exempel.se/rad%20ett/%3Ci%3E"),
    ({"url": "https://exempel.se/rad\r\ntvå", "title": "Rad två", "text": "Bygglov för rad två."}, "styrtecken"),
]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, FlaskClient]]:
    """The hostile corpus indexed with ``sok index --no-semantic``: the command's output and a client."""
    folder = tmp_path_factory.mktemp("hostile-links")
    corpus, index = folder / "corpus", folder / "index"
    corpus.mkdir()
    for name, (content, _) in CORPUS.items():
        (corpus / name).write_text(content, encoding="utf-8")
    rows = folder / "rader.jsonl"
    rows.write_text("".join(json.dumps(row) + "\n" for row, _ in JSONL_ROWS), encoding="utf-8")
    result = CliRunner().invoke(main, ["index", "--corpus", str(corpus), "--jsonl", str(rows), "--index", str(index),
                                       "--no-semantic"])
    assert result.exit_code == 0, result.output
    app = create_app({"TESTING": True, "INDEX_DIR": str(index), "RATE_LIMIT_PER_MINUTE": 0})
    yield result.output, rows, app.test_client()
    app.extensions["sok_index"].close()


def test_refused_pages_are_named_in_the_build_report(hostile: tuple[str, Path, FlaskClient]) -> None:
    output, rows, _ = hostile
    skipped = {line.removeprefix("Hoppar över ") for line in output.splitlines() if line.startswith("Hoppar över ")}
    expected = {name: reason for name, (_, reason) in CORPUS.items() if not reason.startswith("https://")}
    for name, reason in expected.items():
        assert any(line.split(": ", 1)[0].endswith("/" + name) and reason in line for line in skipped), (name, output)
    assert any(line.startswith(f"{rows}:2: url innehåller styrtecken") for line in skipped), output
    assert len(skipped) == len(expected) + 1, output


def test_every_url_in_search_and_ask_is_a_valid_absolute_url(hostile: tuple[str, Path, FlaskClient]) -> None:
    _, _, client = hostile
    urls = []
    search = client.get("/api/search", query_string={"q": "bygglov", "limit": 50}).get_json()
    urls += [result["url"] for result in search["results"]]
    for question in ("Vad kostar bygglov?", "Hur lång tid tar ett bygglov?", "Var söker man bygglov?"):
        body = client.get("/api/ask", query_string={"q": question}).get_json()
        urls += [passage["url"] for passage in body["passages"]]
        urls += [body["answer"]["url"]] if body["answer"] else []
    suggest = client.get("/api/suggest", query_string={"q": "bygg"}).get_json()
    urls += [suggestion["url"] for suggestion in suggest["suggestions"] if suggestion["url"]]
    for url in urls:
        check_url(url)
    accepted = {url for _, url in [*CORPUS.values(), *JSONL_ROWS] if url.startswith("https://")}
    assert {url.split("#", 1)[0] for url in urls} == accepted
    # The heading ids are kept, encoded: a link lands on the heading's own id.
    fragments = {unquote(urlsplit(url).fragment.split(":~:", 1)[0]) for url in urls}
    assert {'avgift"onclick=x', "översikt<b>", "'a%20b\\c'", "Översikt", "a:b", 'rad"1'} <= fragments
    assert "c:~:text=ond" not in fragments  # an HTML id that would be a text directive is not kept
