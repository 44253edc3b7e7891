"""HTTP GETs for the crawler: one host's pace, time limits, a size limit, and Retry-After.

Redirects are not followed here: each comes back as its answer, and the
crawler decides whether to follow it (same host, robots.txt), one hop at a time.

Two time limits hold: ``timeout_s`` for each wait on the socket, and
``deadline_s`` for the whole fetch, connecting, headers and body: a server
that sends one byte a second is cut off there (a watchdog shuts the socket
down). A body sent gzip- or deflate-encoded is decoded, to at most ``MAX_BYTES``.
"""

from __future__ import annotations

import contextlib
import datetime
import email.utils
import http.client
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from dataclasses import dataclass
from typing import Any

from indexer.budgets import MAX_DOCUMENT_BYTES, MAX_FETCH_SECONDS

USER_AGENT = "SokBot/0.1 (Sök, sökindexering för offentliga webbplatser)"
MAX_BYTES = MAX_DOCUMENT_BYTES  # per answer, and per unpacked gzipped sitemap
GZIP_WBITS = zlib.MAX_WBITS | 16  # zlib reads the gzip header and trailer
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


class _Watchdog:
    """Shuts a fetch's connection down once its deadline has passed, whatever the fetch is waiting for.

    It holds a duplicate of the socket: that stays valid when TLS takes the socket over, and
    its descriptor cannot be reused by another connection before the watchdog is cancelled.
    """

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def attach(self, sock: socket.socket) -> socket.socket:
        """Watch ``sock`` (the connection just opened)."""
        with self._lock:
            self._sock = sock.dup()
            if self.expired:
                _shut(self._sock)
        return sock

    def cancel(self) -> None:
        """The fetch is over: no shutting down."""
        self._timer.cancel()
        with self._lock:
            if self._sock is not None:
                self._sock.close()
                self._sock = None

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            if self._sock is not None:
                _shut(self._sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)  # a blocked read returns at once


class _Watched(urllib.request.HTTPHandler, urllib.request.HTTPSHandler):
    """Opens http and https connections whose sockets the current fetch's watchdog watches."""

    def __init__(self) -> None:
        urllib.request.HTTPHandler.__init__(self)
        urllib.request.HTTPSHandler.__init__(self)
        self.watchdog: _Watchdog | None = None

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        """Open an http connection under the watchdog."""
        return self.do_open(self._factory(http.client.HTTPConnection), req)

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        """Open an https connection under the watchdog (its socket watched from before the TLS handshake)."""
        return self.do_open(self._factory(http.client.HTTPSConnection), req,
                            context=self._context)  # type: ignore[attr-defined]

    def _factory(self, kind: type[http.client.HTTPConnection]) -> Any:
        watchdog = self.watchdog

        def connection(host: str, **kwargs: Any) -> http.client.HTTPConnection:
            conn = kind(host, **kwargs)
            if watchdog is not None:
                create = conn._create_connection  # type: ignore[attr-defined]
                conn._create_connection = (  # type: ignore[attr-defined]
                    lambda *args, **kw: watchdog.attach(create(*args, **kw)))
            return conn

        return connection


class Fetcher:
    """HTTP GETs of one host with a pause between requests, a time limit on each wait and on each fetch."""

    def __init__(self, delay_s: float = 1.0, timeout_s: float = 10.0, user_agent: str = USER_AGENT,
                 deadline_s: float = MAX_FETCH_SECONDS) -> None:
        self.delay_s, self.timeout_s, self.user_agent = delay_s, timeout_s, user_agent
        self.deadline_s = deadline_s
        self._watched = _Watched()
        self._opener = urllib.request.build_opener(_NoRedirect, self._watched)
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
        # The scheme was checked above: http or https only.
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent, **(headers or {})})  # noqa: S310
        limit = MAX_BYTES + 1 if truncate_at is None else truncate_at
        watchdog = self._watched.watchdog = _Watchdog(self.deadline_s)
        try:
            with self._opener.open(request, timeout=self.timeout_s) as response:
                body = response.read(limit)
                status, info = response.status, response.headers
        except urllib.error.HTTPError as error:
            body, status, info = b"", error.code, error.headers
        except TimeoutError:
            raise FetchError(f"svarade inte inom {self.timeout_s:g} s") from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            if watchdog.expired:
                raise FetchError(f"hämtningen tog mer än {self.deadline_s:g} s") from None
            reason = getattr(error, "reason", error)
            if isinstance(reason, TimeoutError) or "timed out" in str(reason):
                raise FetchError(f"svarade inte inom {self.timeout_s:g} s") from None
            raise FetchError(f"kunde inte hämtas ({reason})") from None
        finally:
            watchdog.cancel()
            self._watched.watchdog = None
            self._last = time.monotonic()
        if watchdog.expired:  # a body read until the connection closed ends early, without an error
            raise FetchError(f"hämtningen tog mer än {self.deadline_s:g} s")
        body = _decoded(body, (info.get("Content-Encoding") or "").strip().lower(), truncate_at)
        if truncate_at is None and len(body) > MAX_BYTES:
            raise FetchError(f"större än {MAX_BYTES // 2**20} MB")
        return Response(url, status, body, (info.get("Content-Type") or "").split(";")[0].strip().lower(),
                        info.get("ETag") or "", info.get("Last-Modified") or "", info.get("Location") or "",
                        info.get("Retry-After") or "")


def unpack(body: bytes, wbits: int = GZIP_WBITS, limit: int = MAX_BYTES) -> bytes:
    """``body`` decompressed (gzip by default) to at most ``limit`` bytes; ValueError when broken or larger."""
    inflater = zlib.decompressobj(wbits=wbits)
    try:
        unpacked = inflater.decompress(body, limit + 1)  # stops there: a bomb never fills memory
    except zlib.error:
        raise ValueError("är en trasig gzip-fil") from None
    if len(unpacked) > limit:
        raise ValueError(f"är större än {limit // 2**20} MB uppackad")
    return unpacked


def _decoded(body: bytes, encoding: str, truncate_at: int | None) -> bytes:
    """A body as the server meant it: gzip and deflate undone (a server may send them unasked)."""
    if not body or encoding in ("", "identity"):
        return body
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise FetchError(f"okänd innehållskodning {encoding[:40]!r}")
    wbits = zlib.MAX_WBITS | 32  # a gzip or zlib header, whichever it is
    try:
        if truncate_at is not None:  # a prefix is all that is wanted (robots.txt)
            return zlib.decompressobj(wbits=wbits).decompress(body, truncate_at)
        return unpack(body, wbits)
    except (ValueError, zlib.error) as error:
        reason = str(error) if isinstance(error, ValueError) else "är trasigt"
        raise FetchError(f"svaret {reason} (Content-Encoding: {encoding})") from None


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
