"""HTTP GETs for the crawler: one host's pace, a time limit, a size limit, and Retry-After.

Redirects are not followed here: each comes back as its answer, and the
crawler decides whether to follow it (same host, robots.txt), one hop at a time.
"""

from __future__ import annotations

import datetime
import email.utils
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from indexer.corpus.model import MAX_DOCUMENT_BYTES

USER_AGENT = "SokBot/0.1 (Sök, sökindexering för offentliga webbplatser)"
MAX_BYTES = MAX_DOCUMENT_BYTES  # per answer, and per unpacked gzipped sitemap
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
RETRY_STATUSES = (429, 503)  # "too many requests", "unavailable": asked again, politely
MAX_RETRIES = 3  # further attempts after the first
MAX_RETRY_AFTER_S = 120.0  # a longer Retry-After is not waited for: the page is reported instead
BACKOFF_S = 2.0  # without Retry-After: wait 2, 4, 8 s


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
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        """Follow no redirect: each comes back as its answer, and the crawler decides, one hop at a time."""
        return None


class Fetcher:
    """HTTP GETs of one host with a pause between requests and a time limit on each."""

    def __init__(self, delay_s: float = 1.0, timeout_s: float = 10.0, user_agent: str = USER_AGENT) -> None:
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
