"""How a source is named to readers: "page title › section", the one rule for the API, the page and the widget."""

from __future__ import annotations

from collections.abc import Sequence

from indexer.language.names import is_contact_heading


def source_label(title: str, heading_path: Sequence[str]) -> str:
    """ "Page title › section" (the title alone for the page's own top section).

    A contact heading says nothing without the heading above it: a page with a "Kontakt" under each
    project names it "Tillväxt › Jämställd tillväxt Stockholm › Kontakt", so that the results and the
    answer's source can be told apart.
    """
    section = heading_path[-1] if heading_path else title
    parts = [title]
    parent = heading_path[-2] if len(heading_path) > 1 else title
    if is_contact_heading(section) and parent != title:
        parts.append(parent)
    if section and section != title:
        parts.append(section)
    return " › ".join(parts)
