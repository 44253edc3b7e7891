"""Settings: one typed table, read once by one loader for the app and every command."""

from pathlib import Path

import pytest

from search_app.settings import SETTINGS, SettingError, defaults, load_settings
from search_app.web.app import create_app


@pytest.fixture(autouse=True)
def no_sok_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The loader sees only what each test sets (conftest sets a few SOK_* for the whole run)."""
    for name in [*(f"SOK_{setting.name}" for setting in SETTINGS), "SOK_CONFIG"]:
        monkeypatch.delenv(name, raising=False)


def test_every_setting_has_a_plain_type() -> None:
    assert {type(setting.default) for setting in SETTINGS} <= {bool, int, float, str}
    assert load_settings() == defaults()


@pytest.mark.parametrize(("variable", "text", "name", "value"), [
    ("SOK_MAX_LIMIT", "20", "MAX_LIMIT", 20),
    ("SOK_QUERY_TIMEOUT_MS", "0.5", "QUERY_TIMEOUT_MS", 0.5),
    ("SOK_RATE_LIMIT_PER_MINUTE", "0", "RATE_LIMIT_PER_MINUTE", 0.0),
    ("SOK_SEMANTIC", "nej", "SEMANTIC", False),
    ("SOK_SEMANTIC", "0", "SEMANTIC", False),
    ("SOK_SEMANTIC", "True", "SEMANTIC", True),
    ("SOK_SEMANTIC", "ja", "SEMANTIC", True),
    ("SOK_ADMIN_TOKEN", "123", "ADMIN_TOKEN", "123"),
    ("SOK_ANALYTICS_DB", "", "ANALYTICS_DB", ""),
    ("SOK_ENGINE", "tantivy", "ENGINE", "tantivy"),
])
def test_environment_values_are_converted_by_the_defaults_type(monkeypatch: pytest.MonkeyPatch, variable: str,
                                                               text: str, name: str, value: object) -> None:
    monkeypatch.setenv(variable, text)
    loaded = load_settings()[name]
    assert loaded == value and type(loaded) is type(value)


def test_the_file_then_the_environment_then_the_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "sok.cfg"
    config.write_text("MAX_LIMIT = 20\nDEFAULT_LIMIT = 5\nPROXY_COUNT = 1\nSECRET_KEY = 'x'\nlower = 1\n",
                      encoding="utf-8")
    monkeypatch.setenv("SOK_CONFIG", str(config))
    monkeypatch.setenv("SOK_DEFAULT_LIMIT", "7")
    monkeypatch.setenv("SOK_PROXY_COUNT", "2")
    loaded = load_settings({"PROXY_COUNT": "3", "TESTING": True, "INDEX_DIR": tmp_path})
    assert (loaded["MAX_LIMIT"], loaded["DEFAULT_LIMIT"], loaded["PROXY_COUNT"]) == (20, 7, 3)
    assert loaded["INDEX_DIR"] == str(tmp_path)
    assert loaded["TESTING"] is True and loaded["SECRET_KEY"] == "x" and "lower" not in loaded


@pytest.mark.parametrize(("given", "source"), [
    ({"SOK_MAX_LIMIT": "tio"}, "SOK_MAX_LIMIT"),
    ({"SOK_MAX_LIMIT": "2.5"}, "SOK_MAX_LIMIT"),
    ({"SOK_SEMANTIC": "kanske"}, "SOK_SEMANTIC"),
    ({"SOK_MIN_ANSWER_CONFIDENCE": "hög"}, "SOK_MIN_ANSWER_CONFIDENCE"),
])
def test_a_bad_value_names_the_setting_and_where_it_came_from(monkeypatch: pytest.MonkeyPatch, given: dict[str, str],
                                                              source: str) -> None:
    for variable, text in given.items():
        monkeypatch.setenv(variable, text)
    with pytest.raises(SettingError, match=source):
        load_settings()


def test_bad_values_in_the_file_and_the_overrides_are_named_too(monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: Path) -> None:
    config = tmp_path / "sok.cfg"
    config.write_text("MAX_OFFSET = 'många'\n", encoding="utf-8")
    monkeypatch.setenv("SOK_CONFIG", str(config))
    with pytest.raises(SettingError, match=r"MAX_OFFSET \(SOK_CONFIG"):
        load_settings()
    monkeypatch.delenv("SOK_CONFIG")
    with pytest.raises(SettingError, match="SEMANTIC"):
        load_settings({"SEMANTIC": "kanske"})
    with pytest.raises(SettingError, match="MAX_LIMIT"):
        load_settings({"MAX_LIMIT": True})


def test_a_missing_config_file_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SOK_CONFIG", str(tmp_path / "saknas.cfg"))
    with pytest.raises(SettingError, match=r"saknas\.cfg"):
        load_settings()


def test_the_app_reads_typed_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SOK_ADMIN_TOKEN", "12345")
    monkeypatch.setenv("SOK_RESULT_CACHE_MB", "0.5")
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path), "ANALYTICS_DB": None})
    assert app.config["ADMIN_TOKEN"] == "12345" and app.config["RESULT_CACHE_MB"] == 0.5
    assert app.config["ANALYTICS_DB"] == "" and "sok_analytics" not in app.extensions
