"""PDF documents: the text of each page under a heading that links to that page (``#page=N``).

Read with pypdf (pure Python, well kept). Every page becomes a Markdown heading
``## Sida N {#page=N}`` followed by the page's text, so the sectioner makes
at least one section per page and the section's link opens the PDF at its
page. A PDF that cannot be read is refused with the reason, never half-read.

Extraction is bounded (``indexer.budgets``): the content streams it would
parse are measured first (a small file can make every page draw one huge
stream), and the text may take at most ``MAX_PDF_SECONDS`` and hold at most
``MAX_PDF_TEXT_CHARS`` characters.
"""

from __future__ import annotations

import io
import logging
import re
import time
from pathlib import Path
from typing import Any

from indexer.budgets import (
    MAX_PDF_CONTENT_BYTES,
    MAX_PDF_PAGE_CONTENT_BYTES,
    MAX_PDF_PAGES,
    MAX_PDF_SECONDS,
    MAX_PDF_TEXT_CHARS,
)
from indexer.corpus.model import SIDECAR_SUFFIX, Document, DocumentError
from indexer.corpus.readers.fields import document_from_fields, read_sidecar

SUFFIXES = (".pdf",)
_SPACE_RE = re.compile(r"[ \t\xa0]+")
_HYPHENATED_RE = re.compile(r"(\w)-\n(\w)")


def read(path: Path) -> Document:
    """A Document from one stored PDF; its sidecar must give the address (a PDF cannot say it)."""
    meta = read_sidecar(path)
    if not str(meta.get("url") or "").strip():
        raise DocumentError(f"url saknas (lägg adressen i {path.name}{SIDECAR_SUFFIX})")
    return read_pdf(path.read_bytes(), str(path), url=str(meta["url"]).strip(),
                    title=str(meta.get("title") or ""), publisher=str(meta.get("publisher") or ""),
                    published=str(meta.get("modified") or meta.get("last_modified") or meta.get("published") or ""))


def read_pdf(data: bytes, source: str, url: str, title: str = "", publisher: str = "",
             published: str = "") -> Document:
    """A Document from the bytes of one PDF; ``url`` is where it lives (links add ``#page=N``)."""
    # pypdf is imported lazily: it is heavy (about 0.14 s to import) and only a corpus with PDFs needs it.
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # damaged files are reported by us, once
    if not data.startswith(b"%PDF"):
        raise DocumentError("inte en PDF-fil (börjar inte med %PDF)")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise DocumentError("PDF-filen är krypterad")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise DocumentError(f"PDF-filen har fler än {MAX_PDF_PAGES} sidor")
        _check_content_size(reader.pages)
        pages = _page_texts(reader.pages)
        metadata = reader.metadata
        info_title = str(metadata.get("/Title") or "").strip() if metadata else ""
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as error:
        raise DocumentError(f"PDF-filen kan inte läsas ({type(error).__name__}: {str(error)[:120]})") from None
    parts = []
    for number, text in enumerate(pages, start=1):
        cleaned = _clean_page(text)
        if cleaned:
            parts.append(f"## Sida {number} {{#page={number}}}\n\n{cleaned}")
    if not parts:
        raise DocumentError("PDF-filen har ingen text (kanske bara inskannade bilder)")
    fields = {"url": url, "title": title or info_title or _first_line(pages), "publisher": publisher,
              "published": published, "kind": "pdf"}
    return document_from_fields(fields, "\n\n".join(parts) + "\n", source)


def _check_content_size(pages: Any) -> None:
    """DocumentError when the pages' content streams are more than extraction may parse."""
    total = 0
    for number, page in enumerate(pages, start=1):
        contents = page.get_contents()
        size = len(contents.get_data()) if contents is not None else 0
        if size > MAX_PDF_PAGE_CONTENT_BYTES:
            raise DocumentError(f"sida {number} i PDF-filen har mer än {MAX_PDF_PAGE_CONTENT_BYTES // 2**20} MB "
                                "sidinnehåll")
        total += size
        if total > MAX_PDF_CONTENT_BYTES:
            raise DocumentError(f"PDF-filens sidor har tillsammans mer än {MAX_PDF_CONTENT_BYTES // 2**20} MB "
                                "sidinnehåll")


def _page_texts(pages: Any) -> list[str]:
    """Each page's text; DocumentError past MAX_PDF_SECONDS or MAX_PDF_TEXT_CHARS."""
    deadline = time.monotonic() + MAX_PDF_SECONDS

    def on_operator(*_args: Any) -> None:  # pypdf calls this before each content operator
        if time.monotonic() > deadline:
            raise DocumentError(f"texten i PDF-filen gick inte att läsa ut på {MAX_PDF_SECONDS:g} s")

    texts: list[str] = []
    chars = 0
    for page in pages:
        on_operator()
        texts.append(page.extract_text(visitor_operand_before=on_operator) or "")
        chars += len(texts[-1])
        if chars > MAX_PDF_TEXT_CHARS:
            raise DocumentError(f"PDF-filen har mer än {MAX_PDF_TEXT_CHARS:,} tecken text".replace(",", " "))
    return texts


def _clean_page(text: str) -> str:
    text = _HYPHENATED_RE.sub(r"\1\2", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [_SPACE_RE.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


def _first_line(pages: list[str]) -> str:
    for page in pages:
        for line in page.splitlines():
            if len(line.strip()) > 3:
                return line.strip()[:200]
    return "PDF"
