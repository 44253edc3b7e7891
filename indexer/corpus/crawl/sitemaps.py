"""Sitemaps and sitemap indexes (sitemaps.org 0.9), gzipped or not, read without trusting them.

The XML is parsed with defusedxml, a gzipped sitemap is unpacked to at most
``MAX_BYTES``, and parsing stops at the number of addresses the crawl can
still use, so a hostile one fills neither memory nor the crawl.
"""

from __future__ import annotations

import io
import zlib

from defusedxml import ElementTree

from indexer.corpus.crawl.http import GZIP_WBITS, Response, unpack

GZIP_MAGIC = b"\x1f\x8b"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def is_sitemap(response: Response) -> bool:
    """Whether an answer is a sitemap or sitemap index: XML, or gzip whatever its content type.

    Broken gzip counts as a sitemap, so that it is reported as one that cannot be read.
    """
    if response.body.startswith(GZIP_MAGIC):
        try:
            head = zlib.decompressobj(wbits=GZIP_WBITS).decompress(response.body, 2000)
        except zlib.error:
            return True
    elif response.content_type in ("application/xml", "text/xml"):
        head = response.body[:2000]
    else:
        return False
    head = head.lstrip()
    return b"<urlset" in head or b"<sitemapindex" in head


def read_sitemap(body: bytes, limit: int) -> tuple[bool, list[str], bool]:
    """Whether a sitemap is an index, the first ``limit`` addresses it lists, and whether it lists more.

    ValueError (the reason, in Swedish) when it cannot be read.
    """
    try:
        xml = unpacked(body)
    except ValueError as error:
        raise ValueError(f"sitemap {error}; hoppar över") from None
    urls: list[str] = []
    root_tag = ""
    try:
        for event, element in ElementTree.iterparse(io.BytesIO(xml), events=("start", "end")):
            if event == "start":
                root_tag = root_tag or element.tag
            elif element.tag == f"{SITEMAP_NS}loc" and element.text:
                if len(urls) == limit:
                    return root_tag == f"{SITEMAP_NS}sitemapindex", urls, True
                urls.append(element.text.strip())
            elif element.tag in (f"{SITEMAP_NS}url", f"{SITEMAP_NS}sitemap"):
                element.clear()  # read entries are dropped: memory stays small
    except Exception as error:  # defusedxml raises its own kinds for hostile XML
        raise ValueError(f"sitemap kan inte läsas ({type(error).__name__})") from None
    return root_tag == f"{SITEMAP_NS}sitemapindex", urls, False


def unpacked(body: bytes) -> bytes:
    """``body``, gunzipped when it is gzip; ValueError when that is broken or more than ``MAX_BYTES``."""
    return unpack(body) if body.startswith(GZIP_MAGIC) else body
