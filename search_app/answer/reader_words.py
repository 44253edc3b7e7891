"""How the answer reader reads a pair word by word, and the run of words its span head marks.

Shared by the served reader (:mod:`search_app.answer.reader`) and its training
(:mod:`evaluation.train_fact_span`, which runs without the rest of the app), so
both lay a pair out and decode the head's logits the same way. Needs numpy only.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def pair_layout(asked: list[int], passage: str, word_ids: Callable[[str], list[int]], bos: int, eos: int,
                limit: int) -> tuple[list[int], list[int], list[int]]:
    """``<s> query: question </s></s> passage: passage </s>``'s ids (``asked``: the question's ids with its
    prefix; ``word_ids``: one word's ids), at most ``limit`` of them, tokenized word by word (the same ids as the
    whole text: e5's pieces never cross a space), with each word's first and last token (the words that fit)."""
    ids = [bos, *asked, eos, eos, *word_ids("passage:")]
    first: list[int] = []
    last: list[int] = []
    for word in passage.split():
        pieces = word_ids(word)
        if len(ids) + len(pieces) > limit - 1:
            break
        first.append(len(ids))
        ids.extend(pieces)
        last.append(len(ids) - 1)
    ids.append(eos)
    return ids, first, last


def best_run(starts: np.ndarray, ends: np.ndarray, text_from: int, longest: int) -> tuple[int, int] | None:
    """The run of words (first, last) from word ``text_from`` on, at most ``longest`` long, whose first word's
    start logit plus last word's end logit is highest; None when no word from ``text_from`` on is scored."""
    best: tuple[float, int, int] | None = None
    for first in range(text_from, len(starts)):
        stop = min(len(ends), first + longest)
        last = first + int(np.argmax(ends[first:stop]))
        score = float(starts[first] + ends[last])
        if best is None or score > best[0]:
            best = (score, first, last)
    return None if best is None else (best[1], best[2])
