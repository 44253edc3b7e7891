"""A per-worker cache of finished JSON answers, least recently used out first.

Keys include the snapshot folder, so an answer is never served from an index
that has been replaced; when a new snapshot appears, the old entries are
dropped at once. Partial results (cut short by the time limit) are not kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path


class ResultCache:
    """Serialized responses keyed by (snapshot, request), at most ``entries`` of them."""

    def __init__(self, entries: int):
        self.entries = max(0, entries)
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._snapshot: Path | None = None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, snapshot: Path, key: Hashable) -> bytes | None:
        """The stored body for ``key`` under ``snapshot``, or None."""
        if not self.entries:
            return None
        with self._lock:
            if snapshot != self._snapshot:
                self._items.clear()
                self._snapshot = snapshot
            body = self._items.get(key)
            if body is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return body

    def put(self, snapshot: Path, key: Hashable, body: bytes) -> None:
        """Keep ``body`` for ``key`` (dropping the least recently used entry when full)."""
        if not self.entries:
            return
        with self._lock:
            if snapshot != self._snapshot:
                self._items.clear()
                self._snapshot = snapshot
            self._items[key] = body
            self._items.move_to_end(key)
            while len(self._items) > self.entries:
                self._items.popitem(last=False)

    def cached(self, snapshot: Path, key: Hashable, compute: Callable[[], tuple[bytes, bool]]) -> tuple[bytes, bool]:
        """(body, was_cached): the stored body, or ``compute()``'s, kept when it says it may be."""
        body = self.get(snapshot, key)
        if body is not None:
            return body, True
        body, keep = compute()
        if keep:
            self.put(snapshot, key, body)
        return body, False
