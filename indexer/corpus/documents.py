"""Source documents: corpus files with YAML front matter, and JSON Lines.

Reading never stops at a bad input: each problem is reported as a
:class:`Problem` naming the file (and line) and the reason, and every other
document is still read.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import yaml

from indexer.snapshot.layout import LANGUAGE_FILES

CORPUS_SUFFIXES = (".md", ".txt", ".markdown", ".html", ".htm", ".pdf")
#: A sidecar beside an HTML or PDF file gives what the file cannot say itself (its address, publisher).
SIDECAR_SUFFIX = ".meta.yml"
DOCUMENT_KINDS = ("page", "pdf")
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
#: A JSON Lines row may be as large as a file; a longer row is skipped without being read into memory.
MAX_JSONL_ROW_BYTES = MAX_DOCUMENT_BYTES
_SKIP_CHUNK_BYTES = 1024 * 1024

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
        return hashlib.sha1(self.url.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Problem:
    """An input that could not be read, and why."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


@dataclass
class ReadResult:
    """Documents read and the problems met on the way."""

    documents: list[Document] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class DocumentError(ValueError):
    """A single input is not a valid document."""


def split_front_matter(raw: str) -> tuple[dict, str]:
    """Split ``---``-delimited YAML front matter from the body."""
    if not raw.startswith("---"):
        raise DocumentError("front matter saknas (filen måste börja med '---')")
    lines = raw.splitlines(keepends=True)
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            header = "".join(lines[1:index])
            body = "".join(lines[index + 1 :])
            break
    else:
        raise DocumentError("front matter avslutas inte med '---'")
    try:
        meta = yaml.safe_load(header) or {}
    except yaml.YAMLError as error:
        raise DocumentError(f"front matter är inte giltig YAML: {error}") from None
    if not isinstance(meta, dict):
        raise DocumentError("front matter måste vara nyckel: värde-par")
    return meta, body


def document_from_fields(meta: dict, text: str, source: str) -> Document:
    """Build a Document from metadata and text, checking required fields."""
    missing = [name for name in ("url", "title") if not str(meta.get(name) or "").strip()]
    if missing:
        raise DocumentError("fält saknas: " + ", ".join(missing))
    url = normalize_url(str(meta["url"]).strip())
    if not text.strip():
        raise DocumentError("texten är tom")
    _check_heading_ids(text)
    return Document(
        url=url,
        title=str(meta["title"]).strip(),
        text=text.replace("\r\n", "\n").replace("\r", "\n"),
        publisher=str(meta.get("publisher") or "").strip(),
        language=str(meta.get("language") or "sv").strip(),
        published=str(meta.get("published") or "").strip(),
        retrieved=str(meta.get("retrieved") or "").strip(),
        source=source,
        description=str(meta.get("description") or "").strip(),
        kind=str(meta.get("kind") or "page").strip() if str(meta.get("kind") or "page") in DOCUMENT_KINDS else "page",
    )


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


def _check_heading_ids(text: str) -> None:
    """DocumentError when a heading's id (``## Rubrik {#id}``) cannot go into a link."""
    from indexer.sections.split import anchor_problem, heading_anchors  # sections reads Documents

    for anchor in heading_anchors(text):
        reason = anchor_problem(anchor)
        if reason:
            raise DocumentError(f"rubrikens id {anchor[:80]!r} {reason} och kan inte bli en länk")


def _encode(part: str, safe: str) -> str:
    """``part`` of a URL with every character that may not stand there percent-encoded (UTF-8)."""
    return quote(_BARE_PERCENT_RE.sub("%25", part), safe=safe + "%")


