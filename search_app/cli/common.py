"""What several ``sok`` commands share: the typed settings, the --index option, opening a snapshot."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from search_app.settings import SettingError, defaults, load_settings

if TYPE_CHECKING:
    from search_app.query.snapshot import OpenSnapshot

index_option = click.option(
    "--index", "index_dir", type=click.Path(path_type=Path), default=defaults()["INDEX_DIR"], show_default=True,
    help="Indexmapp (SOK_INDEX_DIR).",
)


def settings() -> dict[str, Any]:
    """The settings as the app reads them (defaults, SOK_CONFIG, SOK_*); a bad value is a one-line error."""
    try:
        return load_settings()
    except SettingError as error:
        raise click.ClickException(str(error)) from None


def index_folder(index_dir: Path) -> Path:
    """The folder ``--index`` names when it is given, else the INDEX_DIR setting (SOK_CONFIG, SOK_INDEX_DIR)."""
    context = click.get_current_context(silent=True)
    if context is not None and context.get_parameter_source("index_dir") is not ParameterSource.DEFAULT:
        return index_dir
    return Path(settings()["INDEX_DIR"])


def open_current(index_dir: Path) -> OpenSnapshot:
    """The snapshot serving now in ``index_dir``, or a one-line error saying what to run."""
    from indexer.engines.base import EngineError
    from indexer.snapshot.layout import SnapshotError
    from indexer.snapshot.reader import current_snapshot
    from search_app.query.snapshot import open_snapshot

    try:
        return open_snapshot(current_snapshot(index_dir))
    except (SnapshotError, EngineError) as error:
        raise click.ClickException(f"{error}") from None
