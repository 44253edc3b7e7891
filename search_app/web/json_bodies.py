"""Reading JSON request bodies: a body too deeply nested is a bad request, not a server error."""

from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider


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
