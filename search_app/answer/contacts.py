"""Contact persons: found by the words of a query, and the contact answer to a question.

When the best section for a contact question is a contact heading, its person
answers; when it names no person, the answer says so and points to that
section, rather than quote a sentence from elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer.fields import SwedishAnalyzer
from indexer.language.names import EMAIL_RE, is_contact_heading
from indexer.language.questions import MODALS
from indexer.ranking_profile import PROFILE
from indexer.sections.contacts import PHONE_RE, Contact
from indexer.semantic.units import section_sentences
from search_app.answer.matching import coverage, term_weights
from search_app.query.search import Passage
from search_app.query.snapshot import OpenSnapshot

#: Words that ask for a contact without saying whom.
GENERIC_CONTACT_WORDS = "kontakt kontakta kontaktperson kontaktpersoner ansvarig ansvariga person personen"
#: The share of the question's other words a contact must carry to be the answer.
CONTACT_COVERAGE = PROFILE.answer.contact_coverage
#: At most this much of a contact section's own text (a switchboard, a mailbox) is quoted.
QUOTED_CHARS = PROFILE.answer.contact_quote_chars


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


def _subject_weights(snap: OpenSnapshot, question: str) -> dict[str, float]:
    """The weights of the question's words other than those that only ask for a contact or carry the verb
    (X in "kontakt för X", "vem *ska* jag kontakta om X")."""
    terms = snap.analyzer.terms
    generic = set(terms(GENERIC_CONTACT_WORDS)) | set(terms(" ".join(MODALS)))
    return term_weights(snap, [term for term in terms(question) if term not in generic])


def best_contact(snap: OpenSnapshot, question: str) -> tuple[Contact, float] | None:
    """The contact person that "vem är kontaktperson för X" asks for, with the share of X it carries."""
    weights = _subject_weights(snap, question)
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


@dataclass(frozen=True)
class ContactSection:
    """The best contact section of a question's subject, the share of the subject its headings carry, and the
    person it names (None: it names no one)."""

    passage: Passage
    share: float
    contact: Contact | None


def best_contact_section(snap: OpenSnapshot, question: str, passages: list[Passage]) -> ContactSection | None:
    """The contact section among ``passages`` whose headings carry most of the question's subject, or None.

    Its headings are the whole path above it ("Tillväxt › Tillväxtprojekt i Stockholms län › Kompetensarena
    Stockholm › Kontakt"), so a subject named only above the project ("tillväxt") finds it too.
    """
    weights = _subject_weights(snap, question)
    if not weights:
        return None
    found = []
    for rank, passage in enumerate(passages):
        if not is_contact_heading(passage.section):
            continue
        share = coverage(weights, set(snap.analyzer.terms(" ".join([*passage.heading_path, passage.publisher]))))
        if share >= CONTACT_COVERAGE:
            named = next((contact for contact in snap.contacts if contact.section_id == passage.id), None)
            found.append((-share, named is None, rank, ContactSection(passage, share, named)))
    # The one that carries the most of the subject; of those alike, one that names a person, then the best ranked.
    return min(found, key=lambda entry: entry[:3])[3] if found else None


def names_a_contact(text: str) -> bool:
    """Whether ``text`` gives a way to reach someone: an e-mail address or a phone number."""
    return bool(EMAIL_RE.search(text) or PHONE_RE.search(text))


def describe_missing_contact(passage: Passage) -> str:
    """Swedish: the page names no contact person for the section's subject, and what it says instead."""
    above = passage.heading_path[:-1]
    subject = above[-1] if above else passage.title
    said = ""
    for sentence in section_sentences(passage.text):
        if said and len(said) + len(sentence) > QUOTED_CHARS:
            break
        said = f"{said} {sentence}".strip()
    if said:
        return f"Sidan anger ingen kontaktperson för {subject}. Under rubriken ”{passage.section}” står: {said}"
    return f"Sidan anger ingen kontaktperson för {subject}: under rubriken ”{passage.section}” står inget namn."
