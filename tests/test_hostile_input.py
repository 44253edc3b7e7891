"""Property-based tests: whatever a client sends, the service answers normally or with a clear error.

The long run (5 000 generated requests) is marked ``slow``; ``make test`` and CI run it.
"""

import json
import string
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

#: One generated request: method, path, query parameters (or raw query bytes) and body.
Request = tuple[str, str, Any, Any]

SYNTAX = ['*', '?', '"', "AND", "OR", "NOT", "field:x", "title:", "~2", "^3", "(", ")", "[", "]", "{", "}", "\\",
          "/", "-", "+", "!", "&&", "||", "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>',
          "javascript:alert(1)", "%00", "%ff", "%ED%A0%80", "\x00", "\u202e"]
# Lone surrogates cannot travel in a URL as UTF-8 (the test client refuses them); they are sent
# percent-encoded (test_invalid_utf8…) and inside JSON bodies (LONE_SURROGATES) instead.
LONE_SURROGATES = st.sampled_from(["\ud800", "a\udfffb", "\udc00" * 3])
# Text as PDFs and some keyboards give it: decomposed (a + combining ring), with invisible characters.
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff", "\u00a0"]
DECOMPOSED = st.one_of(
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=40).map(lambda t: unicodedata.normalize("NFD", t)),
    st.lists(st.sampled_from(["tillva\u0308xt", "pilotkommun\u200ber", "bred\u00adband", "fo\u0308retag",
                              "\ufeffvem", "a\u030a", *INVISIBLE]), max_size=6).map(" ".join),
)
TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=60),
    DECOMPOSED,
    st.text(alphabet=string.printable, max_size=60),
    st.lists(st.sampled_from([*SYNTAX, "pilotkommuner", "vem", "när", "tillväxt", "ö"]), max_size=8).map(" ".join),
    st.sampled_from(["", " ", "a" * 501, "å" * 100_000, "\n\t\r"]),
)
NUMBERS = st.one_of(st.integers(-10**12, 10**12).map(str), st.sampled_from(["", "abc", "1e9", "-0", "NaN", " 3 "]))


def check(response: TestResponse) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    if response.status_code >= 400:
        if response.mimetype == "application/problem+json":
            problem = response.get_json()
            assert problem["detail"] and problem["detail_en"] and problem["status"] == response.status_code
        else:
            assert "<html lang=\"sv\">" in response.get_data(as_text=True)


def request_strategy() -> st.SearchStrategy[Request]:
    get = st.tuples(
        st.sampled_from(["/api/search", "/api/ask", "/api/contacts", "/api/suggest", "/"]),
        st.fixed_dictionaries({}, optional={"q": TEXT, "limit": NUMBERS, "offset": NUMBERS,
                                            "publisher": TEXT, "sida": NUMBERS}),
    ).map(lambda pair: ("GET", pair[0], pair[1], None))
    # Raw UTF-8 bytes in the query string, as a client or proxy that does not percent-encode sends them.
    raw = st.tuples(
        st.sampled_from(["/api/search", "/api/ask", "/api/suggest", "/"]),
        TEXT.map(lambda text: b"q=" + text.encode("utf-8", "surrogatepass")),
    ).map(lambda pair: ("RAW", pair[0], pair[1], None))
    # JSON nested past the parser's recursion limit (a 16 KB body holds 8,000 levels).
    deep = st.integers(1, 8000).flatmap(lambda depth: st.sampled_from([
        "[" * depth + "]" * depth, '{"q": ' + "[" * depth + "]" * depth + "}",
        '{"q": "a", "history": ' + '{"a": ' * depth + "1" + "}" * depth + "}"]))
    bodies = st.one_of(
        deep,
        st.fixed_dictionaries({"q": TEXT | LONE_SURROGATES},
                              optional={"history": st.lists(TEXT | LONE_SURROGATES, max_size=4) | TEXT,
                                        "helpful": st.booleans() | TEXT}),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=10),
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
            max_leaves=8,
        ).map(json.dumps),
        st.binary(max_size=200),
    )
    posted = st.sampled_from(["/api/ask", "/api/v1/ask", "/api/click", "/api/v1/feedback"])
    post: st.SearchStrategy[Request] = st.tuples(posted, bodies).map(lambda pair: ("POST", pair[0], {}, pair[1]))
    return st.one_of(get, raw, post)


def send(client: FlaskClient, request: Request) -> TestResponse:
    method, path, params, body = request
    if method == "GET":
        return client.get(path, query_string=params)
    if method == "RAW":  # the bytes reach the app as a WSGI server passes them (PEP 3333: latin-1)
        return client.get(path, environ_overrides={"QUERY_STRING": params.decode("latin-1")})
    if isinstance(body, dict):
        return client.post(path, data=json.dumps(body), content_type="application/json")
    return client.post(path, data=body, content_type="application/json")


@pytest.fixture(scope="module")
def fast_client(mixed_index: Path) -> Iterator[FlaskClient]:
    from search_app.web.app import create_app

    app = create_app({"TESTING": True, "INDEX_DIR": str(mixed_index), "RATE_LIMIT_PER_MINUTE": 0})
    yield app.test_client()
    app.extensions["sok_index"].close()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=request_strategy())
def test_any_request_gets_an_answer_or_a_clear_error(fast_client: FlaskClient, request: Request) -> None:
    check(send(fast_client, request))


@pytest.fixture(scope="module")
def lexical_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    """The same pages without vectors: the 3,000-request run tests request handling, not the encoder
    (encoding each new random question would make it three times as long; the 300-request run above
    covers the encoder on hostile text)."""
    import shutil

    from indexer.build import SemanticOptions, build_snapshot
    from indexer.corpus.readers import read_corpus
    from search_app.web.app import create_app
    from tests.conftest import CORPUS, TEST_CORPUS

    corpus = tmp_path_factory.mktemp("hostile-corpus")
    for source in (CORPUS, TEST_CORPUS):
        for path in source.iterdir():
            shutil.copy(path, corpus / path.name)
    index = tmp_path_factory.mktemp("hostile-index")
    build_snapshot(index, read_corpus(corpus).documents, language_dir=corpus, semantic=SemanticOptions(enabled=False))
    app = create_app({"TESTING": True, "INDEX_DIR": str(index), "RATE_LIMIT_PER_MINUTE": 0})
    yield app.test_client()
    app.extensions["sok_index"].close()


@pytest.mark.slow
@settings(max_examples=3_000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                      HealthCheck.too_slow])
@given(request=request_strategy())
def test_three_thousand_hostile_requests(lexical_client: FlaskClient, request: Request) -> None:
    check(send(lexical_client, request))


@pytest.mark.parametrize("raw", ["/api/search?q=%ff%fe", "/api/search?q=%ED%A0%80", "/?q=%C3%28",
                                 "/api/ask?q=%00%01%02", "/api/suggest?q=%F0%9F%98"])
def test_invalid_utf8_and_control_characters_in_the_url(fast_client: FlaskClient, raw: str) -> None:
    check(fast_client.get(raw))
