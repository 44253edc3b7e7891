"""Split a document into sections: a heading and the text under it.

Markdown headings (``#`` … ``######``) are taken as they are. In plain text a
heading is a short line without final punctuation that is followed by text; a
line that directly follows another heading line makes that one a group
heading. A bullet list stays with the sentence that introduces it, and page
furniture is dropped.

A block that lost its heading in extraction still becomes a section of its
own. A new, untitled section starts where

* prose follows a section whose body is only short lines (links, contacts), or
* a paragraph opens by defining a name the current section has not mentioned
  ("Kompetensarena Stockholm är ett EU-finansierat projekt …").

Such a section is titled by the first name phrase of its text, or else by its
opening words. A paragraph repeated verbatim in a page (panel boilerplate)
that stands right before such a start belongs to the new section.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field

from indexer.corpus.documents import Document
from indexer.language.sentences import (
    BULLET_MARK,
    clean_furniture,
    defined_name,
    inline_markdown,
    is_bullet,
    leading_name,
    split_sentences,
    strip_bullet,
)

MAX_HEADING_WORDS = 10
MAX_HEADING_CHARS = 100
FALLBACK_TITLE_WORDS = 6

_SPACES = str.maketrans({"\xa0": " ", "\u202f": " ", "\u2009": " ", "\u200b": "", "\xad": ""})
_MD_HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
#: A heading's own anchor, written after it as in Pandoc: ``## Avgift {#avgift}``.
_ANCHOR_RE = re.compile(r"\s*\{#([^}\s]+)\}$")
# A line that may be a Markdown heading with an id (spaces, and the characters _SPACES drops, before the "#").
_HEADING_WITH_BRACE_RE = re.compile(r"^(?:[^\S\n]|[\u200b\u00ad])*#.*\{.*$", re.MULTILINE)
#: Control characters (Unicode category Cc) and lone surrogates.
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTACT_LINE_RE = re.compile(
    r"^[A-ZÅÄÖÉ][\w'’-]+(?:\s+[A-ZÅÄÖÉ][\w'’-]+){1,3}\s*,\s*\S"  # "Förnamn Efternamn, roll"
    r"|[\w.+-]+@[\w-]+\.[\w.-]+"  # e-mail
    r"|(?:\+46|\b0)\d{1,3}[-–\s]?\d{2,3}(?:[\s-]?\d{2}){2,3}\b"  # phone number
    r"|^(?:Telefon|Tel|Mobil|E-post|Epost)\b",
)


def anchor_problem(anchor: str) -> str:
    """Why a heading's id cannot go into a link's fragment ("" when it can).

    Any other id can: the deep link percent-encodes it (``search_app.query.links``).
    """
    if _CONTROL_RE.search(anchor):
        return "innehåller styrtecken eller ogiltiga tecken"
    if ":~:" in anchor:
        return "innehåller ':~:' (början på ett textdirektiv)"
    return ""


def heading_anchors(text: str) -> list[str]:
    """The ids written after the Markdown headings of ``text`` (``## Avgift {#avgift}``), in order."""
    found = []
    for line in _HEADING_WITH_BRACE_RE.findall(text) if "{" in text else ():
        heading = _MD_HEADING_RE.match(line.translate(_SPACES).strip())
        if heading:
            anchor = _heading_title_and_anchor(heading)[1]
            if anchor:
                found.append(anchor)
    return found


def _heading_title_and_anchor(heading: re.Match[str]) -> tuple[str, str]:
    """The title of a Markdown heading line and its own id ("" when it has none)."""
    title = inline_markdown(heading.group(2)).strip()
    anchor = _ANCHOR_RE.search(title)
    if not anchor:
        return title, ""
    return title[: anchor.start()].strip(), anchor.group(1)


@dataclass(frozen=True)
class Section:
    """A heading and the text under it, with its place in the document."""

    id: str
    doc: Document
    heading: str
    heading_path: tuple[str, ...]
    text: str
    position: int
    untitled: bool = False  # the heading was derived, not found in the page
    links_only: bool = False  # only short lines (links, labels), no sentence
    anchor: str = ""  # the page's own anchor of this heading (or the nearest one above it)

    @property
    def title(self) -> str:
        """The document title."""
        return self.doc.title


@dataclass
class _Block:
    kind: str  # "heading", "group", "short", "line", "link", "contact", "prose"
    text: str
    level: int = 0  # Markdown heading level, 0 when unknown
    anchor: str = ""


@dataclass
class _Draft:
    heading: str
    path: list[str]
    untitled: bool = False
    anchor: str = ""
    paragraphs: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)

    @property
    def only_short_lines(self) -> bool:
        return bool(self.kinds) and all(kind in ("short", "line", "link", "contact") for kind in self.kinds)


