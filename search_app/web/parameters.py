"""Reading and checking request parameters and JSON bodies; errors carry a Swedish message for people."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app
from flask.json.provider import DefaultJSONProvider

from indexer.language.analysis import normalize


def clean_text(value: str) -> str:
    """``value`` with lone surrogates (possible in JSON, never valid text) made U+FFFD, then as the
    analysis chain reads text (NFC, no invisible characters): spelling suggestions, completions and
    the answer's quoting then see what retrieval sees. Text that would vanish is kept as it was."""
    value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    normalized = normalize(value)
    return normalized if normalized.strip() else value


class BadRequest(ValueError):
    """A request parameter is missing or out of range."""

    def __init__(self, parameter: str, message: str, english: str = "") -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message
        self.english = english or message


def read_query(value: object, parameter: str = "q") -> str:
    """The user's question or query text, checked for presence and length."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise BadRequest(parameter, "Skriv en fråga eller ett sökord.", "Write a question or search words.")
    if not isinstance(value, str):
        raise BadRequest(parameter, "Frågan måste vara text.", "The question must be text.")
    value = clean_text(value)
    limit = current_app.config["MAX_QUERY_CHARS"]
    if len(value) > limit:
        raise BadRequest(parameter, f"Frågan är för lång: högst {limit} tecken.",
                         f"The question is too long: at most {limit} characters.")
    return " ".join(value.split())


def read_int(args: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """A whole-number parameter within [low, high]."""
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        number = int(raw)
    except (TypeError, ValueError):
        raise BadRequest(name, f"{name} måste vara ett heltal.", f"{name} must be a whole number.") from None
    if not low <= number <= high:
        raise BadRequest(name, f"{name} måste vara mellan {low} och {high}.",
                         f"{name} must be between {low} and {high}.")
    return number


def read_history(value: object) -> list[str]:
    """Earlier questions of a chat: a list of strings (the newest last)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise BadRequest("history", "history måste vara en lista med tidigare frågor (text).",
                         "history must be a list of earlier questions (text).")
    limit = current_app.config["MAX_QUERY_CHARS"]
    keep = current_app.config["MAX_HISTORY_ITEMS"]
    return [clean_text(item[:limit]) for item in value if item.strip()][-keep:]


def read_kind(args: Mapping[str, object], name: str = "type") -> str | None:
    """The optional document type filter: ``page`` or ``pdf``."""
    value = args.get(name)
    if value is None or value == "":
        return None
    if value not in ("page", "pdf"):
        raise BadRequest(name, f"{name} måste vara page eller pdf.", f"{name} must be page or pdf.")
    return str(value)


def read_publisher(args: Mapping[str, object], name: str = "publisher") -> str | None:
    """The optional ``publisher`` filter: results from that publisher only."""
    value = args.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 200:
        raise BadRequest(name, f"{name} måste vara en utgivares namn.", f"{name} must be a publisher's name.")
    return clean_text(value.strip())


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, except that nesting deep enough to exhaust the parser is invalid JSON.

    Python's parser recurses per level and raises RecursionError near 1,000
    levels; Flask only turns ValueError into "invalid JSON", so without this a
    16 KB body of ``[[[[…`` answered 500.
    """

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """``s`` parsed; ValueError (a bad request) for invalid or too deeply nested JSON."""
        try:
            return super().loads(s, **kwargs)
        except RecursionError as error:
            raise ValueError("JSON nested too deeply") from error
