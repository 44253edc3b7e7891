"""Click's error messages in Swedish: a small message catalogue in place of click's English gettext.

Click words its usage errors through ``gettext`` (``_("No such option {name!r}.")``) with no
Swedish catalogue; :func:`use_swedish_messages` gives click's modules a ``_`` and ``ngettext``
that look each English message up here (placeholders unchanged) and keep it when it is not here.
"""

from __future__ import annotations

import click.core
import click.exceptions
import click.parser
import click.types

#: English message (click's msgid) → Swedish, with the same placeholders.
MESSAGES = {
    "Error: {message}": "Fel: {message}",
    "Try '{command} {option}' for help.": "Skriv '{command} {option}' för hjälp.",
    "Aborted!": "Avbrutet.",
    "No such option {name!r}.": "Flaggan {name!r} finns inte.",
    "No such command {name!r}.": "Kommandot {name!r} finns inte.",
    "Missing command.": "Ett kommando saknas.",
    "Missing argument": "Argument saknas",
    "Missing option": "Flagga saknas",
    "Missing parameter": "Värde saknas",
    "Missing {param_type}": "{param_type} saknas",
    "Missing parameter: {param_name}": "Värde saknas: {param_name}",
    "Invalid value: {message}": "Ogiltigt värde: {message}",
    "Invalid value for {param_hint}: {message}": "Ogiltigt värde för {param_hint}: {message}",
    "Option {name!r} does not take a value.": "Flaggan {name!r} tar inget värde.",
    "Option {name!r} requires an argument.": "Flaggan {name!r} behöver ett värde.",
    "Option {name!r} requires {nargs} arguments.": "Flaggan {name!r} behöver {nargs} värden.",
    "Got unexpected extra argument ({args})": "Oväntat extra argument ({args})",
    "Got unexpected extra arguments ({args})": "Oväntade extra argument ({args})",
    "Did you mean {possibility}?": "Menade du {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Menade du någon av: {possibilities}?)",
    "{value!r} is not a valid {number_type}.": "{value!r} är inte ett giltigt tal.",
    "{value} is not in the range {range}.": "{value} ligger inte inom {range}.",
    "{value!r} is not {choice}.": "{value!r} är inte {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} är inte något av {choices}.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} finns inte.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} är en mapp.",
    "{name} {filename!r} is a file.": "{name} {filename!r} är en fil.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} går inte att läsa.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} går inte att skriva till.",
    "Could not open file {filename!r}: {message}": "Filen {filename!r} kunde inte öppnas: {message}",
    "file": "Filen",
    "directory": "Mappen",
    "path": "Sökvägen",
}


def swedish(message: str) -> str:
    """``message`` in Swedish when the catalogue has it, else as click wrote it."""
    return MESSAGES.get(message, message)


def swedish_plural(singular: str, plural: str, count: int) -> str:
    """``ngettext``'s choice between ``singular`` and ``plural``, in Swedish when the catalogue has it."""
    return swedish(singular if count == 1 else plural)


def use_swedish_messages() -> None:
    """Give click's modules the Swedish catalogue (they call ``_`` and ``ngettext`` when an error is made)."""
    for module in (click.core, click.exceptions, click.parser, click.types):
        names = vars(module)
        if "_" in names:
            names["_"] = swedish
        if "ngettext" in names:
            names["ngettext"] = swedish_plural
