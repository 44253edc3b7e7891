"""Candidate facts in an answer's text, and what each looks like beside the question.

The answer is read word by word (:mod:`search_app.answer.fact.words`): each
word is the question's own (it carries a question term, or it is a function
word the question also uses) or new. A
candidate is a stretch of new words inside one clause (commas may fall inside
it: lists have them), a quotation, or a fact of the kind the question asks
for (:mod:`indexer.language.facts`: a date or a period, then a condition, for
"när"; an amount or a count for "hur mycket / hur många"; a name or a body,
else a person named by what they do, for "vem"; a list for "vilka"). Words the
question has may stand inside a candidate only if they are function words ("…
för att skapa förändring"). Each candidate is described by named features:
how much of the question its sentence and clause hold, whether it stands
where the question word stands in the question, how long it is, how common
its words are, whether it is the kind of fact asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.language.facts import (
    AGENT_RE,
    AMOUNT_RE,
    BODY_RE,
    BULLETS_RE,
    CONDITION_RE,
    COUNT_RE,
    LIST_RE,
    NAME_RE,
    QUOTE_RE,
    TIME_RE,
    spans,
)
from indexer.language.questions import Slot
from indexer.ranking_profile import PROFILE
from search_app.answer.fact.words import Word, beside, distances, prefix_sums

#: A fact of the asked kind counts in a sentence holding at least this share of the best sentence's question words
#: (1: in the best sentences only; 0.5 did worse on SweQUAD-MC training).
FACT_SENTENCE_SHARE = PROFILE.answer.fact_sentence_share
#: Kinds whose facts (dates, amounts, counts) count in any answering sentence when none stands in the sentences with
#: the most question words ("… inom just tillväxtområdet. Under *2016–2018* pågår ett särskilt uppdrag"); lists and
#: names elsewhere are too often something else (docs/quality-studies.md).
FACT_ANY_SENTENCE_KINDS = ("time", "number", "amount")
#: A match whose first this many words hold question words begins after them.
LEAD_WORDS = 3
#: The longest candidate, in words.
MAX_SPAN_WORDS = 20
#: A candidate longer than this many words counts as long.
LONG_SPAN_WORDS = 8
#: Function words a candidate may open with: "att ställa krav", "i minst fem år", "hos Skatteverket".
OPENERS = frozenset({"att", "i", "hos", "vid", "på", "med", "av", "genom", "från", "till", "under", "om", "för", "den"})
#: Patterns whose matches are whole though they begin with the question's words (a name, a body, a bullet,
#: a quotation, a condition): the others begin after them ("de tio *pilotkommunerna* Flen, …").
_WHOLE = (NAME_RE, BODY_RE, BULLETS_RE, QUOTE_RE, CONDITION_RE)
#: The facts each question kind asks for, in tiers: a later tier counts only when no earlier one is found
#: in the answering sentence ("när": a date or a period, else a condition).
KIND_FACTS: dict[str, tuple[tuple[re.Pattern[str], ...], ...]] = {
    "time": ((TIME_RE,), (CONDITION_RE,)),
    "amount": ((AMOUNT_RE, COUNT_RE),),
    "number": ((AMOUNT_RE, COUNT_RE),),
    "person": ((NAME_RE, BODY_RE), (AGENT_RE,)),
    "who": ((NAME_RE, BODY_RE), (AGENT_RE,)),
    "contact": ((NAME_RE, BODY_RE), (AGENT_RE,)),
    "list": ((LIST_RE, BULLETS_RE),),
}
#: Kinds of a measure, and the question words that ask for something else: "vad gör X *när* Y?" asks what,
#: not when, though its kind is "time".
MEASURE_KINDS = ("time", "number", "amount")
OTHER_QUESTION_WORDS = frozenset({"vad", "vem", "vems", "var", "vart", "varför"})
#: The features of a candidate, in the order of ``Candidate.features``.
FEATURES = (
    "sentence", "clause", "after_asked", "before_asked", "distance", "length", "long", "run_start", "run_end",
    "common", "kind_fact", "capitals", "capitals_any", "slot_before", "stranded", "after_focus", "before_focus",
)


@dataclass(frozen=True)
class Candidate:
    """A candidate fact: words ``first`` to ``last`` of the answer, its characters, and its features."""

    first: int
    last: int
    start: int
    end: int
    features: tuple[float, ...]
    #: Whether it is a fact of the kind the question asks for, in the answering sentence.
    is_fact: bool = False


class _Reading:
    """What every candidate of one answer is measured against: its words, the question's slot, the facts."""

    def __init__(self, kind: str, text: str, words: list[Word], slot: Slot, answer_start: int = 0) -> None:
        self.kind, self.words, self.slot = kind, words, slot
        self.in_sentence: dict[int, int] = {}
        self.in_clause: dict[int, int] = {}
        for word in words:
            self.in_sentence[word.sentence] = self.in_sentence.get(word.sentence, 0) + word.asked
            self.in_clause[word.clause] = self.in_clause.get(word.clause, 0) + word.asked
        self.most = max(self.in_sentence.values(), default=0) or 1
        # The fact asked for stands in the answering sentences; the context before them only names what they
        # point back to ("Kompetensarena Stockholm är ett projekt … *Projektet* pågår till september 2020").
        answering = {word.sentence for word in words if word.start >= answer_start}
        most_answering = max((self.in_sentence[sentence] for sentence in answering), default=0) or 1
        self.facts: dict[tuple[int, int], tuple[int, int]] = {}
        asked_for = () if kind in MEASURE_KINDS and slot.word in OTHER_QUESTION_WORDS else KIND_FACTS.get(kind, ())
        tiers = [{key: span for key, span in _matches(tier, text, words).items()
                  if words[key[0]].sentence in answering} for tier in asked_for]
        # Each tier in the sentences holding the most question words; then each in any answering sentence.
        best_sentences = [{key: span for key, span in matches.items()
                           if self.in_sentence[words[key[0]].sentence] >= FACT_SENTENCE_SHARE * most_answering}
                          for matches in tiers]
        for found in best_sentences + (tiers if kind in FACT_ANY_SENTENCE_KINDS else []):
            if found:
                self.facts = found
                break
        # The amount with its unit, not its number alone: a fact inside another is not one.
        self.facts = {key: span for key, span in self.facts.items()
                      if not any(other != key and other[0] <= key[0] and key[1] <= other[1] for other in self.facts)}
        self.quoted = {key: span for key, span in _matches((QUOTE_RE,), text, words).items()
                       if key[1] - key[0] < MAX_SPAN_WORDS}
        # What each word's neighbourhood says, once per word rather than once per candidate (a few hundred
        # candidates share the answer's few dozen words).
        count = len(words)
        self.after_asked = [beside(words, index, -1) for index in range(count)]
        self.before_asked = [beside(words, index, 1) for index in range(count)]
        self.distance_left, self.distance_right = distances(words)
        self.prefix = prefix_sums(words)


