"""Contact persons found in sections: name, role, e-mail, phone, project.

A contact is a line "Förnamn Efternamn, roll" (optionally followed by an
e-mail address or a phone number) in a section headed "Kontakt" or similar,
or any line of a section that carries an e-mail address next to a name. The
project is the nearest heading above the contact heading.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from indexer.language.names import CONTACT_HEADING, EMAIL_RE, PERSON_NAME, PHONE, QUESTIONS_HEADING
from indexer.sections.split import Section

_CONTACT_HEADING_RE = re.compile(rf"^(?:{CONTACT_HEADING}|{QUESTIONS_HEADING})", re.IGNORECASE)
_PERSON_RE = re.compile(rf"^(?P<name>{PERSON_NAME})\s*(?:,\s*(?P<role>[^,@\d+]{{2,120}}?))?\s*(?:[,;]|$)")
PHONE_RE = re.compile(PHONE)


@dataclass(frozen=True)
class Contact:
    """A contact person as published on a page."""

    name: str
    role: str
    email: str
    phone: str
    publisher: str
    project: str
    title: str
    url: str
    section_id: str

    def as_dict(self) -> dict:
        """A JSON-ready dict."""
        return asdict(self)


def extract_contacts(sections: list[Section]) -> list[Contact]:
    """All contact persons found in ``sections``."""
    contacts: list[Contact] = []
    for section in sections:
        in_contact_section = bool(_CONTACT_HEADING_RE.match(section.heading))
        for line in section.text.split("\n"):
            line = line.strip().lstrip("• ")
            if not line or (not in_contact_section and ("@" not in line or not EMAIL_RE.search(line))):
                continue
            contact = _parse_line(line, section)
            if contact:
                contacts.append(contact)
    return contacts


def _parse_line(line: str, section: Section) -> Contact | None:
    person = _PERSON_RE.match(line)
    if not person:
        return None
    email = EMAIL_RE.search(line)
    phone = PHONE_RE.search(line)
    return Contact(
        name=person.group("name"),
        role=(person.group("role") or "").strip(),
        email=email.group() if email else "",
        phone=re.sub(r"\s+", " ", phone.group()).strip() if phone else "",
        publisher=section.doc.publisher,
        project=project_of(section),
        title=section.doc.title,
        url=section.doc.url,
        section_id=section.id,
    )


def project_of(section: Section) -> str:
    """The heading that a contact section belongs to (the page title at the top)."""
    path = list(section.heading_path)
    if _CONTACT_HEADING_RE.match(path[-1]) and len(path) > 1:
        path.pop()
    return path[-1]
