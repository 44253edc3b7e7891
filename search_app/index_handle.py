"""The index snapshot a worker serves from, opened once and swapped when a new one is published."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from indexer import engine, snapshot
from indexer.contacts import Contact
from indexer.fields import SwedishAnalyzer
from indexer.language import CorpusWords, read_compounds, read_protected_words, read_vocabulary
from indexer.lexicon import Lexicon
from indexer.query import Synonyms
from indexer.semantic.encoder import EncoderError
from indexer.semantic.vectors import VectorError
from search_app.semantic import SemanticIndex


@dataclass
class OpenSnapshot:
    """An opened snapshot: engine, manifest, contacts and language data, used together."""

    folder: Path
    engine: engine.Engine
    manifest: snapshot.Manifest
    contacts: list[Contact]
    analyzer: SwedishAnalyzer
    synonyms: Synonyms
    #: The vectors and encoder of a semantic snapshot; None when it is lexical-only.
    semantic: SemanticIndex | None = None
    _vocabulary: dict[str, int] | None = None
    _stem_counts: dict[str, int] | None = None
    _completer: object | None = None

    @property
    def vocabulary(self) -> dict[str, int]:
        """The corpus's words with their counts, loaded on first use."""
        if self._vocabulary is None:
            self._vocabulary = read_vocabulary(self.folder / snapshot.VOCABULARY)
        return self._vocabulary

    @property
    def completer(self):
        """Search-as-you-type completions, loaded on first use."""
        if self._completer is None:
            from search_app.completions import Completer

            self._completer = Completer.read(self.folder / snapshot.HEADINGS, self.vocabulary)
        return self._completer

    @property
    def stem_counts(self) -> dict[str, int]:
        """How often each stem occurs in the corpus, computed on first use."""
        if self._stem_counts is None:
            self._stem_counts = read_vocabulary(self.folder / snapshot.STEMS)
        return self._stem_counts


    def warm(self) -> OpenSnapshot:
        """Load what is otherwise loaded on first use, so that no request waits for it.

        This includes the build's compound splits of the corpus words, which the
        analyser would otherwise work out again on a worker's first requests.
        """
        _ = self.vocabulary, self.stem_counts, self.completer
        if self.semantic is not None:
            # The encoder's first call sets up its buffers; the first scan maps the vectors in.
            self.semantic.search.nearest(self.semantic.query_vector("Sök"), 1)
        self.analyzer.remember_compounds(read_compounds(self.folder / snapshot.COMPOUNDS), CorpusWords(self.vocabulary))
        return self


def open_snapshot(folder: Path) -> OpenSnapshot:
    """Open one snapshot folder (manifest checked first)."""
    manifest = snapshot.Manifest.read(folder)
    contacts_path = folder / "contacts.json"
    contacts = [Contact(**row) for row in json.loads(contacts_path.read_text(encoding="utf-8"))]
    analyzer = SwedishAnalyzer(Lexicon.read(folder / snapshot.LEXICON), read_protected_words(folder))
    synonyms = Synonyms.read(folder / snapshot.SYNONYMS, analyzer)
    semantic = None
    if manifest.semantic:
        try:
            semantic = SemanticIndex(folder, manifest)
        except (EncoderError, VectorError) as error:
            raise snapshot.SnapshotError(str(error)) from None
    searcher = engine.open_index(folder / snapshot.ENGINE_DIR)
    return OpenSnapshot(folder, searcher, manifest, contacts, analyzer, synonyms, semantic)


class IndexHandle:
    """Serves the current snapshot of an index folder to one worker process.

    The snapshot is opened once and reused by every request. At most every
    ``check_interval_s`` seconds the ``current`` link is read again; when it
    points elsewhere the new snapshot is opened and replaces the old one, whose
    searcher is closed a little later, once requests that hold it are done.
    """

    def __init__(self, index_root: Path, check_interval_s: float = 1.0):
        self.index_root = index_root
        self.check_interval_s = check_interval_s
        self._lock = threading.Lock()
        self._open: OpenSnapshot | None = None
        self._retired: list[tuple[float, OpenSnapshot]] = []
        self._checked_at = 0.0

    def get(self) -> OpenSnapshot:
        """The snapshot to answer the current request from."""
        now = time.monotonic()
        if self._open is not None and now - self._checked_at < self.check_interval_s:
            return self._open
        with self._lock:
            self._checked_at = now
            folder = snapshot.current_snapshot(self.index_root)
            if self._open is None or self._open.folder != folder:
                fresh = open_snapshot(folder).warm()
                if self._open is not None:
                    self._retired.append((now, self._open))
                self._open = fresh
            self._close_retired(now)
            return self._open

    def _close_retired(self, now: float, grace_s: float = 30.0) -> None:
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
