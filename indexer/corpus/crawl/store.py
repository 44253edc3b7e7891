"""A crawled site in the corpus folder: each page as it came (``.html``, ``.pdf``) and its sidecar.

A page's file is named by a hash of its address, in a folder per host. The
sidecar ``<file>.meta.yml`` holds the address, the content type, a SHA-256 of
the body and the validators (ETag, Last-Modified) that make the next crawl's
requests conditional.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from indexer.corpus.crawl.http import Response
from indexer.corpus.model import SIDECAR_SUFFIX

KINDS = (".html", ".pdf")  # the suffixes a page is stored under


class CorpusStore:
    """The stored pages of one host in a corpus folder."""

    def __init__(self, corpus_dir: Path, host: str) -> None:
        self.folder = corpus_dir / host.replace(":", "_")

    def write(self, response: Response, kind: str) -> Path:
        """Store a fetched page as ``kind`` (``.html`` or ``.pdf``) with its sidecar; the page's path."""
        path = self.file_for(response.url, kind)
        path.write_bytes(response.body)
        meta = {"url": response.url, "content_type": response.content_type,
                "sha256": hashlib.sha256(response.body).hexdigest()}
        if response.etag:
            meta["etag"] = response.etag
        if response.last_modified:
            meta["last_modified"] = response.last_modified
        _sidecar_path(path).write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=True), encoding="utf-8")
        return path

    def forget(self, url: str) -> list[Path]:
        """Delete the stored files of ``url`` and their sidecars; the files deleted."""
        removed = []
        for kind in KINDS:
            path = self.file_for(url, kind)
            if path.exists():
                path.unlink()
                _sidecar_path(path).unlink(missing_ok=True)
                removed.append(path)
        return removed

    def stored_urls(self) -> Iterator[str]:
        """The address in each readable sidecar of the host's folder (for pruning)."""
        for sidecar in self.folder.glob(f"*{SIDECAR_SUFFIX}"):
            try:
                url = (yaml.safe_load(sidecar.read_text(encoding="utf-8")) or {}).get("url", "")
            except (OSError, yaml.YAMLError):
                continue
            if url:
                yield url

    def sidecar(self, url: str) -> dict[str, Any]:
        """The stored sidecar of ``url`` (its validators and content type); empty when there is none."""
        for kind in KINDS:
            sidecar = _sidecar_path(self.file_for(url, kind))
            if sidecar.exists():
                try:
                    return yaml.safe_load(sidecar.read_text(encoding="utf-8")) or {}
                except (OSError, yaml.YAMLError):
                    return {}
        return {}

    def stored_body(self, url: str) -> bytes:
        """The stored body of ``url`` (for an answer 304); empty when there is none."""
        for kind in KINDS:
            path = self.file_for(url, kind)
            if path.exists():
                return path.read_bytes()
        return b""

    def file_for(self, url: str, kind: str) -> Path:
        """Where ``url`` is stored as ``kind``; the host's folder is made when missing."""
        digest = hashlib.sha1(url.encode(), usedforsecurity=False).hexdigest()[:16]
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder / f"{digest}{kind}"


def kind_of(response: Response) -> str | None:
    """The suffix a fetched page is stored under (``.html``, ``.pdf``); None for a type the corpus cannot read."""
    if response.content_type == "application/pdf" or response.body.startswith(b"%PDF"):
        return ".pdf"
    if response.content_type in ("text/html", "application/xhtml+xml") or (
            not response.content_type and b"<html" in response.body[:2000].lower()):
        return ".html"
    return None


def _sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)
