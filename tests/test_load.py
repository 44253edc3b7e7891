"""A short run of bench/load.py against `sok serve` with a rebuild and swap in the middle: nothing fails."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS, ROOT, free_port, sok_executable, wait_for


@pytest.mark.slow
def test_no_failed_request_under_load_with_a_rebuild(tmp_path: Path, shared_data: Path) -> None:
    pages = tmp_path / "pages.jsonl"
    with (shared_data / "regeringen-se-pages" / "regeringen_part01.jsonl").open(encoding="utf-8") as handle:
        pages.write_text("".join(line for _, line in zip(range(60), handle, strict=False)), encoding="utf-8")
    index = tmp_path / "index"
    build = [sok_executable(), "index", "--corpus", str(CORPUS), "--jsonl", str(pages), "--index", str(index)]
    subprocess.run(build, check=True, capture_output=True, cwd=ROOT)
    port, log = free_port(), tmp_path / "server.log"
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [sok_executable(), "serve", "--port", str(port), "--workers", "2", "--index", str(index)],
            stdout=log_file, stderr=subprocess.STDOUT, cwd=ROOT, env={**os.environ, "SOK_RATE_LIMIT_PER_MINUTE": "0"})
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/healthz", server, log)
        run = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "load.py"), "--url", base, "--seconds", "10", "--concurrency", "32",
             "--rebuild", " ".join([*build, "--force"])],  # a new snapshot although nothing changed
            capture_output=True, text=True, timeout=300, cwd=ROOT)
        print(run.stdout)
        assert run.returncode == 0, run.stdout + run.stderr
        assert ", failed 0," in run.stdout
        assert "rebuild during the run: exit code 0" in run.stdout
    finally:
        server.terminate()
        server.wait(timeout=30)
