"""SPARQL 1.1 Update on /sparql, for admins only (https://www.w3.org/TR/sparql11-protocol/#update-operation).

The public endpoint is read-only. An update — ``POST`` with ``application/x-www-form-urlencoded``
(``update=…``) or ``application/sparql-update`` — runs only for an admin: the ``ADMIN_TOKEN`` of the
configuration or an admin account's token (``Authorization: Bearer …``); anyone else gets 403
before anything runs. Even for an admin, ``LOAD`` and ``SERVICE`` are refused, so that the service
never fetches a URL. The update runs in the service process on the primary store, in one
transaction (Oxigraph applies an update request all or nothing), with no time limit (admins are
trusted; a worker process cannot write the store), and a new snapshot is published before the
answer, so the next query sees it. Each update is written to the audit log.

Note that the document graph (the default graph) is rebuilt from the resource tree when the data
version changes, and that runs should be deleted with ``DELETE /runs/ID``, not by hand.
"""

from __future__ import annotations

from flask import Response, request

from ..namespaces import PREFIXES
from . import store_access
from .query_guard import keywords

UPDATE_TYPE = "application/sparql-update"
FORM_TYPE = "application/x-www-form-urlencoded"


class _Refused(Exception):
    pass


def _plain(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def update_text(req) -> str | None:
    """The update of the request, or None when it is not an update request."""
    if req.method == "GET":
        return "" if "update" in req.args else None
    if req.mimetype == UPDATE_TYPE:
        try:
            return req.get_data(cache=False).decode("utf-8")
        except UnicodeDecodeError:
            return ""
    if req.mimetype == FORM_TYPE and "update" in req.form:
        return req.form.get("update", "")
    return None


def run_admin_update(update: str, account) -> Response:
    from .auth import account_store

    if account is None or not account.is_admin:
        return _plain(403, "this endpoint is read-only: SPARQL Update requests are not accepted "
                           "(updates need an admin token)")
    if request.method == "GET":
        return _plain(400, "send an update with POST (update=… or application/sparql-update), not GET")
    if not update.strip():
        return _plain(400, "no update: give the SPARQL Update in the update parameter or as the body")
    words = keywords(update)
    for refused in ("LOAD", "SERVICE"):
        if refused in words:
            return _plain(403, f"{refused} is not accepted, even from an admin: the service never fetches a URL")
    service_store = store_access.service_store()
    try:
        with service_store.write() as store:
            getattr(store, "admin_update", store.update)(update, prefixes=PREFIXES)  # engine: remote_store.admin_update
    except SyntaxError as error:
        return _plain(400, f"SPARQL syntax error: {error}")
    except ValueError as error:  # the engine refused it, or the service does not send it (UpdateRefused: 403)
        return _plain(getattr(error, "status", 400), str(error))
    except OSError as error:
        return _plain(500, f"the update could not be applied: {error}")
    account_store().log(account.name, "sparql-update", None, update[:2000], request.remote_addr)
    return Response(status=204)
