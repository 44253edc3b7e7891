"""``sok index`` and ``sok crawl``: documents in, a new snapshot published."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from indexer.budgets import MAX_FETCH_SECONDS
from indexer.build import BuildError, build_snapshot, semantic_options
from indexer.corpus.model import Document, Problem
from indexer.corpus.readers import read_corpus
from indexer.corpus.readers.jsonl import iter_jsonl
from indexer.engines.base import EngineError
from indexer.engines.registry import ENGINES
from indexer.semantic.encoder import EncoderError
from search_app.cli.common import index_folder, index_option, settings
from search_app.cli.swedish import SwedishCommand
from search_app.wording import plural

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar


@click.command("index", cls=SwedishCommand)
@click.option("--corpus", "corpus_dir", type=click.Path(path_type=Path), default="corpus", show_default=True,
              help="Mapp med dokument (Markdown/text med front matter).")
@click.option("--jsonl", "jsonl_files", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              multiple=True, help="JSON Lines-fil med url, title, text (kan upprepas).")
@click.option("--strict", is_flag=True, help="Avsluta med fel om någon fil inte kunde läsas.")
@click.option("--engine", "engine_name", type=click.Choice(ENGINES), default=None,
              help="Sökmotor för det nya indexet (SOK_ENGINE; standard whoosh).")
@click.option("--timings", is_flag=True, help="Visa hur lång tid varje steg tog.")
@click.option("--force", is_flag=True, help="Bygg ett nytt index även om inget har ändrats.")
@click.option("--semantic/--no-semantic", default=None,
              help="Med eller utan vektorer för semantisk sökning (SOK_SEMANTIC; standard med).")
@index_option
def index_command(corpus_dir: Path, jsonl_files: tuple[Path, ...], strict: bool, engine_name: str | None,
                  timings: bool, force: bool, semantic: bool | None, index_dir: Path) -> None:
    """Bygg ett nytt index och byt till det när det är klart (inget byggs om inget har ändrats)."""
    build_index(corpus_dir, jsonl_files, strict, engine_name, timings, index_folder(index_dir), force, semantic)


class EmbeddingProgress:
    """A progress bar with rate and time left for the embedding step (opened when it starts)."""

    def __init__(self) -> None:
        self._bar: ProgressBar[str | None] | None = None
        self._started = 0.0
        self._done = 0

    def start(self, total: int) -> None:
        """Open the bar for ``total`` units (nothing to show for none)."""
        if total:
            self._started = time.monotonic()
            self._bar = click.progressbar(length=total, label="Bäddar in", file=sys.stderr, show_eta=True,
                                          item_show_func=lambda rate: rate)
            self._bar.__enter__()

    def update(self, count: int) -> None:
        """``count`` more units embedded."""
        if self._bar is not None:
            self._done += count
            rate = self._done / max(time.monotonic() - self._started, 1e-6)
            self._bar.update(count, f"{rate:.0f} enheter/s")

    def close(self) -> None:
        """Close the bar if it was opened."""
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def build_index(corpus_dir: Path, jsonl_files: tuple[Path, ...], strict: bool, engine_name: str | None,
                timings: bool, index_dir: Path, force: bool = False, semantic: bool | None = None) -> None:
    """Read the documents, build and publish a snapshot in ``index_dir``, and say what happened."""
    documents, problems = read_inputs(corpus_dir, jsonl_files)
    for problem in problems:
        click.echo(f"Hoppar över {problem}", err=True)
    if not documents:
        raise click.ClickException("inga dokument att indexera")
    config = settings()
    progress = EmbeddingProgress()
    options = semantic_options(index_dir, config["SEMANTIC"] if semantic is None else semantic)
    if config["EMBEDDING_CACHE"].strip():
        options.cache_dir = Path(config["EMBEDDING_CACHE"].strip())
    options.on_start, options.on_progress = progress.start, progress.update
    # Lower-cased as indexer.engines.registry.configured_engine() reads SOK_ENGINE.
    engine_name = engine_name or config["ENGINE"].strip().lower()
    try:
        with click.progressbar(length=len(documents), label="Indexerar", file=sys.stderr) as bar:
            report = build_snapshot(index_dir, documents, on_document=lambda: bar.update(1),
                                    language_dir=corpus_dir if corpus_dir.is_dir() else None,
                                    engine_name=engine_name, force=force, semantic=options)
    except (BuildError, EngineError, EncoderError, OSError) as error:
        message = f"bygget misslyckades, det gamla indexet används fortfarande: {error}"
        raise click.ClickException(message) from None
    finally:
        progress.close()
    for problem in report.problems:
        click.echo(f"Hoppar över {problem}", err=True)
    manifest = report.manifest
    if report.unchanged:
        click.echo(f"Indexet är redan aktuellt: inget har ändrats sedan {manifest.built_at} → {report.snapshot}")
    else:
        click.echo(f"Klart: {manifest.documents} dokument ({report.added} {'nytt' if report.added == 1 else 'nya'}, "
                   f"{report.changed} {'ändrat' if report.changed == 1 else 'ändrade'}, "
                   f"{report.removed} {'borttaget' if report.removed == 1 else 'borttagna'}), "
                   f"{manifest.sections} avsnitt, "
                   f"{plural(manifest.contacts, 'kontaktperson', 'kontaktpersoner')} → {report.snapshot}")
    if report.embedding is not None:
        embedded = plural(report.embedding.embedded, "enhet", "enheter")
        click.echo(f"Vektorer: {embedded} inbäddade, {report.embedding.cached} från cachen "
                   f"({options.cache_dir}), kodare {manifest.encoder}")
    elif not report.unchanged:
        click.echo("Utan vektorer (--no-semantic): bara ordsökning")
    if timings:
        for phase, seconds in report.timings.items():
            click.echo(f"  {phase}: {seconds:.1f} s")
    if strict and (problems or report.problems):
        raise click.ClickException(f"{len(problems) + len(report.problems)} problem (--strict)")


@click.command("crawl", cls=SwedishCommand)
@click.argument("start", metavar="START")
@click.option("--corpus", "corpus_dir", type=click.Path(path_type=Path), default=None,
              help="Spara det hämtade som korpusfiler här (standard: en tillfällig mapp).")
@click.option("--index", "index_dir", type=click.Path(path_type=Path), default=None,
              help="Indexera det hämtade hit direkt efteråt.")
@click.option("--max-pages", type=click.IntRange(1, 100_000), default=500, show_default=True)
@click.option("--delay", type=click.FloatRange(0, 60), default=1.0, show_default=True,
              help="Sekunder mellan två förfrågningar (robots.txt Crawl-delay går före om den är längre).")
@click.option("--timeout", type=click.FloatRange(0.1, 300), default=10.0, show_default=True,
              help=f"Sekunder att vänta på varje svar (en hel hämtning får ta högst {MAX_FETCH_SECONDS:g} s).")
@click.option("--engine", "engine_name", type=click.Choice(ENGINES), default=None, help="Sökmotor (SOK_ENGINE).")
def crawl_command(start: str, corpus_dir: Path | None, index_dir: Path | None, max_pages: int, delay: float,
                  timeout: float, engine_name: str | None) -> None:
    """Hämta en webbplats (sitemap.xml eller startsida) artigt till korpusfiler, och indexera dem om du vill."""
    import tempfile

    from indexer.corpus.crawl.crawler import Crawler

    if corpus_dir is None and index_dir is None:
        raise click.UsageError("ange --corpus, --index eller båda")
    with tempfile.TemporaryDirectory() as scratch:
        folder = corpus_dir or Path(scratch) / "corpus"
        with click.progressbar(length=max_pages, label="Hämtar", file=sys.stderr) as bar:
            try:
                crawler = Crawler(start, folder, max_pages=max_pages, delay_s=delay, timeout_s=timeout,
                                  on_page=lambda _url: bar.update(1))
            except ValueError as error:
                raise click.ClickException(str(error)) from None
            report = crawler.run()
        for original, final in report.redirected:
            click.echo(f"Omdirigerad: {original} → {final}")
        for url in report.disallowed:
            click.echo(f"Hoppar över {url}: förbjuden i robots.txt")
        for url, reason in report.problems:
            click.echo(f"Kunde inte hämta {url}: {reason}")
        for url in report.removed:
            click.echo(f"Borttagen från korpusen (finns inte längre): {url}")
        click.echo(f"Hämtade {len(report.fetched)} nya eller ändrade, {len(report.unchanged)} oförändrade"
                   f" → {folder}")
        if report.stopped:
            raise click.ClickException(f"webbplatsen hämtades inte: {report.stopped}")
        if index_dir is not None:
            build_index(folder, (), False, engine_name, False, index_dir)


def read_inputs(corpus_dir: Path, jsonl_files: tuple[Path, ...]) -> tuple[list[Document], list[Problem]]:
    """Every document of the corpus folder and the JSON Lines files, and every problem met reading them."""
    documents: list[Document] = []
    problems: list[Problem] = []
    if corpus_dir.is_dir():
        corpus = read_corpus(corpus_dir)
        documents += corpus.documents
        problems += corpus.problems
    elif not jsonl_files:
        raise click.ClickException(f"korpusmappen {corpus_dir} finns inte")
    for path in jsonl_files:
        for item in iter_jsonl(path):
            if isinstance(item, Document):
                documents.append(item)
            else:
                problems.append(item)
    return documents, problems
