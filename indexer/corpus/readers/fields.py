"""What every reader shares: a checked Document from metadata and text, and a file's sidecar metadata."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from indexer.corpus.model import DOCUMENT_KINDS, SIDECAR_SUFFIX, Document, DocumentError, normalize_url
from indexer.sections.anchors import anchor_problem, heading_anchors


def document_from_fields(meta: dict[str, Any], text: str, source: str) -> Document:
    """Build a Document from metadata and text, checking required fields."""
    missing = [name for name in ("url", "title") if not str(meta.get(name) or "").strip()]
    if missing:
        raise DocumentError("fält saknas: " + ", ".join(missing))
    url = normalize_url(str(meta["url"]).strip())
    if not text.strip():
        raise DocumentError("texten är tom")
    _check_heading_ids(text)
    return Document(
        url=url,
        title=str(meta["title"]).strip(),
        text=text.replace("\r\n", "\n").replace("\r", "\n"),
        publisher=str(meta.get("publisher") or "").strip(),
        language=str(meta.get("language") or "sv").strip(),
        published=str(meta.get("published") or "").strip(),
        retrieved=str(meta.get("retrieved") or "").strip(),
        source=source,
        description=str(meta.get("description") or "").strip(),
        kind=str(meta.get("kind") or "page").strip() if str(meta.get("kind") or "page") in DOCUMENT_KINDS else "page",
    )


def read_sidecar(path: Path) -> dict[str, Any]:
    """The metadata in ``<file>.meta.yml`` beside ``path`` (empty when there is none)."""
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}
    try:
        meta = yaml.safe_load(sidecar.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise DocumentError(f"{sidecar.name} kan inte läsas ({error})") from None
    if not isinstance(meta, dict):
        raise DocumentError(f"{sidecar.name} måste vara nyckel: värde-par")
    return meta


def _check_heading_ids(text: str) -> None:
    """DocumentError when a heading's id (``## Rubrik {#id}``) cannot go into a link."""
    for anchor in heading_anchors(text):
        reason = anchor_problem(anchor)
        if reason:
            raise DocumentError(f"rubrikens id {anchor[:80]!r} {reason} och kan inte bli en länk")
