"""Every stage's budget, stated once: no input may cost minutes or gigabytes.

Index time (readers, sections, crawler) and query time (questions, the encoder, the answer
step, responses, caches) read their limits from here; docs/security.md lists each budget
with the test that holds it.
"""

from __future__ import annotations

# -- Index time: readers, sections, crawler ------------------------------------------------------------
# These names are imported by the modules that enforce them (and re-exported where older code imported
# them: indexer.corpus.model, indexer.corpus.readers.pdf, indexer.corpus.crawl.http).

#: The largest corpus file read, and the largest answer the crawler accepts (also per unpacked sitemap).
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
#: A JSON Lines row may be as large as a file; a longer row is skipped without being read into memory.
MAX_JSONL_ROW_BYTES = MAX_DOCUMENT_BYTES
#: Front matter (and a sidecar) larger than this is refused; YAML aliases are refused whatever the size.
MAX_FRONT_MATTER_BYTES = 64 * 1024
#: A document title longer than this is cut at a word boundary (with "…"); a Markdown heading is cut there too.
MAX_TITLE_CHARS = 300
#: HTML nested deeper than this is refused with the reason (the reader's tree walk is iterative anyway).
MAX_HTML_DEPTH = 256
#: A PDF with more pages is refused.
MAX_PDF_PAGES = 2000
#: A PDF's extracted text may hold at most this many characters, and take at most this many seconds.
MAX_PDF_TEXT_CHARS = 2_000_000
MAX_PDF_SECONDS = 30.0
#: The content a PDF's text extraction parses, per page and in all, counted per page (a stream that 20
#: pages share counts 20 times); a PDF over either is refused before anything is parsed.
MAX_PDF_PAGE_CONTENT_BYTES = 4 * 1024 * 1024
MAX_PDF_CONTENT_BYTES = 32 * 1024 * 1024
#: The longest section text; a longer block is cut into several sections at paragraph, then sentence,
#: then word boundaries, each keeping its heading path. Above 99.9 % of real sections (regeringen.se).
MAX_SECTION_CHARS = 8000
#: The crawler: the whole of one fetch (connecting, headers, body) must end within this many seconds,
#: however slowly the server sends; ``--timeout`` bounds each wait for a read.
MAX_FETCH_SECONDS = 120.0
#: Addresses read from one sitemap, and links taken from one page.
MAX_SITEMAP_URLS = 50_000
MAX_LINKS_PER_PAGE = 2000
#: Addresses a crawl collects in all: this many per page it may fetch (``--max-pages``), plus a margin.
URLS_PER_PAGE = 4
URL_MARGIN = 100


#: The postings a Whoosh writer process holds in memory (by its own estimate) before it closes its segment and
#: starts another (``indexer.engines.whoosh_writer``): 12,000 regeringen.se pages came to 83 MB per process
#: of two (peak 290 MB each, most of it the forked build's own pages), so the 44k pages fit one segment
#: each; a larger corpus gets more segments instead of more memory.
WHOOSH_SEGMENT_MB = 1024


def crawl_url_budget(max_pages: int) -> int:
    """The most page addresses a crawl of ``max_pages`` pages collects from sitemaps and links."""
    return max_pages * URLS_PER_PAGE + URL_MARGIN


# --- Query time: questions, the encoder, the answer step, responses, caches ----------------------
# (docs/security.md, "Bounded work", lists each with the test that holds it.)

#: Characters of a section that a result carries and that the snippet, the deep link and the
#: answer step read: its start, cut at a space. New builds cut sections to MAX_SECTION_CHARS;
#: this holds for any snapshot (one built before that, or handed a longer text).
PASSAGE_CHARS = 20_000
#: A question reaches the encoder as at most this many tokens, counted by the encoder's tokenizer
#: when it offers one, else estimated (``search_app.query.vectors.encoder_text``); the search
#: itself uses every word.
QUESTION_TOKENS = 64
#: Bytes each per-word memo of a process may hold (analysed terms, folded terms, compound parts,
#: 4-grams, stems, folded stems, compound splits, the splitter's cuts of word endings); when
#: full it is emptied.
WORD_MEMO_BYTES = 16 * 2**20
#: The longest word that is remembered, split into compound parts or corrected for spelling (no Swedish
#: word is near it; the work on a word grows with the square of its length); a longer one is analysed
#: every time, as one part, as typed.
LONGEST_WORD_CHARS = 48
#: Question vectors a worker remembers, each under the question as asked and as the encoder read it (a
#: follow-up, paging and facets reuse the question's; the answer step the search's).
QUERY_VECTORS_KEPT = 256
#: Failed statistics tokens a client may send per minute (per worker) before it gets 429.
ADMIN_FAILURES_PER_MINUTE = 5
