"""`make run` on a machine that has only what requirements/run.txt installs: the README's first command.

The test tools bring in packages that serving also needs (gunicorn's gevent worker imports
``packaging``, which only pytest brought), so every other test could pass while `make run`
crashed. Here a virtual environment is made from the serving lock file alone, exactly as
`make run` makes it (the Makefile's own targets, with VENV and INDEX pointing into a temporary
folder), and it must serve an answer and import every module of the product.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port

pytestmark = pytest.mark.slow

#: Run in the serving environment: import every module of the product, and the worker class
#: gunicorn loads by name (``sok serve``), and print the ones that fail.
IMPORT_EVERY_MODULE = """
import importlib, json, pkgutil
import indexer, search_app
failed = {}
for package in (indexer, search_app):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        try:
            importlib.import_module(module.name)
        except Exception as error:
            failed[module.name] = repr(error)
from gunicorn.util import load_class
for name in ("search_app.web.worker.SokWorker", "search_app.web.server_logs.JsonLogger"):
    try:
        load_class(name)
    except Exception as error:
        failed[name] = repr(error)
print(json.dumps(failed))
"""


def clean_environment() -> dict[str, str]:
    """This process's environment without the test run's virtual environment and Sök settings.

    The embedding cache stays shared with the other tests (a text is embedded once per clone).
    """
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith(("SOK_", "VIRTUAL_ENV", "PYTEST", "MAKE", "MFLAGS"))}
    environment["PATH"] = os.pathsep.join(part for part in environment.get("PATH", "").split(os.pathsep)
                                          if Path(part).resolve() != Path(sys.executable).parent.resolve())
    environment["SOK_EMBEDDING_CACHE"] = os.environ["SOK_EMBEDDING_CACHE"]
    return environment


@pytest.fixture(scope="module")
def serving_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment made by the Makefile's serving setup (requirements/run.txt) alone."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    setup = subprocess.run(["make", "--no-print-directory", "setup-run", f"VENV={venv}"], cwd=ROOT,
                           env=clean_environment(), capture_output=True, text=True, timeout=600)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert "requirements/run.txt" in setup.stdout and "halv minut" in setup.stdout  # says what it installs
    return venv


def test_the_serving_environment_has_no_test_tools_and_imports_every_module(serving_venv: Path) -> None:
    installed = subprocess.run([str(serving_venv / "bin" / "python"), "-m", "pip", "list", "--format=json"],
                               capture_output=True, text=True, check=True).stdout
    names = {package["name"].lower() for package in json.loads(installed)}
    assert not names & {"pytest", "playwright", "hypothesis", "schemathesis", "ruff", "mypy"}
    imported = subprocess.run([str(serving_venv / "bin" / "python"), "-c", IMPORT_EVERY_MODULE],
                              capture_output=True, text=True, cwd=ROOT, env=clean_environment(), timeout=300)
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout.strip().splitlines()[-1]) == {}


def test_make_run_builds_the_seed_index_serves_and_answers(serving_venv: Path, tmp_path: Path) -> None:
    port, index, log = free_port(), tmp_path / "index", tmp_path / "make-run.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "run", f"VENV={serving_venv}", f"INDEX={index}", f"PORT={port}"],
            cwd=ROOT, env=clean_environment(), stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    question = urllib.parse.urlencode({"q": "vilka kommuner var pilotkommuner"})
    try:
        deadline, answer = time.monotonic() + 300, None
        while time.monotonic() < deadline and answer is None:
            assert process.poll() is None, f"make run stopped:\n{log.read_text()}"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/ask?{question}", timeout=10) as reply:
                    answer = json.load(reply)
            except OSError:
                time.sleep(0.5)
        assert answer is not None, f"no answer within 5 minutes:\n{log.read_text()}"
        assert "Flen" in answer["answer"]["text"] and "Överkalix" in answer["answer"]["text"]
        said = log.read_text()
        assert f"Sök svarar på http://127.0.0.1:{port} – öppna adressen i en webbläsare" in said
        assert "Traceback" not in said
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
