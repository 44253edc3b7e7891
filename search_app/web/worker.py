"""The gunicorn worker ``sok serve`` runs: gevent, bounded waits, Sök's own answers to broken requests.

Why gevent: a sync worker is held by one connection from accept to the last
byte, so two clients that send their headers slowly (or nothing) stop a
two-worker service. Here a connection holds a greenlet; a worker serves
``worker_connections`` of them. Searching is CPU work that never yields, so a
worker still runs one search at a time, as before.

Bounds on waiting: the request head must arrive within ``keepalive`` seconds
(gunicorn's timeout around reading it), and after that any single read or write
that stalls for :data:`CLIENT_STALL_S` ends the connection (a slow body, a
client that stops reading the answer).

Requests gunicorn refuses before the app sees them (a request line over the
limit, too many or too large headers, raw non-ASCII bytes in the address) get
``application/problem+json`` in Sök's shape, in Swedish, not gunicorn's English
HTML page; the log line names the kind of error only, never the client's
address or the request line (which holds the question).
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
from typing import TYPE_CHECKING

from gunicorn.http import errors as http_errors
from gunicorn.workers.ggevent import GeventWorker

from search_app.web.problems import PROBLEM_TYPE_BASE, PROBLEMS

if TYPE_CHECKING:
    from gunicorn.http.message import Request

#: Seconds a single read or write may stall before the connection is closed.
CLIENT_STALL_S = 10.0

#: The problem kind and the Swedish and English details, by the gunicorn error that refused the request.
_REFUSALS: tuple[tuple[type, str, str, str], ...] = (
    (http_errors.LimitRequestLine, "uri-too-long",
     "Adressen är för lång. Korta frågan och försök igen.", "The request address is too long."),
    (http_errors.LimitRequestHeaders, "headers-too-large",
     "Förfrågan har för många eller för stora rubrikfält.", "The request has too many or too large headers."),
    (http_errors.InvalidRequestLine, "bad-request",
     "Förfrågan kunde inte läsas. Tecken utanför ASCII i adressen måste procentkodas (till exempel %C3%A4 för ä).",
     "The request line could not be read. Non-ASCII characters in the address must be percent-encoded."),
    (http_errors.UnsupportedTransferCoding, "not-implemented",
     "Den överföringskodningen stöds inte.", "That transfer coding is not supported."),
)
_DEFAULT_REFUSAL = ("bad-request", "Förfrågan kunde inte läsas.", "The request could not be read.")


def refusal(error: BaseException) -> tuple[str, str, str]:
    """(problem kind, Swedish detail, English detail) for a request gunicorn refused."""
    for kind, *answer in _REFUSALS:
        if isinstance(error, kind):
            return tuple(answer)  # type: ignore[return-value]
    return _DEFAULT_REFUSAL


def problem_bytes(kind: str, detail: str, detail_en: str) -> bytes:
    """A complete HTTP/1.1 response carrying a problem+json body (the connection is then closed)."""
    status, title = PROBLEMS[kind]
    body = json.dumps({"type": PROBLEM_TYPE_BASE + kind, "title": title, "status": status,
                       "detail": detail, "detail_en": detail_en}, ensure_ascii=False).encode("utf-8")
    head = (f"HTTP/1.1 {status} {title}\r\nConnection: close\r\nContent-Type: application/problem+json\r\n"
            f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\r\n")
    return head.encode("latin-1") + body


class _QuietStalls(logging.Filter):
    """A client that stalled past CLIENT_STALL_S is routine, not an error with a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False (not logged) for a stalled client's TimeoutError."""
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, TimeoutError)


class SokWorker(GeventWorker):
    """gunicorn's gevent worker with stall limits, problem+json refusals and logs without addresses."""

    def init_process(self) -> None:
        """Start the worker, with stalled clients logged quietly."""
        self.log.error_log.addFilter(_QuietStalls())
        super().init_process()

    def handle(self, listener: socket.socket, client: socket.socket, addr: tuple) -> None:
        """Serve one connection; a read or write that stalls CLIENT_STALL_S ends it."""
        client.settimeout(CLIENT_STALL_S)
        super().handle(listener, client, addr)

    def handle_error(self, req: Request | None, client: socket.socket, addr: tuple, exc: BaseException) -> None:
        """Answer a request gunicorn refused, or that failed outside the app, with problem+json."""
        if isinstance(exc, http_errors.ParseException):
            kind, detail, detail_en = refusal(exc)
            self.log.warning("Refused a malformed request: %s (%s)", type(exc).__name__, kind)
            with contextlib.suppress(OSError):
                client.sendall(problem_bytes(kind, detail, detail_en))
            return
        path = getattr(req, "path", "") or "(no path read)"
        self.log.error("Error handling request %s %s", getattr(req, "method", ""), path, exc_info=exc)
        with contextlib.suppress(OSError):
            client.sendall(problem_bytes("server-error", "Ett internt fel inträffade.", "An internal error occurred."))
