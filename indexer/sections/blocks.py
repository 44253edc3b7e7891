"""A document's text as labelled blocks: headings, group headings, lines, links, contacts and prose.

Markdown headings (``#`` … ``######``) are taken as they are; in a Markdown
page only they are headings. In plain text a heading is a short line without
final punctuation that is followed by text, and a line that directly follows
another heading line makes that one a group heading. Page furniture is
dropped, wrapped lines are joined, and list items are kept as lines of the
paragraph they belong to. ``indexer.sections.split`` turns the blocks into
sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.budgets import MAX_TITLE_CHARS
from indexer.corpus.model import Document
from indexer.language.names import CONTACT_LABELS, EMAIL, NAME_LINE_WORDS, PHONE_GROUPED
from indexer.language.sentences import BULLET_MARK, clean_furniture, inline_markdown, is_bullet, strip_bullet
from indexer.sections.anchors import MD_HEADING_RE, SPACES, anchor_problem, heading_title_and_anchor

MAX_HEADING_WORDS = 10
MAX_HEADING_CHARS = 100

_CONTACT_LINE_RE = re.compile(
    rf"^{NAME_LINE_WORDS}\s*,\s*\S"  # "Förnamn Efternamn, roll"
    rf"|{EMAIL}|{PHONE_GROUPED}|^{CONTACT_LABELS}",
)


@dataclass
class Block:
    """One paragraph of a page with what it is taken to be."""

    kind: str  # "heading", "group", "short", "line", "link", "contact", "prose"
    text: str
    level: int = 0  # Markdown heading level, 0 when unknown
    anchor: str = ""


def document_paragraphs(doc: Document) -> list[tuple[str, bool]]:
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
    if any(chr(code) in text for code in SPACES):  # translate() is slow; most pages need none
        text = text.translate(SPACES)
    for raw in text.split("\n"):
        if not raw.strip():
            flush()
            continue
        if MD_HEADING_RE.match(raw.strip()):
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


def classify_blocks(paragraphs: list[tuple[str, bool]], doc: Document, markdown: bool) -> list[Block]:
    """Label each paragraph; in a Markdown page only ``#`` lines are headings."""
    blocks: list[Block] = []
    opening = {doc.title.strip().lower(), doc.publisher.strip().lower()} - {""}
    for index, (text, was_link) in enumerate(paragraphs):
        md_heading = MD_HEADING_RE.match(text)
        if md_heading:
            title, anchor = heading_title_and_anchor(md_heading)
            title = title[:MAX_TITLE_CHARS]  # a heading line of megabytes would be in every section's path
            if not blocks and title.lower() in opening:
                continue  # the page title itself
            # An id that cannot be linked to is not kept (reading the document refuses it: indexer.corpus.readers).
            blocks.append(Block("heading", title, len(md_heading.group(1)), "" if anchor_problem(anchor) else anchor))
        elif not blocks and text.strip().lower() in opening and index < 3:
            continue  # the page title or the publisher's name at the top
        elif "\n" not in text and len(text) < 200 and _CONTACT_LINE_RE.search(text):
            blocks.append(Block("contact", text))
        elif was_link and "\n" not in text and text[-1] not in ".:;!?":
            blocks.append(Block("link", text))
        elif _is_short_line(text) and not _introduces(paragraphs, index + 1):
            blocks.append(Block("line" if markdown else "short", text))
        else:
            blocks.append(Block("prose", text))
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


def _resolve_headings(blocks: list[Block]) -> list[Block]:
    """Decide which short lines are headings, group headings or list items."""
    resolved: list[Block] = []
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
            resolved.append(Block("link", run[0].text))  # the last link of a list
        elif len(run) == 2 and followed_by_text:
            resolved.append(Block("group", run[0].text))
            resolved.append(Block("heading", run[1].text))
        else:
            resolved.append(Block("heading", run[0].text))
            resolved.extend(Block("short", block.text) for block in run[1:])
        index = run_end
    return resolved
