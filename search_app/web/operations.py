"""For operators: /readyz (ready to answer) and Prometheus metrics at /metrics.

Metrics are off unless the ``METRICS`` setting says ``loopback`` (only a client
on this machine that came through no proxy may read them) or ``all`` (protect
the route yourself). Under ``sok serve`` every gunicorn worker writes its
numbers to files in ``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's
multiprocess mode, set up by ``search_app/web/server.py``), so any worker answers
/metrics for all of them.
"""

from __future__ import annotations

import ipaddress
import os
import time
from datetime import datetime

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from indexer.snapshot.layout import SnapshotError
from search_app.web.problems import problem

bp = Blueprint("operations", __name__)

METRICS_MODES = ("off", "loopback", "all")

REQUESTS = Counter("sok_http_requests_total", "HTTP requests answered, by route and status.", ["route", "status"])
LATENCY = Histogram("sok_http_request_duration_seconds", "Time to answer a request, by route.", ["route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
RESULT_CACHE = Counter("sok_result_cache_requests_total",
                       "Searches and questions answered from the worker's result cache (hit) or computed (miss).",
                       ["outcome"])
QUESTIONS = Counter("sok_questions_total", "Questions asked (/api/ask), by whether an answer was given.",
                    ["answered"])
SNAPSHOT_AGE = Gauge("sok_snapshot_age_seconds", "Seconds since the served index snapshot was built.",
                     multiprocess_mode="livemax")


def _route() -> str:
    """The route pattern (never the raw path: unknown paths must not create new series)."""
    return request.url_rule.rule if request.url_rule is not None else "other"


def _start_timer() -> None:
    g.sok_started = time.perf_counter()


def _record(response: Response) -> Response:
    started = g.pop("sok_started", None)
    route = _route()
    if route == "/metrics":
        return response
    REQUESTS.labels(route, str(response.status_code)).inc()
    if started is not None:
        LATENCY.labels(route).observe(time.perf_counter() - started)
    outcome = response.headers.get("X-Sok-Cache")
    if outcome in ("hit", "miss"):
        RESULT_CACHE.labels(outcome).inc()
    answered = g.pop("sok_answered", None)
    if answered is not None:
        QUESTIONS.labels("true" if answered else "false").inc()
    return response


def note_question(answered: bool) -> None:
    """Count a question for the answered share (called where the answer is known)."""
    g.sok_answered = answered


def _is_local_client() -> bool:
    """The TCP peer is this machine and no proxy forwarded the request for someone else."""
    if request.headers.get("X-Forwarded-For") or request.headers.get("Forwarded"):
        return False
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


@bp.get("/metrics")
def metrics() -> Response:
    """Prometheus metrics of every worker, when METRICS allows this client (else 404)."""
    mode = current_app.config["METRICS"].strip().lower()
    if mode not in ("loopback", "all") or (mode == "loopback" and not _is_local_client()):
        return problem("not-found", "Sidan finns inte.", "There is no such page.")
    try:
        built = datetime.fromisoformat(current_app.extensions["sok_index"].get().manifest.built_at)
        SNAPSHOT_AGE.set(max(0.0, time.time() - built.timestamp()))
    except (SnapshotError, ValueError):
        pass
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST.split(";")[0],
                    headers={"Cache-Control": "no-store"})


@bp.get("/readyz")
def readyz() -> Response:
    """200 once this worker has a snapshot open and (for hybrid search) its encoder loaded."""
    try:
        snap = current_app.extensions["sok_index"].get()
        if snap.semantic is not None:
            _ = snap.semantic.encoder  # loads it if the worker has not yet
    except Exception as error:  # any reason not to answer searches now
        current_app.logger.warning("not ready: %s", error)
        return problem("index-unavailable", "Tjänsten är inte redo att svara än.", "Not ready to answer yet.")
    return jsonify(status="ready", snapshot=snap.folder.name)


def init_app(app: Flask) -> None:
    """Register /readyz and /metrics and count every request."""
    mode = app.config["METRICS"].strip().lower()
    if mode not in METRICS_MODES:
        raise ValueError(f"METRICS must be one of {', '.join(METRICS_MODES)}, not {mode!r}")
    app.register_blueprint(bp)
    if mode != "off":
        app.before_request(_start_timer)
        app.after_request(_record)
