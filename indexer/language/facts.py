"""Facts as Swedish text writes them: dates and periods, amounts and counts, bodies, names, lists.

Each pattern finds the fact itself, as a reader would mark it in a sentence:
"den 1 januari 2019", "2016–2019", "i slutet av mars", "minst fem år", "2 100
kronor per månad", "11,6 miljarder", "63 dagar", "Skatteverket", "Länsstyrelsen i
Skåne", "Flen, Gotland och Haninge", a bulleted list's lines, a quotation, and
the condition that answers "när" as a date does ("om du har fått …"). The
answer step picks the exact fact of an answer with them
(``search_app.answer.fact.candidates``).
"""

from __future__ import annotations

import re

from indexer.language.names import PERSON_NAME

MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
    "oktober", "november", "december",
)
#: Number words above "one" (written out, as Swedish style guides prefer for small numbers).
NUMBER_WORDS = (
    "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva", "tolv", "tretton", "fjorton",
    "femton", "sexton", "sjutton", "arton", "nitton", "tjugo", "trettio", "fyrtio", "femtio", "sextio",
    "sjuttio", "åttio", "nittio", "hundra", "tusen", "ett par", "några", "ett tiotal", "ett hundratal",
)
_NUMBER_WORDS_RE = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
# A number as written: "12", "2 100" (a space between thousands), "11,6", "1.5", or a number word ("ett", "en" too).
_DIGITS = r"(?:\d{1,3}(?:[ \u00a0]\d{3})+(?:,\d+)?|\d+(?:[,.]\d+)?)"
NUMBER = rf"(?:{_DIGITS}|{_NUMBER_WORDS_RE}|ett|en)"
#: Words that make a number a bound or an estimate: part of the fact ("minst fem år" is not "fem år").
QUALIFIERS = (r"(?:minst|högst|max|maximalt|cirka|ca\.?|drygt|knappt|nästan|omkring|runt|över|under|upp till"
              r"|mer än|mindre än|färre än|fler än|bara|endast|totalt|sammanlagt)")
_TIME_UNITS = r"(?:sekund|minut|timm|timme|dag|dygn|veck|vecka|månad|kvartal|år|termin|decenni|sekel|sekl)\w*"
_MONTH_RE = "|".join(MONTHS)
_YEAR = r"(?:1\d{3}|20\d\d)(?:-talet)?"
_DAY_MONTH = rf"\d{{1,2}}(?:\s|\.)?(?:{_MONTH_RE})"
_DATE = (
    rf"(?:den\s+)?{_DAY_MONTH}(?:\s+{_YEAR})?"
    rf"|(?:{_MONTH_RE})(?:\s+{_YEAR})?"
    r"|\d{4}-\d\d-\d\d"
    rf"|(?:(?:början|slutet|mitten|hösten|våren|sommaren|vintern)\s+(?:av\s+)?)(?:{_MONTH_RE}|{_YEAR})"
    rf"|(?:våren|hösten|sommaren|vintern)\s+{_YEAR}"
    rf"|{_YEAR}(?:\s*[–—-]\s*{_YEAR})?"
    r"|vecka\s+\d+|(?:kl\.?|klockan)\s+\d{1,2}(?:[.:]\d\d)?"
)
#: A date or a period: "den 1 januari 2019", "september 2020", "2016–2019", "minst fem år", "vecka 12".
TIME_RE = re.compile(
    rf"\b(?:(?:{QUALIFIERS})\s+)?{NUMBER}\s+{_TIME_UNITS}(?:\s+(?:per|om|i)\s+(?:år|månad\w*|vecka|dag\w*))?"
    rf"|\b(?:(?:från|fr\.o\.m\.|till|t\.o\.m\.|sedan|före|efter)\s+(?:och\s+med\s+)?)?(?:{_DATE})\b",
    re.IGNORECASE,
)
#: A condition, which answers "när" as a date does ("när kan du få …?" – "om du har fått …"): to the clause's end.
CONDITION_RE = re.compile(
    r"\b(?:[Oo]m\s+(?:du|man|ni|vi|de|det|den|han|hon|hen|din|ditt|dina|någon|personen|barnet)"
    r"|[Nn]är|[Ii]nnan|[Ss]å\s+länge(?:\s+som)?|[Ee]fter\s+att)\b[^,.;:!?()\n]{3,150}"
)
_SCALE = r"(?:tusen|miljon(?:er)?|miljard(?:er)?|milj\.|mdr)"
_MONEY_UNIT = r"(?:kronor|kr\b|kr\.|mnkr|mdkr|tkr|msek|sek\b|euro|dollar|pund|procent(?:enheter)?|%)"
#: A sum, a share or a count with its unit: "2 100 kronor per månad", "11,6 miljarder", "30 procent".
AMOUNT_RE = re.compile(
    rf"\b(?:(?:{QUALIFIERS})\s+)?(?:{NUMBER})(?:\s+{_SCALE})?\s*{_MONEY_UNIT}(?:\s+(?:per|i|om)\s+\w+)?"
    rf"|\b(?:(?:{QUALIFIERS})\s+)?(?:{NUMBER})\s+{_SCALE}",
    re.IGNORECASE,
)
_MEASURES = (r"(?:km|kilometer|mil|meter|m|cm|mm|kg|kilo|gram|ton|liter|grader|°\s?C|kvadratmeter|kvm|m2|hektar"
             rf"|procent|%|{_TIME_UNITS})")
