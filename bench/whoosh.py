"""The Whoosh engine at the 44k pages: today's single-stage query and the two-stage query side by side.

Both queries run in the same process on the same snapshot, question by question
(each question new to both), so that the machine's noise falls on both alike.
Over HTTP, `sok serve` with 2 workers answers /api/ask for one client and under
32 clients, once with each query (``SOK_WHOOSH_QUERY=single`` selects the old one).

    python -m bench.run --whoosh-only      # this part only; replaces its section of docs/benchmarks.md
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

#: The heading of this part's section in docs/benchmarks.md.
HEADING = "\n## Whoosh at the 44k pages: single-stage and two-stage query"
QUERIES = {"single": False, "two-stage": True}


def side_by_side(index: Path, asked: list[str], ask_questions: list[str], warm_up: list[str],
                 quantiles_ms: Callable[[list[float]], tuple[float, float, float]]) -> dict:
    """In-process latency of search and ask with each query, and how often the two agree on the best hit.

    Search measures ``asked`` and ask measures ``ask_questions`` (another question, so that
    the ask does not find the search's posting lists cached). The two-stage query sees each
    question first, new to the process; the single-stage query sees it second, its word
    memos already filled (which can only flatter the old query).
    """
    from indexer.snapshot.reader import current_snapshot
    from search_app.answer.ask import ask
    from search_app.query.search import search
    from search_app.query.snapshot import open_snapshot

    snap = open_snapshot(current_snapshot(index)).warm()
    engine = snap.engine
    for question in warm_up:
        ask(snap, question)
    timings: dict[str, list[float]] = {f"{name} {query}": [] for name in ("search", "ask") for query in QUERIES}
    same_best = same_ten = 0.0
    for question, other in zip(asked, ask_questions, strict=True):
        found = {}
        for query, two_stage in sorted(QUERIES.items(), key=lambda item: not item[1]):  # two-stage first
            engine.two_stage = two_stage  # type: ignore[attr-defined]  # a Whoosh snapshot
            started = time.perf_counter()
            page = search(snap, question, limit=10)
            timings[f"search {query}"].append(time.perf_counter() - started)
            found[query] = [passage.id for passage in page.passages]
            started = time.perf_counter()
            ask(snap, other)
            timings[f"ask {query}"].append(time.perf_counter() - started)
        old, new = found["single"], found["two-stage"]
        same_best += old[:1] == new[:1]
        same_ten += len(set(old) & set(new)) / max(len(old), 1)
    engine.close()
    result: dict = {name: quantiles_ms(samples) for name, samples in timings.items()}
    result["same_best"] = same_best / max(len(asked), 1)
    result["same_ten"] = same_ten / max(len(asked), 1)
    result["questions"] = len(asked)
    return result


def render(built: dict, local: dict, served: dict, fmt: Callable[[tuple[float, ...]], str],
           old_writer: dict | None = None) -> list[str]:
    """The Markdown section of this part (``served``: per query, one-client latency and the load line;
    ``old_writer``: the same build with Whoosh's own writer, when measured)."""
    lines = [HEADING.strip(), ""]
    for label, row in (("Build with Whoosh's own writer (before)", old_writer), ("Build", built)):
        if row:
            lines += [
                f"{label}: {row['seconds']:.0f} s wall ({row.get('cpu_s', 0):.0f} s CPU), {row['sections']} sections,"
                f" {row['size_mb']:.0f} MB, peak {row['peak_mb']:.0f} MB; phases: "
                + ", ".join(f"{k} {v} s" for k, v in row["phases"].items()) + ".",
                "",
            ]
    lines += [
        f"In-process, {local['questions']} questions searched and {local['questions']} others asked, each new to the"
        " two-stage query (which runs first on each; the single-stage query second):",
        "",
        "| measure | single-stage (before) | two-stage |",
        "|---|---|---|",
    ]
    for name in ("search", "ask"):
        lines.append(f"| {name} p50 / p95 / p99 | {fmt(local[f'{name} single'])} | {fmt(local[f'{name} two-stage'])} |")
    agreement = f"{100 * local['same_best']:.0f} % / {100 * local['same_ten']:.0f} %"
    lines.append(f"| same best hit / top-10 overlap as single-stage | | {agreement} |")
    if served:
        lines.append("| `/api/ask` over HTTP, 2 workers, one client, cold p50 / p95 / p99 | "
                     + " | ".join(fmt(served[query]["one"]) for query in QUERIES) + " |")
        lines.append("| `/api/ask` load, 2 workers, 32 clients, cold | "
                     + " | ".join(served[query]["load"] for query in QUERIES) + " |")
    return lines