def candidates(kind: str, text: str, words: list[Word], slot: Slot, answer_start: int = 0) -> list[Candidate]:
    """Every candidate fact of the answer (``words`` of ``text``), with its features.

    The answering sentences start at ``answer_start``; sentences before it are context (what they point back to).
    """
    reading = _Reading(kind, text, words, slot, answer_start)
    found: dict[tuple[int, int], Candidate] = {}
    for run in _runs(words):
        for first in range(run[0], run[1] + 1):
            if words[first].asked or (words[first].stop and words[first].text.lower() not in OPENERS):
                continue
            for last in range(first, min(run[1], first + MAX_SPAN_WORDS - 1) + 1):
                if not words[last].stop and not words[last].asked:
                    found[first, last] = _candidate(reading, first, last, run)
    for key in {**reading.quoted, **reading.facts}:
        if key not in found:
            found[key] = _candidate(reading, *key, key)
    return list(found.values())


def _runs(words: list[Word]) -> list[tuple[int, int]]:
    """(first, last) of each maximal run of new words inside one clause (the question's function words may join
    them: "ge kunskap och verktyg för *att* skapa förändring")."""
    runs: list[tuple[int, int]] = []
    first: int | None = None
    for index, word in enumerate(words):
        if first is not None and ((word.asked and not word.stop) or word.clause != words[first].clause):
            runs.append(_trimmed(words, first, index - 1))
            first = None
        if first is None and not word.asked:
            first = index
    if first is not None:
        runs.append(_trimmed(words, first, len(words) - 1))
    return runs


