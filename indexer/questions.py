"""What kind of answer a Swedish question asks for, and what a sentence offers.

Question types: ``person`` (vem), ``time`` (när, vilket år, hur länge),
``number`` (hur många, hur mycket), ``list`` (vilka), ``contact`` (who to
contact about something), else ``other``.
"""

from __future__ import annotations

import re

from indexer.analysis import words

_NUMBER_WORDS = {
    "en", "ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva", "tolv",
    "tretton", "fjorton", "femton", "tjugo", "trettio", "fyrtio", "femtio", "hundra", "tusen",
    "miljon", "miljoner", "miljard", "miljarder", "dussin",
}
_MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
    "oktober", "november", "december",
)
_CONTACT_WORDS = re.compile(r"kontakt|ansvarig|projektledare|handläggare|samordnare|ringa|mejla|e-post")
_YEAR_RE = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_PERSON_RE = re.compile(r"\b[A-ZÅÄÖ][a-zåäöé]+ [A-ZÅÄÖ][a-zåäöé]+(?:,| är| som)")


def question_type(question: str) -> str:
    """The kind of answer ``question`` asks for."""
    tokens = words(question)
    text = " ".join(tokens)
    if ("vem" in tokens or "vilka" in tokens or "vilken" in tokens) and _CONTACT_WORDS.search(text):
        return "contact"
    if text.startswith(("vem ", "vilka personer")) or " vem " in f" {text} ":
        return "person"
    if re.search(r"\b(när|hur länge|vilket år|vilka år|vilken tid|hur lång tid|sedan när|till när)\b", text):
        return "time"
    if re.search(r"\b(hur många|hur mycket|vilket antal|hur stor)\b", text):
        return "number"
    if tokens[:1] == ["vilka"] or " vilka " in f" {text} ":
        return "list"
    return "other"


def offers(sentence: str, kind: str) -> bool:
    """Whether ``sentence`` has the kind of fact that a question of ``kind`` asks for."""
    lowered = sentence.lower()
    if kind == "time":
        return bool(_YEAR_RE.search(sentence)) or any(month in lowered for month in _MONTHS)
    if kind == "number":
        return bool(re.search(r"\d", sentence)) or bool(set(words(sentence)) & _NUMBER_WORDS - {"en", "ett"})
    if kind in ("person", "contact"):
        return bool(_PERSON_RE.search(sentence))
    if kind == "list":
        return "\n• " in sentence or sentence.count(",") >= 2
    return False
