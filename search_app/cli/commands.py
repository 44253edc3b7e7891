"""The ``sok`` command: index, serve, ask, search."""

from __future__ import annotations

import os
import sys
import textwrap
import time
from pathlib import Path

import click

from indexer.build import BuildError, build_snapshot, semantic_options
from indexer.corpus.documents import Document, Problem, iter_jsonl, read_corpus
from indexer.engines.base import EngineError
from indexer.engines.registry import ENGINES
from indexer.semantic.encoder import EncoderError
from indexer.snapshot.layout import SnapshotError
from search_app.settings import defaults

DEFAULT_INDEX = os.environ.get("SOK_INDEX_DIR", str(defaults()["INDEX_DIR"]))
index_option = click.option(
    "--index", "index_dir", type=click.Path(path_type=Path), default=DEFAULT_INDEX, show_default=True,
    help="Indexmapp (SOK_INDEX_DIR).",
)


@click.group()
@click.version_option(package_name="sok", prog_name="sok", message="%(prog)s %(version)s")
def main() -> None:
    """Sök: sök och svar i svenska myndighetssidor."""


@main.command("index")
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
    _index(corpus_dir, jsonl_files, strict, engine_name, timings, index_dir, force, semantic)


class EmbeddingProgress:
    """A progress bar with rate and time left for the embedding step (opened when it starts)."""

    def __init__(self) -> None:
        self._bar = None
        self._started = 0.0
        self._done = 0

    def start(self, total: int) -> None:
        if total:
            self._started = time.monotonic()
            self._bar = click.progressbar(length=total, label="Bäddar in", file=sys.stderr, show_eta=True,
                                          item_show_func=lambda rate: rate)
            self._bar.__enter__()

    def update(self, count: int) -> None:
        if self._bar is not None:
            self._done += count
            rate = self._done / max(time.monotonic() - self._started, 1e-6)
            self._bar.update(count, f"{rate:.0f} enheter/s")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def _index(corpus_dir: Path, jsonl_files: tuple[Path, ...], strict: bool, engine_name: str | None,
           timings: bool, index_dir: Path, force: bool = False, semantic: bool | None = None) -> None:
    documents, problems = _read_inputs(corpus_dir, jsonl_files)
    for problem in problems:
        click.echo(f"Hoppar över {problem}", err=True)
    if not documents:
        raise click.ClickException("inga dokument att indexera")
    progress = EmbeddingProgress()
    options = semantic_options(index_dir, semantic)
    options.on_start, options.on_progress = progress.start, progress.update
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
        click.echo(f"Klart: {manifest.documents} dokument ({report.added} nya, {report.changed} ändrade, "
                   f"{report.removed} borttagna), {manifest.sections} avsnitt, "
                   f"{manifest.contacts} kontaktpersoner → {report.snapshot}")
    if report.embedding is not None:
        click.echo(f"Vektorer: {report.embedding.embedded} enheter inbäddade, {report.embedding.cached} från cachen "
                   f"({options.cache_dir}), kodare {manifest.encoder}")
    elif not report.unchanged:
        click.echo("Utan vektorer (--no-semantic): bara ordsökning")
    if timings:
        for phase, seconds in report.timings.items():
            click.echo(f"  {phase}: {seconds:.1f} s")
    if strict and (problems or report.problems):
        raise click.ClickException(f"{len(problems) + len(report.problems)} problem (--strict)")


@main.command("crawl")
@click.argument("start")
@click.option("--corpus", "corpus_dir", type=click.Path(path_type=Path), default=None,
              help="Spara det hämtade som korpusfiler här (standard: en tillfällig mapp).")
@click.option("--index", "index_dir", type=click.Path(path_type=Path), default=None,
              help="Indexera det hämtade hit direkt efteråt.")
@click.option("--max-pages", type=click.IntRange(1, 100_000), default=500, show_default=True)
@click.option("--delay", type=click.FloatRange(0, 60), default=1.0, show_default=True,
              help="Sekunder mellan två förfrågningar (robots.txt Crawl-delay går före om den är längre).")
@click.option("--timeout", type=click.FloatRange(0.1, 300), default=10.0, show_default=True,
              help="Sekunder att vänta på en sida.")
@click.option("--engine", "engine_name", type=click.Choice(ENGINES), default=None, help="Sökmotor (SOK_ENGINE).")
def crawl_command(start: str, corpus_dir: Path | None, index_dir: Path | None, max_pages: int, delay: float,
                  timeout: float, engine_name: str | None) -> None:
    """Hämta en webbplats (sitemap.xml eller startsida) artigt till korpusfiler, och indexera dem om du vill."""
    import tempfile

    from indexer.corpus.crawl import Crawler

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
            _index(folder, (), False, engine_name, False, index_dir)