def split_document(doc: Document) -> list[Section]:
    """The sections of ``doc``, in page order."""
    paragraphs = _paragraphs(doc)
    markdown = any(_MD_HEADING_RE.match(text) for text, _ in paragraphs)
    blocks = _classify(paragraphs, doc, markdown)
    drafts = _assemble(blocks, doc, markdown)
    _keep_trailing_line(drafts)
    if not any(draft.paragraphs for draft in drafts):
        # A page with a title and nothing else is still findable by its title.
        drafts = [_Draft(doc.title, [doc.title], paragraphs=[doc.title], kinds=["line"])]
    return _finish(drafts, doc)


def _paragraphs(doc: Document) -> list[tuple[str, bool]]:
    """Paragraphs of cleaned lines, each with a flag 'had link furniture'."""
    paragraphs: list[tuple[str, bool]] = []
    current: list[str] = []
    link = False

    def flush() -> None:
        nonlocal current, link
        if current:
            paragraphs.append(("\n".join(current), link))
        current, link = [], False

    text = doc.text
    if any(chr(code) in text for code in _SPACES):  # translate() is slow; most pages need none
        text = text.translate(_SPACES)
    for raw in text.split("\n"):
        if not raw.strip():
            flush()
            continue
        if _MD_HEADING_RE.match(raw.strip()):
            flush()
            paragraphs.append((raw.strip(), False))
            continue
        cleaned, was_link = clean_furniture(inline_markdown(raw))
        if not cleaned:
            continue
        if is_bullet(raw):
            current.append(BULLET_MARK + strip_bullet(cleaned))
        elif current and current[-1].startswith(BULLET_MARK) and raw[:1].isspace():
            current[-1] += " " + cleaned  # a wrapped list item
        elif current and not current[-1].startswith(BULLET_MARK) and _wraps(current[-1], cleaned):
            current[-1] += " " + cleaned  # a wrapped line of prose
        else:
            flush()
            current.append(cleaned)
        link = link or was_link
    flush()
    return paragraphs


def _wraps(previous: str, line: str) -> bool:
    """Whether ``line`` continues the sentence of ``previous`` (a hard-wrapped line)."""
    return previous.rstrip()[-1:] not in ".!?:;" and line[:1].islower()


def _classify(paragraphs: list[tuple[str, bool]], doc: Document, markdown: bool) -> list[_Block]:
    """Label each paragraph; in a Markdown page only ``#`` lines are headings."""
    blocks: list[_Block] = []
    opening = {doc.title.strip().lower(), doc.publisher.strip().lower()} - {""}
    for index, (text, was_link) in enumerate(paragraphs):
        md_heading = _MD_HEADING_RE.match(text)
        if md_heading:
            title, anchor = _heading_title_and_anchor(md_heading)
            if not blocks and title.lower() in opening:
                continue  # the page title itself
            # An id that cannot be linked to is not kept (reading the document refuses it: corpus.documents).
            blocks.append(_Block("heading", title, len(md_heading.group(1)), "" if anchor_problem(anchor) else anchor))
        elif not blocks and text.strip().lower() in opening and index < 3:
            continue  # the page title or the publisher's name at the top
        elif "\n" not in text and len(text) < 200 and _CONTACT_LINE_RE.search(text):
            blocks.append(_Block("contact", text))
        elif was_link and "\n" not in text and text[-1] not in ".:;!?":
            blocks.append(_Block("link", text))
        elif _is_short_line(text) and not _introduces(paragraphs, index + 1):
            blocks.append(_Block("line" if markdown else "short", text))
        else:
            blocks.append(_Block("prose", text))
    return _resolve_headings(blocks)


