"""The dutygraph web service: the document graph over SPARQL and JSON, and kept validation runs.

``create_app(test_config=None)`` follows the Flask tutorial: the defaults below, then the
instance folder's ``config.py`` (when there is one) and ``DUTYGRAPH_*`` environment variables
(``DUTYGRAPH_STORE_DIR=/srv/store``, ``DUTYGRAPH_QUERY_TIME_LIMIT=5``; values are read as JSON when
they parse as JSON), then ``test_config`` instead of both. The limits are documented
in ``limits``; the store in ``store_access``; the protocol in ``sparql_protocol``; accounts in
``auth``; runs in ``runs_api`` and ``runs_store``. One blueprint per feature.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

__all__ = ["create_app"]


def create_app(test_config: dict | None = None) -> Flask:
    from . import (auth, browse_pages, canned_queries, duty_api, graph_view, limits, openapi, page_context, runs_api,
                   sparql_editor, sparql_protocol, store_access, validation_jobs, validation_pages)
    from .runs_store import drop_unfinished_runs

    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(STORE_DIR=str(Path.cwd() / ".dutygraph-store"), **limits.DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("DUTYGRAPH")
    else:
        app.config.from_mapping(test_config)

    store_access.init_app(app)
    auth.init_app(app)
    limits.init_app(app)
    validation_jobs.init_app(app)
    page_context.init_app(app)
    dropped = drop_unfinished_runs(app.extensions["dutygraph.store"])
    if dropped:
        app.logger.warning("dropped the graphs of %d interrupted upload(s): %s", len(dropped), ", ".join(dropped))
    for feature in (sparql_protocol, canned_queries, duty_api, openapi, auth, runs_api,
                    browse_pages, graph_view, sparql_editor, validation_pages):
        app.register_blueprint(feature.bp)

    @app.errorhandler(413)
    def body_too_large(error):
        return sparql_protocol.plain(413, f"the request body is larger than the limit of {app.config['MAX_CONTENT_LENGTH']} bytes")

    @app.errorhandler(405)
    def method_not_allowed(error):
        allowed = ", ".join(sorted(set(error.valid_methods or ["GET", "POST"]) - {"HEAD", "OPTIONS"}))
        return sparql_protocol.plain(405, f"method not allowed here; use {allowed}", Allow=allowed)

    @app.errorhandler(404)
    def not_found(error):
        """A page for a browser (Accept ranks text/html above text/plain), the plain text for everyone else."""
        from .browse_errors import not_found as answer_not_found

        return answer_not_found()

    return app
