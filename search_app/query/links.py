"""Deep links: the page URL plus a text fragment that scrolls to the passage.

Every part is percent-encoded: the page URL was made valid when the
document was read (``indexer.corpus.model.normalize_url``), and is escaped here
once more so that no stored URL can put a space, quote or line break into a
link; a heading's id is encoded for the fragment, ":" included when it would
open a text directive of its own.
"""

from __future__ import annotations

import re
from urllib.parse import quote

FRAGMENT_EDGE_WORDS = 4
# RFC 3986's reserved characters (less "'") stay as they are in a URL; a fragment id may hold "?", "/", ":" and "@".
_URL_SAFE = "!$&()*+,;=:@/?#[]%"
_ID_SAFE = "!$&()*+,;=:@/?"
_BARE_PERCENT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")


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


def escape_url(url: str) -> str:
    """``url`` with every character that may not stand in a URL percent-encoded (a valid URL is unchanged)."""
    return quote(_BARE_PERCENT_RE.sub("%25", url), safe=_URL_SAFE, errors="replace")


def fragment_id(anchor: str) -> str:
    """A heading's id as a URL fragment: percent-encoded, never holding ``:~:``."""
    encoded = quote(anchor, safe=_ID_SAFE, errors="replace")
    return encoded.replace(":~:", "%3A~%3A") if ":~:" in encoded else encoded


def deep_link(url: str, target: str, anchor: str = "", kind: str = "page", until: str = "") -> str:
    """``url`` at ``anchor`` (the page's own id of the heading), with a text fragment for ``target``.

    With ``until`` the fragment is the range from ``target`` to the first
    ``until`` after it: a heading that the page repeats ("Kontakt") is found
    after its own parent heading. A PDF gets no text fragment: its anchor
    ``page=N`` is what PDF viewers follow.
    """
    url = escape_url(url)
    if anchor and "#" not in url:
        url = f"{url}#{fragment_id(anchor)}"
    if kind == "pdf":
        return url
    directive = text_fragment(target)
    if directive and until.strip():
        directive = f"text={_encode(_first_line(target))},{_encode(_first_line(until))}"
    if not directive:
        return url
    separator = ":~:" if "#" in url else "#:~:"
    return f"{url}{separator}{directive}"
