"""Fetch a site politely into a corpus folder: sitemap or start page, robots.txt, one host, a rate limit.

robots.txt is read as RFC 9309 says (``indexer.corpus.crawl.robots``); its ``Sitemap:``
lines are used when the crawl starts from a page. Sitemaps may be gzipped
(``indexer.corpus.crawl.sitemaps``). A page that answers 429 or 503 is asked
again after its ``Retry-After`` (or after an exponential back-off), a bounded
number of times (``indexer.corpus.crawl.http``).

What is fetched is stored as it came (``.html``, ``.pdf``) with a sidecar
``<file>.meta.yml`` holding the address it came from and its validators
(ETag, Last-Modified) (``indexer.corpus.crawl.store``). A second crawl sends
those validators, so an unchanged page costs a 304 and changes no file. Every
page that could not be fetched is reported with its address and the reason;
the crawl goes on.

What a crawl collects is bounded by what it may fetch (``indexer.budgets``):
at most ``crawl_url_budget(max_pages)`` addresses from sitemaps and links in
all, ``MAX_SITEMAP_URLS`` per sitemap and ``MAX_LINKS_PER_PAGE`` per page; no
more sitemaps of an index are fetched once the budget is reached. A crawl that
stopped collecting knows only part of the site, so it removes nothing from the
corpus.
"""

from __future__ import annotations

import urllib.parse
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from indexer.budgets import MAX_FETCH_SECONDS, MAX_LINKS_PER_PAGE, MAX_SITEMAP_URLS, crawl_url_budget
from indexer.corpus.crawl.http import REDIRECT_STATUSES, Fetcher, FetchError, Response
from indexer.corpus.crawl.links import page_links
from indexer.corpus.crawl.robots import ROBOTS_MAX_BYTES, ROBOTS_MAX_REDIRECTS, Robots, robots_for_answer
from indexer.corpus.crawl.sitemaps import is_sitemap, read_sitemap
from indexer.corpus.crawl.store import CorpusStore, kind_of

MAX_REDIRECTS = 5
#: The longest Crawl-delay obeyed; a site asking for more is not crawled (and the report says why).
MAX_CRAWL_DELAY_S = 60.0


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


class Crawler:
    """Crawls one site into ``corpus_dir``."""

    def __init__(self, start: str, corpus_dir: Path, max_pages: int = 500, delay_s: float = 1.0,
                 timeout_s: float = 10.0, on_page: Callable[[str], None] | None = None,
                 deadline_s: float = MAX_FETCH_SECONDS) -> None:
        parsed = urllib.parse.urlsplit(start)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"ogiltig adress: {start}")
        self.start, self.host, self.scheme = start, parsed.netloc.lower(), parsed.scheme
        self.corpus_dir, self.max_pages, self.on_page = corpus_dir, max_pages, on_page
        self.fetcher = Fetcher(delay_s, timeout_s, deadline_s=max(deadline_s, timeout_s))
        self.url_budget = crawl_url_budget(max_pages)
        self.store = CorpusStore(corpus_dir, self.host)
        self.robots = Robots.allow_all()  # until robots.txt is read
        self.report = CrawlReport()
        self._failed: set[str] = set()  # could not be fetched this time (time-out, server error): kept
        # False once the site's pages are not all known (a sitemap unreadable, or collecting stopped at the
        # budget): then nothing is pruned.
        self._all_known = True

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
        start_is_sitemap = is_sitemap(first)
        # A start page's links are followed unless robots.txt names a sitemap with the site's pages.
        listed = self._sitemap_urls(first) if start_is_sitemap else self._robots_sitemap_urls()
        follow_links = not start_is_sitemap and not listed

        def visit(response: Response) -> None:
            if response.url in done:
                return  # reached again through a redirect
            done.add(response.url)
            self._keep(response)
            if follow_links and kind_of(response) == ".html":
                for link in page_links(response, MAX_LINKS_PER_PAGE):
                    if link not in seen and self._same_host(link):
                        if len(seen) >= self.url_budget:
                            self._all_known = False
                            break
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
        if not queue and self._all_known:  # the whole site was reached: what it no longer has leaves the corpus
            self._prune(done)
        return self.report

    def _prune(self, reached: set[str]) -> None:
        for url in self.store.stored_urls():
            if url not in reached and url not in self._failed and url not in self.report.removed:
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
            if len(urls) >= self.url_budget:
                self._all_known = False
                break
            response = self._fetch(sitemap_url)
            if response is None:
                self._all_known = False
            else:
                urls += self._sitemap_urls(response, room=self.url_budget - len(urls))
        return list(dict.fromkeys(urls))

    def _sitemap_urls(self, response: Response, depth: int = 0, room: int | None = None) -> list[str]:
        """The page addresses (on this host) of a sitemap, gzipped or not, or of those a sitemap index lists.

        At most ``room`` of them (the crawl's budget); a sitemap index's sitemaps are fetched only
        while there is room.
        """
        room = self.url_budget if room is None else room
        try:
            is_index, urls, more = read_sitemap(response.body, min(room, MAX_SITEMAP_URLS))
        except ValueError as error:
            self.report.problems.append((response.url, str(error)))
            self._all_known = False
            return []
        if more:
            self._all_known = False
        if is_index and depth < 2:
            nested: list[str] = []
            for url in urls:
                if not self._same_host(url):
                    continue
                if len(nested) >= room:
                    self._all_known = False
                    break
                child = self._fetch(url)
                if child is None:
                    self._all_known = False
                else:
                    nested += self._sitemap_urls(child, depth + 1, room - len(nested))
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
            stored = self.store.sidecar(url)
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
                    self.report.problems.append((hops[0], f"omdirigeringsslinga ({' → '.join([*hops, location])})"))
                    return None
                hops.append(location)
                url = location
                continue
            if len(hops) > 1:
                self.report.redirected.append((hops[0], url))
            if response.status == 304:
                return Response(url, 304, self.store.stored_body(url), stored.get("content_type", "text/html"))
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
        if is_sitemap(response):
            return
        kind = kind_of(response)
        if kind is None:
            self.report.problems.append((response.url, f"okänd innehållstyp {response.content_type or '(ingen)'}"))
            return
        path = self.store.write(response, kind)
        self.report.fetched.append(response.url)
        self.report.files.append(path)
        if self.on_page:
            self.on_page(response.url)

    def _forget(self, url: str) -> None:
        for _path in self.store.forget(url):  # once per file: a page may be stored as .html and as .pdf
            self.report.removed.append(url)

    def _same_host(self, url: str) -> bool:
        parts = urllib.parse.urlsplit(url)
        return parts.scheme in ("http", "https") and parts.netloc.lower() == self.host
