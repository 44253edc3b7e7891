"""How often an answer holds the gold answer at each confidence: what the answer card's wording rests on.

For SweQUAD-MC (training, then dev) every answered question is counted in the
confidence steps of ``search_app.web.answer_card.CONFIDENCE_WORDING``: the share
whose answer text contains the gold answer, and the share from the gold page.

    python -m evaluation.confidence_study
"""

from __future__ import annotations

from evaluation.datasets import swequad_mc
from evaluation.metrics import contains_answer
from evaluation.run import indexes
from search_app.answer.ask import ask
from search_app.web.answer_card import CONFIDENCE_WORDING


def main() -> int:
    """Print, per split and confidence step, how many answers there were and how often they were right."""
    steps = [lowest for lowest, _ in CONFIDENCE_WORDING]
    for split in ("training", "dev"):
        dataset = swequad_mc(split)
        snap, baseline = indexes(dataset.documents)
        baseline.close()
        counted: dict[float, list[tuple[bool, bool]]] = {lowest: [] for lowest in steps}
        for question in dataset.questions:
            answer = ask(snap, question.question).answer if question.answer_text else None
            if answer is None:
                continue
            step = next(lowest for lowest in steps if answer.confidence >= lowest)
            counted[step].append((contains_answer(answer.text, question.answer_text),
                                  answer.url.split("#", 1)[0] in question.expect_urls))
        for lowest, wording in CONFIDENCE_WORDING:
            rows = counted[lowest]
            if rows:
                print(f"SweQUAD-MC {split}, confidence from {lowest}: {len(rows)} answers, "
                      f"{sum(c for c, _ in rows) / len(rows):.0%} contain the gold answer, "
                      f"{sum(p for _, p in rows) / len(rows):.0%} from the gold page ({wording})")
        snap.engine.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
