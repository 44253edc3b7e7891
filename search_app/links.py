"""Deep links: the page URL plus a text fragment that scrolls to the passage."""

from __future__ import annotations

from urllib.parse import quote

FRAGMENT_EDGE_WORDS = 4


def _encode(text: str) -> str:
    # Text-fragment syntax reserves "-", "," and "&": they must be escaped.
    return quote(text, safe="").replace("-", "%2D")


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0].strip()


def text_fragment(passage: str) -> str:
    """A ``:~:text=`` directive that matches ``passage`` (start and end words for long text)."""
    words = _first_line(passage).split()
    if not words:
        return ""
    if len(words) <= 2 * FRAGMENT_EDGE_WORDS + 2:
        return "text=" + _encode(" ".join(words))
    start = " ".join(words[:FRAGMENT_EDGE_WORDS])
    end = " ".join(words[-FRAGMENT_EDGE_WORDS:])
    return f"text={_encode(start)},{_encode(end)}"


def deep_link(url: str, target: str, anchor: str = "", kind: str = "page") -> str:
    """``url`` at ``anchor`` (the page's own id of the heading), with a text fragment for ``target``.

    A PDF gets no text fragment: its anchor ``page=N`` is what PDF viewers follow.
    """
    if anchor and "#" not in url:
        url = f"{url}#{anchor}"
    if kind == "pdf":
        return url
    directive = text_fragment(target)
    if not directive:
        return url
    separator = ":~:" if "#" in url else "#:~:"
    return f"{url}{separator}{directive}"
