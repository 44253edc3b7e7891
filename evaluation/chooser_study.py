"""Which chooser: feature sets and models compared on the answer step's training and held-out examples.

Today's features (``CHOOSER_FEATURES``), then with what the passage holds of
the question (``NEW_FEATURES``), each as the conditional logit and as the small MLP
(``evaluation.train_answers``). With ``--sentence-vectors``, also with each
sentence's own vector:

Today a sentence's meaning share is its answer unit's (about 40 words), so two
sentences of one unit look alike to the chooser. Here every candidate
sentence of the training and held-out examples (``evaluation.answer_examples``)
is embedded on its own (e5's ``passage: `` prefix, through the embedding cache
``SOK_EMBEDDING_CACHE``) and each question too (``query: ``), and the chooser
is fitted with and without features of those vectors
(``SENTENCE_FEATURES``): the span's best sentence similarity on the 0–1 scale
of ``similarity_share``, its lead over the question's best candidate
sentence, and whether it holds that best sentence. Held-out: SQuAD-sv's
articles from SQUAD_HELD_OUT_FROM and SweQUAD-MC dev, never fitted on.

    python -m evaluation.chooser_study [--semantic] [--sentence-vectors]

Needs the examples ``make train-answers`` caches (run it first; same flags).
"""

from __future__ import annotations

import argparse
import pickle
import time
from collections.abc import Callable

import numpy as np

from evaluation.answer_examples import Example, cached_examples, lexical_snapshot, squad_split
from evaluation.datasets import swequad_mc
from evaluation.run import CACHE, EMBEDDING_CACHE, indexes
from evaluation.train_answers import choose_gate, conditional_logit, conditional_mlp, fit_confidence, score
from indexer.semantic.cache import EmbeddingCache
from indexer.semantic.encoder import Encoder, load_encoder
from search_app.answer.sentences import CHOOSER_FEATURES, CONFIDENCE_FEATURES, feature_rows
from search_app.query.vectors import encoder_text, similarity_share

SENTENCE_FEATURES = ("sentence_meaning", "sentence_lead", "best_sentence")
BATCH = 64


def sentence_vectors(rows: list[Example], cache: EmbeddingCache,
                     encode: Callable[[list[str]], np.ndarray]) -> dict[str, np.ndarray]:
    """The vector of every sentence of every candidate's passage in ``rows``, from the cache or embedded."""
    texts = list(dict.fromkeys(sentence for example in rows for candidate in example.found
                               for sentence in candidate.sentences))
    known = cache.get_many(texts)
    missing = sorted((text for text in texts if text not in known), key=len)
    print(f"  {len(texts)} sentences, {len(missing)} to embed", flush=True)
    started = time.monotonic()
    for start in range(0, len(missing), BATCH):
        batch = missing[start : start + BATCH]
        vectors = encode(batch)
        cache.put_many(batch, vectors)
        known.update(zip(batch, vectors, strict=True))
        if start // BATCH % 20 == 19:
            print(f"  embedded {start + len(batch)} in {time.monotonic() - started:.0f} s", flush=True)
    return known


def question_vectors(rows: list[Example], encoder: Encoder) -> dict[str, np.ndarray]:
    """Each question's vector as ``SemanticIndex.query_vector`` makes it (kept in var/eval/)."""
    path = CACHE / f"study-questions-{encoder.model_id.replace('/', '_')}.pickle"
    known: dict[str, np.ndarray] = pickle.loads(path.read_bytes()) if path.exists() else {}  # noqa: S301
    known.update({example.question.searched: example.question.vector for example in rows
                  if example.question.vector is not None})
    wanted = {example.question.searched for example in rows} - set(known)
    texts = [(text, encoder_text(text, count=getattr(encoder, "count_query_tokens", None)))
             for text in wanted]
    read = [(text, shown) for text, shown in texts if shown]
    for start in range(0, len(read), BATCH):
        batch = read[start : start + BATCH]
        known.update(zip([text for text, _ in batch], encoder.encode_queries([shown for _, shown in batch]),
                         strict=True))
    path.write_bytes(pickle.dumps(known))
    return known


def add_sentence_features(rows: list[Example], questions: dict[str, np.ndarray],
                          sentences: dict[str, np.ndarray]) -> None:
    """Write SENTENCE_FEATURES into each candidate's features (0 for a question without a vector)."""
    for example in rows:
        vector = questions.get(example.question.searched)
        spans = []
        for candidate in example.found:
            inside = candidate.sentences[candidate.first : candidate.last + 1]
            similarity = max(float(sentences[s] @ vector) for s in inside) if vector is not None else 0.0
            spans.append(similarity)
        top = max(spans, default=0.0)
        for candidate, similarity in zip(example.found, spans, strict=True):
            candidate.features["sentence_meaning"] = similarity_share(similarity) if vector is not None else 0.0
            candidate.features["sentence_lead"] = 10 * (similarity - top) if vector is not None else 0.0
            candidate.features["best_sentence"] = float(vector is not None and similarity >= top)


