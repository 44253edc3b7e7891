"""What a question in another language than Swedish asks for: a time, a number or amount, or a person or body.

The answer to such a question comes from the Swedish pages by meaning
(:mod:`search_app.answer.crosslingual`); its question words say which kind of
fact the answer should hold, as ``questions.question_type`` says for a Swedish
question. Only the kinds that ``questions.holds_fact_of_kind`` can find in a
Swedish sentence are named; any other question is "other". The words are each
language's common question words, matched as whole words (or as a word's start
where the language joins them to the next word, as Arabic does); a phrase written "^…" counts only as
the question's first word (Arabic "من" is "who" there, "from" elsewhere).
"""

from __future__ import annotations

import re

#: Per language, each kind and the words or phrases that ask for it, checked in this order (the first kind found
#: wins: "how long" asks for a time before "how" does anything else).
QUESTION_KINDS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "en": (("time", ("when", "by when", "until when", "what date", "which date", "what day", "what year",
                     "which year", "how long", "deadline")),
           ("amount", ("how much", "how large", "how big", "how high", "what level", "by how much")),
           ("number", ("how many", "what number")),
           ("who", ("who", "whom", "whose", "which minister", "which agency", "which authority", "which body",
                    "which university"))),
    "ar": (("time", ("متى", "موعد", "أي عام", "أي سنة", "تاريخ")),
           ("number", ("كم عدد",)),
           ("amount", ("كم", "بكم", "نسبة")),
           ("who", ("^من", "أي وزير", "أي وزيرة", "أي هيئة", "أي جامعة", "أي جهة"))),
    "fa": (("time", ("چه زمانی", "کی", "تا کی", "چه تاریخی", "چه سالی")),
           ("number", ("چند",)),
           ("amount", ("چقدر", "چه مقدار")),
           ("who", ("چه کسی", "کی", "کدام وزیر", "کدام اداره", "کدام سازمان"))),
    "pl": (("time", ("kiedy", "do kiedy", "od kiedy", "w którym roku", "do którego roku", "jak długo", "termin")),
           ("number", ("ile", "ilu")),
           ("amount", ("o ile", "jak duża", "jak duży", "jaka kwota", "do jakiego poziomu", "na ile")),
           ("who", ("kto", "komu", "kogo", "który minister", "która minister", "który urząd", "którą uczelnię"))),
    "uk": (("time", ("коли", "до якого", "скільки триває", "у якому році", "термін")),
           ("number", ("скільки",)),
           ("amount", ("яка сума", "на скільки")),
           ("who", ("хто", "кому", "який міністр", "яка установа", "яке відомство"))),
    "fi": (("time", ("milloin", "mihin mennessä", "minä vuonna", "kuinka kauan", "määräaika")),
           ("number", ("kuinka monta", "montako")),
           ("amount", ("paljonko", "kuinka paljon", "kuinka suuri")),
           ("who", ("kuka", "ketkä", "kenelle", "mikä virasto", "mikä viranomainen", "kuka ministeri"))),
    "so": (("time", ("goorma", "waqtiga", "sanadkee")),
           ("number", ("immisa", "imisa", "intee")),
           ("who", ("yaa", "ayaa", "hay'addee", "wasiirkee"))),
}
#: Languages that write a preposition or conjunction joined to the next word ("بكم", "ومتى"): their question words
#: are looked for at a word's start too.
JOINED_PREFIXES = {"ar": ("و", "ف", "ب", "ل"), "fa": ()}


def _words(text: str) -> str:
    """``text`` lowercased with one space between its words and one at each end."""
    return " " + " ".join(re.findall(r"[^\W_]+(?:['’][^\W_]+)?", text.lower())) + " "


def foreign_question_kind(text: str, language: str) -> str:
    """The kind of fact a question in ``language`` asks for ("time", "amount", "number", "who"), else "other"."""
    kinds = QUESTION_KINDS.get(language)
    if not kinds:
        return "other"
    spaced = _words(text)
    prefixes = ("", *JOINED_PREFIXES.get(language, ()))
    for kind, phrases in kinds:
        for phrase in phrases:
            if phrase.startswith("^"):
                if spaced.startswith(f" {phrase[1:]} "):
                    return kind
            elif any(f" {prefix}{phrase} " in spaced for prefix in prefixes):
                return kind
    return "other"
