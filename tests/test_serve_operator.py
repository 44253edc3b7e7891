"""What an operator meets with `sok serve`: a busy port, JSON logs, their own gunicorn settings, systemd units."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port, sok_executable, wait_for

# Serving and packaging, the same whichever engine ranks: once, in the Whoosh pass.
pytestmark = pytest.mark.slow

UNITS = ROOT / "deploy" / "systemd"


def test_a_port_in_use_is_one_swedish_line_saying_how_to_pick_another(seed_index: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sok_executable(), "serve", "--port", str(port), "--index", str(seed_index)],
                                capture_output=True, text=True, timeout=30, cwd=ROOT)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and result.stdout == "", result.stderr
    assert f"Porten {port} används redan" in lines[0] and "make run PORT=" in lines[0]


def test_json_logs_and_the_operators_own_gunicorn_settings(seed_index: Path, tmp_path: Path) -> None:
    config = tmp_path / "gunicorn.conf.py"
    config.write_text('loglevel = "debug"\nworkers = 3\n', encoding="utf-8")
    port, log = free_port(), tmp_path / "serve.log"
    environment = {**os.environ, "SOK_LOG_FORMAT": "json", "SOK_GUNICORN_CONFIG": str(config),
                   "GUNICORN_CMD_ARGS": "--workers 1"}  # the variable is read after the file
    with log.open("w") as output:
        process = subprocess.Popen([sok_executable(), "serve", "--port", str(port), "--index", str(seed_index)],
                                   stdout=output, stderr=subprocess.STDOUT, env=environment, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/readyz", process, log)
        question = "vilka+kommuner+var+pilotkommuner"
        with urllib.request.urlopen(f"{base}/api/ask?q={question}", timeout=30) as reply:
            assert reply.status == 200
    finally:
        process.terminate()
        process.wait(timeout=30)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]  # every line is JSON
    assert all({"time", "level", "event"} <= line.keys() for line in lines)
    assert any(line["level"] == "debug" for line in lines)  # the file's loglevel
    assert sum("Booting worker" in line.get("message", "") for line in lines) == 1  # GUNICORN_CMD_ARGS won
    assert any(line["event"] == "ready" and line["url"] == base for line in lines)
    requests = [line for line in lines if line["event"] == "request"]
    asked = [line for line in requests if line["route"] == "/api/ask"]
    assert asked and asked[0]["status"] == 200 and asked[0]["method"] == "GET" and asked[0]["duration_ms"] > 0
    for line in requests:  # never a client's address or the question
        assert "127.0.0.1" not in json.dumps(line) and "pilotkommuner" not in json.dumps(line)


def test_the_systemd_units_verify(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze saknas: installera Debian-paketet systemd (.ci/run gör det)")
    # The units name /opt/sok, where docs/operations.md installs Sök; here the command is this checkout's.
    for unit in ("sok.service", "sok-index.service", "sok-index.timer"):
        text = (UNITS / unit).read_text(encoding="utf-8")
        (tmp_path / unit).write_text(text.replace("/opt/sok/.venv/bin/sok", sok_executable()), encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *sorted(str(p) for p in tmp_path.iterdir())],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout + result.stderr == "", result.stdout + result.stderr
    service = (UNITS / "sok.service").read_text(encoding="utf-8")
    for hardening in ("NoNewPrivileges=yes", "ProtectSystem=strict", "ReadWritePaths=/var/lib/sok",
                      "Restart=on-failure", "User=sok"):
        assert hardening in service
    assert "SOK_ANALYTICS_DB=/var/lib/sok/" in service and "SOK_INDEX_DIR=/var/lib/sok/" in service
    timer = (UNITS / "sok-index.timer").read_text(encoding="utf-8")
    assert "OnCalendar=" in timer and "Persistent=true" in timer

