"""The Swedish page rendered on the server (the no-JavaScript path)."""
from flask.testing import FlaskClient


def test_front_page_is_swedish_with_a_labelled_search_box(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="sv">' in html
    assert '<label for="fraga">' in html and 'id="fraga"' in html
    assert 'aria-live="polite"' in html
    assert "<script>" not in html  # no inline script; chat.js is a file


def test_query_in_the_url_renders_results(client: FlaskClient) -> None:
    html = client.get("/?q=pilotkommuner").get_data(as_text=True)
    assert "Stärkt lokal attraktionskraft" in html
    assert "<mark>pilotkommunerna</mark>" in html
    assert "#:~:text=" in html


def test_no_results_says_so(client: FlaskClient) -> None:
    html = client.get("/?q=zxqwv").get_data(as_text=True)
    assert "Inga träffar" in html


def test_overlong_query_gets_a_swedish_error_page(client: FlaskClient) -> None:
    response = client.get("/?q=" + "a" * 600)
    assert response.status_code == 400
    assert "Frågan är för lång" in response.get_data(as_text=True)


def test_hostile_corpus_text_and_query_are_escaped(client: FlaskClient) -> None:
    html = client.get("/", query_string={"q": 'skräppost "><script>alert(1)</script>'}).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_paging_links(client: FlaskClient) -> None:
    html = client.get("/?q=tillväxt").get_data(as_text=True)
    assert "Nästa sida" in html
    second = client.get("/?q=tillväxt&sida=2").get_data(as_text=True)
    assert "Föregående sida" in second
    assert client.get("/?q=tillväxt&sida=abc").status_code == 400
