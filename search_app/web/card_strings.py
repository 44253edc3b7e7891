"""The page's answer card in the question's language: one table of its strings per language, Swedish the default.

A question in another language is answered from the Swedish pages, so its card says that the answer is in
Swedish and from whose page, in the question's language; the answer itself stays as the page words it. The
widget has its own table of the same strings (``static/widget.js``, ``CARD_STRINGS``). A language without a
table gets English's; ``dir`` is "rtl" for the languages written right to left.
"""

from __future__ import annotations

from typing import TypedDict


class CardStrings(TypedDict):
    """The card's words in one language."""

    #: The card's accessible name.
    label: str
    #: Says the answer is in Swedish, from ``{publisher}``'s page ("" for Swedish).
    from_page: str
    #: The same when the publisher is unknown.
    from_this_page: str
    source: str
    #: Shown instead of the Swedish confidence words.
    check: str
    no_answer: str
    dir: str


SWEDISH = "sv"
#: The language whose strings a language without a table gets.
FALLBACK = "en"

CARD_STRINGS: dict[str, CardStrings] = {
    "sv": {"label": "Svar", "from_page": "", "from_this_page": "", "source": "Källa:", "check": "",
           "no_answer": "Jag hittade inget säkert svar på den frågan.", "dir": "ltr"},
    "en": {"label": "Answer", "from_page": "The answer is in Swedish, from {publisher}'s page:",
           "from_this_page": "The answer is in Swedish, from this page:", "source": "Source:",
           "check": "Check the answer on the page.",
           "no_answer": "I found no sure answer to that question in these pages.", "dir": "ltr"},
    "ar": {"label": "الإجابة", "from_page": "الإجابة باللغة السويدية، من صفحة {publisher}:",
           "from_this_page": "الإجابة باللغة السويدية، من هذه الصفحة:", "source": "المصدر:",
           "check": "تحقق من الإجابة في الصفحة.",
           "no_answer": "لم أجد إجابة مؤكدة على هذا السؤال في هذه الصفحات.", "dir": "rtl"},
    "fa": {"label": "پاسخ", "from_page": "پاسخ به زبان سوئدی است، از صفحهٔ {publisher}:",
           "from_this_page": "پاسخ به زبان سوئدی است، از این صفحه:", "source": "منبع:",
           "check": "پاسخ را در صفحه بررسی کنید.",
           "no_answer": "پاسخ مطمئنی برای این پرسش در این صفحه‌ها پیدا نکردم.", "dir": "rtl"},
    "so": {"label": "Jawaab", "from_page": "Jawaabtu waa af-Iswiidhish, waxayna ka timid bogga {publisher}:",
           "from_this_page": "Jawaabtu waa af-Iswiidhish, waxayna ka timid boggan:", "source": "Isha:",
           "check": "Ka hubi jawaabta bogga.",
           "no_answer": "Su'aashan jawaab hubaal ah kuma aan helin boggaggan.", "dir": "ltr"},
    "pl": {"label": "Odpowiedź", "from_page": "Odpowiedź jest po szwedzku, ze strony {publisher}:",
           "from_this_page": "Odpowiedź jest po szwedzku, z tej strony:", "source": "Źródło:",
           "check": "Sprawdź odpowiedź na stronie.",
           "no_answer": "Nie znalazłem pewnej odpowiedzi na to pytanie na tych stronach.", "dir": "ltr"},
    "uk": {"label": "Відповідь", "from_page": "Відповідь шведською мовою, зі сторінки {publisher}:",
           "from_this_page": "Відповідь шведською мовою, з цієї сторінки:", "source": "Джерело:",
           "check": "Перевірте відповідь на сторінці.",
           "no_answer": "Я не знайшов надійної відповіді на це питання на цих сторінках.", "dir": "ltr"},
    "fi": {"label": "Vastaus", "from_page": "Vastaus on ruotsiksi, sivulta {publisher}:",
           "from_this_page": "Vastaus on ruotsiksi, tältä sivulta:", "source": "Lähde:",
           "check": "Tarkista vastaus sivulta.",
           "no_answer": "En löytänyt varmaa vastausta tähän kysymykseen näiltä sivuilta.", "dir": "ltr"},
}


def card_language(language: str) -> str:
    """The language whose table the card of a question in ``language`` uses."""
    return language if language in CARD_STRINGS else FALLBACK


def card_strings(language: str) -> CardStrings:
    """The card's strings for a question in ``language``."""
    return CARD_STRINGS[card_language(language)]


def from_page(language: str, publisher: str) -> str:
    """The line that says the answer is in Swedish and whose page it is from ("" for a Swedish question)."""
    strings = card_strings(language)
    return strings["from_page"].format(publisher=publisher) if publisher else strings["from_this_page"]
