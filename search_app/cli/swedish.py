"""Click's own words in Swedish: the usage line, the section headings, the help option and the defaults.

Click words its help in English through gettext; these classes give every ``sok`` command the Swedish
words instead, and list each command's whole first sentence rather than cutting it off.
"""

from __future__ import annotations

from collections.abc import Iterable

import click

HEADINGS = {"Options": "Flaggor", "Commands": "Kommandon", "Positional arguments": "Argument"}
#: English phrases click puts in an option's help ("[default: corpus]"), in Swedish.
EXTRAS = (("default: ", "standard: "), ("env var: ", "miljövariabel: "), ("required", "krävs"))
#: Click's names of option values ("--db PATH"), in Swedish.
METAVARS = ((" INTEGER RANGE", " HELTAL"), (" FLOAT RANGE", " TAL"), (" INTEGER", " HELTAL"), (" FLOAT", " TAL"),
            (" PATH", " SÖKVÄG"), (" FILE", " FIL"), (" DIRECTORY", " MAPP"), (" BOOLEAN", " JA/NEJ"))
HELP = "Visa den här hjälpen och avsluta."
VERSION_HELP = "Visa versionen och avsluta."


class SwedishFormatter(click.HelpFormatter):
    """Click's help formatter with Swedish headings, usage line and option extras."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        """The usage line, "Användning: sok index [FLAGGOR]"."""
        args = args.replace("[OPTIONS]", "[FLAGGOR]").replace("COMMAND [ARGS]...", "KOMMANDO [ARGUMENT]...")
        super().write_usage(prog, args, "Användning: " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        """A section heading in Swedish."""
        super().write_heading(HEADINGS.get(heading, heading))

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        """Definition rows with click's English extras in Swedish."""
        translated = []
        for term, text in rows:
            for english, swedish in METAVARS:
                term = term.replace(english, swedish)
            for english, swedish in EXTRAS:
                text = text.replace(f"[{english}", f"[{swedish}").replace(f"; {english}", f"; {swedish}")
            translated.append((term, text))
        super().write_dl(translated, col_max, col_spacing)


class SwedishContext(click.Context):
    """A context whose help is written by :class:`SwedishFormatter`."""

    formatter_class = SwedishFormatter


class SwedishHelpOption:
    """``--help`` described in Swedish (mixed into the command and the group)."""

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        """``--help``, described in Swedish."""
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP
        return option


class SwedishCommand(SwedishHelpOption, click.Command):
    """A ``sok`` command whose help is wholly Swedish."""

    context_class = SwedishContext


class SwedishGroup(SwedishHelpOption, click.Group):
    """The ``sok`` group: Swedish help, and each command's whole first sentence in the list of commands."""

    context_class = SwedishContext
    command_class = SwedishCommand

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands with their short help uncut (it wraps instead)."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=200)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
