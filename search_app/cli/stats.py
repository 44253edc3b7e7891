"""``sok stats`` and ``sok eval``: the search statistics, and quality measured on a question file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from search_app.cli.common import index_folder, index_option, open_current, settings
from search_app.cli.index import read_inputs
from search_app.cli.swedish import SwedishCommand
from search_app.settings import defaults
from search_app.wording import plural

if TYPE_CHECKING:
    from search_app.web.analytics.missing import Missing


@click.command("stats", cls=SwedishCommand)
@click.option("--db", "db_path", type=click.Path(path_type=Path), default=None,
              help="Statistikfilen (ANALYTICS_DB, standard var/analytics.sqlite).")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
def stats_command(db_path: Path | None, limit: int) -> None:
    """Visa vanliga sökningar, sökningar utan träffar, klick per sökning och frågor utan svar eller med svaret "Nej"."""
    from search_app.web.analytics.stats import StatsUnavailable, read_stats

    # An empty ANALYTICS_DB turns counting off in the service; here it means the default file.
    path = db_path or Path(settings()["ANALYTICS_DB"] or defaults()["ANALYTICS_DB"])
    try:
        stats = read_stats(path, limit)
    except StatsUnavailable as error:
        raise click.ClickException(f"statistiken i {path} kan inte läsas: {error}") from None
    opened = plural(stats.clicks, "öppnad träff", "öppnade träffar")
    click.echo(f"{plural(stats.searches, 'sökning', 'sökningar')}, {opened} "
               f"({100 * stats.click_through:.0f} % klick per sökning) i {path}")
    if stats.languages:
        click.echo("Språk: " + ", ".join(f"{name} {count}" for name, count in stats.languages))
    for title, rows in (("Vanligaste sökningarna", stats.top), ("Utan träffar", stats.zero_results)):
        click.echo(f"\n{title}:")
        for row in rows:
            hits = "" if row.results is None else plural(row.results, "träff", "träffar") + ", "
            language = "" if row.language == "sv" else f", {row.language_name}"
            click.echo(f"  {row.searches:6d}  {row.query}  ({hits}{row.clicks} klick{language})")
        if not rows:
            click.echo("  (inga)")
    _echo_missing(stats.missing)


def _echo_missing(missing: Missing) -> None:
    """What people could not find: the most frequent questions without an answer or answered "Nej", per week."""
    click.echo(f'\n"Fick du svar på din fråga?": {missing.helpful} ja, {missing.not_helpful} nej')
    header = "".join(f"{label:>7}" for label in missing.week_labels)
    for title, rows in (("Frågor utan svar", missing.unanswered), ('Frågor med svaret "Nej"', missing.unhelpful)):
        click.echo(f"\n{title} (antal per vecka):")
        if not rows:
            click.echo("  (inga)")
            continue
        click.echo(f"  {'totalt':>6}{header}  fråga")
        for row in rows:
            weeks = "".join(f"{count:7d}" for count in row.per_week)
            hits = "" if row.results is None else f"  ({plural(row.results, 'träff', 'träffar')})"
            click.echo(f"  {row.total:6d}{weeks}  {row.query}{hits}")


@click.command("eval", cls=SwedishCommand)
@click.argument("questions", metavar="FRÅGEFIL", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@index_option
@click.option("--baseline", is_flag=True, help="Kör samma frågor mot ren BM25 (byggs från --corpus/--jsonl).")
@click.option("--corpus", "corpus_dir", type=click.Path(path_type=Path), default="corpus", show_default=True)
@click.option("--jsonl", "jsonl_files", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              multiple=True)
def eval_command(questions: Path, index_dir: Path, baseline: bool, corpus_dir: Path,
                 jsonl_files: tuple[Path, ...]) -> None:
    """Mät hit@1, hit@3, MRR@10 och andel rätt utan svar på en frågefil (JSON Lines)."""
    import tempfile

    from evaluation.metrics import (
        HEADER,
        baseline_ranker,
        build_baseline,
        read_questions,
        score_run,
        sok_answers,
        sok_ranker,
    )
    from indexer.engines.registry import open_index

    asked = read_questions(questions)
    snap = open_current(index_folder(index_dir))
    rows = [score_run("Sök", asked, sok_ranker(snap), sok_answers(snap)).row()]
    if baseline:
        documents, _problems = read_inputs(corpus_dir, jsonl_files)
        with tempfile.TemporaryDirectory() as folder:
            build_baseline(Path(folder) / "baseline", documents)
            base = open_index(Path(folder) / "baseline")
            rows.append(score_run("baseline (BM25)", asked, baseline_ranker(base)).row())
            base.close()
    click.echo("\n".join([HEADER, *rows]))
