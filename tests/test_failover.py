"""Two stateless `sok serve` replicas behind nginx share one snapshot; losing one loses no request."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port, sok_executable, wait_for

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

NGINX_CONF = """\
{user}
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log {folder}/nginx-access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    upstream sok {{
        server 127.0.0.1:{first} max_fails=1 fail_timeout=30s;
        server 127.0.0.1:{second} max_fails=1 fail_timeout=30s;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://sok;
            proxy_http_version 1.1;
            proxy_buffering off;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_connect_timeout 2s;
            proxy_read_timeout 30s;
            # A replica that dies mid-request: the request goes to the other one.
            proxy_next_upstream error timeout http_502 http_503 non_idempotent;
            proxy_next_upstream_tries 2;
        }}
    }}
}}
"""


def start_replica(index: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sok_executable(), "serve", "--host", "127.0.0.1", "--port", str(port), "--index", str(index),
             "--workers", "1"],
            stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True,
            env={**os.environ, "SOK_RATE_LIMIT_PER_MINUTE": "0", "SOK_PROXY_COUNT": "1"},
        )
    base = f"http://127.0.0.1:{port}"
    wait_for(base + "/healthz", process, log)
    return process, str(port)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.slow
def test_nginx_retries_the_other_replica_when_one_is_killed_during_load(mixed_index, tmp_path):
    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: .ci/run installs Debian's nginx (apt-get install nginx)")
    first, first_port = start_replica(mixed_index, tmp_path / "first.log")
    second, second_port = start_replica(mixed_index, tmp_path / "second.log")
    port = free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(NGINX_CONF.format(folder=tmp_path, first=first_port, second=second_port, port=port,
                                      user="user root;" if os.geteuid() == 0 else ""))
    nginx = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(conf)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", nginx, tmp_path / "nginx-error.log")
        load = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "load.py"), "--url", f"http://127.0.0.1:{port}",
             "--seconds", "12", "--concurrency", "8"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
        time.sleep(4)
        os.killpg(first.pid, signal.SIGKILL)  # the replica and its worker die at once, mid-request
        first.wait()
        output, _ = load.communicate(timeout=120)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/ask?q=pilotkommuner") as response:
            assert response.status == 200  # through nginx, answered by the survivor
    finally:
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(timeout=15)
        stop(first)
        stop(second)
    assert load.returncode == 0, output
    match = re.search(r"requests (\d+), failed (\d+)", output)
    assert match and int(match.group(1)) > 50 and match.group(2) == "0", output
    # Both replicas answered before the kill; the survivor answered after it.
    first_served = (tmp_path / "first.log").read_text().count('" 200 ')
    second_served = (tmp_path / "second.log").read_text().count('" 200 ')
    assert first_served > 0 and second_served > first_served, (first_served, second_served)
