"""Sitemaps and sitemap indexes (sitemaps.org 0.9), gzipped or not, read without trusting them.

The XML is parsed with defusedxml, and a gzipped sitemap is unpacked to at
most ``MAX_BYTES``, so a hostile one fills neither memory nor the crawl.
"""

from __future__ import annotations

import zlib

from defusedxml import ElementTree

from indexer.corpus.crawl.http import MAX_BYTES, Response

GZIP_MAGIC = b"\x1f\x8b"
GZIP_WBITS = zlib.MAX_WBITS | 16  # zlib reads the gzip header and trailer
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


def read_sitemap(body: bytes) -> tuple[bool, list[str]]:
    """Whether a sitemap is an index, and the addresses it lists; ValueError (the reason, in Swedish) if unreadable."""
    try:
        xml = unpacked(body)
    except ValueError as error:
        raise ValueError(f"sitemap {error}; hoppar över") from None
    try:
        root = ElementTree.fromstring(xml)
    except Exception as error:  # defusedxml raises its own kinds for hostile XML
        raise ValueError(f"sitemap kan inte läsas ({type(error).__name__})") from None
    urls = [loc.text.strip() for loc in root.iter(f"{SITEMAP_NS}loc") if loc.text]
    return root.tag == f"{SITEMAP_NS}sitemapindex", urls


def unpacked(body: bytes) -> bytes:
    """``body``, gunzipped when it is gzip; ValueError when that is broken or more than ``MAX_BYTES``."""
    if not body.startswith(GZIP_MAGIC):
        return body
    inflater = zlib.decompressobj(wbits=GZIP_WBITS)
    try:
        unpacked = inflater.decompress(body, MAX_BYTES + 1)  # stops there: a gzip bomb never fills memory
    except zlib.error:
        raise ValueError("är en trasig gzip-fil") from None
    if len(unpacked) > MAX_BYTES:
        raise ValueError(f"är större än {MAX_BYTES // 2**20} MB uppackad")
    return unpacked
