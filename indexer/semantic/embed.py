"""Index time: embed the answer units of every section, through the embedding cache."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexer.sections.split import Section
from indexer.semantic.cache import EmbeddingCache
from indexer.semantic.encoder import Encoder
from indexer.semantic.units import section_units
from indexer.semantic.vectors import write_vectors

#: Texts per encoder call (and per cache commit).
BATCH = 64


@dataclass
class EmbedReport:
    """How many units a build embedded and how many came from the cache."""

    units: int = 0
    embedded: int = 0
    cached: int = 0


def embed_sections(folder: Path, sections: list[Section], encoder: Encoder, cache: EmbeddingCache,
                   on_start: Callable[[int], None] | None = None,
                   on_progress: Callable[[int], None] | None = None) -> EmbedReport:
    """Embed every section's units (cached ones are not embedded again) and write them into ``folder``.

    ``on_start`` gets the number of texts that must be embedded, ``on_progress``
    the number just embedded (for a progress bar).
    """
    offsets = [0]
    texts: list[str] = []
    for section in sections:
        units = section_units(section.heading_path, section.text)
        texts += [unit.text for unit in units]
        offsets.append(len(texts))
    distinct = list(dict.fromkeys(texts))
    known = cache.get_many(distinct)
    missing = [text for text in distinct if text not in known]
    if on_start:
        on_start(len(missing))
    # Long texts last and similar lengths together: steadier progress, less padding.
    missing.sort(key=len)
    for start in range(0, len(missing), BATCH):
        batch = missing[start : start + BATCH]
        vectors = encoder.encode_passages(batch)
        cache.put_many(batch, vectors)
        known.update(zip(batch, vectors, strict=True))
        if on_progress:
            on_progress(len(batch))
    matrix = np.stack([known[text] for text in texts]) if texts else np.zeros((0, encoder.dim), dtype=np.float32)
    write_vectors(folder, matrix, np.array(offsets), [(s.id, s.doc.publisher, s.doc.kind) for s in sections])
    return EmbedReport(units=len(texts), embedded=len(missing), cached=len(distinct) - len(missing))
