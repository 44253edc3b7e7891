"""Fetch a site politely into a corpus folder: sitemap or start page, robots.txt, one host, a rate limit.

robots.txt is read as RFC 9309 says (see ``indexer.corpus.robots``); its ``Sitemap:``
lines are used when the crawl starts from a page. Sitemaps may be gzipped. A
page that answers 429 or 503 is asked again after its ``Retry-After`` (or
after an exponential back-off), a bounded number of times.

What is fetched is stored as it came (``.html``, ``.pdf``) with a sidecar
``<file>.meta.yml`` holding the address it came from and its validators
(ETag, Last-Modified). A second crawl sends those validators, so an unchanged
page costs a 304 and changes no file. Every page that could not be fetched is
reported with its address and the reason; the crawl goes on.
"""

from __future__ import annotations

import datetime
import email.utils
import hashlib
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from bs4 import BeautifulSoup
from defusedxml import ElementTree

from indexer.corpus.robots import ROBOTS_MAX_BYTES, ROBOTS_MAX_REDIRECTS, Robots, robots_for_answer

USER_AGENT = "SokBot/0.1 (Sök, sökindexering för offentliga webbplatser)"
MAX_REDIRECTS = 5
MAX_BYTES = 20 * 1024 * 1024  # per answer, and per unpacked gzipped sitemap
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
RETRY_STATUSES = (429, 503)  # "too many requests", "unavailable": asked again, politely
MAX_RETRIES = 3  # further attempts after the first
#: The longest Crawl-delay obeyed; a site asking for more is not crawled (and the report says why).
MAX_CRAWL_DELAY_S = 60.0
MAX_RETRY_AFTER_S = 120.0  # a longer Retry-After is not waited for: the page is reported instead
BACKOFF_S = 2.0  # without Retry-After: wait 2, 4, 8 s
GZIP_MAGIC = b"\x1f\x8b"
GZIP_WBITS = zlib.MAX_WBITS | 16  # zlib reads the gzip header and trailer
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SIDECAR_SUFFIX = ".meta.yml"


@dataclass
class CrawlReport:
    """What a crawl did: pages stored, unchanged (304), skipped by robots.txt, and problems."""

    fetched: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    disallowed: list[str] = field(default_factory=list)
    redirected: list[tuple[str, str]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    stopped: str = ""  # why nothing at all was fetched (robots.txt unreadable or too strict), if so


class FetchError(Exception):
    """A page could not be fetched; the message says why, in Swedish."""


@dataclass
class Response:
    """One HTTP response as the crawler needs it."""

    url: str
    status: int
    body: bytes
    content_type: str
    etag: str = ""
    last_modified: str = ""
    location: str = ""
    retry_after: str = ""
    note: str = ""  # why a 429/503 was given up on (in Swedish), for the report


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # redirects are followed by Fetcher, one hop at a time
        return None


class Fetcher:
    """HTTP GETs of one host with a pause between requests and a time limit on each."""

    def __init__(self, delay_s: float = 1.0, timeout_s: float = 10.0, user_agent: str = USER_AGENT):
        self.delay_s, self.timeout_s, self.user_agent = delay_s, timeout_s, user_agent
        self._opener = urllib.request.build_opener(_NoRedirect)
        self._last = 0.0

    def get(self, url: str, headers: dict[str, str] | None = None, truncate_at: int | None = None) -> Response:
        """One GET (no redirects followed), asked again while it answers 429 or 503.

        The server's ``Retry-After`` is waited for when it is at most
        ``MAX_RETRY_AFTER_S``; without one the wait doubles from ``BACKOFF_S``.
        After ``MAX_RETRIES`` more attempts, or when the server asks for a
        longer pause, the last answer comes back with a ``note`` saying so.
        """
        attempt = 0
        while True:
            response = self._get_once(url, headers, truncate_at)
            if response.status not in RETRY_STATUSES:
                return response
            asked = _retry_after_s(response.retry_after)
            if asked is not None and asked > MAX_RETRY_AFTER_S:
                response.note = f"servern ber om en paus på {asked:.0f} s; försök igen senare"
                return response
            if attempt == MAX_RETRIES:
                response.note = f"efter {MAX_RETRIES + 1} försök"
                return response
            time.sleep(asked if asked is not None else BACKOFF_S * 2**attempt)
            attempt += 1

    def _get_once(self, url: str, headers: dict[str, str] | None, truncate_at: int | None) -> Response:
        """One request; HTTP errors come back as responses with their status.

        The body may be at most ``MAX_BYTES``, or is cut at ``truncate_at`` when given.
        """
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise FetchError("är inte en http- eller https-adress")
        wait = self._last + self.delay_s - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent, **(headers or {})})
        limit = MAX_BYTES + 1 if truncate_at is None else truncate_at
        try:
            with self._opener.open(request, timeout=self.timeout_s) as response:
                body = response.read(limit)
                status, info = response.status, response.headers
        except urllib.error.HTTPError as error:
            body, status, info = b"", error.code, error.headers
        except TimeoutError:
            raise FetchError(f"svarade inte inom {self.timeout_s:g} s") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, TimeoutError) or "timed out" in str(reason):
                raise FetchError(f"svarade inte inom {self.timeout_s:g} s") from None
            raise FetchError(f"kunde inte hämtas ({reason})") from None
        finally:
            self._last = time.monotonic()
        if truncate_at is None and len(body) > MAX_BYTES:
            raise FetchError(f"större än {MAX_BYTES // 2**20} MB")
        return Response(url, status, body, (info.get("Content-Type") or "").split(";")[0].strip().lower(),
                        info.get("ETag") or "", info.get("Last-Modified") or "", info.get("Location") or "",
                        info.get("Retry-After") or "")


