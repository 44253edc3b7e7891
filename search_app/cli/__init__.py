"""The ``sok`` command: index, crawl, serve, ask, search, stats, eval.

Each command lives in the module of its stage (``index``, ``serve``, ``ask``, ``stats``) and
reads its settings through :func:`search_app.settings.load_settings`, as the app does.
"""

from __future__ import annotations

import click

from search_app.cli.ask import ask_command, search_command
from search_app.cli.click_messages import use_swedish_messages
from search_app.cli.index import crawl_command, index_command
from search_app.cli.serve import serve
from search_app.cli.stats import eval_command, stats_command
from search_app.cli.swedish import VERSION_HELP, SwedishGroup

use_swedish_messages()  # click's usage errors in Swedish, like its help (search_app/cli/swedish.py)


@click.group(cls=SwedishGroup)
@click.version_option(package_name="sok", prog_name="sok", message="%(prog)s %(version)s", help=VERSION_HELP)
def main() -> None:
    """Sök: sök och svar i svenska myndighetssidor."""


for _command in (index_command, crawl_command, serve, ask_command, search_command, stats_command, eval_command):
    main.add_command(_command)
