"""What ``make bench`` measures with: the question pool, the corpora as JSON Lines files, and how times are written."""

from __future__ import annotations

import json
import statistics
import sys
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
WORK = ROOT / "var" / "bench"
REPORT = ROOT / "docs" / "benchmarks.md"
SOK = str(Path(sys.executable).parent / "sok")


def quantiles_ms(samples: list[float]) -> tuple[float, float, float]:
    """(p50, p95, p99) of durations in seconds, as milliseconds."""
    cuts = statistics.quantiles(samples, n=100) if len(samples) > 1 else [samples[0]] * 99
    return 1000 * cuts[49], 1000 * cuts[94], 1000 * cuts[98]


def fmt(values: tuple[float, ...], digits: int = 1) -> str:
    """Milliseconds as text: ``"12.3 / 45.6 / 78.9 ms"``."""
    return " / ".join(f"{v:.{digits}f}" for v in values) + " ms"


def _jsonl(path: Path, field: str) -> list[str]:
    return [json.loads(line)[field] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def question_pool() -> list[str]:
    """Every distinct question of the Swedish sets, SweQUAD-MC and SweFAQ first, interleaved."""
    quad = _jsonl(SHARED / "swequad-mc" / "swequad_mc_questions.jsonl", "question")
    faq = _jsonl(SHARED / "swefaq" / "swefaq_dev.jsonl", "question")
    mixed = [q for pair in zip(quad, faq + quad[len(faq):], strict=False) for q in pair]
    more = _jsonl(SHARED / "swedish-construction-faq" / "faq_sv.jsonl", "q")
    squad = json.loads((SHARED / "squad-v2-sv" / "squad_dev_v2_sv.json").read_text(encoding="utf-8"))
    more += [qa["question"] for article in squad["data"] for paragraph in article["paragraphs"]
             for qa in paragraph["qas"]]
    return [q for q in dict.fromkeys(q.strip() for q in mixed + more) if q]


def fresh_questions(pool: list[str], questions: int, count: int) -> list[str]:
    """``count`` questions of ``pool`` neither searched nor used to warm up (its first ``questions`` + 300)."""
    return pool[questions + 300 : questions + 300 + count]


def corpus_file(pages: int) -> Path:
    """The first ``pages`` regeringen.se pages (all of them by default) in one JSON Lines file."""
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"regeringen-{pages}.jsonl"
    if not path.exists():
        with path.open("w", encoding="utf-8") as out:
            written = 0
            for part in sorted((SHARED / "regeringen-se-pages").glob("regeringen_part*.jsonl")):
                for line in part.open(encoding="utf-8"):
                    if written >= pages:
                        break
                    out.write(line)
                    written += 1
    return path


def sfs_file() -> Path:
    """The SFS statutes as corpus records (url from the statute's designation, publisher Regeringskansliet)."""
    path = WORK / "sfs.jsonl"
    if not path.exists():
        with path.open("w", encoding="utf-8") as out:
            for part in sorted((SHARED / "sfs-statutes").glob("sfs_part*.jsonl")):
                for line in part.open(encoding="utf-8"):
                    row = json.loads(line)
                    record = {"url": "https://rkrattsbaser.gov.se/sfst?bet=" + urllib.parse.quote(row["id"]),
                              "title": row["title"], "text": row["text"], "publisher": "Regeringskansliet",
                              "published": row.get("utfardad_datum") or ""}
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