def _trimmed(words: list[Word], first: int, last: int) -> tuple[int, int]:
    """A run without the question's function words at its end."""
    while last > first and words[last].asked:
        last -= 1
    return first, last


def _matches(patterns: tuple[re.Pattern[str], ...], text: str, words: list[Word]) -> dict[tuple[int, int],
                                                                                         tuple[int, int]]:
    """Each match that is not all the question's own words: (first, last) word → its span in characters.

    The span is the match's own: it may end after its last word ("30 %", "15 °C").
    """
    found: dict[tuple[int, int], tuple[int, int]] = {}
    for pattern in patterns:
        for start, end in spans(pattern, text):
            inside = [index for index, word in enumerate(words) if word.end > start and word.start < end]
            # The question's own words that open a match introduce it ("de tio *pilotkommunerna* Flen, …").
            opening = [number for number, index in enumerate(inside[:LEAD_WORDS]) if words[index].asked
                       and pattern not in _WHOLE]
            if opening and opening[-1] + 1 < len(inside):
                inside = inside[opening[-1] + 1 :]
                start = words[inside[0]].start
            if inside and not all(words[index].asked for index in inside):
                first, last = inside[0], inside[-1]
                found.setdefault((first, last), (min(start, words[first].start), max(end, words[last].end)))
    return found


def _candidate(reading: _Reading, first: int, last: int, run: tuple[int, int]) -> Candidate:
    """A candidate with its features."""
    words, slot, key = reading.words, reading.slot, (first, last)
    length = last - first + 1
    previous = words[first - 1] if first else None
    # Capitals and common words among the span's content words (all its words when it has none).
    content, capital_words, common_words = (totals[last + 1] - totals[first] for totals in reading.prefix[:3])
    if not content:
        content = length
        capital_words, common_words = (totals[last + 1] - totals[first] for totals in reading.prefix[3:])
    capitals = capital_words / content
    values = {
        "sentence": reading.in_sentence[words[first].sentence] / reading.most,
        "clause": min(reading.in_clause[words[first].clause], 3) / 3,
        "after_asked": float(reading.after_asked[first]),
        "before_asked": float(reading.before_asked[last]),
        "distance": min(reading.distance_left[first], reading.distance_right[last], 5) / 5,
        "length": length / MAX_SPAN_WORDS,
        "long": max(0, length - LONG_SPAN_WORDS) / MAX_SPAN_WORDS,
        "run_start": float(first == run[0]),
        "run_end": float(last == run[1]),
        "common": common_words / content,
        "kind_fact": float(any(begin <= first and last <= end for begin, end in reading.facts)),
        "capitals": capitals if reading.kind in ("person", "who", "contact", "list") else 0.0,
        "capitals_any": capitals,
        "slot_before": float(bool(slot.before) and previous is not None and previous.text.lower() == slot.before),
        "stranded": float(bool(slot.stranded) and previous is not None and previous.text.lower() == slot.stranded),
        "after_focus": float(previous is not None and _carries(previous, slot.focus)),
        "before_focus": float(last + 1 < len(words) and _carries(words[last + 1], slot.focus)),
    }
    start, end = reading.facts.get(key) or reading.quoted.get(key) or (words[first].start, words[last].end)
    return Candidate(first, last, start, end, tuple(values[name] for name in FEATURES), key in reading.facts)


def _carries(word: Word, terms: frozenset[str]) -> bool:
    """Whether ``word`` is the question's and begins like one of ``terms`` ("kemisten" for "kemist")."""
    lower = word.text.lower()
    return word.asked and any(lower.startswith(term[:5]) for term in terms)


