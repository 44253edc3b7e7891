"""Markdown and plain-text corpus files: YAML front matter between ``---`` lines, then the text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from indexer.corpus.model import Document, DocumentError
from indexer.corpus.readers.fields import document_from_fields, load_metadata

SUFFIXES = (".md", ".txt", ".markdown")


def read(path: Path) -> Document:
    """A Document from one Markdown or text file with front matter (UTF-8, a BOM allowed)."""
    try:
        raw = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentError(f"inte giltig UTF-8 (byte {error.start})") from None
    meta, body = split_front_matter(raw)
    if str(meta.get("kind") or "page").strip() != "page":
        raise DocumentError(f"kind: {str(meta['kind'])[:40]} passar inte en Markdown- eller textfil (bara kind: page)")
    return document_from_fields(meta, body, str(path))


def split_front_matter(raw: str) -> tuple[dict[str, Any], str]:
    """Split ``---``-delimited YAML front matter from the body."""
    if not raw.startswith("---"):
        raise DocumentError("front matter saknas (filen måste börja med '---')")
    lines = raw.splitlines(keepends=True)
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            header = "".join(lines[1:index])
            body = "".join(lines[index + 1 :])
            break
    else:
        raise DocumentError("front matter avslutas inte med '---'")
    return load_metadata(header, "front matter"), body