#: A count or a measure: "tolv", "14", "2 100", "63 dagar", "15 °C", "30 %" (not a year alone: "1944" dates, it
#: does not count).
COUNT_RE = re.compile(
    rf"\b(?:(?:{QUALIFIERS})\s+)?(?:(?!(?:1[5-9]|20)\d\d\b){_DIGITS}|{_NUMBER_WORDS_RE})\b(?:\s*{_MEASURES}(?!\w))?",
    re.IGNORECASE,
)
_BODY_ENDINGS = (
    r"verket|myndigheten|styrelsen|nämnden|inspektionen|kollegiet|kontoret|rådet|institutet|departementet"
    r"|universitetet|högskolan|kommun|kommunen|regionen|kassan|banken|domstolen|ombudsmannen|förbundet"
    r"|centralen|fonden|förvaltningen|landstinget|polisen|tullen|museet|museum|akademien"
)
#: A public body: "Skatteverket", "Länsstyrelsen i Skåne", "Region Stockholm", "regeringen".
BODY_RE = re.compile(
    rf"\b(?:[A-ZÅÄÖ][\w-]*(?:{_BODY_ENDINGS})(?:\s+i\s+[A-ZÅÄÖ]\w+(?:\s+län)?)?"
    r"|(?:Region|Kommun|Stiftelsen|Länsstyrelsen|Riksbanken|Polisen)\s+[A-ZÅÄÖ]\w+"
    r"|[A-ZÅÄÖ]\w+s\s+(?:läns\s+landsting|stad|kommun)"
    r"|[Rr]egeringen|[Rr]iksdagen|Regeringskansliet|EU-kommissionen"
    r"|Europeiska\s+(?:kommissionen|unionen|rådet|parlamentet|domstolen)"
    r"|[A-ZÅÄÖ]{2,}(?:-[A-ZÅÄÖ]+)?)\b"
)
#: A person named by what they do, an agent noun: "flygteknikern", "rekryteraren", "hovmästare", "veterinär".
AGENT_RE = re.compile(
    r"\b[a-zåäöé][\w-]{2,}(?:are|aren|arna|örer|ör|ören|isten|ist|ister|logen|log|anten|ant|enten|ent|ikern|iker"
    r"|mannen|man|ledaren|ledare|chefen|chef|ären|är|ieren|ier|erskan|ska|sköterskan|tören|tör)\b"
)
#: A person's name: "Fredrik Wikström", "Carl von Linné".
NAME_RE = re.compile(rf"\b{PERSON_NAME}\b")
#: Words that introduce a list's items rather than begin one ("såsom statliga myndigheter, kommuner …").
LIST_OPENERS = r"såsom|som|till exempel|exempelvis|bland annat|bl\.a\.|t\.ex\.|främst|både|inklusive|med|och|eller"
_ITEM_WORD = rf"(?!(?:{LIST_OPENERS})\b)[\w-]+"
_ITEM = rf"{_ITEM_WORD}(?:[ \u00a0]{_ITEM_WORD}){{0,2}}"
#: The items of a list in a sentence: "Flen, Gotland och Haninge".
LIST_RE = re.compile(rf"\b{_ITEM}(?:,\s{_ITEM})*,?\s(?:och|eller|samt)\s{_ITEM}")
#: The lines of a bulleted list (the group ``fact``): the items, without the line that introduces them.
BULLETS_RE = re.compile(r"(?:^|\n)•\s*(?P<fact>[^\n]+(?:\n•\s*[^\n]+)*)")
#: A quotation, a title or a name in quotation marks: 'rubriken "Friska arbetsplatser för alla åldrar"'.
QUOTE_RE = re.compile(r"[\"“”«»](?P<fact>[^\"“”«»\n]{2,120})[\"“”«»]")


def spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """The (start, end) of each match of ``pattern`` (or of its group ``fact``) in ``text``, without end punctuation."""
    found = []
    for match in pattern.finditer(text):
        start, end = match.span("fact") if "fact" in pattern.groupindex and match.group("fact") else match.span()
        while end > start and text[end - 1] in " \u00a0.,":
            end -= 1
        if end > start:
            found.append((start, end))
    return found