def _read_inputs(corpus_dir: Path, jsonl_files: tuple[Path, ...]) -> tuple[list[Document], list[Problem]]:
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
            (documents if isinstance(item, Document) else problems).append(item)
    return documents, problems


@main.command()
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"), show_default="127.0.0.1")
@click.option("--port", type=int, default=lambda: int(os.environ.get("PORT", "8000")), show_default="8000")
@click.option("--workers", type=int, default=2, show_default=True, help="Antal gunicorn-processer.")
@click.option("--control-socket", type=click.Path(dir_okay=False, path_type=Path),
              default=lambda: os.environ.get("SOK_CONTROL_SOCKET") or None,
              help="Unix-uttag för gunicorns styrgränssnitt, ett per instans (SOK_CONTROL_SOCKET; standard av).")
@index_option
def serve(host: str, port: int, workers: int, control_socket: Path | None, index_dir: Path) -> None:
    """Starta webbtjänsten (gunicorn)."""
    _check_index(index_dir)
    os.environ["SOK_INDEX_DIR"] = str(index_dir.resolve())
    from search_app.web.server import run

    run(host, port, workers, control_socket=control_socket)


@main.command("ask")
@click.argument("question")
@index_option
def ask_command(question: str, index_dir: Path) -> None:
    """Ställ en fråga och få svaret med källa."""
    from search_app.answer.ask import ask

    snap = _open(index_dir)
    result = ask(snap, question)
    if result.answer:
        text = result.answer.text
        click.echo(text if "\n" in text else textwrap.fill(text, 88))
        click.echo(f"\nKälla: {result.answer.title} › {result.answer.section}\n{result.answer.url}")
    else:
        click.echo("Inget säkert svar hittades.")
        for passage in result.passages[:3]:
            click.echo(f"- {passage.title} › {passage.section}\n  {passage.url}")


@main.command("search")
@click.argument("query")
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@index_option
def search_command(query: str, limit: int, index_dir: Path) -> None:
    """Sök efter ord och visa träffarna."""
    from search_app.query.search import search

    result = search(_open(index_dir), query, limit=limit)
    click.echo(f"{result.total} träffar")
    for number, passage in enumerate(result.passages, start=1):
        click.echo(f"{number}. {passage.title} › {passage.section}  ({passage.score:.2f})")
        click.echo(textwrap.indent(textwrap.fill(passage.text.replace("\n", " ")[:300], 84), "   "))
        click.echo(f"   {passage.url}")


@main.command("stats")
@click.option("--db", "db_path", type=click.Path(path_type=Path), default=None,
              help="Statistikfilen (ANALYTICS_DB, standard var/analytics.sqlite).")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
def stats_command(db_path: Path | None, limit: int) -> None:
    """Visa vanliga sökningar, sökningar utan träffar, frågor utan svar och klick per sökning."""
    from search_app.web.analytics.stats import StatsUnavailable, read_stats

    path = db_path or Path(os.environ.get("SOK_ANALYTICS_DB") or str(defaults()["ANALYTICS_DB"]))
    try:
        stats = read_stats(path, limit)
    except StatsUnavailable as error:
        raise click.ClickException(f"statistiken i {path} kan inte läsas: {error}") from None
    click.echo(f"{stats.searches} sökningar, {stats.clicks} öppnade träffar "
               f"({100 * stats.click_through:.0f} % klick per sökning) i {path}")
    for title, rows in (("Vanligaste sökningarna", stats.top), ("Utan träffar", stats.zero_results),
                        ("Utan säkert svar", stats.unanswered)):
        click.echo(f"\n{title}:")
        for row in rows:
            click.echo(f"  {row.searches:6d}  {row.query}  ({row.results} träffar, {row.clicks} klick)")
        if not rows:
            click.echo("  (inga)")


@main.command("eval")
@click.argument("questions", type=click.Path(exists=True, dir_okay=False, path_type=Path))
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
    snap = _open(index_dir)
    rows = [score_run("Sök", asked, sok_ranker(snap), sok_answers(snap)).row()]
    if baseline:
        documents, _problems = _read_inputs(corpus_dir, jsonl_files)
        with tempfile.TemporaryDirectory() as folder:
            build_baseline(Path(folder) / "baseline", documents)
            base = open_index(Path(folder) / "baseline")
            rows.append(score_run("baseline (BM25)", asked, baseline_ranker(base)).row())
            base.close()
    click.echo("\n".join([HEADER, *rows]))


def _check_index(index_dir: Path) -> None:
    _open(index_dir).engine.close()


def _open(index_dir: Path):
    from indexer.snapshot.layout import current_snapshot
    from search_app.web.index_handle import open_snapshot

    try:
        return open_snapshot(current_snapshot(index_dir))
    except (SnapshotError, EngineError) as error:
        raise click.ClickException(f"{error}") from None