def _introduces(paragraphs: list[tuple[str, bool]], index: int) -> bool:
    """Whether paragraph ``index`` continues the line before it: a list, or text in lower case."""
    if index >= len(paragraphs):
        return False
    text = paragraphs[index][0]
    return text[:1].islower() or all(line.startswith(BULLET_MARK) for line in text.split("\n"))


def _is_short_line(text: str) -> bool:
    return (
        "\n" not in text
        and len(text) <= MAX_HEADING_CHARS
        and len(text.split()) <= MAX_HEADING_WORDS
        and not text.startswith(BULLET_MARK)
        and text[-1] not in ".:;,!?…"
        and (text[0].isupper() or text[0].isdigit())
    )


def _resolve_headings(blocks: list[_Block]) -> list[_Block]:
    """Decide which short lines are headings, group headings or list items."""
    resolved: list[_Block] = []
    index = 0
    while index < len(blocks):
        if blocks[index].kind != "short":
            resolved.append(blocks[index])
            index += 1
            continue
        run_end = index
        while run_end < len(blocks) and blocks[run_end].kind == "short":
            run_end += 1
        run = blocks[index:run_end]
        followed_by_text = run_end < len(blocks) and blocks[run_end].kind != "heading"
        after_link = bool(resolved) and resolved[-1].kind == "link"
        if after_link and len(run) == 1 and followed_by_text and blocks[run_end].kind == "prose":
            resolved.append(_Block("link", run[0].text))  # the last link of a list
        elif len(run) == 2 and followed_by_text:
            resolved.append(_Block("group", run[0].text))
            resolved.append(_Block("heading", run[1].text))
        else:
            resolved.append(_Block("heading", run[0].text))
            resolved.extend(_Block("short", block.text) for block in run[1:])
        index = run_end
    return resolved


def _assemble(blocks: list[_Block], doc: Document, markdown: bool) -> list[_Draft]:
    prose_counts = Counter(block.text for block in blocks if block.kind == "prose")
    repeated = {text for text, count in prose_counts.items() if count > 1}
    stack: list[tuple[float, str, bool, str]] = []  # (level, heading, untitled, anchor)
    drafts = [_Draft(doc.title, [doc.title])]

    def open_section(level: float, heading: str, untitled: bool = False, anchor: str = "") -> _Draft:
        while stack and stack[-1][0] >= level:
            stack.pop()
        # A heading without an anchor of its own links to the nearest one above it.
        anchor = anchor or next((entry[3] for entry in reversed(stack) if entry[3]), "")
        stack.append((level, heading, untitled, anchor))
        draft = _Draft(heading, [doc.title, *(entry[1] for entry in stack)], untitled, anchor)
        drafts.append(draft)
        return draft

    for block in blocks:
        current = drafts[-1]
        if block.kind == "group":
            stack.clear()
            open_section(1, block.text)
        elif block.kind == "heading":
            level = block.level or _plain_heading_level(stack)
            if block.level and stack and not current.paragraphs and level <= stack[-1][0]:
                level = stack[-1][0] + 0.5  # an empty heading right above introduces this one
            open_section(level, block.text, anchor=block.anchor)
        elif block.kind == "prose" and _starts_new_subject(block.text, current, repeated, markdown):
            level = _untitled_level(stack)
            carried = _carry_boilerplate(current, repeated)
            draft = open_section(level, "", untitled=True)
            draft.paragraphs, draft.kinds = carried, ["prose"] * len(carried)
            draft.paragraphs.append(block.text)
            draft.kinds.append(block.kind)
        elif block.text.startswith(BULLET_MARK) and current.paragraphs and current.kinds[-1] == "prose":
            current.paragraphs[-1] += "\n" + block.text  # a list stays with the sentence before it
        else:
            current.paragraphs.append(block.text)
            current.kinds.append(block.kind)
    return drafts


