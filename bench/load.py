"""Load test: concurrent clients asking questions over HTTP, with an index rebuild in the middle.

    python bench/load.py --url http://127.0.0.1:8000 --seconds 60 --concurrency 32 \
        --rebuild "sok index --corpus corpus --index var/index"

Traffic goes only to the given loopback URL; the run stops by itself after
``--seconds`` (or ``--max-requests``). Prints p50/p95/p99 latency, requests per
second and failures (a connection error or a 5xx); exits 1 if any request failed.
"""

from __future__ import annotations

import argparse
import json
import random
import shlex
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FALLBACK_QUESTIONS = ["vilka kommuner var pilotkommuner?", "pilotkommuner", "jämställdhet", "när pågick satsningen",
                      "vem är kontaktperson för Kompetensarena Stockholm", "hur ansöker jag om bygglov"]


def load_questions() -> list[str]:
    """The seed questions, plus SweQUAD-MC's when the shared data sets are there."""
    questions = list(FALLBACK_QUESTIONS)
    seeds = ROOT / "tests" / "data" / "seed_questions.jsonl"
    if seeds.exists():
        questions += [json.loads(line)["question"] for line in seeds.read_text(encoding="utf-8").splitlines() if line]
    swequad = ROOT.parent / "shared" / "data" / "swequad-mc" / "swequad_mc_questions.jsonl"
    if swequad.exists():
        questions += [json.loads(line)["question"] for line in swequad.read_text(encoding="utf-8").splitlines()]
    return questions


def request_url(base: str, question: str, rng: random.Random, endpoint: str = "") -> str:
    """The URL asking ``question`` of ``endpoint`` (default: a random API; /api/suggest gets its first letters)."""
    endpoint = endpoint or rng.choice(["/api/ask", "/api/search", "/api/search", "/api/suggest"])
    query = question if endpoint != "/api/suggest" else question[: rng.randint(2, 8)]
    return f"{base}{endpoint}?{urllib.parse.urlencode({'q': query})}"


def main(argv: list[str] | None = None) -> int:
    """Run the load test and print its report; 1 when a request or the rebuild failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="base URL of a Sök on loopback")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    parser.add_argument("--rebuild", default="", help="command that rebuilds the index, run halfway")
    parser.add_argument("--questions", type=Path, help="file with one question per line (default: seeds, SweQUAD)")
    parser.add_argument("--endpoint", default="", help="only this path, e.g. /api/ask (default: a mix)")
    parser.add_argument("--unique", action="store_true",
                        help="ask each question once, in order (a cold cache); stop when they run out")
    args = parser.parse_args(argv)
    host = urllib.parse.urlparse(args.url).hostname or ""
    if not (host.startswith("127.") or host in ("localhost", "::1")):
        parser.error("the load test only targets loopback addresses")

    if args.questions:
        questions = [line.strip() for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    else:
        questions = load_questions()
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + args.seconds
    counter = iter(range(args.max_requests))
    in_order = iter(questions)

    def next_question(rng: random.Random) -> str | None:
        if not args.unique:
            return rng.choice(questions)
        with lock:
            return next(in_order, None)

    def client(seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311 (a reproducible question order, not a secret)
        while time.monotonic() < deadline and next(counter, None) is not None:
            question = next_question(rng)
            if question is None:
                return
            url = request_url(args.url, question, rng, args.endpoint)
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (--url, the server measured)
                    response.read()
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError as error:
                with lock:
                    failures.append(f"{url}: {error}")
                continue
            with lock:
                latencies.append(time.perf_counter() - started)
                if status >= 500:
                    failures.append(f"{url}: HTTP {status}")

    rebuild_result: list[int] = []

    def rebuild() -> None:
        time.sleep(args.seconds / 2)
        completed = subprocess.run(shlex.split(args.rebuild), capture_output=True, text=True)  # noqa: S603 (the operator's --rebuild)
        rebuild_result.append(completed.returncode)

    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(args.concurrency)]
    if args.rebuild:
        threads.append(threading.Thread(target=rebuild))
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started

    report(latencies, failures, elapsed, rebuild_result)
    return 1 if failures or (args.rebuild and rebuild_result != [0]) else 0


def report(latencies: list[float], failures: list[str], elapsed: float, rebuild_result: list[int]) -> None:
    """Print the request count, throughput, latency quantiles, the rebuild's exit code and the first ten failures."""
    ordered = sorted(latencies) or [0.0]
    quantiles = statistics.quantiles(ordered, n=100) if len(ordered) > 1 else [ordered[0]] * 99
    print(f"requests {len(latencies) + len(failures)}, failed {len(failures)}, "
          f"{len(latencies) / max(elapsed, 1e-9):.1f} requests/s over {elapsed:.1f} s")
    print(f"latency p50 {1000 * quantiles[49]:.1f} ms, p95 {1000 * quantiles[94]:.1f} ms, "
          f"p99 {1000 * quantiles[98]:.1f} ms")
    if rebuild_result:
        print(f"rebuild during the run: exit code {rebuild_result[0]}")
    for failure in failures[:10]:
        print("FAILED", failure)


if __name__ == "__main__":
    sys.exit(main())
