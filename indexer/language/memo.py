"""Per-word memos bounded in bytes: no stream of odd words can make remembered analysis grow without end.

Analysing a word (its stem, its 4-grams, its compound parts) is remembered, since a build
and a worker see the same words again and again. A memo counts the bytes of what it holds
(``sys.getsizeof`` of its keys and values, and of the dict slot) and is emptied when the next
entry would pass its budget; a word longer than LONGEST_WORD_CHARS is never remembered.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Callable, Hashable
from functools import wraps
from typing import Generic, TypeVar

from indexer.budgets import LONGEST_WORD_CHARS, WORD_MEMO_BYTES

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

#: What one more entry costs a dict besides its key and value (its slot and hash-table share).
DICT_SLOT_BYTES = 100

_live: weakref.WeakSet[WordMemo] = weakref.WeakSet()


class WordMemo(Generic[K, V]):
    """Values computed per word (or per ``(word, …)`` tuple), at most ``max_bytes`` of them."""

    def __init__(self, name: str, max_bytes: int = WORD_MEMO_BYTES, longest: int = LONGEST_WORD_CHARS) -> None:
        self.name = name
        self.max_bytes = max_bytes
        self.longest = longest
        self.bytes = 0
        self.items: dict[K, V] = {}
        _live.add(self)

    def get(self, key: K) -> V | None:
        """The remembered value of ``key``, or None."""
        return self.items.get(key)

    def put(self, key: K, value: V) -> V:
        """Remember ``value`` for ``key`` (unless its word is too long), emptying the memo first if it is full."""
        word = key if isinstance(key, str) else key[0] if isinstance(key, tuple) and key else ""
        if isinstance(word, str) and len(word) > self.longest:
            return value
        cost = entry_bytes(key) + entry_bytes(value) + DICT_SLOT_BYTES
        if self.bytes + cost > self.max_bytes:
            self.clear()
        if cost <= self.max_bytes:
            self.items[key] = value
            self.bytes += cost
        return value

    def clear(self) -> None:
        """Forget everything."""
        self.items.clear()
        self.bytes = 0

    def __len__(self) -> int:
        return len(self.items)


def entry_bytes(value: object) -> int:
    """The bytes of ``value`` and, for tuples and lists, of what they hold (strings, numbers, nested tuples)."""
    size = sys.getsizeof(value)
    if isinstance(value, tuple | list):
        size += sum(entry_bytes(item) for item in value)
    return size


def live_memos() -> list[WordMemo]:
    """Every memo of this process still in use (for tests and measurements)."""
    return list(_live)


def word_memo(name: str) -> Callable[[Callable[[str], V]], Callable[[str], V]]:
    """A decorator: the function of one word, its results kept in a :class:`WordMemo` called ``name``."""

    def decorate(function: Callable[[str], V]) -> Callable[[str], V]:
        memo: WordMemo[str, V] = WordMemo(name)

        @wraps(function)
        def remembered(word: str) -> V:
            value = memo.get(word)
            return memo.put(word, function(word)) if value is None else value

        return remembered

    return decorate