#: The features the study adds to today's chooser: what the passage holds of the question (the confidence model
#: reads them). Which kinds of fact a span holds beside the asked kind (holds_* and asked_* per kind group) were
#: tried too and removed: docs/quality-studies.md.
NEW_FEATURES = ("passage_lexical", "missing_weight")


def main() -> None:
    """Fit the choosers of each feature set and model, print held-out scores."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--semantic", action="store_true", help="SweQUAD-MC snapshots with vectors")
    parser.add_argument("--sentence-vectors", action="store_true", help="embed every candidate sentence")
    parser.add_argument("--logit-only", action="store_true", help="leave out the MLP")
    args = parser.parse_args()
    documents, squad_train, squad_held = squad_split()
    squad = lexical_snapshot(documents)
    quad_train, quad_dev = swequad_mc("training"), swequad_mc("dev")
    quad = indexes(quad_train.documents)[0] if args.semantic else lexical_snapshot(quad_train.documents)
    train = cached_examples("squad train", squad, squad_train) + cached_examples("quad train", quad,
                                                                                   quad_train.questions)
    held = {"SQuAD-sv held-out articles": cached_examples("squad held", squad, squad_held),
            "SweQUAD-MC dev": cached_examples("quad dev", quad, quad_dev.questions)}
    plans = [("today's features", CHOOSER_FEATURES), ("with passage and kind features", (*CHOOSER_FEATURES,
                                                                                         *NEW_FEATURES))]
    if args.sentence_vectors:
        everything = train + [example for rows in held.values() for example in rows]
        encoder = load_encoder()
        cache = EmbeddingCache(EMBEDDING_CACHE, encoder.model_id, encoder.dim)
        add_sentence_features(everything, question_vectors(everything, encoder),
                              sentence_vectors(everything, cache, encoder.encode_passages))
        plans = plans[:1] if args.logit_only else plans
        plans += [("with sentence vectors", (*CHOOSER_FEATURES, *SENTENCE_FEATURES)),
                  ("with all", (*CHOOSER_FEATURES, *NEW_FEATURES, *SENTENCE_FEATURES))]
    usable = [example for example in train if example.labels.any()]
    for set_name, rows in held.items():
        reachable = sum(example.labels.any() for example in rows if example.answerable)
        print(f"{set_name}: a candidate holds the gold for {reachable} of "
              f"{sum(example.answerable for example in rows)} answerable questions", flush=True)
    choosers = {}
    for name, features in plans:
        for kind, fit in (("logit", conditional_logit), ("mlp", conditional_mlp))[: 1 if args.logit_only else 2]:
            chooser = fit(features, [feature_rows(e.found, features) for e in usable], [e.labels for e in usable])
            choosers[name, kind] = chooser
            shown = []
            for set_name, rows in {"training": train, **held}.items():
                alone = float(score(chooser, chooser, rows)["chooser alone"])  # type: ignore[arg-type]
                shown.append(f"{set_name} {100 * alone:.1f} %")
            print(f"{name}, {kind}: chooser alone " + ", ".join(shown), flush=True)
    extra = ("passage_lexical", "missing_weight", *(SENTENCE_FEATURES if args.sentence_vectors else ()))
    for (name, kind), chooser in choosers.items():
        for reads, names in (("today's", CONFIDENCE_FEATURES), ("with passage features", (*CONFIDENCE_FEATURES,
                                                                                          *extra))):
            confidence = fit_confidence(chooser, train, names)
            gate = choose_gate(chooser, confidence, train)
            shown = []
            for set_name, rows in held.items():
                served, gated = score(chooser, confidence, rows), score(chooser, confidence, rows, gate=gate)
                shown.append(f"{set_name}: served {_brief(served)}; gated {_brief(gated)}")
            print(f"{name}, {kind}, confidence {reads}, gate {gate}: " + " | ".join(shown), flush=True)


def _brief(result: dict) -> str:
    """Answer contains the gold, and unanswerables declined, in per cent."""
    text = f"contains {100 * result['contains gold']:.1f}"
    return text + (f", declined {100 * result['declined']:.1f}" if "declined" in result else "")


if __name__ == "__main__":
    main()
