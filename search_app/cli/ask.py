"""``sok ask`` and ``sok search``: a question or words against the snapshot serving now."""

from __future__ import annotations

import textwrap
from pathlib import Path

import click

from search_app.cli.common import index_folder, index_option, open_current
from search_app.cli.swedish import SwedishCommand
from search_app.wording import plural


@click.command("ask", cls=SwedishCommand)
@click.argument("question", metavar="FRÅGA")
@index_option
def ask_command(question: str, index_dir: Path) -> None:
    """Ställ en fråga och få svaret med källa."""
    from search_app.answer.ask import ask

    snap = open_current(index_folder(index_dir))
    result = ask(snap, question)
    if result.answer:
        text = result.answer.text
        if result.answer.highlight is not None:  # the fact first, as a screen reader hears it on the page
            click.echo("Svar: " + click.style(result.answer.highlight.text, bold=True) + "\n")
        click.echo(text if "\n" in text else textwrap.fill(text, 88))
        click.echo(f"\nKälla: {result.answer.title} › {result.answer.section}\n{result.answer.url}")
    else:
        click.echo("Inget säkert svar hittades.")
        for passage in result.passages[:3]:
            click.echo(f"- {passage.title} › {passage.section}\n  {passage.url}")


@click.command("search", cls=SwedishCommand)
@click.argument("query", metavar="SÖKORD")
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@index_option
def search_command(query: str, limit: int, index_dir: Path) -> None:
    """Sök efter ord och visa träffarna."""
    from indexer.engines.base import TOTAL_BOUND
    from search_app.query.search import search

    result = search(open_current(index_folder(index_dir)), query, limit=limit)
    click.echo(plural(result.total, "träff", "träffar") if result.total_exact else f"fler än {TOTAL_BOUND} träffar")
    for number, passage in enumerate(result.passages, start=1):
        click.echo(f"{number}. {passage.title} › {passage.section}  ({passage.score:.2f})")
        click.echo(textwrap.indent(textwrap.fill(passage.text.replace("\n", " ")[:300], 84), "   "))
        click.echo(f"   {passage.url}")
