"""Every stage's budget, stated once: no input may cost minutes or gigabytes.

Index time (readers, sections, crawler) and query time (questions, the encoder, the answer
step, responses, caches) read their limits from here; docs/security.md lists each budget
with the test that holds it.
"""

from __future__ import annotations
