"""Search analytics for site owners: what people search for, what finds nothing, what they open.

Stored in SQLite (``ANALYTICS_DB``): the question, which surface asked it,
how many results it had, the results people clicked, and whether an answer
answered its question ("Ja" or "Nej"). Never an address,
a cookie or anything else that tells people apart; times are kept to the
hour; personal identity numbers, e-mail addresses and phone numbers in a
question are masked before it is stored (:mod:`.privacy`), and question texts
are deleted after ``ANALYTICS_RETENTION_DAYS`` (only daily totals stay).

- :mod:`.writer`: each worker's buffered writer of searches, clicks and verdicts.
- :mod:`.privacy`: the form a question is stored in, personal details masked.
- :mod:`.clicks`: whether a clicked link is one of its search's results.
- :mod:`.stats`: reading the site owner's overview.
- :mod:`.missing`: what people could not find: unanswered questions and answers rated "Nej", per week.
"""
