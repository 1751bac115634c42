"""``dutygraph serve``: the SPARQL endpoint (``dutygraph.web``) under waitress, a production WSGI server."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def cmd_serve(args) -> int:
    import waitress

    from .remote_store import RemoteError, is_store_url
    from .web import create_app
    from .web.store_access import StoreInUse

    # The command line wins over the instance config and the environment. --store is the embedded
    # store's folder, or the URL of an external SPARQL engine (the folder then holds the service's
    # own files: accounts, the session key, upload jobs; --store-dir, default .dutygraph-store).
    if args.store and is_store_url(args.store):
        os.environ["DUTYGRAPH_STORE_URL"] = args.store
    elif args.store:
        if args.store_dir:
            print("dutygraph: --store-dir goes with --store URL (an engine); --store DIR is already the folder", file=sys.stderr)
            return 2
        os.environ["DUTYGRAPH_STORE_DIR"] = str(Path(args.store).resolve())
    if args.store_dir:
        os.environ["DUTYGRAPH_STORE_DIR"] = str(Path(args.store_dir).resolve())
    if args.store and is_store_url(args.store):
        from .cli_validate import EngineUnusable, engine_store

        try:
            engine_store(args.store, document="none")  # reachable, and accepting updates: the service writes
        except EngineUnusable as error:
            print(f"dutygraph: {error}", file=sys.stderr)
            return 2
    try:
        app = create_app()
    except StoreInUse as error:
        print(f"dutygraph: {error}", file=sys.stderr)
        return 2
    except RemoteError as error:
        print(f"dutygraph: cannot serve on the SPARQL engine at {os.environ.get('DUTYGRAPH_STORE_URL', '')}: {error}",
              file=sys.stderr)
        return 2
    # More threads than query and validation slots, so that a full house is answered 503 instead of queueing.
    threads = app.config["MAX_CONCURRENT_QUERIES"] + app.config["MAX_CONCURRENT_VALIDATIONS"] + 4
    # waitress buffers a body (to a temporary file past a few MB) before the app sees it: its own cap
    # bounds that buffer, above the app's limits, so that the app answers a body just over a limit
    # with its own 413 message.
    body_cap = 2 * max(app.config["MAX_CONTENT_LENGTH"], app.config["UPLOAD_MAX_BYTES"])
    print(f"dutygraph: serving http://{args.host}:{args.port}/ (SPARQL endpoint /sparql; store "
          f"{app.extensions['dutygraph.store_path']})", flush=True)
    waitress.serve(app, host=args.host, port=args.port, threads=threads,
                   max_request_body_size=body_cap, ident="dutygraph")
    return 0


def add_parsers(sub) -> None:
    serve = sub.add_parser("serve", help="serve the query service over HTTP (waitress): /sparql, /queries, /api, /validate, /runs")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    serve.add_argument("--store", metavar="DIR|URL",
                       help="the embedded store's directory (default: .dutygraph-store in the working directory), or the "
                            "URL of an external SPARQL 1.1 engine's endpoint (DUTYGRAPH_STORE_URL) holding the graph and the runs")
    serve.add_argument("--store-dir", metavar="DIR",
                       help="with --store URL: the folder of the service's own files (accounts, session key, upload jobs; "
                            "default .dutygraph-store)")
    serve.set_defaults(handler=cmd_serve)
