"""How the answer step uses the reader, chosen on the fit pairs: its weight, its no-answer threshold, what it reads.

Works on the rows of :mod:`evaluation.reader_pairs` with the reader's
log-odds added (``reader``), grouped by question, and replays the answer step
(:func:`search_app.answer.sentences.best_span`) on them: no answer where the
confidence model's probability for the chooser's first span (each row's
``gate``) is below the gate of answer_model.json; else the reader reads
:func:`read`, its log-odds join the chooser's score, and below the threshold its
pick is no answer. :func:`fit_use` chooses the three on the fit questions
(training questions the reader did not learn from); :func:`use_report` scores
them on those and on the held-out questions. Numpy only: no PyTorch.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

#: The chooser's first spans the reader may read when serving (each a run of the reader: ~5 ms on one core).
READ_CANDIDATES = 4
#: Of those, only the spans whose chooser score is within a margin of the first's are read, and none when the
#: first stands alone (the chooser's choice then stands): the widest margin of READ_MARGINS whose fit
#: questions read at most READ_BUDGET spans on average (/api/ask's budget is 30 ms p50: 2.0 on the fit
#: questions read 2.5 a question on the bench's, 34 ms p50, docs/quality-studies.md).
READ_MARGINS = (0.5, 1.0, 1.5, 2.0, 3.0, 5.0, math.inf)
READ_BUDGET = 1.5
#: How much the reader's log-odds may add to the chooser's score.
READER_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 1000.0)
#: The reader's no-answer threshold: the one declining most unanswerable fit questions while costing at most
#: MAX_ANSWER_LOSS of the fit answers that hold the gold.
THRESHOLDS = tuple(round(0.02 * step, 2) for step in range(1, 45))
MAX_ANSWER_LOSS = 0.03
#: The confidence model's gate (make train-answers): below it there is no answer, unread.
ANSWER_MODEL = Path(__file__).resolve().parent.parent / "search_app" / "answer" / "answer_model.json"

Groups = dict[str, list[dict]]


@dataclass(frozen=True)
class ReaderUse:
    """The reader's weight beside the chooser, its no-answer threshold (0: none), the margin of what it reads,
    and the confidence model's gate it was fitted behind."""

    weight: float
    threshold: float = 0.0
    margin: float = math.inf
    gate: float = 0.0


def read(rows: list[dict], margin: float) -> list[dict]:
    """The spans of one question the reader reads: the chooser's first READ_CANDIDATES within ``margin`` of
    its first span's score and not lacking the kind of fact asked for where the first holds it; none when
    the first stands alone (as :func:`search_app.answer.sentences.reader_choice` reads them)."""
    first = min(rows, key=lambda r: r["chooser_rank"])
    within = [row for row in rows if row["chooser_rank"] < READ_CANDIDATES
              and row["chooser"] >= first["chooser"] - margin and row["missing_fact"] <= first["missing_fact"]]
    return within if len(within) > 1 else []


def scored(groups: Groups, use: ReaderUse) -> dict[str, float]:
    """The answer holds the gold (answerable questions), unanswerable questions declined, and the spans read a
    question, when the answer step uses the reader as ``use`` says."""
    answered: dict[str, tuple[dict, bool]] = {}
    spans_read = 0
    for key, rows in groups.items():
        first = min(rows, key=lambda r: r["chooser_rank"])
        if first["gate"] < use.gate:
            answered[key] = (first, False)
            continue
        reading = read(rows, use.margin)
        spans_read += len(reading)
        if not reading:
            answered[key] = (first, True)
            continue
        best = max(reading, key=lambda r: r["chooser"] + use.weight * r["reader"])
        answered[key] = (best, 1 / (1 + math.exp(-best["reader"])) >= use.threshold)
    answerable = [key for key in groups if groups[key][0]["answerable"]]
    unanswerable = [key for key in groups if not groups[key][0]["answerable"]]
    count = max(1, len(answerable))
    result = {"answerable": len(answerable),
              "answer holds the gold": sum(answered[k][0]["label"] and answered[k][1] for k in answerable) / count,
              "chosen span holds the gold": sum(answered[k][0]["label"] for k in answerable) / count,
              "spans read": spans_read / max(1, len(groups))}
    if unanswerable:
        result["unanswerable declined"] = sum(not answered[k][1] for k in unanswerable) / len(unanswerable)
    return result


def fit_use(fit: Groups, answer_model: Path = ANSWER_MODEL) -> ReaderUse:
    """The weight, then the threshold, then the read margin, each chosen on the ``fit`` questions."""
    gate = float(json.loads(answer_model.read_text(encoding="utf-8"))["gate"])

    def holds(use: ReaderUse) -> float:
        return scored(fit, use)["answer holds the gold"]

    weight = max(READER_WEIGHTS, key=lambda w: (holds(ReaderUse(w, gate=gate)), -w))
    answering_all = holds(ReaderUse(weight, gate=gate))
    allowed = [ReaderUse(weight, t, gate=gate) for t in THRESHOLDS
               if holds(ReaderUse(weight, t, gate=gate)) >= answering_all - MAX_ANSWER_LOSS]
    threshold = max(allowed, key=lambda u: (scored(fit, u)["unanswerable declined"], holds(u))).threshold \
        if allowed else 0.0
    margin = max(m for m in READ_MARGINS
                 if scored(fit, ReaderUse(weight, threshold, m, gate))["spans read"] <= READ_BUDGET)
    return ReaderUse(weight, threshold, margin, gate)


def use_report(use: ReaderUse, fit: Groups, held: Groups) -> dict[str, dict]:
    """The fit and each held-out set scored with the chooser alone, and with the reader step by step."""
    report: dict[str, dict] = {}
    for name in ("fit", *sorted({rows[0]["set"] for rows in held.values()})):
        chosen = fit if name == "fit" else {k: v for k, v in held.items() if v[0]["set"] == name}
        report[f"{name}, chooser alone (gate {use.gate})"] = scored(chosen, ReaderUse(0.0, gate=use.gate))
        report[f"{name}, reader weight {use.weight}"] = scored(chosen, ReaderUse(use.weight, gate=use.gate))
        report[f"{name}, reader weight {use.weight}, threshold {use.threshold}"] = scored(
            chosen, ReaderUse(use.weight, use.threshold, gate=use.gate))
        report[f"{name}, reader weight {use.weight}, threshold {use.threshold}, read margin {use.margin}"] = \
            scored(chosen, use)
    return report
