"""The embedding cache: vectors already computed, keyed by encoder id and a hash of the text.

One SQLite file per encoder in a folder of its own (``SOK_EMBEDDING_CACHE``,
by default ``embedding-cache`` beside the index folder). A rebuild, or a
crawl that changed a few pages, embeds only texts the cache has not seen;
rows are committed batch by batch, so a build stopped half-way keeps what it
had embedded.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import numpy as np

#: Texts per SQL lookup (SQLite's limit on variables is 32766 in current builds; stay well below).
LOOKUP_BATCH = 500


def text_key(text: str) -> bytes:
    """The cache key of a text (for one encoder)."""
    return hashlib.sha256(text.encode("utf-8")).digest()[:20]


class EmbeddingCache:
    """Vectors of one encoder, by text."""

    def __init__(self, folder: Path, model_id: str, dim: int):
        folder.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", model_id)
        self.path = folder / f"{slug}.sqlite"
        self.dim = dim
        self._db = sqlite3.connect(self.path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)")
        self._db.commit()

    def get_many(self, texts: Iterable[str]) -> dict[str, np.ndarray]:
        """The cached vector of each text that has one."""
        by_key = {text_key(text): text for text in texts}
        found: dict[str, np.ndarray] = {}
        keys = list(by_key)
        for start in range(0, len(keys), LOOKUP_BATCH):
            chunk = keys[start : start + LOOKUP_BATCH]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT key, vector FROM vectors WHERE key IN ({marks})"  # noqa: S608 (only ? placeholders)
            for key, blob in self._db.execute(query, chunk):
                vector = np.frombuffer(blob, dtype="<f4")
                if vector.shape == (self.dim,):
                    found[by_key[key]] = vector
        return found

    def put_many(self, texts: list[str], vectors: np.ndarray) -> None:
        """Keep the vectors of ``texts`` (one row each) and commit."""
        rows = [(text_key(text), np.asarray(vector, dtype="<f4").tobytes()) for text, vector in zip(texts, vectors,
                                                                                                  strict=True)]
        self._db.executemany("INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)", rows)
        self._db.commit()

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])

    def close(self) -> None:
        """Close the database."""
        self._db.close()
