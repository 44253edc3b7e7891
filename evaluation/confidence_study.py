"""How often an answer holds the gold answer at each confidence: what the answer card's wording rests on.

For SweQUAD-MC (training, then dev) every answered question is counted in the
confidence steps of ``search_app.web.answer_card.CONFIDENCE_WORDING``: the share
whose answer text contains the gold answer, and the share from the gold page. Each
question is asked twice: as written, and as a keyword search of its two longest
words that are not stop words (what people type into a search box), so that the
wording of each shape (``answer_card.SUREST_STEP``) can be checked against how
often it is right.

    python -m evaluation.confidence_study [--training N]

``--training N`` asks only the first N training questions (the whole split takes long on a shared machine);
``--lexical`` answers from a snapshot without vectors, which builds in seconds where embedding the passages
takes most of an hour on a busy machine.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from evaluation.datasets import swequad_mc
from evaluation.metrics import contains_answer
from evaluation.run import ROOT, indexes
from indexer.build import SemanticOptions, build_snapshot
from indexer.corpus.model import Document
from indexer.language.analysis import stop_words, words
from indexer.snapshot.reader import current_snapshot
from search_app.answer.ask import ask
from search_app.query.snapshot import OpenSnapshot, open_snapshot
from search_app.web.answer_card import CONFIDENCE_WORDING, KEYWORD_WORDS


def keywords(question: str) -> str:
    """The question's longest words that are not stop words, in their order: a keyword search of it."""
    stops = stop_words()
    content = [word for word in words(question) if word not in stops]
    longest = set(sorted(content, key=len, reverse=True)[:KEYWORD_WORDS])
    return " ".join(word for word in content if word in longest)


def lexical_snapshot(documents: list[Document], folder: Path) -> OpenSnapshot:
    """A snapshot of ``documents`` without vectors, built in ``folder``."""
    build_snapshot(folder, documents, language_dir=ROOT / "corpus", semantic=SemanticOptions(enabled=False))
    return open_snapshot(current_snapshot(folder)).warm()


def main() -> int:
    """Print, per split, shape and confidence step, how many answers there were and how often they were right."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--training", type=int, default=0, help="ask only the first N training questions")
    parser.add_argument("--lexical", action="store_true", help="answer from a snapshot without vectors")
    options = parser.parse_args()
    steps = [lowest for lowest, _ in CONFIDENCE_WORDING]
    for split in ("dev", "training"):
        dataset = swequad_mc(split)
        questions = dataset.questions[:options.training] if split == "training" and options.training else \
            dataset.questions
        if options.lexical:
            snap = lexical_snapshot(dataset.documents, Path(tempfile.mkdtemp(prefix="sok-confidence-")))
        else:
            snap, baseline = indexes(dataset.documents)
            baseline.close()
        for shape in ("question", "keywords"):
            counted: dict[float, list[tuple[bool, bool]]] = {lowest: [] for lowest in steps}
            asked = 0
            for question in questions:
                if not question.answer_text:
                    continue
                asked += 1
                text = question.question if shape == "question" else keywords(question.question)
                answer = ask(snap, text).answer if text else None
                if answer is None:
                    continue
                step = next(lowest for lowest in steps if answer.confidence >= lowest)
                counted[step].append((contains_answer(answer.text, question.answer_text),
                                      answer.url.split("#", 1)[0] in question.expect_urls))
            for lowest, wording in CONFIDENCE_WORDING:
                rows = counted[lowest]
                if rows:
                    print(f"SweQUAD-MC {split}, {shape} ({asked} asked), confidence from {lowest}: {len(rows)} "
                          f"answers, {sum(c for c, _ in rows) / len(rows):.0%} contain the gold answer, "
                          f"{sum(p for _, p in rows) / len(rows):.0%} from the gold page ({wording})", flush=True)
        snap.engine.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
