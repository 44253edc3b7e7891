"""The exact fact: the span of an answer's text that answers the question, in one package.

``words`` reads the answer word by word (which words are the question's,
where sentences and clauses end), ``candidates`` makes the candidate facts
and their features from those words and the Swedish fact patterns
(:mod:`indexer.language.facts`), ``highlight`` chooses among them, or takes
the words the answer reader's span head marks.
"""

from search_app.answer.fact.highlight import Highlight, fact_at, find_highlight

__all__ = ["Highlight", "fact_at", "find_highlight"]
