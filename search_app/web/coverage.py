"""Which publishers and sites a snapshot covers, for the page's empty and "no answer" states."""

from __future__ import annotations

from search_app.query.snapshot import OpenSnapshot
from search_app.wording import site_of

_SEEN: dict[str, list[tuple[str, str]]] = {}


def covered_sites(snap: OpenSnapshot) -> list[tuple[str, str]]:
    """(publisher, site) of every publisher in ``snap``, by name; read once per snapshot."""
    key = str(snap.folder)
    if key not in _SEEN:
        found: dict[str, str] = {}
        for record in snap.engine.records():
            publisher = record["publisher"] or site_of(record["url"])
            found.setdefault(publisher, site_of(record["url"]))
        _SEEN.clear()  # only the snapshot being served is kept
        _SEEN[key] = sorted(found.items(), key=lambda item: item[0].lower())
    return _SEEN[key]
