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

A heading with nothing under it is dropped (in Markdown it groups the
headings that follow), except a contact heading ("Kontakt"): that a page
names no one there answers a contact question too.

No section is longer than ``MAX_SECTION_CHARS``: a longer block goes on in a
continuation section with the same heading path and anchor (a new one at a
paragraph boundary, and a paragraph longer than the cap cut at sentences, see
``indexer.sections.cut``).

The paragraphs are read and labelled in ``indexer.sections.blocks``; heading
ids are read in ``indexer.sections.anchors``.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from indexer.budgets import MAX_SECTION_CHARS
from indexer.corpus.model import Document
from indexer.language.names import is_contact_heading
from indexer.language.sentences import BULLET_MARK, defined_name, leading_name, split_sentences
from indexer.sections.anchors import MD_HEADING_RE
from indexer.sections.blocks import Block, classify_blocks, document_paragraphs
from indexer.sections.cut import cut_text

FALLBACK_TITLE_WORDS = 6


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
class _Draft:
    heading: str
    path: list[str]
    untitled: bool = False
    anchor: str = ""
    paragraphs: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    continues: bool = False  # goes on from the draft before it, which reached MAX_SECTION_CHARS
    size: int = 0  # characters of its text so far

    def add(self, text: str, kind: str) -> None:
        """Append a paragraph."""
        self.size += len(text) + 2 * bool(self.paragraphs)
        self.paragraphs.append(text)
        self.kinds.append(kind)

    def has_room(self, text: str) -> bool:
        """Whether ``text`` fits as one more paragraph without passing MAX_SECTION_CHARS."""
        return not self.paragraphs or self.size + 2 + len(text) <= MAX_SECTION_CHARS

    @property
    def only_short_lines(self) -> bool:
        """Whether the section so far holds only short lines (links, labels, contacts), no prose."""
        return bool(self.kinds) and all(kind in ("short", "line", "link", "contact") for kind in self.kinds)


def split_document(doc: Document) -> list[Section]:
    """The sections of ``doc``, in page order."""
    paragraphs = [(piece, link) for text, link in document_paragraphs(doc)
                  for piece in cut_text(text, MAX_SECTION_CHARS)]
    markdown = any(MD_HEADING_RE.match(text) for text, _ in paragraphs)
    blocks = classify_blocks(paragraphs, doc, markdown)
    drafts = _assemble(blocks, doc, markdown)
    _keep_trailing_line(drafts)
    if not any(draft.paragraphs for draft in drafts):
        # A page with a title and nothing else is still findable by its title.
        drafts = [_Draft(doc.title, [doc.title], paragraphs=[doc.title], kinds=["line"])]
    return _finish(drafts, doc)


def _assemble(blocks: list[Block], doc: Document, markdown: bool) -> list[_Draft]:
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
            if block.level and stack and not current.paragraphs and level <= stack[-1][0] \
                    and not is_contact_heading(current.heading):
                level = stack[-1][0] + 0.5  # an empty heading right above introduces this one (not "Kontakt")
            open_section(level, block.text, anchor=block.anchor)
        elif block.kind == "prose" and _starts_new_subject(block.text, current, repeated, markdown):
            level = _untitled_level(stack)
            carried = _carry_boilerplate(current, repeated)
            draft = open_section(level, "", untitled=True)
            for text in [*carried, block.text]:
                if not draft.has_room(text):
                    draft = _Draft(draft.heading, list(draft.path), True, draft.anchor, continues=True)
                    drafts.append(draft)
                draft.add(text, "prose")
        elif block.text.startswith(BULLET_MARK) and current.paragraphs and current.kinds[-1] == "prose" \
                and current.has_room(block.text):
            current.paragraphs[-1] += "\n" + block.text  # a list stays with the sentence before it
            current.size += 1 + len(block.text)
        else:
            if not current.has_room(block.text):
                current = _Draft(current.heading, list(current.path), current.untitled, current.anchor,
                                 continues=True)
                drafts.append(current)
            current.add(block.text, block.kind)
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
        drafts[-1].add(last.heading, "line")


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
    for number, draft in enumerate(drafts):
        if not draft.paragraphs and not _empty_contact_heading(drafts, number):
            continue
        heading, path = draft.heading, list(draft.path)
        if draft.continues and sections:
            heading, path = sections[-1].heading, list(sections[-1].heading_path)
            if draft.untitled:
                _rename_children(drafts, draft, heading)
        elif draft.untitled:
            skip = 0
            while skip < len(draft.paragraphs) - 1 and all_paragraphs[draft.paragraphs[skip]] > 1:
                skip += 1
            heading = _untitled_heading(draft.paragraphs, skip)
            path[-1] = heading
            _rename_children(drafts, draft, heading)
        key = "\x1f".join(path)
        seen_ids[key] += 1
        digest = hashlib.sha1(f"{key}\x1f{seen_ids[key]}".encode(), usedforsecurity=False).hexdigest()[:8]
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


def _empty_contact_heading(drafts: list[_Draft], number: int) -> bool:
    """Whether draft ``number`` is a contact heading with nothing under it: no text and no subsection."""
    draft = drafts[number]
    if draft.paragraphs or draft.untitled or len(draft.path) < 2 or not is_contact_heading(draft.heading):
        return False
    following = drafts[number + 1].path if number + 1 < len(drafts) else []
    return following[: len(draft.path)] != draft.path or len(following) <= len(draft.path)


def _rename_children(drafts: list[_Draft], parent: _Draft, heading: str) -> None:
    """Give sections under an untitled block the block's derived heading."""
    depth = len(parent.path) - 1
    start = drafts.index(parent) + 1
    for child in drafts[start:]:
        if len(child.path) <= depth + 1 or child.path[depth] != "":
            break
        child.path[depth] = heading
