"""How the two rankings are mixed (search_app.query.fusion): the default rule and the one the 44k study tried."""

from __future__ import annotations

from search_app.query.fusion import Fusion, fuse


def test_a_clear_word_match_outranks_a_slightly_closer_meaning_by_default() -> None:
    lexical = {"words": 10.0, "weak": 2.0}
    semantic = {"words": 0.86, "weak": 0.80, "meaning": 0.88}
    assert fuse(lexical, semantic)[0][0] == "words"


def test_the_ratio_rule_counts_a_page_found_only_by_meaning_as_the_words_weakest_candidate() -> None:
    lexical = {"words": 10.0, "weak": 5.0}
    semantic = {"words": 0.80, "weak": 0.80, "meaning": 0.90}
    fused = dict(fuse(lexical, semantic, Fusion(0.6, "ratio")))
    assert fused["meaning"] > fused["words"] > fused["weak"]
    assert abs(fused["meaning"] - (0.4 * 0.5 + 0.6 * 1.0)) < 1e-9
    # When the engine returned every match (the caller passes floor 0), a page it did not return shares no word.
    assert dict(fuse(lexical, semantic, Fusion(0.6, "ratio"), lexical_floor=0.0))["meaning"] == 0.6
