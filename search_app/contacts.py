"""Find contact persons by the words of a query."""

from __future__ import annotations

from indexer.analysis import terms
from indexer.contacts import Contact

_GENERIC_CONTACT_TERMS = {"kontak", "kontaktperson", "ansvar", "ansvarig", "person"}


def contact_terms(contact: Contact) -> set[str]:
    """Analysed terms of everything known about a contact."""
    return set(terms(" ".join([contact.name, contact.role, contact.project, contact.publisher])))


def find_contacts(contacts: list[Contact], query: str) -> list[Contact]:
    """Contacts whose name, role, project or publisher share words with ``query``, best first.

    An empty query lists every contact.
    """
    wanted = set(terms(query)) - _GENERIC_CONTACT_TERMS
    if not wanted:
        return list(contacts)
    scored = []
    for position, contact in enumerate(contacts):
        overlap = len(wanted & contact_terms(contact))
        if overlap:
            scored.append((-overlap, position, contact))
    return [contact for *_, contact in sorted(scored)]
