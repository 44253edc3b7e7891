"""Two stateless `sok serve` replicas behind the documented nginx share one snapshot; losing one loses no request."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port, sok_executable, wait_for
from tests.nginx_fixture import start_nginx, stop_nginx


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
def test_nginx_retries_the_other_replica_when_one_is_killed_during_load(mixed_index: Path, tmp_path: Path) -> None:
    first, first_port = start_replica(mixed_index, tmp_path / "first.log")
    second, second_port = start_replica(mixed_index, tmp_path / "second.log")
    port = free_port()
    nginx = start_nginx(tmp_path, [first_port, second_port], port)
    try:
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
        stop_nginx(nginx)
        stop(first)
        stop(second)
    assert load.returncode == 0, output
    match = re.search(r"requests (\d+), failed (\d+)", output)
    assert match and int(match.group(1)) > 50 and match.group(2) == "0", output
    # Both replicas answered before the kill; the survivor answered after it.
    first_served = (tmp_path / "first.log").read_text().count('" 200 ')
    second_served = (tmp_path / "second.log").read_text().count('" 200 ')
    assert first_served > 0 and second_served > first_served, (first_served, second_served)
