"""nginx as docs/deploy.md documents it, run from a test folder in front of local replicas."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, wait_for

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
DEPLOY_DOC = ROOT / "docs" / "deploy.md"

MAIN_CONF = """\
{user}
worker_processes 1;
worker_rlimit_nofile 8192;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log {folder}/nginx-access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
{site}
}}
"""


def documented_site_block() -> str:
    """The ```nginx block of docs/deploy.md, as an operator would copy it."""
    match = re.search(r"```nginx\n(.*?)```", DEPLOY_DOC.read_text(encoding="utf-8"), re.S)
    assert match, "docs/deploy.md has no nginx block"
    return match.group(1)


def nginx_conf(folder: Path, replica_ports: list[str], port: int) -> str:
    """The documented block with the replicas and the listening address of this test."""
    site = documented_site_block()
    upstreams = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=30s;\n" for p in replica_ports)
    site, count = re.subn(r"(    server \S+ max_fails=1 fail_timeout=30s;\n)+", upstreams, site, count=1)
    assert count == 1, "the upstream servers were not found in docs/deploy.md's nginx block"
    site = site.replace("listen 443 ssl;", f"listen 127.0.0.1:{port};")
    user = "user root;" if os.geteuid() == 0 else ""
    return MAIN_CONF.format(user=user, folder=folder, site=site)


def start_nginx(folder: Path, replica_ports: list[str], port: int) -> subprocess.Popen:
    """Start nginx in ``folder`` and wait until it answers through to a replica."""
    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: .ci/run installs Debian's nginx (apt-get install nginx)")
    conf = folder / "nginx.conf"
    conf.write_text(nginx_conf(folder, replica_ports, port), encoding="utf-8")
    process = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(conf)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    wait_for(f"http://127.0.0.1:{port}/healthz", process, folder / "nginx-error.log")
    return process


def stop_nginx(process: subprocess.Popen) -> None:
    """Stop nginx gracefully."""
    if process.poll() is None:
        process.send_signal(signal.SIGQUIT)
        process.wait(timeout=15)
