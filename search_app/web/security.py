"""Protection for a public search box: trusted hosts, security headers, rate limits, a body size limit.

Rate limits are per client and per worker process (a token bucket each); the
client is known only by a salted hash of its address, and the buckets forget
clients after a while, so no IP address is kept. A request for a host that
ALLOWED_HOSTS does not name is refused before anything else, so that no link,
redirect or embed snippet Sök writes can point at a host a client made up.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
import threading
import time
from collections import OrderedDict

from flask import Flask, Response, current_app, render_template, request
from werkzeug.middleware.proxy_fix import ProxyFix

from search_app.web.problems import is_api_request, problem

MAX_TRACKED_CLIENTS = 10_000
_SALT = secrets.token_bytes(16)
#: The hosts an install answers to while ALLOWED_HOSTS is empty: this machine's own names.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
#: Answered whatever the host, for load balancers and probes that ask by address: they link nowhere.
ANY_HOST_PATHS = ("/healthz", "/readyz")
_HOST_RE = re.compile(r"(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::([0-9]{1,5}))?", re.IGNORECASE)


def allowed_hosts(setting: str, bound: str = "") -> tuple[str, ...] | None:
    """The host names ALLOWED_HOSTS lists (lowercase; ``.example.se`` also names its subdomains); None for
    ``*`` (any host); when it is empty, the loopback names and the address ``sok serve`` is ``bound`` to
    (unless that is every address, 0.0.0.0 or ::)."""
    names = tuple(name.strip().lower().strip("[]") for name in setting.split(",") if name.strip())
    if "*" in names:
        return None
    own = (bound.lower().strip("[]"),) if bound.strip("[]") not in ("", "0.0.0.0", "::") else ()  # noqa: S104
    return names or LOOPBACK_HOSTS + own


def host_allowed(host: str, trusted: tuple[str, ...] | None) -> bool:
    """Whether a ``Host`` header (``name[:port]``) names one of ``trusted`` (None: any well-formed host)."""
    match = _HOST_RE.fullmatch(host)
    if match is None or int(match.group(2) or 0) > 65535:
        return False
    name = match.group(1).lower().strip("[]").rstrip(".")
    return trusted is None or any(name == item or (item.startswith(".") and name.endswith(item))
                                  for item in trusted)


def refuse_other_hosts() -> Response | None:
    """Before a request: 400 for a host ALLOWED_HOSTS does not name (problem+json or the Swedish page)."""
    host = request.environ.get("HTTP_HOST") or request.environ.get("SERVER_NAME", "")
    if request.path in ANY_HOST_PATHS or host_allowed(host, current_app.extensions["sok_allowed_hosts"]):
        return None
    message = "Den här adressen hör inte till tjänsten."
    if is_api_request(operators=True):
        response = problem("bad-request", message, "This host name is not one this service answers to "
                           "(ALLOWED_HOSTS).", "Host")
    else:
        response = current_app.make_response(render_template("error.html", status=400, message=message))
        response.status_code = 400
    response.headers["Cache-Control"] = "no-store"
    return response


class RateLimiter:
    """Token buckets per client: ``burst`` requests at once, refilled at ``per_minute``."""

    def __init__(self, per_minute: float, burst: int) -> None:
        self.rate_per_s = per_minute / 60
        self.burst = burst
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def wait_s(self, client: str, now: float | None = None, consume: bool = True) -> float:
        """0 when the request may go ahead (using one of the client's requests unless not ``consume``),
        else the seconds until it may."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, updated = self._buckets.pop(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - updated) * self.rate_per_s)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate_per_s
            self._buckets[client] = (tokens - 1 if wait == 0 and consume else tokens, now)
            while len(self._buckets) > MAX_TRACKED_CLIENTS:
                self._buckets.popitem(last=False)
        return wait


def client_key() -> str:
    """A salted hash of the client's address: enough to tell clients apart, not to name them."""
    return hashlib.sha256(_SALT + (request.remote_addr or "").encode()).hexdigest()[:16]


def limit_rate() -> Response | None:
    """Before a request: 429 with Retry-After when this client has used up its requests, else go on."""
    limiter: RateLimiter | None = current_app.extensions.get("sok_rate_limiter")
    if limiter is None or request.path.startswith("/static/") or request.method == "OPTIONS":
        return None
    wait = limiter.wait_s(client_key())
    if wait == 0:
        return None
    retry = str(max(1, math.ceil(wait)))
    message = "För många förfrågningar. Vänta en stund och försök igen."
    if is_api_request(operators=True):
        response = problem("too-many-requests", message, "Too many requests. Wait a moment and try again.")
    else:
        response = current_app.make_response(render_template("error.html", status=429, message=message))
    response.status_code = 429
    response.headers["Retry-After"] = retry
    return response


def add_security_headers(response: Response) -> Response:
    """After a request: no MIME sniffing, the referrer policy and, on pages, the Content-Security-Policy;
    redirects are not stored (their Location names the request's host)."""
    config = current_app.config
    response.headers["X-Content-Type-Options"] = "nosniff"
    if 300 <= response.status_code < 400 and response.status_code != 304:
        response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = config["REFERRER_POLICY"]
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            f"frame-ancestors {config['FRAME_ANCESTORS']}"
        )
    return response


def init_app(app: Flask) -> None:
    """Install the rate limiter, the body size limit and the headers on ``app``."""
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY_BYTES"]
    bound = app.config.get("SOK_BOUND_HOST", "")  # handed over by sok serve
    app.extensions["sok_allowed_hosts"] = allowed_hosts(app.config["ALLOWED_HOSTS"], bound)
    app.before_request(refuse_other_hosts)
    per_minute = app.config["RATE_LIMIT_PER_MINUTE"]
    if per_minute > 0:
        app.extensions["sok_rate_limiter"] = RateLimiter(per_minute, app.config["RATE_LIMIT_BURST"])
    app.before_request(limit_rate)
    app.after_request(add_security_headers)
    proxies = app.config["PROXY_COUNT"]
    if proxies > 0:
        # Behind a load balancer every request comes from its address; trust its
        # X-Forwarded-For (and only as many hops as configured) to tell clients apart.
        # Without proxies no X-Forwarded-* header counts (sok serve tells gunicorn so too).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
