"""Crawling one site into a corpus folder.

``crawler`` decides what to fetch (robots.txt, sitemaps, links, the report); ``links`` reads a page's
links, up to a limit; ``http`` fetches with time and size limits and Retry-After; ``robots`` and
``sitemaps`` read what a site says about itself; ``store`` keeps each page and its sidecar in the
corpus folder.
"""
