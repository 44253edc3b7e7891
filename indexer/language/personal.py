"""Personal details in a text: Swedish personal identity numbers, e-mail addresses and phone numbers.

The statistics store a question with them masked (:mod:`search_app.web.analytics.privacy`); the answer
reader reads a question without them (they say nothing about what is asked).
"""

from __future__ import annotations

import re

from indexer.language.names import EMAIL_RE

_DAY = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])"  # MMDD; samordningsnummer: day + 60
#: YYYYMMDD-XXXX, YYYYMMDDXXXX and YYMMDD-XXXX / YYMMDD+XXXX.
_PERSONAL_NUMBER = re.compile(rf"(?<!\d)(?:(?:18|19|20)\d\d{_DAY}[-+ ]?\d{{4}}|\d\d{_DAY}[-+ ]\d{{4}})(?!\d)")
_PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)46[\s-]*(?:\(0\)[\s-]*)?\d(?:[\s/-]*\d){6,9}"
                    r"|\(?0\d{1,3}\)?(?:[\s/-]*\d){5,8})(?!\d)")
#: YYMMDDXXXX without a separator (after phone numbers, which start with 0 and are masked as such).
_BARE_PERSONAL_NUMBER = re.compile(rf"(?<!\d)\d\d{_DAY}\d{{4}}(?!\d)")


def mask_personal(text: str, email: str = "[e-post]", number: str = "[personnummer]",
                  phone: str = "[telefon]") -> str:
    """``text`` with Swedish personal identity numbers, e-mail addresses and phone numbers replaced."""
    text = EMAIL_RE.sub(email, text)
    text = _PERSONAL_NUMBER.sub(number, text)
    text = _PHONE.sub(phone, text)
    return _BARE_PERSONAL_NUMBER.sub(number, text)


def without_personal(text: str) -> str:
    """``text`` with its personal details left out and its spaces collapsed."""
    return " ".join(mask_personal(text, "", "", "").split())
