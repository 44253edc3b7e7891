"""For operators: /readyz, Prometheus metrics (off by default, loopback only, all workers counted), sok --version."""

from __future__ import annotations

import os
import re
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from search_app.web.app import create_app
from tests.conftest import ROOT, free_port, sok_executable, wait_for


def test_readyz_says_ready_once_a_snapshot_is_open(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200 and (response.json or {})["status"] == "ready"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.fixture()
def make_app() -> Iterator[Callable[..., Flask]]:
    """create_app with settings; every app made is closed after the test."""
    made = []

    def make(**config: object) -> Flask:
        app = create_app({"TESTING": True, "ANALYTICS_DB": "", **config})
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["sok_index"].close()


def test_readyz_is_503_without_an_index(tmp_path: Path, make_app: Callable[..., Flask]) -> None:
    response = make_app(INDEX_DIR=str(tmp_path / "none")).test_client().get("/readyz")
    assert response.status_code == 503 and response.headers["Content-Type"] == "application/problem+json"


def test_metrics_are_off_unless_configured(client: FlaskClient) -> None:
    assert client.get("/metrics").status_code == 404


def test_metrics_on_loopback_refuse_proxied_and_remote_clients(mixed_index: Path,
                                                               make_app: Callable[..., Flask]) -> None:
    local = make_app(INDEX_DIR=str(mixed_index), METRICS="loopback").test_client()
    assert local.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 200
    assert local.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 404
    forwarded = local.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                          headers={"X-Forwarded-For": "203.0.113.9"})
    assert forwarded.status_code == 404  # a local nginx forwarding someone else


def test_an_unknown_metrics_mode_is_refused_at_start(mixed_index: Path, make_app: Callable[..., Flask]) -> None:
    with pytest.raises(ValueError, match="METRICS"):
        make_app(INDEX_DIR=str(mixed_index), METRICS="yes")


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one series in Prometheus's text format (0 when absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if wanted else "") + r" ([0-9.e+-]+)"
    return sum(float(value) for value in re.findall(pattern, text))


@pytest.mark.slow
def test_metrics_count_every_workers_requests_under_sok_serve(mixed_index: Path, tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "server.log"
    env = {**os.environ, "SOK_METRICS": "loopback", "SOK_RATE_LIMIT_PER_MINUTE": "0"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with log.open("w") as out:
        server = subprocess.Popen(
            [sok_executable(), "serve", "--port", str(port), "--workers", "2", "--index", str(mixed_index)],
            stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", server, log)
        for number in range(30):  # new connections: both workers take some
            with urllib.request.urlopen(f"{base}/api/ask?q=pilotkommuner+{number}") as response:
                response.read()
        for _ in range(5):
            urllib.request.urlopen(f"{base}/api/ask?q=pilotkommuner+0").read()  # asked before: cache hits
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{base}/nothing-here")
        text = urllib.request.urlopen(base + "/metrics").read().decode()
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert sample(text, "sok_http_requests_total", route="/api/ask", status="200") == 35
    assert sample(text, "sok_http_requests_total", route="other", status="404") == 1
    assert sample(text, "sok_http_request_duration_seconds_count", route="/api/ask") == 35
    hits, misses = (sample(text, "sok_result_cache_requests_total", outcome=o) for o in ("hit", "miss"))
    assert hits + misses == 35 and hits >= 4  # each worker has its own cache: one repeat may miss once
    answered = sample(text, "sok_questions_total", answered="true")
    assert answered + sample(text, "sok_questions_total", answered="false") == 35 and answered > 0
    assert 0 < sample(text, "sok_snapshot_age_seconds") < 24 * 3600
    pids = set(re.findall(r"Booting worker with pid: (\d+)", log.read_text()))
    assert len(pids) == 2


def test_sok_version_prints_the_installed_version() -> None:
    result = subprocess.run([sok_executable(), "--version"], capture_output=True, text=True, check=True)
    assert re.fullmatch(r"sok \d+\.\d+\.\d+\S*\n", result.stdout)


def test_serve_opens_no_control_socket_unless_asked(tmp_path: Path) -> None:
    from search_app.web.server import control_socket_options

    assert control_socket_options(None) == {"control_socket_disable": True}
    options = control_socket_options(tmp_path / "sok-a.ctl")
    assert options["control_socket"] == str((tmp_path / "sok-a.ctl").resolve())
    assert options["control_socket_mode"] == 0o600


@pytest.mark.slow
def test_a_reload_keeps_serving_and_the_metrics_folder_goes_with_the_server(mixed_index: Path, tmp_path: Path) -> None:
    import signal
    import tempfile
    import time
    from pathlib import Path

    before = set(Path(tempfile.gettempdir()).glob("sok-metrics-*"))
    port, log = free_port(), tmp_path / "server.log"
    env = {**os.environ, "SOK_METRICS": "loopback", "SOK_RATE_LIMIT_PER_MINUTE": "0"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with log.open("w") as out:
        server = subprocess.Popen(
            [sok_executable(), "serve", "--port", str(port), "--workers", "2", "--index", str(mixed_index)],
            stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", server, log)
        made = set(Path(tempfile.gettempdir()).glob("sok-metrics-*")) - before
        assert len(made) == 1
        server.send_signal(signal.SIGHUP)  # gunicorn replaces every worker; the old ones exit cleanly
        deadline = time.monotonic() + 30
        while log.read_text().count("Booting worker") < 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)
        for number in range(10):
            with urllib.request.urlopen(f"{base}/api/search?q=bredband+{number}") as response:
                assert response.status == 200
        assert urllib.request.urlopen(base + "/metrics").status == 200
        assert all(folder.is_dir() for folder in made)
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert not any(folder.exists() for folder in made)
