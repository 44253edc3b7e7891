"""HTML pages as documents: the main content as Markdown-like text, and the page's metadata.

Parsed with BeautifulSoup (Python's own ``html.parser`` underneath), never with
regular expressions. The main content is ``<main>`` (or ``role=main``), else
the page's ``<article>``, else ``<body>``; navigation, page header and footer,
asides, forms and cookie banners are dropped. Headings ``h1``–``h6`` become
Markdown headings so that the sectioner splits on them, with the heading's own
``id`` kept as ``{#id}`` for deep links; lists become ``-`` items and tables
one line per row. A page nested deeper than ``MAX_HTML_DEPTH`` elements is
refused with the reason (its depth is measured without recursion), so no
page can exhaust the reader's stack or spend minutes in its tree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from indexer.budgets import MAX_HTML_DEPTH
from indexer.corpus.model import Document, DocumentError, normalize_url
from indexer.corpus.readers.fields import document_from_fields, read_sidecar
from indexer.sections.anchors import anchor_problem

SUFFIXES = (".html", ".htm")
#: Elements that never hold a page's own content.
DROPPED_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "canvas",
                "nav", "header", "footer", "aside", "form", "button", "select", "dialog", "menu")
DROPPED_ROLES = ("navigation", "banner", "contentinfo", "search", "complementary", "dialog", "alertdialog")
#: Class or id words of page furniture: cookie and consent banners, breadcrumbs, share bars.
_FURNITURE_RE = re.compile(r"(^|[-_\s])(cookie|cookies|consent|gdpr|breadcrumbs?|skip-?link|share|social|"
                           r"sharing|print|toolbar|pagination)($|[-_\s])", re.IGNORECASE)
_BLOCKS = ("p", "li", "dt", "dd", "blockquote", "pre", "figcaption", "caption", "address", "summary")
_CONTAINERS = ("div", "section", "article", "main", "ul", "ol", "dl", "table", "thead", "tbody", "tfoot",
               "figure", "details", "body", "center", "fieldset")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_SPACE_RE = re.compile(r"\s+")
#: A heading id that can be written as ``{#id}``; the deep link percent-encodes it (``search_app.query.links``).
_ID_RE = re.compile(r"[^\s{}]+")


def read(path: Path) -> Document:
    """A Document from one stored HTML page; its sidecar may give the address and publisher."""
    meta = read_sidecar(path)
    return read_html(path.read_bytes(), str(path), url=str(meta.get("url") or "").strip() or None,
                     publisher=str(meta.get("publisher") or ""), last_modified=str(meta.get("last_modified") or ""))


def read_html(html: str | bytes, source: str, url: str | None = None, publisher: str = "",
              last_modified: str = "") -> Document:
    """A Document from one HTML page (``last_modified``: the crawl's HTTP Last-Modified, for its date).

    ``url`` is where the page was fetched from; the page's own
    ``<link rel=canonical>`` wins over it, unless it cannot be made a valid
    URL. A page without either is refused.
    """
    soup = BeautifulSoup(html, "html.parser")
    if nested_deeper_than(soup, MAX_HTML_DEPTH):
        raise DocumentError(f"sidan är nästlad djupare än {MAX_HTML_DEPTH} element; hoppar över")
    meta = page_metadata(soup)
    canonical = meta["canonical"]
    if canonical and url:
        try:
            normalize_url(canonical)
        except DocumentError:
            canonical = ""  # a canonical address that cannot be a link says nothing the fetch address does not
    page_url = canonical or url or ""
    text = main_text(soup)
    fields = {
        "url": page_url,
        "title": meta["title"],
        "publisher": publisher or meta["publisher"],
        "language": meta["language"] or "sv",
        "modified": meta["modified"],
        "last_modified": last_modified,
        "published": meta["published"],
        "description": meta["description"],
    }
    if not page_url:
        raise DocumentError("url saknas (ingen <link rel=canonical> och ingen adress angiven)")
    return document_from_fields(fields, text, source)


def nested_deeper_than(soup: BeautifulSoup, limit: int) -> bool:
    """Whether any element of ``soup`` lies more than ``limit`` elements deep (an iterative walk)."""
    stack: list[tuple[Tag, int]] = [(soup, 0)]
    while stack:
        tag, depth = stack.pop()
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in tag.contents if isinstance(child, Tag))
    return False


def page_metadata(soup: BeautifulSoup) -> dict[str, str]:
    """Title, canonical URL, language, description, publisher and date from the page's head."""

    def meta_content(*names: str) -> str:
        for name in names:
            tag = soup.find("meta", attrs={"name": name}) or soup.find("meta", attrs={"property": name})
            if isinstance(tag, Tag) and tag.get("content"):
                return _clean(str(tag["content"]))
        return ""

    canonical = ""
    for link in soup.find_all("link", href=True):
        rel: Iterable[object] = link.get("rel") or []
        if "canonical" in [str(value).lower() for value in rel]:
            canonical = str(link["href"]).strip()
            break
    if canonical and not canonical.startswith(("http://", "https://")):
        canonical = ""  # a relative canonical says nothing the fetch address does not
    title_tag = soup.find("title")
    title = _clean(title_tag.get_text()) if title_tag else ""
    if not title:
        title = meta_content("og:title")
    if not title:
        first = soup.find("h1")
        title = _clean(first.get_text(" ")) if first else ""
    html = soup.find("html")
    language = str(html.get("lang") or "").split("-")[0].lower() if isinstance(html, Tag) else ""
    return {
        "canonical": canonical,
        "title": title,
        "language": language,
        "description": meta_content("description", "og:description"),
        "publisher": meta_content("og:site_name", "author", "dcterms.publisher", "DC.publisher"),
        "modified": meta_content("article:modified_time", "dcterms.modified", "last-modified")[:10],
        "published": meta_content("article:published_time", "dcterms.date", "DC.date", "date")[:10],
    }


def main_text(soup: BeautifulSoup) -> str:
    """The page's main content as Markdown-like text (headings with ``#``, lists with ``-``)."""
    for comment in soup.find_all(string=lambda node: isinstance(node, Comment)):
        comment.extract()
    root = _main_element(soup)
    dropped: tuple[str, ...] = DROPPED_TAGS
    if root.name in ("main", "article") or str(root.get("role") or "") == "main":
        # Inside the main content a <header> holds the page's own title, not the site's banner.
        dropped = tuple(name for name in DROPPED_TAGS if name not in ("header", "footer"))
    for tag in root.find_all(dropped):
        tag.decompose()
    for tag in root.find_all(True):
        # Not tag.decomposed: bs4 looks that up as a search of the tag's whole subtree, quadratic in depth.
        if not isinstance(tag, Tag) or tag.__dict__.get("_decomposed"):
            continue
        if _is_furniture(tag):
            tag.decompose()
    lines: list[str] = []
    _walk(root, lines)
    return "\n\n".join(line for line in lines if line.strip()) + "\n"


def _main_element(soup: BeautifulSoup) -> Tag:
    for candidate in (soup.find("main"), soup.find(None, attrs={"role": "main"})):
        if isinstance(candidate, Tag):
            return candidate
    articles = soup.find_all("article")
    if articles:
        return max(articles, key=lambda tag: len(tag.get_text()))
    return soup.body or soup


def _is_furniture(tag: Tag) -> bool:
    if tag.name in ("main", "article", "body", "html"):
        return False
    role = str(tag.get("role") or "").lower()
    if role in DROPPED_ROLES or tag.get("hidden") is not None or str(tag.get("aria-hidden")).lower() == "true":
        return True
    words = " ".join([str(tag.get("id") or ""), *[str(value) for value in tag.get("class") or []]])
    return bool(words.strip()) and bool(_FURNITURE_RE.search(words))


def _walk(element: Tag, lines: list[str]) -> None:
    """Append the blocks of ``element`` to ``lines``, in document order."""
    inline: list[str] = []

    def flush() -> None:
        text = _clean(" ".join(inline))
        if text:
            lines.append(text)
        inline.clear()

    for child in element.children:
        if isinstance(child, NavigableString):
            inline.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if name in _HEADINGS:
            flush()
            text = _clean(child.get_text(" "))
            if text:
                anchor = str(child.get("id") or "")
                if not anchor:  # <h2><a id="x"></a>Rubrik</h2> is common too
                    inner = child.find(None, attrs={"id": True}) or child.find("a", attrs={"name": True})
                    anchor = str(inner.get("id") or inner.get("name") or "") if isinstance(inner, Tag) else ""
                usable = _ID_RE.fullmatch(anchor) and not anchor_problem(anchor)  # else the heading has no id
                suffix = f" {{#{anchor}}}" if usable else ""
                lines.append(f"{'#' * int(name[1])} {text}{suffix}")
        elif name == "li":
            flush()
            nested = [c for c in child.children if isinstance(c, Tag) and c.name in ("ul", "ol")]
            own = [c.get_text(" ") if isinstance(c, Tag) else str(c) for c in child.children
                   if not any(c is sub for sub in nested)]
            text = _clean(" ".join(own))
            if text:
                lines.append(f"- {text}")
            for sub in nested:
                _walk(sub, lines)
        elif name == "tr":
            flush()
            cells = [_clean(cell.get_text(" ")) for cell in child.find_all(["th", "td"], recursive=False)]
            if any(cells):
                lines.append(" | ".join(cell for cell in cells if cell))
        elif name == "br":
            inline.append("\n")
        elif name in _BLOCKS:
            flush()
            if child.find((*_HEADINGS, "p", "ul", "ol", "table")):
                _walk(child, lines)
            else:
                text = _clean(child.get_text(" "))
                if text:
                    lines.append(text)
        elif name in _CONTAINERS or child.find(_HEADINGS + _BLOCKS + ("div", "table")):
            flush()
            _walk(child, lines)
        else:
            inline.append(child.get_text(" "))
    flush()


def _clean(text: str) -> str:
    return _SPACE_RE.sub(" ", text.replace("\xa0", " ")).strip()
