"""Person names and e-mail addresses as Swedish public-sector pages write them.

A name is read three ways, from loose to strict, because each reader can
afford a different risk:

* :data:`NAME_LINE_WORDS`, two to four capitalised words of any letters: it
  must be followed by ", roll", which is enough to tell a contact line from
  prose when a page is split into sections;
* :data:`PERSON_NAME`, two to four capitalised words in lower case after the
  capital, with "von", "af" or "de" between them: the name that a contact
  line opens with, taken as it is written;
* :data:`FIRST_LAST_NAME`, "Förnamn Efternamn" (either part may be
  double-barrelled): a name inside running text, where a longer run of
  capitalised words is more often a title or a body than a person.

The patterns are regular-expression source, to be built into larger
patterns; :data:`EMAIL_RE` is the compiled e-mail address. A contact heading
(:data:`CONTACT_HEADING`) is the heading a page puts its contact persons under;
phone numbers and contact labels are here too, so that sectioning and contact
extraction read a contact line by the same rules.
"""

from __future__ import annotations

import re

#: "Förnamn Efternamn" at the start of a contact line (the ", roll" after it is the caller's).
NAME_LINE_WORDS = r"[A-ZÅÄÖÉ][\w'’-]+(?:\s+[A-ZÅÄÖÉ][\w'’-]+){1,3}"
#: A contact person's name as published: "Anna Andersson", "Carl von Linné", "Eva-Lena Öberg".
PERSON_NAME = r"[A-ZÅÄÖÉÜ][a-zåäöéüëï'’-]+(?:\s+(?:von\s+|af\s+|de\s+)?[A-ZÅÄÖÉÜ][a-zåäöéüëï'’-]+){1,3}"
_NAME_PART = r"[A-ZÅÄÖ][a-zåäöé]+(?:-[A-ZÅÄÖ][a-zåäöé]+)?"
#: Exactly a first and a last name in running text: "Fredrik Wikström", "Anna-Karin Ek-Berg".
FIRST_LAST_NAME = rf"{_NAME_PART} {_NAME_PART}"
#: An e-mail address: "fornamn.efternamn@myndighet.se".
EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
EMAIL_RE = re.compile(EMAIL)
#: A heading that says whom to contact: "Kontakt", "Kontaktperson", "Kontakta oss", "Ansvarig handläggare".
CONTACT_HEADING = r"(?:kontakt\w*|ansvarig\w*)\b"
CONTACT_HEADING_RE = re.compile(CONTACT_HEADING, re.IGNORECASE)
#: Headings under which a name with a role is a contact person too: "Frågor", "Mer information".
QUESTIONS_HEADING = r"(?:frågor|mer information)\b"
#: A Swedish phone number as a contact gives it, taken loosely: +46 or 0, then digits, spaces, dashes, brackets.
PHONE = r"(?:\+46|0)[\d\s\-–()]{6,16}\d"
#: A Swedish phone number written in its groups ("08-123 45 67", "+46 70 123 45 67"): strict enough to tell a
#: contact line from prose that holds a number.
PHONE_GROUPED = r"(?:\+46|\b0)\d{1,3}[-–\s]?\d{2,3}(?:[\s-]?\d{2}){2,3}\b"
#: The labels a contact line may open with.
CONTACT_LABELS = r"(?:Telefon|Tel|Mobil|E-post|Epost)\b"


def is_contact_heading(heading: str) -> bool:
    """Whether ``heading`` is a contact heading ("Kontakt", "Kontakta oss", …)."""
    return bool(CONTACT_HEADING_RE.match(heading.strip()))
