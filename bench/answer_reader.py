"""What the answer reader costs: /api/ask over HTTP with the reader on and off, question by question in one run.

The semantic bench's corpus (at least 10,000 sections, with vectors) is served
twice by this code, `sok serve --workers 2` each: once as shipped and once with
``SOK_ANSWER_READER=0`` (the chooser and its gate alone). Both warm up on the
same questions; then one client asks every measured question of both, in turn
(who goes first alternates), each question new to both (a cold cache).

    python -m bench.run --answer-reader  # this part only
"""

from __future__ import annotations

import os
import platform
import time
from datetime import date

from bench import semantic
from bench.inputs import SOK, WORK, fmt, quantiles_ms
from bench.served import Server, free_port, interleaved

#: The heading of this part's section in docs/benchmarks.md.
HEADING = "\n## The answer reader's cost: /api/ask over HTTP, reader on and off, interleaved"
WARM_UP = 200


def section(pool: list[str], measured: int = 300) -> list[str]:
    """This part's section of docs/benchmarks.md."""
    from evaluation.run import CODE_COMMIT

    corpus = semantic.semantic_corpus_file(WORK)
    index = WORK / "index-semantic"
    built = semantic.build_semantic(SOK, corpus, index, WORK)
    servers = {"reader on": Server(index, 2, free_port()),
               "reader off": Server(index, 2, free_port(), {"SOK_ANSWER_READER": "0"})}
    samples = interleaved(servers, pool, WARM_UP, measured)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    on, off = quantiles_ms(samples["reader on"]), quantiles_ms(samples["reader off"])
    return [
        HEADING.strip(),
        "",
        f"Measured {date.today().isoformat()} at commit {CODE_COMMIT} on {platform.machine()}, {os.cpu_count()} cores"
        f" by `python -m bench.run --answer-reader`: the semantic bench's {built['sections']} sections with"
        f" vectors, `sok serve --workers 2` twice (as shipped, and with `SOK_ANSWER_READER=0`), one client asking"
        f" each of {measured} new questions of both in turn (after {WARM_UP} others; load average {load} at"
        f" {time.strftime('%H:%M')}).",
        "",
        "| /api/ask over HTTP, hybrid, one client, 2 workers, cold | reader off | reader on | difference (p50) |",
        "|---|---|---|---|",
        f"| p50 / p95 / p99 | {fmt(off)} | {fmt(on)} | {on[0] - off[0]:+.1f} ms |",
    ]
