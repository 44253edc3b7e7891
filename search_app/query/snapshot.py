"""One snapshot opened for answering questions: its engine, manifest, contacts and language data.

:func:`open_snapshot` checks the manifest and the file sizes before it opens anything;
:meth:`OpenSnapshot.warm` loads what is otherwise loaded on first use and
:meth:`OpenSnapshot.probe` asks a common corpus word, so that a worker serves
only a snapshot that answers (``search_app.web.index_handle`` does both).
"""

from __future__ import annotations

import heapq
import zlib
from dataclasses import dataclass
from pathlib import Path

from indexer.engines.base import Engine
from indexer.engines.registry import open_index
from indexer.fields import SwedishAnalyzer
from indexer.language.lexicon import Lexicon
from indexer.sections.contacts import Contact
from indexer.semantic.encoder import EncoderError
from indexer.semantic.vectors import VectorError
from indexer.snapshot.language_files import CorpusWords, read_compounds, read_protected_words, read_vocabulary
from indexer.snapshot.layout import (
    COMPOUNDS,
    ENGINE_DIR,
    HEADINGS,
    LEXICON,
    STEMS,
    SYNONYMS,
    VOCABULARY,
    Manifest,
    SnapshotError,
)
from indexer.snapshot.reader import check_files, read_contacts
from search_app.query.completions import Completer
from search_app.query.language import guess_language
from search_app.query.plan import Synonyms, plan_query
from search_app.query.vectors import SemanticIndex

#: The probe query tries the corpus's most common words, at most this many.
PROBE_WORDS = 20


@dataclass
class OpenSnapshot:
    """An opened snapshot: engine, manifest, contacts and language data, used together."""

    folder: Path
    engine: Engine
    manifest: Manifest
    contacts: list[Contact]
    analyzer: SwedishAnalyzer
    synonyms: Synonyms
    #: The vectors and encoder of a semantic snapshot; None when it is lexical-only.
    semantic: SemanticIndex | None = None
    _vocabulary: dict[str, int] | None = None
    _stem_counts: dict[str, int] | None = None
    _completer: Completer | None = None

    @property
    def vocabulary(self) -> dict[str, int]:
        """The corpus's words with their counts, loaded on first use."""
        if self._vocabulary is None:
            self._vocabulary = read_vocabulary(self.folder / VOCABULARY)
        return self._vocabulary

    @property
    def completer(self) -> Completer:
        """Search-as-you-type completions, loaded on first use."""
        if self._completer is None:
            self._completer = Completer.read(self.folder / HEADINGS, self.vocabulary)
        return self._completer

    @property
    def stem_counts(self) -> dict[str, int]:
        """How often each stem occurs in the corpus, computed on first use."""
        if self._stem_counts is None:
            self._stem_counts = read_vocabulary(self.folder / STEMS)
        return self._stem_counts

    def warm(self) -> OpenSnapshot:
        """Load what is otherwise loaded on first use, so that no request waits for it.

        This includes the build's compound splits of the corpus words, which the
        analyser would otherwise work out again on a worker's first requests, and
        the model that reads a question's language.
        """
        _ = self.vocabulary, self.stem_counts, self.completer
        guess_language("Sök")  # the language model (about 0.3 s and 80 MB of arrays, once per process)
        if self.semantic is not None:
            # The encoder's first call sets up its buffers; the first scan reads every vector.
            vector = self.semantic.query_vector("Sök")
            if vector is not None:
                self.semantic.search.nearest(vector, 1)
        self.analyzer.remember_compounds(read_compounds(self.folder / COMPOUNDS), CorpusWords(self.vocabulary))
        return self

    def probe(self) -> None:
        """SnapshotError unless the engine holds the manifest's sections and finds a common corpus word."""
        count = self.engine.section_count()
        if count != self.manifest.sections:
            raise SnapshotError(f"indexet i {self.folder} har {count} avsnitt, manifestet säger "
                                f"{self.manifest.sections}; bygg om det med 'sok index'", "probe")
        if not count:
            return
        for word, _ in heapq.nlargest(PROBE_WORDS, self.vocabulary.items(), key=lambda item: item[1]):
            plan = plan_query(word, self.analyzer)
            if plan.stems:
                page = self.engine.search(plan, limit=1)
                if not page.hits or not self.engine.fetch([page.hits[0].fields["id"]]):
                    raise SnapshotError(f"provfrågan {word!r} mot indexet i {self.folder} gav inga träffar; "
                                        "bygg om det med 'sok index'", "probe")
                return


def open_snapshot(folder: Path) -> OpenSnapshot:
    """Open one snapshot folder (manifest and file sizes checked first)."""
    manifest = Manifest.read(folder)
    check_files(folder, manifest)
    try:
        contacts = read_contacts(folder)
        analyzer = SwedishAnalyzer(Lexicon.read(folder / LEXICON), read_protected_words(folder))
        synonyms = Synonyms.read(folder / SYNONYMS, analyzer)
    except (OSError, ValueError, TypeError, EOFError, zlib.error) as error:
        raise SnapshotError(f"indexet i {folder} går inte att läsa ({error}); bygg om det med 'sok index'") \
            from None
    semantic = None
    if manifest.semantic:
        try:
            semantic = SemanticIndex(folder, manifest)
        except EncoderError as error:
            raise SnapshotError(str(error), "encoder") from None
        except VectorError as error:
            raise SnapshotError(str(error), "vectors") from None
    searcher = open_index(folder / ENGINE_DIR)
    return OpenSnapshot(folder, searcher, manifest, contacts, analyzer, synonyms, semantic)