def read_corpus_file(path: Path) -> Document:
    """Read one corpus file: Markdown or text with YAML front matter, an HTML page or a PDF."""
    if path.stat().st_size > MAX_DOCUMENT_BYTES:
        raise DocumentError(f"filen är större än {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB")
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm", ".pdf"):
        meta = read_sidecar(path)
        if suffix == ".pdf":
            from indexer.corpus.pdf import read_pdf

            if not str(meta.get("url") or "").strip():
                raise DocumentError(f"url saknas (lägg adressen i {path.name}{SIDECAR_SUFFIX})")
            return read_pdf(path.read_bytes(), str(path), url=str(meta["url"]).strip(),
                            title=str(meta.get("title") or ""), publisher=str(meta.get("publisher") or ""),
                            published=str(meta.get("published") or ""))
        from indexer.corpus.html import read_html

        return read_html(path.read_bytes(), str(path), url=str(meta.get("url") or "").strip() or None,
                         publisher=str(meta.get("publisher") or ""))
    try:
        raw = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentError(f"inte giltig UTF-8 (byte {error.start})") from None
    meta, body = split_front_matter(raw)
    return document_from_fields(meta, body, str(path))


def read_sidecar(path: Path) -> dict:
    """The metadata in ``<file>.meta.yml`` beside ``path`` (empty when there is none)."""
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}
    try:
        meta = yaml.safe_load(sidecar.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise DocumentError(f"{sidecar.name} kan inte läsas ({error})") from None
    if not isinstance(meta, dict):
        raise DocumentError(f"{sidecar.name} måste vara nyckel: värde-par")
    return meta


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The document files of a corpus folder, in a stable order."""
    return sorted(
        path
        for path in corpus_dir.rglob("*")
        if path.is_file() and path.suffix.lower() in CORPUS_SUFFIXES and not path.name.startswith(".")
        and path.name.lower() not in ("readme.md", *LANGUAGE_FILES)
    )


def read_corpus(corpus_dir: Path) -> ReadResult:
    """Read every document of a corpus folder."""
    result = ReadResult()
    for path in corpus_files(corpus_dir):
        try:
            result.documents.append(read_corpus_file(path))
        except DocumentError as error:
            result.problems.append(Problem(str(path), str(error)))
    return result


def iter_jsonl(path: Path) -> Iterator[Document | Problem]:
    """Yield a Document (or a Problem) per line of a JSON Lines file.

    A row longer than :data:`MAX_JSONL_ROW_BYTES` is a Problem; it is skipped
    in small pieces, never read into memory whole.
    """
    limit = MAX_JSONL_ROW_BYTES
    with path.open("rb") as handle:
        number = 0
        while raw := handle.readline(limit + 1):
            number += 1
            source = f"{path}:{number}"
            if len(raw) > limit and not raw.endswith(b"\n"):
                while (rest := handle.readline(_SKIP_CHUNK_BYTES)) and not rest.endswith(b"\n"):
                    pass
                yield Problem(source, f"raden är större än {_size(limit)} (samma gräns som för en fil); "
                                      "den hoppas över")
                continue
            if not raw.strip():
                continue
            try:
                row = json.loads(raw.decode("utf-8"))
                if not isinstance(row, dict):
                    raise DocumentError("raden är inte ett JSON-objekt")
                if not str(row.get("text") or "").strip():
                    raise DocumentError("fältet text saknas eller är tomt")
                yield document_from_fields(row, str(row["text"]), source)
            except UnicodeDecodeError:
                yield Problem(source, "inte giltig UTF-8")
            except json.JSONDecodeError as error:
                yield Problem(source, f"inte giltig JSON ({error.msg})")
            except DocumentError as error:
                yield Problem(source, str(error))


def _size(count: int) -> str:
    megabytes = count / (1024 * 1024)
    return f"{megabytes:g} MB" if megabytes >= 1 else f"{count} byte"


def read_jsonl(path: Path) -> ReadResult:
    """Read every document of a JSON Lines file."""
    result = ReadResult()
    for item in iter_jsonl(path):
        if isinstance(item, Document):
            result.documents.append(item)
        else:
            result.problems.append(item)
    return result
