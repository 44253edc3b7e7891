"""What every reader shares: a checked Document from metadata and text, and a file's metadata in YAML.

YAML is read without aliases (``&a`` … ``*a``): a few hundred bytes of nested
aliases expand to gigabytes. Metadata fields must be text (or a number or a
date); a mapping or a list is refused, never turned into its Python repr.
Control characters other than tab and newline are removed from the text.
"""

from __future__ import annotations

import datetime
import re
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import yaml

from indexer.budgets import MAX_FRONT_MATTER_BYTES, MAX_TITLE_CHARS
from indexer.corpus.model import DOCUMENT_KINDS, SIDECAR_SUFFIX, Document, DocumentError, normalize_url
from indexer.sections.anchors import anchor_problem, heading_anchors

TEXT_FIELDS = ("url", "title", "publisher", "language", "published", "retrieved", "description", "kind")
#: C0 controls but tab and newline, DEL, and the C1 controls: nothing a reader should see.
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class _NoAliasLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing aliases (a "billion laughs" expands to gigabytes)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        """The next node, as PyYAML composes it; ComposerError for an alias."""
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "alias (*namn) är inte tillåtet",
                                              self.peek_event().start_mark)
        return super().compose_node(parent, index)


def load_metadata(text: str, what: str) -> dict[str, Any]:
    """The key: value pairs of a YAML text (front matter or a sidecar); DocumentError naming ``what`` if not."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FRONT_MATTER_BYTES:
        raise DocumentError(f"{what} är större än {MAX_FRONT_MATTER_BYTES // 1024} KB")
    try:
        meta = yaml.load(text, Loader=_NoAliasLoader) or {}  # noqa: S506 (a SafeLoader that refuses aliases)
    except yaml.YAMLError as error:
        raise DocumentError(f"{what} är inte giltig YAML: {error}") from None
    if not isinstance(meta, dict):
        raise DocumentError(f"{what} måste vara nyckel: värde-par")
    return meta


def document_from_fields(meta: dict[str, Any], text: str, source: str) -> Document:
    """Build a Document from metadata and text, checking required fields."""
    fields = {name: _text_field(meta, name) for name in TEXT_FIELDS}
    missing = [name for name in ("url", "title") if not fields[name]]
    if missing:
        raise DocumentError("fält saknas: " + ", ".join(missing))
    url = normalize_url(fields["url"])
    _check_heading_ids(text)  # before control characters go: a heading id holding one is refused by name
    text = _CONTROL_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise DocumentError("texten är tom")
    return Document(
        url=url,
        title=_short_title(fields["title"]),
        text=text,
        publisher=fields["publisher"],
        language=fields["language"] or "sv",
        published=page_date(meta),
        retrieved=fields["retrieved"],
        source=source,
        description=fields["description"],
        kind=fields["kind"] if fields["kind"] in DOCUMENT_KINDS else "page",
    )


#: Where a reader's metadata may name the page's date, the date of its last change first: front matter's or
#: a sidecar's ``modified``, the crawl's ``last_modified`` (the HTTP Last-Modified), a JSONL or front matter
#: ``date``, then ``published``.
DATE_FIELDS = ("modified", "last_modified", "date", "published")


def page_date(meta: dict[str, Any]) -> str:
    """The page's date as ``YYYY-MM-DD`` from the first of :data:`DATE_FIELDS` that holds one ("" for none)."""
    for name in DATE_FIELDS:
        found = iso_date(meta.get(name))
        if found:
            return found
    return ""


def iso_date(value: object) -> str:
    """``value`` (a date, an ISO date or time, or an HTTP date) as ``YYYY-MM-DD``; "" when it is none of these."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()[:10]
    text = str(value or "").strip()
    if not text:
        return ""
    try:
        return datetime.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return ""


def read_sidecar(path: Path) -> dict[str, Any]:
    """The metadata in ``<file>.meta.yml`` beside ``path`` (empty when there is none)."""
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}
    try:
        text = sidecar.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DocumentError(f"{sidecar.name} kan inte läsas ({error})") from None
    return load_metadata(text, sidecar.name)


def _text_field(meta: dict[str, Any], name: str) -> str:
    """Field ``name`` as text without control characters ("" when absent); DocumentError for a mapping or list.

    The url keeps its control characters: ``normalize_url`` refuses them with the reason.
    """
    value = meta.get(name)
    if value is None:
        return ""
    if not isinstance(value, str | int | float | datetime.date):
        raise DocumentError(f"fältet {name} måste vara text, inte {type(value).__name__}")
    return str(value).strip() if name == "url" else _CONTROL_RE.sub("", str(value)).strip()


def _short_title(title: str) -> str:
    """``title``, cut at a word boundary with "…" when it is longer than MAX_TITLE_CHARS."""
    if len(title) <= MAX_TITLE_CHARS:
        return title
    cut = title[: MAX_TITLE_CHARS - 1].rsplit(" ", 1)[0] or title[: MAX_TITLE_CHARS - 1]
    return cut.rstrip() + "…"


def _check_heading_ids(text: str) -> None:
    """DocumentError when a heading's id (``## Rubrik {#id}``) cannot go into a link."""
    for anchor in heading_anchors(text):
        reason = anchor_problem(anchor)
        if reason:
            raise DocumentError(f"rubrikens id {anchor[:80]!r} {reason} och kan inte bli en länk")
