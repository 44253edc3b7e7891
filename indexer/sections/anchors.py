"""Markdown heading lines and the ids (anchors) written after them.

A heading's own id is written after it as in Pandoc: ``## Avgift {#avgift}``.
The corpus readers check these ids (``indexer.corpus.readers``); the section
splitter (``indexer.sections.split``) keeps them as each section's anchor.
This module imports nothing from the corpus, so both can use it.
"""

from __future__ import annotations

import re

from indexer.language.sentences import inline_markdown

#: Odd spaces read as a plain space, and invisible characters dropped, before a text is split.
SPACES = str.maketrans({"\xa0": " ", "\u202f": " ", "\u2009": " ", "\u200b": "", "\xad": ""})
#: A Markdown heading line: its ``#`` marks (group 1) and its text (group 2).
MD_HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
#: A heading's own anchor, written after it as in Pandoc: ``## Avgift {#avgift}``.
_ANCHOR_RE = re.compile(r"\s*\{#([^}\s]+)\}$")
# A line that may be a Markdown heading with an id (spaces, and the characters SPACES drops, before the "#").
_HEADING_WITH_BRACE_RE = re.compile(r"^(?:[^\S\n]|[\u200b\u00ad])*#.*\{.*$", re.MULTILINE)
#: Control characters (Unicode category Cc) and lone surrogates.
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


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
        heading = MD_HEADING_RE.match(line.translate(SPACES).strip())
        if heading:
            anchor = heading_title_and_anchor(heading)[1]
            if anchor:
                found.append(anchor)
    return found


def heading_title_and_anchor(heading: re.Match[str]) -> tuple[str, str]:
    """The title of a Markdown heading line (a match of MD_HEADING_RE) and its own id ("" when it has none)."""
    title = inline_markdown(heading.group(2)).strip()
    anchor = _ANCHOR_RE.search(title)
    if not anchor:
        return title, ""
    return title[: anchor.start()].strip(), anchor.group(1)
