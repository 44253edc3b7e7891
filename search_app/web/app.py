"""Sök: the Flask app that serves Swedish search and answers over an index snapshot."""

from __future__ import annotations

import atexit
from pathlib import Path

from flask import Flask

from indexer.engines.base import CANDIDATES, TOTAL_BOUND
from search_app.settings import load_settings
from search_app.web.analytics.writer import Analytics
from search_app.web.caching import ResultCache
from search_app.web.index_handle import IndexHandle
from search_app.web.parameters import BoundedJSONProvider


def create_app(test_config: dict | None = None) -> Flask:
    """Create the app.

    Settings come typed from :func:`search_app.settings.load_settings`: the defaults,
    then the ``SOK_CONFIG`` file, then ``SOK_*`` environment variables, then ``test_config``.
    """
    app = Flask(__name__)
    app.json = BoundedJSONProvider(app)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.config.from_mapping(load_settings(test_config))

    app.extensions["sok_index"] = IndexHandle(Path(app.config["INDEX_DIR"]), app.config["SNAPSHOT_CHECK_INTERVAL_S"])

    app.extensions["sok_results"] = ResultCache(int(app.config["RESULT_CACHE_MB"] * 2**20))

    if app.config["ANALYTICS_DB"]:
        analytics = Analytics(Path(app.config["ANALYTICS_DB"]))
        app.extensions["sok_analytics"] = analytics
        atexit.register(analytics.flush)

    from search_app.wording import plural, site_of, swedish_date

    app.add_template_filter(plural)
    app.add_template_filter(site_of, "site")
    app.add_template_filter(swedish_date)
    # What the results page says of an estimated total and of facets counted over the candidates only.
    app.jinja_env.globals.update(total_bound=TOTAL_BOUND, candidates=CANDIDATES)

    from search_app.web import admin, api, api_docs, caching, errors, operations, pages, security, widget

    app.register_blueprint(api.bp, url_prefix="/api/v1")
    app.register_blueprint(api.bp, url_prefix="/api", name="api_unversioned")
    app.register_blueprint(api.health)
    app.register_blueprint(pages.bp)
    app.register_blueprint(widget.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(api_docs.bp)
    errors.init_app(app)
    security.init_app(app)
    caching.init_app(app)
    operations.init_app(app)
    return app
