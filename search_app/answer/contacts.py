"""Contact persons: found by the words of a query, and the contact answer to a question."""

from __future__ import annotations

from indexer.fields import SwedishAnalyzer
from indexer.sections.contacts import Contact
from search_app.answer.matching import coverage, term_weights
from search_app.query.snapshot import OpenSnapshot

#: Words that ask for a contact without saying whom.
GENERIC_CONTACT_WORDS = "kontakt kontakta kontaktperson kontaktpersoner ansvarig ansvariga person personen"
#: The share of the question's other words a contact must carry to be the answer.
CONTACT_COVERAGE = 0.6


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


def best_contact(snap: OpenSnapshot, question: str) -> tuple[Contact, float] | None:
    """The contact person that "vem är kontaktperson för X" asks for, with the share of X it carries."""
    terms = snap.analyzer.terms
    generic = set(terms(GENERIC_CONTACT_WORDS))
    weights = term_weights(snap, [term for term in terms(question) if term not in generic])
    for contact in find_contacts(snap.contacts, question, snap.analyzer):
        share = coverage(weights, contact_terms(contact, snap.analyzer)) if weights else 0.0
        if share >= CONTACT_COVERAGE:
            return contact, share
    return None


def describe_contact(contact: Contact) -> str:
    """One Swedish sentence naming the person, role and how to reach them."""
    parts = [contact.name + (f", {contact.role}" if contact.role else "")]
    parts += [value for value in (contact.email, contact.phone) if value]
    about = f"Kontaktperson för {contact.project}: " if contact.project else "Kontaktperson: "
    return about + ", ".join(parts) + "."
