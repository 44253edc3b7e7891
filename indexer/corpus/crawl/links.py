"""The links of a crawled HTML page, read with a streaming parser that stops at a limit.

A page of 300,000 links costs neither a tree in memory nor a list of them all.
"""

from __future__ import annotations

import urllib.parse
from html.parser import HTMLParser

from indexer.corpus.crawl.http import Response


class _LinkParser(HTMLParser):
    """Collects the ``href`` of ``<a>`` elements, up to a limit."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit, self.hrefs = limit, dict[str, None]()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Keep an anchor's href."""
        if tag == "a" and len(self.hrefs) < self.limit:
            href = (dict(attrs).get("href") or "").strip()
            if href and not href.startswith(("mailto:", "tel:", "javascript:", "#")):
                self.hrefs[href] = None


def page_links(response: Response, limit: int) -> list[str]:
    """The first ``limit`` distinct absolute links of an HTML page (fragments dropped), in page order."""
    try:
        text = response.body.decode("utf-8")
    except UnicodeDecodeError:
        text = response.body.decode("cp1252", "replace")
    parser = _LinkParser(limit)
    for start in range(0, len(text), 65536):
        parser.feed(text[start : start + 65536])
        if len(parser.hrefs) >= limit:
            break
    found = (urllib.parse.urldefrag(urllib.parse.urljoin(response.url, href))[0] for href in parser.hrefs)
    return list(dict.fromkeys(found))
