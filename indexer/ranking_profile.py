"""The ranking profile: every ranking and answer weight, typed, in one place.

Each stage reads its knobs from ``PROFILE``: the query plan's field weights, both
engines' BM25 and link-list prior, fusion, the answer step and the highlight.
Hand-set values are the defaults below, each with why in a sentence; values a
script fits live in ``ranking_profile.json`` beside this module, written by the
script that fits them (``python -m evaluation.span_study --fit`` writes the
highlight's weights). ``make eval`` prints which profile it measured
(:meth:`RankingProfile.describe`). How each value was chosen is in
docs/quality-studies.md. It lives in ``indexer/`` because the engines read it
too, and they import nothing from query time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import MappingProxyType

#: The fitted values, written by the scripts that fit them.
FITTED_FILE = Path(__file__).with_name("ranking_profile.json")


@dataclass(frozen=True)
class Bm25:
    """BM25's term-frequency saturation ``k1`` and length normalisation ``b``.

    Whoosh takes both; tantivy (0.27) fixes k1 = 1.2 and b = 0.75 inside the library, so its
    engine can only check these (``indexer.engines.tantivy.LIBRARY_BM25``).
    """

    #: Lower than Lucene's 1.2: a section repeating a word is rarely the better answer.
    k1: float = 0.9
    b: float = 0.75


@dataclass(frozen=True)
class FieldWeights:
    """How much a query term counts in each analysed field (``search_app.query.plan``)."""

    body: float = 1.0
    #: A word of the heading says more about the section than one word of its body.
    head: float = 1.5
    folded: float = 0.5
    parts: float = 0.5
    synonym: float = 0.8
    #: One query word's 4-grams taken together (split among its grams).
    grams_word: float = 4.0
    proximity: float = 1.0


@dataclass(frozen=True)
class EngineWeights:
    """What both engines apply to every search (``indexer.engines.base``)."""

    #: Score factor of a section that is only a list of links or labels: such short sections would
    #: otherwise outrank the prose they point to.
    link_list_prior: float = 0.6
    #: A query term more common than this share of sections is dropped from the grams field: it would
    #: cost time and tell the sections apart hardly at all.
    max_gram_df_share: float = 0.2
    phrase_slop: int = 3
    #: Candidates the first stage of a two-stage search passes to the second (more when paging deeper).
    first_stage_candidates: int = 100
    #: A term in more sections than this finds no first-stage candidates (it still scores them) unless the
    #: question has no rarer term: a section with none of the question's rarer words rarely ranks first.
    common_sections: int = 1000


@dataclass(frozen=True)
class FusionWeights:
    """How words and meaning are fused into one ranking (``search_app.query.fusion``, ``vectors``, ``search``)."""

    #: The weight of the semantic side (0: lexical only, 1: semantic only).
    semantic_weight: float = 0.6
    #: Candidates taken from each side before fusing (at least; more when paging deeper).
    pool: int = 50
    #: The encoder's similarity of unrelated text and of a clear match (multilingual-e5-small's range).
    similarity_low: float = 0.80
    similarity_high: float = 0.90
    #: A section that shares no word with the question must be at least this similar to it to be a result
    #: (multilingual-e5-small gives unrelated text about 0.75-0.83; the answering FAQ entry 0.88-0.95).
    min_semantic_only: float = 0.85


@dataclass(frozen=True)
class AnswerWeights:
    """The answer step's hand-set shares and thresholds (``search_app.answer``); the learned chooser's
    parameters are its own file (``search_app/answer/answer_model.json``)."""

    #: The default of the MIN_ANSWER_CONFIDENCE setting: below it no answer is given.
    min_confidence: float = 0.3
    #: The default of the ANSWER_PASSAGES setting: passages returned with an answer.
    passages: int = 5
    #: How many top passages are read sentence by sentence.
    sentence_passages: int = 3
    #: The longest span, in sentences.
    max_answer_sentences: int = 3
    #: Credit for a question word found in the heading only.
    heading_share: float = 0.8
    #: What the confidence of a span without the kind of fact asked for keeps: it may be the best there is,
    #: but it does not answer.
    missing_fact_factor: float = 0.5
    #: A span whose sentences share no word with the question (only its heading does) keeps this share.
    heading_only_factor: float = 0.5
    #: A span found by meaning alone is at most this confident.
    meaning_weight: float = 0.5
    #: A sentence sharing no word with the question and holding no fact asked for is a candidate only
    #: from this meaning share.
    meaning_useful: float = 0.5
    #: The margin feature of a question with one candidate (no runner-up).
    margin_cap: float = 5.0
    #: Characters an answer card holds without feeling long; each ``length_step_chars`` more is one unit of
    #: the chooser's "long" feature (the learned model was fitted with these two).
    short_answer_chars: int = 250
    length_step_chars: int = 100
    #: A line of fewer words than this, without sentence punctuation, is a link or a label, not prose.
    link_line_words: int = 12
    #: At most this many earlier sentences are shown for a span that points back (one may point back again).
    max_context_sentences: int = 2
    #: Weight of a follow-up's borrowed words, as a share of their own.
    context_share: float = 0.3
    #: The share of the question's other words a contact must carry to be the answer.
    contact_coverage: float = 0.6
    #: At most this much of a contact section's own text (a switchboard, a mailbox) is quoted.
    contact_quote_chars: int = 250
    #: Share of a term found without diacritics ("overkalix" for "överkalix").
    folded_share: float = 0.9
    #: Share of a term that ends a longer found word: the head of a compound ("kommun" in "pilotkommun").
    compound_head_share: float = 0.7
    #: A compound head is at least this long, and the compound this much longer.
    compound_head_min_chars: int = 4
    compound_extra_chars: int = 2
    #: Share of a term found with another ending ("pilotkomun", "kompetensarenan").
    near_share: float = 0.7
    #: Near terms share at least this many first letters, and all but their last ``near_end_chars``.
    near_min_prefix: int = 5
    near_end_chars: int = 2
    #: A word of the answer counts as the question's when it carries a question term at least this loosely.
    asked_share: float = 0.7
    #: Words this common (Zipf frequency) say little on their own ("också", "ofta", "även").
    common_zipf: float = 5.0
    #: A fact of the asked kind counts in a sentence holding at least this share of the best sentence's
    #: question words (1: in the best sentences only).
    fact_sentence_share: float = 1.0


@dataclass(frozen=True)
class CrossLingualWeights:
    """How a question in another language than Swedish is searched and answered from the Swedish pages by meaning
    (``search_app.query.language``, ``search_app.answer.crosslingual``). multilingual-e5-small places such a
    question nearer its Swedish passage than other passages, but lower than a Swedish question would be
    (an English question and its answering section about 0.84-0.88)."""

    #: The weight of the semantic side: the question's words are rarely the page's (names and numbers are).
    semantic_weight: float = 0.85
    #: A section that shares no word with the question must be at least this similar to be a result: any of the
    #: pool's nearest sections is, since the question's words are rarely the page's (and an Arabic question's
    #: best match is often below 0.82, under the Swedish question's unrelated text).
    min_semantic_only: float = -1.0
    #: What a section written in the question's own language loses of its similarity (the encoder puts text in
    #: the question's language nearer to it than the Swedish text that says the same: English speeches on
    #: regeringen.se came first for English questions about Swedish pages). Chosen on the even half of the
    #: cross-lingual dev set's pages (English hit@1 0.42 → 0.54; the odd half, not tuned on: 0.65 → 0.70).
    same_language_discount: float = 0.04
    #: The similarity of unrelated text and of a clear match, across languages.
    similarity_low: float = 0.78
    similarity_high: float = 0.88
    #: How many top passages are read unit by unit for the answer.
    passages: int = 3
    #: The answer's confidence is its unit's lead over the crowd: its similarity less the mean similarity of the
    #: question's ``crowd`` nearest sections (each language has its own level: an Arabic question's best match
    #: is often below 0.82, a Polish one's above 0.85). A lead of ``lead_low`` is confidence 0, ``lead_high`` 1.
    crowd: int = 50
    lead_low: float = 0.01
    lead_high: float = 0.04
    #: Credit for a unit that holds the kind of fact the question asks for (a date for "when"), in confidence.
    fact_bonus: float = 0.15
    #: What each lower rank of its passage costs a unit, in confidence.
    rank_step: float = 0.05
    #: Below this confidence there is no answer (a lead of 0.025: the dev set's no-answer questions led by at most
    #: 0.025, its answered ones by 0.04 on average).
    min_confidence: float = 0.5


@dataclass(frozen=True)
class RankingProfile:
    """Every ranking and answer weight: hand-set defaults, and the fitted ones read from ``FITTED_FILE``."""

    name: str = "default"
    bm25: Bm25 = field(default_factory=Bm25)
    fields: FieldWeights = field(default_factory=FieldWeights)
    engine: EngineWeights = field(default_factory=EngineWeights)
    fusion: FusionWeights = field(default_factory=FusionWeights)
    answer: AnswerWeights = field(default_factory=AnswerWeights)
    crosslingual: CrossLingualWeights = field(default_factory=CrossLingualWeights)
    #: Weight of each feature of a highlight candidate (``search_app.answer.fact.candidates.FEATURES``), fitted.
    highlight: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    def to_dict(self) -> dict:
        """Every value, as plain JSON types."""
        stages = {name: asdict(getattr(self, name)) for name in ("bm25", "fields", "engine", "fusion", "answer",
                                                                       "crosslingual")}
        return {"name": self.name, **stages, "highlight": dict(self.highlight)}

    def digest(self) -> str:
        """A short digest of every value: two profiles with one digest rank alike."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:12]

    def describe(self) -> str:
        """The profile's name and digest, as ``make eval`` prints which profile it measured."""
        return f"{self.name} ({self.digest()}, fitted values: {FITTED_FILE.name})"


def load_profile(path: Path = FITTED_FILE) -> RankingProfile:
    """The profile: the defaults above with the fitted values of ``path``."""
    fitted = json.loads(path.read_text(encoding="utf-8"))
    highlight = {str(name): float(value) for name, value in fitted["highlight"].items()}
    return RankingProfile(name=str(fitted.get("name", "default")), highlight=MappingProxyType(highlight))


def save_fitted(highlight: Mapping[str, float], fitted_by: str, path: Path = FITTED_FILE) -> None:
    """Write fitted values to ``path`` (the highlight's weights, rounded as fitted), saying which script fit them."""
    body = {"name": "default", "fitted_by": fitted_by,
            "highlight": {name: round(float(value), 4) for name, value in highlight.items()}}
    path.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


#: The profile every stage reads.
PROFILE = load_profile()
