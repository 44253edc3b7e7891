"""The README documents what a user needs: the two commands first, every setting, every endpoint."""

import re
from pathlib import Path

import pytest

from search_app.settings import SETTINGS
from search_app.web.app import create_app
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands() -> None:
    first_block = README.split("```", 2)[1]
    assert "make run" in first_block and "make test" in first_block
    assert README.index("make run") < README.index("## ")


def test_every_setting_is_documented_with_its_default() -> None:
    for setting in SETTINGS:
        row = next((line for line in README.splitlines() if line.startswith(f"| `{setting.name}` |")), None)
        assert row, f"{setting.name} is not in the README's settings table"
        assert str(setting.default) in row


def test_every_route_is_documented(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path)})
    routes = {rule.rule for rule in app.url_map.iter_rules() if not rule.rule.startswith("/static")}
    for route in routes - {"/"}:
        assert f"{route}" in README, route


def test_settings_can_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SOK_MAX_QUERY_CHARS", "20")
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path)})
    assert app.config["MAX_QUERY_CHARS"] == 20


def test_every_test_docs_security_names_exists() -> None:
    """docs/security.md proves each defence with a named test: the names must not go stale."""
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    current = None
    named = 0
    for match in re.finditer(r"(tests/[\w/]+\.py)?::(\w+)", text):
        current = match.group(1) or current
        assert current, match.group(0)
        assert f"def {match.group(2)}(" in (ROOT / current).read_text(encoding="utf-8"), (current, match.group(2))
        named += 1
    assert named > 40


def test_the_operations_guide_shows_the_tested_nginx_block() -> None:
    block = re.compile(r"```nginx\n(.*?)```", re.S)
    deploy = block.findall((ROOT / "docs" / "deploy.md").read_text(encoding="utf-8"))
    operations = block.findall((ROOT / "docs" / "operations.md").read_text(encoding="utf-8"))
    assert operations == deploy[:1]  # the block tests/test_failover.py runs nginx with
    for unit in ("sok.service", "sok-index.service", "sok-index.timer"):
        assert (ROOT / "deploy" / "systemd" / unit).exists()
