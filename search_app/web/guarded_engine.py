"""A served snapshot's engine, whose failures the worker's index handle hears about.

Every call goes to the snapshot's engine; a failure (tantivy's panics too) is reported
to the handle first, which checks the snapshot again and moves off it when it is
damaged, and reaches the request as a :class:`SnapshotEngineError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from indexer.engines.base import Engine, EngineError, FacetCounts, Page, SectionRecord


def engine_failure(error: BaseException) -> bool:
    """Whether ``error`` is a failure of the engine (tantivy's panics are BaseExceptions), not a signal to stop."""
    return isinstance(error, Exception) or type(error).__name__ == "PanicException"


class SnapshotEngineError(EngineError):
    """The engine failed while reading one snapshot (``snapshot`` is its folder)."""

    def __init__(self, message: str, snapshot_folder: Path):
        super().__init__(message)
        self.snapshot = snapshot_folder


class GuardedEngine:
    """An engine whose every failure becomes a SnapshotEngineError, reported to ``on_error`` first."""

    def __init__(self, inner: Engine, folder: Path, on_error: Callable[[Path, BaseException], None]):
        self.inner = inner
        self.folder = folder
        self.path = inner.path
        self.honours_time_limit = inner.honours_time_limit
        self._on_error = on_error

    def _failed(self, error: BaseException) -> SnapshotEngineError:
        self._on_error(self.folder, error)
        return SnapshotEngineError(f"sökmotorn kunde inte läsa indexet i {self.folder} ({error!r})", self.folder)

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return getattr(self.inner, name)(*args, **kwargs)
        except BaseException as error:
            if not engine_failure(error):
                raise
            raise self._failed(error) from error

    def search(self, *args: Any, **kwargs: Any) -> Page:
        """The inner engine's ``search``, guarded."""
        return self._call("search", *args, **kwargs)

    def facet_counts(self, *args: Any, **kwargs: Any) -> FacetCounts:
        """The inner engine's ``facet_counts``, guarded."""
        return self._call("facet_counts", *args, **kwargs)

    def fetch(self, *args: Any, **kwargs: Any) -> dict[str, SectionRecord]:
        """The inner engine's ``fetch``, guarded."""
        return self._call("fetch", *args, **kwargs)

    def document_frequency(self, *args: Any, **kwargs: Any) -> int:
        """The inner engine's ``document_frequency``, guarded."""
        return self._call("document_frequency", *args, **kwargs)

    def idf(self, *args: Any, **kwargs: Any) -> float:
        """The inner engine's ``idf``, guarded."""
        return self._call("idf", *args, **kwargs)

    def section_count(self) -> int:
        """The inner engine's ``section_count``, guarded."""
        return self._call("section_count")

    def records(self) -> Iterator[SectionRecord]:
        """The inner engine's ``records``, guarded while they are read."""
        try:
            yield from self.inner.records()
        except BaseException as error:
            if not engine_failure(error):
                raise
            raise self._failed(error) from error

    def close(self) -> None:
        """Close the inner engine."""
        self.inner.close()

    def __getattr__(self, name: str) -> Any:  # anything outside the Engine protocol, unguarded
        return getattr(self.inner, name)
