"""The index snapshot a worker serves from, opened once and swapped when a new one is published.

A snapshot is served only once it has been opened and checked: its manifest, every
file the manifest lists at its recorded size, and a probe query
(:func:`search_app.query.snapshot.open_snapshot`). One that fails is never served:
the worker keeps the snapshot it has (or, when it starts, falls back to the newest
good one under ``snapshots/``), logs why once, and tries the broken one again only
when ``current`` changes or after a growing pause.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from indexer.engines.base import EngineError
from indexer.snapshot.layout import SnapshotError
from indexer.snapshot.reader import check_files, current_snapshot, finished_snapshots
from search_app.query.snapshot import OpenSnapshot, open_snapshot
from search_app.web.guarded_engine import GuardedEngine, engine_failure
from search_app.web.preload import inherited

log = logging.getLogger("search_app.index")

#: Seconds before a snapshot that failed its checks is tried again; the pause doubles up to RETRY_MAX_S.
RETRY_FIRST_S = 10.0
RETRY_MAX_S = 300.0
#: Seconds between two checks of the serving snapshot after engine errors.
RECHECK_MIN_S = 1.0
#: Seconds a replaced snapshot stays open for the requests that still hold it.
RETIRE_GRACE_S = 30.0


@dataclass
class _Failure:
    """Why a snapshot is not served, and when it may be tried again."""

    error: SnapshotError
    attempts: int
    retry_at: float


def _as_snapshot_error(error: BaseException, folder: Path) -> SnapshotError:
    if isinstance(error, SnapshotError):
        return error
    kind = "engine" if isinstance(error, EngineError) else "unusable"
    return SnapshotError(f"indexet i {folder} går inte att använda ({error}); bygg om det med 'sok index'", kind)


class IndexHandle:
    """Serves the current snapshot of an index folder to one worker process.

    The snapshot is opened once and reused by every request. At most every
    ``check_interval_s`` seconds the ``current`` link is read again and the
    serving snapshot's files are compared with their recorded sizes. When
    ``current`` points elsewhere, the new snapshot is opened, warmed and checked
    and replaces the old one, whose searcher is closed a little later, once
    requests that hold it are done. A snapshot that fails is remembered and
    not tried again until ``current`` changes or its pause is over; the worker
    serves the best snapshot it has meanwhile (see :meth:`health`).
    """

    def __init__(self, index_root: Path, check_interval_s: float = 1.0):
        self.index_root = index_root
        self.check_interval_s = check_interval_s
        self._lock = threading.RLock()
        self._open: OpenSnapshot | None = None
        self._retired: list[tuple[float, OpenSnapshot]] = []
        self._checked_at = -math.inf
        self._rechecked_at = -math.inf
        #: Where ``current`` pointed at the last check, or why it could not be read.
        self._current: Path | None = None
        self._current_problem: SnapshotError | None = None
        self._failed: dict[Path, _Failure] = {}
        self._logged: set[tuple[str, str]] = set()

    def get(self) -> OpenSnapshot:
        """The snapshot to answer the current request from (SnapshotError when no snapshot is good)."""
        now = time.monotonic()
        opened = self._open
        if opened is not None and now - self._checked_at < self.check_interval_s:
            return opened
        with self._lock:
            now = time.monotonic()
            if now - self._checked_at >= self.check_interval_s:
                self._checked_at = now
                self._refresh(now)
                self._close_retired(now)
            if self._open is None:
                raise self._unavailable()
            return self._open

    def _refresh(self, now: float) -> None:
        """Look at ``current`` and the serving snapshot's files; swap or fall back when needed."""
        try:
            target: Path | None = current_snapshot(self.index_root)
            self._current_problem = None
        except SnapshotError as error:
            target, self._current_problem = None, error
            self._note(None, error)
        if target != self._current:
            self._current = target
            if target is not None:
                self._failed.pop(target, None)  # a newly named snapshot is tried at once
        serving = self._open
        if serving is not None:
            self._check_serving(serving, now)
        if target is not None and (serving is None or serving.folder != target) and self._due(target, now) \
                and self._try(target, now, fallback=False):
            return
        if self._open is None or self._open.folder in self._failed:
            for folder in self._candidates(target):
                if self._due(folder, now) and self._try(folder, now, fallback=True):
                    return

    def _check_serving(self, serving: OpenSnapshot, now: float) -> None:
        """Mark the serving snapshot failed when its files are gone or changed size (and clear that once mended)."""
        try:
            if not serving.folder.is_dir():
                raise SnapshotError(f"indexet i {serving.folder} har tagits bort", "removed")
            check_files(serving.folder, serving.manifest, checksums=False)
        except SnapshotError as error:
            if serving.folder not in self._failed:
                self._mark_failed(serving.folder, error, now)
            return
        failure = self._failed.get(serving.folder)
        if failure is not None and failure.error.kind in ("removed", "file-missing", "file-size"):
            del self._failed[serving.folder]

    def _candidates(self, target: Path | None) -> list[Path]:
        """Snapshots to fall back to: older than ``current``'s first, newest first, then newer ones."""
        serving = self._open.folder if self._open is not None else None
        folders = [f for f in finished_snapshots(self.index_root) if f not in (target, serving)]
        if target is None:
            return folders
        return [f for f in folders if f.name < target.name] + [f for f in folders if f.name > target.name]

    def _due(self, folder: Path, now: float) -> bool:
        failure = self._failed.get(folder)
        return failure is None or now >= failure.retry_at

    def _try(self, folder: Path, now: float, fallback: bool) -> bool:
        """Open, warm and check ``folder``; serve it if that works, else remember why not."""
        try:
            fresh = self._open_checked(folder)
        except BaseException as error:
            if not engine_failure(error):
                raise
            self._mark_failed(folder, _as_snapshot_error(error, folder), now)
            return False
        self._failed.pop(folder, None)
        if self._open is not None:
            self._retired.append((now, self._open))
        self._open = fresh
        if fallback:
            log.warning("worker %d: serving index snapshot %s instead (the newest usable one)", os.getpid(),
                        folder.name)
        elif self._logged:  # after a problem was logged, say that it is over
            log.warning("worker %d: serving index snapshot %s", os.getpid(), folder.name)
        else:
            log.info("worker %d: serving index snapshot %s", os.getpid(), folder.name)
        return True

    def _open_checked(self, folder: Path) -> OpenSnapshot:
        fresh = inherited(folder)  # warmed in the master before the fork (search_app.web.preload)
        warmed = fresh is not None
        if fresh is None:
            fresh = open_snapshot(folder)
        try:
            if not warmed:
                fresh.warm()
            fresh.probe()
        except BaseException:
            fresh.engine.close()
            raise
        fresh.engine = GuardedEngine(fresh.engine, folder, self._engine_failed)
        return fresh

    def _mark_failed(self, folder: Path, error: SnapshotError, now: float) -> None:
        previous = self._failed.get(folder)
        attempts = previous.attempts + 1 if previous else 1
        pause = min(RETRY_MAX_S, RETRY_FIRST_S * 2 ** (attempts - 1))
        self._failed[folder] = _Failure(error, attempts, now + pause)
        self._note(folder, error)

    def _note(self, folder: Path | None, error: BaseException) -> None:
        """Log why a snapshot is not used, once per snapshot and reason."""
        key = (folder.name if folder else "", str(error))
        if key not in self._logged:
            self._logged.add(key)
            log.warning("worker %d: index snapshot %s not used: %s", os.getpid(),
                        folder.name if folder else "(current)", error)

    def _engine_failed(self, folder: Path, error: BaseException) -> None:
        """An engine error on ``folder``: check the snapshot again and move off it when it is damaged."""
        with self._lock:
            key = (folder.name, f"engine: {type(error).__name__}")  # not per message: those vary with the query
            if key not in self._logged:
                self._logged.add(key)
                log.warning("worker %d: search engine error on index snapshot %s: %r; checking the snapshot again",
                            os.getpid(), folder.name, error)
            opened = self._open
            now = time.monotonic()
            if opened is None or opened.folder != folder or now - self._rechecked_at < RECHECK_MIN_S:
                return
            self._rechecked_at = now
            try:
                check_files(folder, opened.manifest, checksums=False)
                opened.probe()
            except BaseException as problem:
                if not engine_failure(problem):
                    raise
                if folder not in self._failed:
                    self._mark_failed(folder, _as_snapshot_error(problem, folder), now)
                self._checked_at = now
                self._refresh(now)

    def serving(self) -> Path | None:
        """The folder of the snapshot now served, if any."""
        opened = self._open
        return opened.folder if opened is not None else None

    def health(self) -> dict:
        """What is wrong, for /healthz: empty while ``current``'s snapshot serves and its files are intact.

        Otherwise ``degraded``, whether the worker serves another snapshot than the one
        ``current`` names (``fallback``), the served snapshot's name and the problems,
        each a snapshot name (None for the ``current`` link) and a kind.
        """
        with self._lock:
            served = self.serving()
            problems = []
            if self._current_problem is not None:
                problems.append({"snapshot": None, "problem": self._current_problem.kind})
            for folder in dict.fromkeys(f for f in (self._current, served) if f is not None):
                failure = self._failed.get(folder)
                if failure is not None:
                    problems.append({"snapshot": folder.name, "problem": failure.error.kind})
            fallback = served is not None and served != self._current
            if not problems and not fallback:
                return {}
            return {"degraded": True, "fallback": fallback, "snapshot": served.name if served else None,
                    "problems": problems}

    def _unavailable(self) -> SnapshotError:
        if self._current_problem is not None:
            return self._current_problem
        failure = self._failed.get(self._current) if self._current is not None else None
        return failure.error if failure is not None else SnapshotError(
            f"inget användbart index i {self.index_root}; kör 'sok index'")

    def _close_retired(self, now: float, grace_s: float = RETIRE_GRACE_S) -> None:
        keep = []
        for retired_at, old in self._retired:
            if now - retired_at > grace_s:
                old.engine.close()
            else:
                keep.append((retired_at, old))
        self._retired = keep

    def close(self) -> None:
        """Close every open searcher."""
        with self._lock:
            for _, old in self._retired:
                old.engine.close()
            if self._open is not None:
                self._open.engine.close()
            self._retired, self._open = [], None
