"""The answer step's per-passage term matches give exactly match_share's shares."""

from itertools import combinations

from indexer.fields import SwedishAnalyzer
from search_app.answer.matching import TermMatches, coverage, match_share
from tests.conftest import CORPUS


def test_term_matches_give_match_shares_of_every_subset_of_a_passage() -> None:
    analyzer = SwedishAnalyzer()
    text = " ".join(path.read_text(encoding="utf-8") for path in sorted(CORPUS.glob("*.txt")))
    passage = analyzer.terms(text)
    # Question terms as typed: exact, without diacritics, a compound's head, a typo, unrelated.
    asked = [*passage[:40:3], "overkalix", "kommun", "pilotkomun", "kompetensarenan", "planering", "xyzzy"]
    assert len(passage) > 200
    matches = TermMatches(asked, set(passage))
    sentences = [set(passage[start : start + 25]) for start in range(0, len(passage), 17)]
    shares = set()
    for found in sentences:
        for term in asked:
            share = match_share(term, found)
            shares.add(share)
            assert matches.share(term, found) == share
    assert len(shares) >= 4  # exact, loose levels and no match all occur
    weights = {term: float(len(term)) for term in asked}
    for first, second in combinations(sentences[:12], 2):
        assert matches.coverage(weights, first, without=second) == coverage(weights, first - second)
