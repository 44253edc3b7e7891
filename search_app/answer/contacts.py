"""Find contact persons by the words of a query."""

from __future__ import annotations

from indexer.fields import SwedishAnalyzer
from indexer.sections.contacts import Contact

#: Words that ask for a contact without saying whom.
GENERIC_CONTACT_WORDS = "kontakt kontakta kontaktperson kontaktpersoner ansvarig ansvariga person personen"


def contact_terms(contact: Contact, analyzer: SwedishAnalyzer) -> set[str]:
    """Analysed terms of everything known about a contact."""
    return set(analyzer.terms(" ".join([contact.name, contact.role, contact.project, contact.publisher])))


def find_contacts(contacts: list[Contact], query: str, analyzer: SwedishAnalyzer) -> list[Contact]:
    """Contacts whose name, role, project or publisher share words with ``query``, best first.

    An empty query lists every contact.
    """
    wanted = set(analyzer.terms(query)) - set(analyzer.terms(GENERIC_CONTACT_WORDS))
    if not wanted:
        return list(contacts)
    scored = []
    for position, contact in enumerate(contacts):
        overlap = len(wanted & contact_terms(contact, analyzer))
        if overlap:
            scored.append((-overlap, position, contact))
    return [contact for *_, contact in sorted(scored)]
