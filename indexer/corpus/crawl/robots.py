"""robots.txt as RFC 9309 says: what each answer means, and which addresses its rules allow.

The matching (longest rule wins, Allow wins a tie, ``*`` and ``$`` wildcards,
groups chosen by product token) is Protego's, from the Scrapy project. This
module decides what a robots.txt *answer* means: a file is read up to
500 KiB; a 4xx other than 429 means there are no rules; 429, a 5xx, an
unreachable file or a redirect chain longer than five hops means nothing may
be fetched. Fetching the file (and following its redirects) is the
crawler's job.
"""

from __future__ import annotations

from dataclasses import dataclass

from protego import Protego

#: The name robots.txt groups address us by (RFC 9309 2.2.1).
PRODUCT_TOKEN = "SokBot"  # noqa: S105 (a product token, not a secret)
ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309 2.5: at least 500 KiB must be parsed; we parse exactly that much
ROBOTS_MAX_REDIRECTS = 5  # RFC 9309 2.3.1.2: follow at least five consecutive redirects


@dataclass(frozen=True)
class Robots:
    """The rules of one site's robots.txt, or a refusal of everything with the reason why."""

    rules: Protego
    refusal: str = ""  # set when nothing may be fetched (in Swedish, for the crawl report)

    @classmethod
    def allow_all(cls) -> Robots:
        """No rules: every address may be fetched (robots.txt is missing)."""
        return cls(Protego.parse(""))

    @classmethod
    def refuse_all(cls, reason: str) -> Robots:
        """Nothing may be fetched, for ``reason`` (robots.txt could not be read)."""
        return cls(Protego.parse(""), refusal=reason)

    @classmethod
    def parse(cls, body: bytes) -> Robots:
        """The rules of a robots.txt body; only its first ``ROBOTS_MAX_BYTES`` count."""
        text = body[:ROBOTS_MAX_BYTES].decode("utf-8-sig", "replace")
        return cls(Protego.parse(text))

    def allows(self, url: str) -> bool:
        """Whether SokBot may fetch ``url``."""
        return not self.refusal and self.rules.can_fetch(url, PRODUCT_TOKEN)

    def crawl_delay(self) -> float | None:
        """The ``Crawl-delay`` of SokBot's group, in seconds, if it has one."""
        return None if self.refusal else self.rules.crawl_delay(PRODUCT_TOKEN)

    def sitemaps(self) -> list[str]:
        """The addresses of the file's ``Sitemap:`` lines, each once, in file order."""
        return list(dict.fromkeys(self.rules.sitemaps))


def robots_for_answer(status: int, body: bytes) -> Robots:
    """What a final (not redirected) robots.txt answer means, per RFC 9309 2.3.1."""
    if 200 <= status < 300:
        return Robots.parse(body)
    if 400 <= status < 500 and status != 429:
        return Robots.allow_all()  # "unavailable": there are no rules
    return Robots.refuse_all(f"robots.txt gav HTTP {status}; hämtar inget")  # "unreachable" (429 as a 5xx)
