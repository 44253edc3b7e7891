"""Which engine builds a new index, and which one opens an existing index.

:func:`build` writes analysed sections into a new index folder with the chosen
engine and records its name there; :func:`open_index` opens an index with the
engine that wrote it. Whoosh (``indexer.engines.whoosh``) is the default;
tantivy (``indexer.engines.tantivy``) is chosen with ``SOK_ENGINE=tantivy`` at
build time. Only those modules (and whoosh_files, the Whoosh schema, writer and storage) import their engine's library.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType

from indexer.engines.base import Engine, EngineError, IndexedSection

ENGINES = ("whoosh", "tantivy")
DEFAULT_ENGINE = "whoosh"
#: The file in an engine folder that names the engine that wrote it.
ENGINE_MARKER = "engine.txt"


def configured_engine() -> str:
    """The engine that new builds use: ``SOK_ENGINE`` or the default."""
    return os.environ.get("SOK_ENGINE", "").strip().lower() or DEFAULT_ENGINE


def check_engine(name: str) -> str:
    """``name`` if it is a known engine, else EngineError."""
    if name not in ENGINES:
        raise EngineError(f"okänd sökmotor {name!r} (SOK_ENGINE kan vara {' eller '.join(ENGINES)})")
    return name


def _module(name: str) -> ModuleType:
    """The module of engine ``name``, imported on first use."""
    check_engine(name)
    # Imported here, not at the top: Whoosh and tantivy are heavy, and a process needs only the one
    # its index was written with.
    if name == "whoosh":
        from indexer.engines import whoosh as whoosh_engine

        return whoosh_engine
    from indexer.engines import tantivy as tantivy_engine

    return tantivy_engine


def build(path: Path, sections: Iterable[IndexedSection], on_section: Callable[[], None] | None = None,
          engine: str | None = None) -> int:
    """Write analysed ``sections`` into a new index in ``path``; returns the count."""
    name = engine or configured_engine()
    module = _module(name)
    path.mkdir(parents=True, exist_ok=True)
    count: int = module.build(path, sections, on_section)
    (path / ENGINE_MARKER).write_text(name + "\n", encoding="utf-8")
    return count


def engine_name(path: Path) -> str:
    """The engine that wrote the index in ``path``."""
    marker = path / ENGINE_MARKER
    try:
        return marker.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise EngineError(f"kan inte läsa {marker} ({error}); bygg om indexet med 'sok index'") from None


def open_index(path: Path) -> Engine:
    """Open the index in ``path`` for searching, with the engine that wrote it."""
    opened: Engine = _module(engine_name(path)).open_index(path)
    return opened
