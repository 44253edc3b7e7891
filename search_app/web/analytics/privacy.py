"""The form a question is counted and stored in: personal details masked, spaces collapsed, cut short."""

from __future__ import annotations

import re

MAX_QUERY_CHARS = 200

_DAY = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])"  # MMDD; samordningsnummer: day + 60
_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
#: YYYYMMDD-XXXX, YYYYMMDDXXXX and YYMMDD-XXXX / YYMMDD+XXXX.
_PERSONAL_NUMBER = re.compile(rf"(?<!\d)(?:(?:18|19|20)\d\d{_DAY}[-+ ]?\d{{4}}|\d\d{_DAY}[-+ ]\d{{4}})(?!\d)")
_PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)46[\s-]*(?:\(0\)[\s-]*)?\d(?:[\s/-]*\d){6,9}"
                    r"|\(?0\d{1,3}\)?(?:[\s/-]*\d){5,8})(?!\d)")
#: YYMMDDXXXX without a separator (after phone numbers, which start with 0 and are masked as such).
_BARE_PERSONAL_NUMBER = re.compile(rf"(?<!\d)\d\d{_DAY}\d{{4}}(?!\d)")


def mask_personal(text: str) -> str:
    """``text`` with Swedish personal identity numbers, e-mail addresses and phone numbers replaced."""
    text = _EMAIL.sub("[e-post]", text)
    text = _PERSONAL_NUMBER.sub("[personnummer]", text)
    text = _PHONE.sub("[telefon]", text)
    return _BARE_PERSONAL_NUMBER.sub("[personnummer]", text)


def normalise(query: str) -> str:
    """The form a query is counted and stored under: lowercased, spaces collapsed, personal details
    masked, at most 200 characters."""
    return mask_personal(" ".join(query.lower().split()))[:MAX_QUERY_CHARS]


