"""Swedish text rules shared by sectioning and answering.

Sentences, bullet lists, page furniture and name phrases: facts about how
Swedish public-sector pages are written, kept apart from the code that uses
them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from indexer.language.analysis import stop_words

_DATA = Path(__file__).parent / "data"

BULLET_RE = re.compile(r"^\s*(?:[•●▪◦·‣\-*–]|\d{1,2}[.)])\s+")
BULLET_MARK = "• "

# Abbreviations that end in a dot without ending a sentence.
_ABBREVIATIONS = (
    "t.ex", "bl.a", "f.d", "m.fl", "m.m", "d.v.s", "dvs", "s.k", "o.s.v", "osv", "fr.o.m",
    "t.o.m", "p.g.a", "pga", "ca", "kl", "nr", "jfr", "resp", "tel", "inkl", "exkl", "st",
    "bl", "mfl", "mm", "s", "kap", "prop", "dir", "t", "f", "ff", "a", "e", "o", "u", "jan",
    "feb", "aug", "sept", "okt", "nov", "dec", "milj", "mdr", "kr", "tkr", "ev", "obs", "ang",
)
_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])[\"”»)]?\s+(?=[\"“«(]?[A-ZÅÄÖÉÜ0-9•])")
_LAST_WORD_RE = re.compile(r"([\w.]+)[.]$")
_NAME_WORD_RE = re.compile(r"[A-ZÅÄÖÉÜ][\w+&’'-]*$")


def is_bullet(line: str) -> bool:
    """True for a bullet or numbered list item."""
    return bool(BULLET_RE.match(line))


def strip_bullet(line: str) -> str:
    """The text of a list item without its bullet."""
    return BULLET_RE.sub("", line, count=1).strip()


def split_sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences; a list stays with the line that introduces it."""
    lines = paragraph.split("\n")
    prose = [line for line in lines if not line.startswith(BULLET_MARK)]
    items = [line for line in lines if line.startswith(BULLET_MARK)]
    sentences = _split_prose(" ".join(prose))
    if items:
        if sentences:
            sentences[-1] = sentences[-1] + "\n" + "\n".join(items)
        else:
            sentences = ["\n".join(items)]
    return sentences


def ends_with_abbreviation(text: str) -> bool:
    """Whether ``text`` ends with an abbreviation's dot ("f.d.", "t.ex.", "ca."), which ends no sentence."""
    last = _LAST_WORD_RE.search(text[-24:]) if text.endswith(".") else None
    return bool(last and last.group(1).lower().rstrip(".") in _ABBREVIATIONS)


def _split_prose(text: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END_RE.finditer(text):
        # Only the candidate's last characters decide: a run of abbreviations stays linear in the text.
        if ends_with_abbreviation(text[max(start, match.start() - 32) : match.start()].rstrip()):
            continue
        pieces.append(text[start : match.start()].rstrip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        pieces.append(tail)
    return [piece for piece in pieces if piece]


@lru_cache(maxsize=1)
def _furniture_patterns() -> tuple[re.Pattern[str], list[tuple[re.Pattern[str], re.Pattern[str]]]]:
    """From ``data/furniture_sv.txt``: the whole-line patterns joined into one, and each inline pattern with its probe.

    A probe is the inline pattern without a leading ``\\s*``: it finds a match
    wherever the pattern does, but tries far fewer positions in a long line.
    """
    lines: list[str] = []
    inline: list[tuple[re.Pattern[str], re.Pattern[str]]] = []
    for raw in (_DATA / "furniture_sv.txt").read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        kind, _, pattern = raw.partition(" ")
        pattern = pattern.strip()
        if kind == "line":
            lines.append(pattern)
        else:
            probe = pattern.removeprefix("\\s*") or pattern
            inline.append((re.compile(pattern, re.IGNORECASE), re.compile(probe, re.IGNORECASE)))
    whole = re.compile("|".join(f"(?:{p})" for p in lines) or "(?!)", re.IGNORECASE)
    return whole, inline


def clean_furniture(line: str) -> tuple[str, bool]:
    """Remove page furniture from one line.

    Returns the cleaned line ("" when the whole line is furniture) and whether
    link furniture was found (the line is then a link, not a heading).
    """
    whole, inline = _furniture_patterns()
    stripped = line.strip()
    if whole.fullmatch(stripped):
        return "", True
    was_link = False
    for pattern, probe in inline:
        if probe.search(stripped):
            stripped, count = pattern.subn("", stripped)
            was_link = was_link or count > 0
    glued_pdf = re.sub(r"(?<=[\w)])PDF$", " (PDF)", stripped)
    if glued_pdf != stripped:
        was_link = True
    cleaned = re.sub(r"\s{2,}", " ", glued_pdf)
    return (cleaned.strip(" ,") if was_link else cleaned), was_link


_MD_LINK_RE = re.compile(r"\[([^\]]+)\]\([^()\s]+\)")
_MD_EMPHASIS_RE = re.compile(r"\*\*|__")


def inline_markdown(line: str) -> str:
    """Plain text of a line: no emphasis markers, link text without its URL."""
    line = _MD_LINK_RE.sub(r"\1", line)
    return _MD_EMPHASIS_RE.sub("", line)


def leading_name(sentence: str, max_words: int = 5) -> str:
    """A proper-name phrase that opens ``sentence``, or "".

    "Kompetensarena Stockholm är ett …" gives "Kompetensarena Stockholm";
    "Jämställd tillväxt Stockholm fokuserar på" gives "Jämställd tillväxt
    Stockholm". The phrase has at least two words, starts and ends with a
    capitalised word, has no function word inside, and is followed by a
    lowercase word (its verb).
    """
    words = sentence.split()
    stops = stop_words()
    best = ""
    for end in range(2, min(max_words, len(words) - 1) + 1):
        phrase, following = words[:end], words[end]
        if not all(_NAME_WORD_RE.match(word) or word.isalpha() for word in phrase):
            break
        if any(word.lower() in stops for word in phrase):
            break
        if _NAME_WORD_RE.match(phrase[-1]) and following[:1].islower():
            best = " ".join(phrase)
    return best


_DEFINITION_VERBS = ("är", "var", "blir", "heter")


def defined_name(sentence: str) -> str:
    """The name that a defining sentence ("X är ett projekt som …") introduces, or ""."""
    name = leading_name(sentence)
    if not name:
        return ""
    rest = sentence[len(name) :].split()
    if len(rest) >= 2 and rest[0] in _DEFINITION_VERBS and rest[1] in ("en", "ett"):
        return name
    return ""