def _untitled_level(stack: list[tuple[float, str, bool, str]]) -> float:
    """An untitled block is a sibling of the previous untitled block, else of the current heading."""
    for level, _heading, untitled, _anchor in reversed(stack):
        if untitled:
            return level
    return stack[-1][0] if stack else 2


def _keep_trailing_line(drafts: list[_Draft]) -> None:
    """A last "heading" with nothing under it is text, unless it is a bare one-word label."""
    last = drafts[-1]
    if len(drafts) > 1 and not last.paragraphs and not last.untitled and len(last.heading.split()) > 1:
        drafts.pop()
        drafts[-1].paragraphs.append(last.heading)
        drafts[-1].kinds.append("line")


def _plain_heading_level(stack: list[tuple[float, str, bool, str]]) -> float:
    """A plain-text heading under an untitled block belongs to that block."""
    for level, _heading, untitled, _anchor in reversed(stack):
        if untitled:
            return level + 0.5
    return 2


def _starts_new_subject(text: str, current: _Draft, repeated: set[str], markdown: bool) -> bool:
    if text in repeated:
        return False
    if current.only_short_lines and not markdown:
        return True
    name = defined_name(split_sentences(text)[0]) if text else ""
    if not name:
        return False
    seen = " ".join([current.heading, *current.paragraphs]).lower()
    return bool(current.paragraphs) and name.lower() not in seen


def _carry_boilerplate(current: _Draft, repeated: set[str]) -> list[str]:
    carried: list[str] = []
    while current.paragraphs and current.paragraphs[-1] in repeated:
        carried.insert(0, current.paragraphs.pop())
        current.kinds.pop()
    return carried


def _untitled_heading(paragraphs: list[str], repeated_first: int) -> str:
    for paragraph in paragraphs[repeated_first:]:
        for sentence in split_sentences(paragraph):
            name = leading_name(sentence)
            if name:
                return name
    words = " ".join(paragraphs[repeated_first:] or paragraphs).split()
    head = " ".join(words[:FALLBACK_TITLE_WORDS]).rstrip(".,:;")
    return head + ("…" if len(words) > FALLBACK_TITLE_WORDS else "")


def _finish(drafts: list[_Draft], doc: Document) -> list[Section]:
    sections: list[Section] = []
    seen_ids: Counter[str] = Counter()
    all_paragraphs = Counter(p for draft in drafts for p in draft.paragraphs)
    for draft in drafts:
        if not draft.paragraphs:
            continue
        heading, path = draft.heading, list(draft.path)
        if draft.untitled:
            skip = 0
            while skip < len(draft.paragraphs) - 1 and all_paragraphs[draft.paragraphs[skip]] > 1:
                skip += 1
            heading = _untitled_heading(draft.paragraphs, skip)
            path[-1] = heading
            _rename_children(drafts, draft, heading)
        key = "\x1f".join(path)
        seen_ids[key] += 1
        digest = hashlib.sha1(f"{key}\x1f{seen_ids[key]}".encode()).hexdigest()[:8]
        sections.append(
            Section(
                id=f"{doc.doc_id}-{digest}",
                doc=doc,
                heading=heading,
                heading_path=tuple(path),
                text="\n\n".join(draft.paragraphs),
                position=len(sections),
                untitled=draft.untitled,
                links_only=all(kind in ("link", "short", "line") for kind in draft.kinds),
                anchor=draft.anchor,
            )
        )
    return sections


def _rename_children(drafts: list[_Draft], parent: _Draft, heading: str) -> None:
    """Give sections under an untitled block the block's derived heading."""
    depth = len(parent.path) - 1
    start = drafts.index(parent) + 1
    for child in drafts[start:]:
        if len(child.path) <= depth + 1 or child.path[depth] != "":
            break
        child.path[depth] = heading