class Crawler:
    """Crawls one site into ``corpus_dir``."""

    def __init__(self, start: str, corpus_dir: Path, max_pages: int = 500, delay_s: float = 1.0,
                 timeout_s: float = 10.0, on_page: Callable[[str], None] | None = None):
        parsed = urllib.parse.urlsplit(start)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"ogiltig adress: {start}")
        self.start, self.host, self.scheme = start, parsed.netloc.lower(), parsed.scheme
        self.corpus_dir, self.max_pages, self.on_page = corpus_dir, max_pages, on_page
        self.fetcher = Fetcher(delay_s, timeout_s)
        self.robots = Robots.allow_all()  # until robots.txt is read
        self.report = CrawlReport()
        self._failed: set[str] = set()  # could not be fetched this time (time-out, server error): kept
        self._sitemaps_read = True  # False once a sitemap could not be read: its pages are unknown, none pruned

    def run(self) -> CrawlReport:
        """Fetch the site: its sitemap's pages, or the pages linked from the start page, up to the cap."""
        self.corpus_dir.mkdir(parents=True, exist_ok=True)
        self._read_robots()
        first = self._fetch(self.start)
        if first is None:
            return self.report
        queue: deque[str] = deque()
        seen = {self.start, first.url}
        done: set[str] = set()  # final addresses stored or confirmed unchanged
        start_is_sitemap = _is_sitemap(first)
        # A start page's links are followed unless robots.txt names a sitemap with the site's pages.
        listed = self._sitemap_urls(first) if start_is_sitemap else self._robots_sitemap_urls()
        follow_links = not start_is_sitemap and not listed

        def visit(response: Response) -> None:
            if response.url in done:
                return  # reached again through a redirect
            done.add(response.url)
            self._keep(response)
            if follow_links and _kind(response) == ".html":
                for link in _links(response):
                    if link not in seen and self._same_host(link):
                        seen.add(link)
                        queue.append(link)

        if not start_is_sitemap:
            visit(first)
        for url in listed:
            if url not in seen:
                seen.add(url)
                queue.append(url)
        while queue and len(self.report.fetched) + len(self.report.unchanged) < self.max_pages:
            response = self._fetch(queue.popleft())
            if response is not None:
                seen.add(response.url)
                visit(response)
        if not queue and self._sitemaps_read:  # the whole site was reached: what it no longer has leaves the corpus
            self._prune(done)
        return self.report

    def _prune(self, reached: set[str]) -> None:
        folder = self.corpus_dir / self.host.replace(":", "_")
        for sidecar in folder.glob(f"*{SIDECAR_SUFFIX}"):
            try:
                url = (yaml.safe_load(sidecar.read_text(encoding="utf-8")) or {}).get("url", "")
            except (OSError, yaml.YAMLError):
                continue
            if url and url not in reached and url not in self._failed and url not in self.report.removed:
                self._forget(url)

    # -- robots.txt and sitemaps ------------------------------------------------

    def _read_robots(self) -> None:
        """Read the host's robots.txt; when it cannot be read, nothing is fetched and the report says why."""
        self.robots = self._fetch_robots(f"{self.scheme}://{self.host}/robots.txt")
        delay = self.robots.crawl_delay()
        if delay and float(delay) > MAX_CRAWL_DELAY_S:  # obeying would take days; ignoring it would be rude
            self.robots = Robots.refuse_all(f"robots.txt begär Crawl-delay {float(delay):g} s, mer än "
                                            f"{MAX_CRAWL_DELAY_S:g} s; hämtar inget")
        elif delay:
            self.fetcher.delay_s = max(self.fetcher.delay_s, float(delay))
        if self.robots.refusal:
            self.report.problems.append((f"{self.scheme}://{self.host}/robots.txt", self.robots.refusal))
            self.report.stopped = self.robots.refusal

    def _fetch_robots(self, url: str) -> Robots:
        """Fetch robots.txt, following up to ``ROBOTS_MAX_REDIRECTS`` redirects (to any http(s) host)."""
        for _hop in range(ROBOTS_MAX_REDIRECTS + 1):
            try:
                response = self.fetcher.get(url, truncate_at=ROBOTS_MAX_BYTES)
            except FetchError as error:
                return Robots.refuse_all(f"robots.txt {error}; hämtar inget")
            if response.status not in REDIRECT_STATUSES:
                return robots_for_answer(response.status, response.body)
            if not response.location:
                return Robots.refuse_all(f"robots.txt gav HTTP {response.status} utan Location; hämtar inget")
            url = urllib.parse.urljoin(url, response.location)
            if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                return Robots.refuse_all(f"robots.txt omdirigeras till {url}, som inte är http(s); hämtar inget")
        return Robots.refuse_all(f"robots.txt omdirigeras mer än {ROBOTS_MAX_REDIRECTS} gånger; hämtar inget")

    def _robots_sitemap_urls(self) -> list[str]:
        """The pages (on this host) of the sitemaps that robots.txt names, in order."""
        urls: list[str] = []
        for sitemap_url in self.robots.sitemaps():
            if not self._same_host(sitemap_url):
                self.report.problems.append((sitemap_url, "sitemap i robots.txt på en annan webbplats; hoppar över"))
                continue
            response = self._fetch(sitemap_url)
            if response is None:
                self._sitemaps_read = False
            else:
                urls += self._sitemap_urls(response)
        return list(dict.fromkeys(urls))

    def _sitemap_urls(self, response: Response, depth: int = 0) -> list[str]:
        """The page addresses (on this host) of a sitemap, gzipped or not, or of those a sitemap index lists."""
        try:
            xml = _unpacked(response.body)
        except ValueError as error:
            self.report.problems.append((response.url, f"sitemap {error}; hoppar över"))
            self._sitemaps_read = False
            return []
        try:
            root = ElementTree.fromstring(xml)
        except Exception as error:  # defusedxml raises its own kinds for hostile XML
            self.report.problems.append((response.url, f"sitemap kan inte läsas ({type(error).__name__})"))
            self._sitemaps_read = False
            return []
        urls = [loc.text.strip() for loc in root.iter(f"{SITEMAP_NS}loc") if loc.text]
        if root.tag == f"{SITEMAP_NS}sitemapindex" and depth < 2:
            nested = []
            for url in urls:
                if not self._same_host(url):
                    continue
                child = self._fetch(url)
                if child is None:
                    self._sitemaps_read = False
                else:
                    nested += self._sitemap_urls(child, depth + 1)
            return nested
        return [url for url in dict.fromkeys(urls) if self._same_host(url)]

    # -- fetching ---------------------------------------------------------------

    def _fetch(self, url: str) -> Response | None:
        """GET ``url`` (conditionally when stored before), following redirects within the host."""
        hops = [url]
        while True:
            if not self._same_host(url):
                self.report.problems.append((hops[0], f"leder till en annan webbplats ({url}); hoppar över"))
                return None
            if not self.robots.allows(url):
                self.report.disallowed.append(url)
                return None
            stored = self._sidecar(url)
            headers = {}
            if stored.get("etag"):
                headers["If-None-Match"] = stored["etag"]
            if stored.get("last_modified"):
                headers["If-Modified-Since"] = stored["last_modified"]
            try:
                response = self.fetcher.get(url, headers)
            except FetchError as error:
                self.report.problems.append((url, str(error)))
                self._failed.add(url)
                return None
            if response.status in REDIRECT_STATUSES:
                location = urllib.parse.urljoin(url, response.location) if response.location else ""
                if not location:
                    self.report.problems.append((url, f"HTTP {response.status} utan Location"))
                    return None
                if location in hops or len(hops) > MAX_REDIRECTS:
                    self.report.problems.append((hops[0], f"omdirigeringsslinga ({' → '.join(hops + [location])})"))
                    return None
                hops.append(location)
                url = location
                continue
            if len(hops) > 1:
                self.report.redirected.append((hops[0], url))
            if response.status == 304:
                return Response(url, 304, self._stored_body(url), stored.get("content_type", "text/html"))
            if response.status >= 400:
                self.report.problems.append((url, f"HTTP {response.status}" + (f" ({response.note})"
                                                                               if response.note else "")))
                if response.status in (404, 410):
                    self._forget(url)  # gone from the site: gone from the corpus, and so from the index
                else:
                    self._failed.add(url)
                return None
            return response

    def _keep(self, response: Response) -> None:
        """Store a fetched page and its sidecar (a 304 only counts as unchanged)."""
        if response.status == 304:
            self.report.unchanged.append(response.url)
            if self.on_page:
                self.on_page(response.url)
            return
        if _is_sitemap(response):
            return
        kind = _kind(response)
        if kind is None:
            self.report.problems.append((response.url, f"okänd innehållstyp {response.content_type or '(ingen)'}"))
            return
        path = self._file_for(response.url, kind)
        path.write_bytes(response.body)
        meta = {"url": response.url, "content_type": response.content_type,
                "sha256": hashlib.sha256(response.body).hexdigest()}
        if response.etag:
            meta["etag"] = response.etag
        if response.last_modified:
            meta["last_modified"] = response.last_modified
        _sidecar_path(path).write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=True), encoding="utf-8")
        self.report.fetched.append(response.url)
        self.report.files.append(path)
        if self.on_page:
            self.on_page(response.url)

    def _forget(self, url: str) -> None:
        for kind in (".html", ".pdf"):
            path = self._file_for(url, kind)
            if path.exists():
                path.unlink()
                _sidecar_path(path).unlink(missing_ok=True)
                self.report.removed.append(url)

    def _file_for(self, url: str, kind: str) -> Path:
        digest = hashlib.sha1(url.encode()).hexdigest()[:16]
        folder = self.corpus_dir / self.host.replace(":", "_")
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{digest}{kind}"

    def _sidecar(self, url: str) -> dict:
        for kind in (".html", ".pdf"):
            sidecar = _sidecar_path(self._file_for(url, kind))
            if sidecar.exists():
                try:
                    return yaml.safe_load(sidecar.read_text(encoding="utf-8")) or {}
                except (OSError, yaml.YAMLError):
                    return {}
        return {}

    def _stored_body(self, url: str) -> bytes:
        for kind in (".html", ".pdf"):
            path = self._file_for(url, kind)
            if path.exists():
                return path.read_bytes()
        return b""

    def _same_host(self, url: str) -> bool:
        parts = urllib.parse.urlsplit(url)
        return parts.scheme in ("http", "https") and parts.netloc.lower() == self.host


def _sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def _kind(response: Response) -> str | None:
    if response.content_type == "application/pdf" or response.body.startswith(b"%PDF"):
        return ".pdf"
    if response.content_type in ("text/html", "application/xhtml+xml") or (
            not response.content_type and b"<html" in response.body[:2000].lower()):
        return ".html"
    return None


def _is_sitemap(response: Response) -> bool:
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


def _unpacked(body: bytes) -> bytes:
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


def _retry_after_s(value: str) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date), None if absent or unreadable."""
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return max(0.0, when.timestamp() - time.time())


def _links(response: Response) -> list[str]:
    """Absolute links of an HTML page (fragments dropped), in page order."""
    soup = BeautifulSoup(response.body, "html.parser")
    found = []
    for anchor in soup.find_all("a", href=True):
        href = str(anchor["href"]).strip()
        if not href or href.startswith(("mailto:", "tel:", "javascript:", "#")):
            continue
        absolute, _ = urllib.parse.urldefrag(urllib.parse.urljoin(response.url, href))
        found.append(absolute)
    return list(dict.fromkeys(found))
