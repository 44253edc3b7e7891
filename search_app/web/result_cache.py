"""A per-worker cache of finished JSON answers, least recently used out first.

Keys include the snapshot folder, so an answer is never served from an index
that has been replaced; when a new snapshot appears, the old entries are
dropped at once. Partial results (cut short by the time limit) are not kept.
Bodies are kept compressed (JSON shrinks about fivefold), so that a search
result page of ten long sections does not push everything else out; the budget
counts the keys too (a question and its chat history).
"""

from __future__ import annotations

import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path

from indexer.language.memo import DICT_SLOT_BYTES, entry_bytes


class ResultCache:
    """Serialized responses keyed by (snapshot, request), at most ``max_bytes`` of them in all."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(0, max_bytes)
        self._bytes = 0
        self._items: OrderedDict[Hashable, tuple[bytes, int]] = OrderedDict()
        self._snapshot: Path | None = None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, snapshot: Path, key: Hashable) -> bytes | None:
        """The stored body for ``key`` under ``snapshot``, or None."""
        if not self.max_bytes:
            return None
        with self._lock:
            self._switch_to(snapshot)
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
        return zlib.decompress(item[0])

    def put(self, snapshot: Path, key: Hashable, body: bytes) -> None:
        """Keep ``body`` for ``key`` (dropping the least recently used entries when full)."""
        body = zlib.compress(body, 1)
        cost = len(body) + entry_bytes(key) + DICT_SLOT_BYTES
        if not self.max_bytes or cost > self.max_bytes:
            return
        with self._lock:
            self._switch_to(snapshot)
            old = self._items.pop(key, None)
            self._bytes -= old[1] if old is not None else 0
            self._items[key] = (body, cost)
            self._bytes += cost
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    @property
    def size_bytes(self) -> int:
        """What the kept answers and their keys take, in bytes."""
        return self._bytes

    def _switch_to(self, snapshot: Path) -> None:
        if snapshot != self._snapshot:
            self._items.clear()
            self._bytes = 0
            self._snapshot = snapshot

    def cached(self, snapshot: Path, key: Hashable, compute: Callable[[], tuple[bytes, bool]]) -> tuple[bytes, bool]:
        """(body, was_cached): the stored body, or ``compute()``'s, kept when it says it may be."""
        body = self.get(snapshot, key)
        if body is not None:
            return body, True
        body, keep = compute()
        if keep:
            self.put(snapshot, key, body)
        return body, False
