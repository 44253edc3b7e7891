"""Swedish words the page, the statistics and the CLI share: plurals, dates and a page's site."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
          "november", "december")


def plural(count: int, one: str, many: str) -> str:
    """``count`` with the noun in its right number: "1 träff", "0 träffar", "2 kontaktpersoner"."""
    return f"{count} {one if count == 1 else many}"


def swedish_date(iso: str) -> str:
    """``YYYY-MM-DD`` as Swedes write it ("3 maj 2024"); "" for anything else."""
    try:
        day = date.fromisoformat(iso[:10])
    except (TypeError, ValueError):
        return ""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def site_of(url: str) -> str:
    """The site a page lies on, as people write it: "tillvaxtverket.se" (no "www.")."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")
