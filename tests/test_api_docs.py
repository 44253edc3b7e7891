"""The client example in docs/api.md runs against a real server and prints the answer and its source."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_the_python_example_asks_and_prints_the_answer_with_its_source(live_server: str, tmp_path: Path) -> None:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    found = re.search(r"```python\n(.*?)```", text, re.DOTALL)
    assert found, "docs/api.md has no Python example"
    example = found.group(1)
    script = tmp_path / "ask.py"
    script.write_text(example, encoding="utf-8")
    run = subprocess.run([sys.executable, str(script), live_server, "vilka kommuner var pilotkommuner?"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "Flen" in run.stdout and "Källa: " in run.stdout and "https://" in run.stdout
    failed = subprocess.run([sys.executable, str(script), live_server, ""], capture_output=True, text=True,
                            timeout=60)
    assert failed.returncode == 1 and "400 Invalid request parameter" in failed.stderr
