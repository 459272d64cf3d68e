"""When the database cannot answer: a 503 that says "try again shortly", never a 500.

A restart of PostgreSQL, a connection the server dropped (`pg_terminate_backend`, a failover,
an idle timeout in a proxy), a server refusing connections or still starting up: Django raises
`OperationalError` or `InterfaceError` from wherever the first query ran, a view, a middleware
(the session, the directory page's cache key) or a template. This module decides which of those
errors are an outage (`is_database_outage`) and answers them all the same way
(`service_unavailable`): status 503 with `Retry-After`, never cached, the portal's error page in
the visitor's language (made without the database, which is what failed) or, under `/api/`, a
JSON body like the API's other errors. Nothing is half-written: every decision runs in one
transaction (`registry/services/review.py`), which the server rolls back when the connection
goes.

Errors raised in a view (or while its template renders) reach `DatabaseOutageMiddleware`;
errors raised in a middleware reach the 500 handler (`config.views.server_error`), which asks
`outage_response` first. The next request needs nothing special: Django closes a connection
that failed at the end of the request, and `CONN_HEALTH_CHECKS` checks a kept connection before
its first use in a request, so the one after a restart connects afresh.
"""

import logging
import sqlite3

from django.conf import settings
from django.contrib.messages import get_messages
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# SQLSTATE classes and codes that mean "the server is not there for now", not "this query is
# wrong" (PostgreSQL, Appendix A): 08 connection exception; 53 insufficient resources (too many
# connections, disk full); 57P01 terminated by an administrator (pg_terminate_backend, a fast
# shutdown), 57P02 crash shutdown, 57P03 the server is starting up or shutting down.
OUTAGE_SQLSTATE_CLASSES = ("08", "53")
OUTAGE_SQLSTATES = {"57P01", "57P02", "57P03"}
# SQLite's equivalents: the file is locked by a writer beyond the busy timeout, cannot be
# opened, or its disk failed.
OUTAGE_SQLITE_ERRORS = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_FULL")


def is_database_outage(error: BaseException | None) -> bool:
    """Whether `error` says the database is unreachable for now (retrying later will work),
    rather than that a query is wrong. An `OperationalError` with no SQLSTATE comes from the
    client library itself (connection refused, server closed the connection unexpectedly);
    `InterfaceError` means the connection was already closed."""
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if isinstance(cause, sqlite3.Error):
        name = getattr(cause, "sqlite_errorname", "") or ""
        return name.startswith(OUTAGE_SQLITE_ERRORS)
    sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if sqlstate is None:
        return True
    return sqlstate.startswith(OUTAGE_SQLSTATE_CLASSES) or sqlstate in OUTAGE_SQLSTATES


def wants_json(request) -> bool:
    return request.path.startswith("/api/")


def _retry_url(request) -> str:
    """The same address for a read; none for a form sent (a link would not send it again)."""
    return request.get_full_path() if request.method in ("GET", "HEAD") else ""


def service_unavailable(request) -> HttpResponse:
    """The answer to any request while the database is away. The page uses no context
    processor and no query (the office's name, the menu and the user all live in the
    database), only the site's stylesheet and fixed addresses."""
    retry_after = settings.DATABASE_OUTAGE_RETRY_AFTER
    if wants_json(request):
        response = JsonResponse(
            {
                "detail": _("The service is temporarily unavailable. Please try again in a moment."),
                "retry_after": retry_after,
            },
            status=503,
        )
    else:
        response = HttpResponse(render_to_string("503.html", {"retry_url": _retry_url(request)}), status=503)
    response["Retry-After"] = str(retry_after)
    add_never_cache_headers(response)  # neither a proxy nor the page cache may keep it
    return response


def outage_response(request, error: BaseException | None) -> HttpResponse | None:
    """The 503 for `error` if it is an outage, else None (a real bug stays a 500)."""
    if not is_database_outage(error):
        return None
    # One line, no traceback: during a restart every request in flight lands here.
    logger.warning("Database unavailable for %s %s: %s", request.method, request.path, error)
    # A page that failed after showing its messages ("Approved: … is registered as …") would
    # drop them; they are kept for the next page, so whoever acted is still told.
    storage = get_messages(request)
    if hasattr(storage, "used"):
        storage.used = False
    return service_unavailable(request)


class DatabaseOutageMiddleware:
    """Turns an outage raised by a view or its template into the 503 (see the module's
    docstring for errors raised by other middleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return outage_response(request, exception)
