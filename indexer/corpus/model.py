"""The corpus contract: a Document, a Problem met reading one, and valid page URLs.

The readers (``indexer.corpus.readers``) and the crawler (``indexer.corpus.crawl``)
import this module; it imports neither.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

# The size limits live in indexer.budgets; imported here too, where readers and tests have long found them.
from indexer.budgets import MAX_DOCUMENT_BYTES as MAX_DOCUMENT_BYTES
from indexer.budgets import MAX_JSONL_ROW_BYTES as MAX_JSONL_ROW_BYTES

#: A sidecar beside an HTML or PDF file gives what the file cannot say itself (its address, publisher).
SIDECAR_SUFFIX = ".meta.yml"
DOCUMENT_KINDS = ("page", "pdf")

# What may stand unencoded in a path, query and fragment (RFC 3986 pchar, and "/" and "?"), less the
# single quote: the subdelimiter "'" is also percent-encoded, so that a URL is safe in any attribute.
_PATH_SAFE = "!$&()*+,;=:@/"
_QUERY_SAFE = _PATH_SAFE + "?"
_BARE_PERCENT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_HOST_RE = re.compile(r"[A-Za-z0-9._~-]+")
#: Control characters (Unicode category Cc) and lone surrogates.
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_NETLOC_RE = re.compile(r"(\[[^\]]*\]|[^:\[\]]*)(:\d*)?")


@dataclass(frozen=True)
class Document:
    """One source page: its text and what is known about it."""

    url: str
    title: str
    text: str
    publisher: str = ""
    language: str = "sv"
    published: str = ""
    retrieved: str = ""
    source: str = ""  # where it was read from, for messages
    description: str = ""
    kind: str = "page"  # "page" or "pdf"

    @property
    def doc_id(self) -> str:
        """A stable id derived from the URL."""
        return hashlib.sha1(self.url.encode("utf-8"), usedforsecurity=False).hexdigest()[:12]


@dataclass(frozen=True)
class Problem:
    """An input that could not be read, and why."""

    source: str
    reason: str

    def __str__(self) -> str:
        """One line, whatever the file is called: control characters (a newline in a name) are escaped."""
        return one_line(f"{self.source}: {self.reason}")


@dataclass
class ReadResult:
    """Documents read and the problems met on the way."""

    documents: list[Document] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def one_line(text: str) -> str:
    """``text`` with its control characters written as escapes (``\\n``), so that it stays one line of a report."""
    return _CONTROL_RE.sub(lambda match: match.group().encode("unicode_escape", "backslashreplace").decode(), text)


class DocumentError(ValueError):
    """A single input is not a valid document."""


def normalize_url(url: str) -> str:
    """``url`` as a valid absolute http(s) URL, percent-encoded where it must be (IDNA for the host).

    A valid URL comes back as it is. A URL that cannot be made valid is
    refused with :class:`DocumentError`: one with control characters (a line
    break), a user name or password, no host, or a fragment that already
    holds a text directive (``:~:``).
    """
    if _CONTROL_RE.search(url):
        raise DocumentError(
            f"url innehåller styrtecken eller ogiltiga tecken (till exempel en radbrytning): {url[:80]!r}")
    if not url[:8].lower().startswith(("http://", "https://")):
        raise DocumentError(f"url måste börja med http:// eller https:// ({url[:80]})")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        raise DocumentError(f"url kan inte tolkas: {url[:80]}") from None
    if "@" in parts.netloc:
        raise DocumentError(f"url får inte innehålla användarnamn eller lösenord: {url[:80]}")
    netloc = _ascii_netloc(parts.netloc, url)
    if ":~:" in parts.fragment:
        raise DocumentError(f"url:ens fragment innehåller redan ':~:' (ett textdirektiv): {url[:80]}")
    before_fragment = url.split("#", 1)[0]
    normalized = f"{parts.scheme.lower()}://{netloc}{_encode(parts.path, _PATH_SAFE)}"
    if "?" in before_fragment:
        normalized += "?" + _encode(parts.query, _QUERY_SAFE)
    if "#" in url:
        normalized += "#" + _encode(parts.fragment, _QUERY_SAFE)
    return normalized


def _ascii_netloc(netloc: str, url: str) -> str:
    """The host (and port) of a URL in ASCII, the host IDNA-encoded; DocumentError when there is none."""
    match = _NETLOC_RE.fullmatch(netloc)
    if match is None:
        raise DocumentError(f"url har ett ogiltigt värdnamn: {url[:80]}")
    host, port = match.group(1), match.group(2) or ""
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise DocumentError(f"url har en ogiltig IPv6-adress: {url[:80]}") from None
        return netloc
    if not host:
        raise DocumentError(f"url saknar värdnamn: {url[:80]}")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise DocumentError(f"url har ett värdnamn som inte kan skrivas med IDNA: {url[:80]}") from None
    if not _HOST_RE.fullmatch(host):
        raise DocumentError(f"url har ett ogiltigt värdnamn: {url[:80]}")
    return host + port


def _encode(part: str, safe: str) -> str:
    """``part`` of a URL with every character that may not stand there percent-encoded (UTF-8)."""
    return quote(_BARE_PERCENT_RE.sub("%25", part), safe=safe + "%")
