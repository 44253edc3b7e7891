"""``sok serve``: the web service under gunicorn."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from search_app.cli.common import index_folder, index_option, open_current, settings
from search_app.cli.swedish import SwedishCommand


@click.command(cls=SwedishCommand)
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"), show_default="127.0.0.1")
@click.option("--port", type=int, default=lambda: int(os.environ.get("PORT", "8000")), show_default="8000")
@click.option("--workers", type=int, default=2, show_default=True, help="Antal gunicorn-processer.")
@click.option("--control-socket", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Unix-uttag för gunicorns styrgränssnitt, ett per instans (SOK_CONTROL_SOCKET; standard av).")
@index_option
def serve(host: str, port: int, workers: int, control_socket: Path | None, index_dir: Path) -> None:
    """Starta webbtjänsten (gunicorn)."""
    from search_app.web.server import bind_problem, run  # gunicorn and the app: only when serving
    from search_app.web.server_logs import LOG_FORMATS

    config = settings()
    if config["LOG_FORMAT"] not in LOG_FORMATS:
        raise click.ClickException(f"LOG_FORMAT ska vara {' eller '.join(LOG_FORMATS)}, inte {config['LOG_FORMAT']!r}")
    problem = bind_problem(host, port)
    if problem:  # one Swedish line instead of gunicorn's five English retries
        click.echo(problem, err=True)
        sys.exit(1)
    folder = index_folder(index_dir)
    if control_socket is None and config["CONTROL_SOCKET"]:
        control_socket = Path(config["CONTROL_SOCKET"])
    from indexer.build import semantic_options
    from indexer.semantic.encoder import EncoderError, prepare_encoder

    # The encoder's files live beside the embedding cache of the index; built here, before the fork.
    cache = Path(config["EMBEDDING_CACHE"].strip() or semantic_options(folder).cache_dir)
    os.environ.setdefault("SOK_ENCODER_FILES", str(cache / "encoder"))
    snapshot = open_current(folder)  # no index: one line saying what to run, before gunicorn starts
    if snapshot.semantic is not None:
        try:
            prepare_encoder()
        except EncoderError as error:
            snapshot.engine.close()
            raise click.ClickException(str(error)) from None
    if config["PRELOAD"]:  # loaded once here, shared by the forked workers (search_app.web.preload)
        from search_app.web.preload import load_before_fork
        from search_app.web.server import encoder_threads, limit_native_threads

        os.environ.setdefault("SOK_ENCODER_THREADS", str(encoder_threads(workers)))
        limit_native_threads()
        load_before_fork(folder, snapshot)  # the snapshot just opened, not a second one; closes its engine
    else:
        snapshot.engine.close()
    del snapshot  # nothing of it stays mapped in the master (the preload keeps its own copy without vectors)
    # Only the index folder is handed over: the workers read the rest themselves, so a SIGHUP
    # reload still picks up a changed SOK_CONFIG file, as before.
    # The address served on counts as this machine's name while ALLOWED_HOSTS is empty.
    run(host, port, workers, control_socket=control_socket,
        overrides={"INDEX_DIR": str(folder.resolve()), "SOK_BOUND_HOST": host},
        log_format=config["LOG_FORMAT"], gunicorn_config=config["GUNICORN_CONFIG"])
