import logging
import sys

from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from cms.models import DirectoryPage
from registry.db_routing import replica_configured, replica_status
from search.status import search_status

from .outage import outage_response

logger = logging.getLogger(__name__)


@never_cache
def healthz(request):
    """Liveness for load balancers and people: 200 while the database answers, 503 otherwise.
    Search may be "degraded" (Elasticsearch down, database fallback), and the read replica
    "lagging" or "unavailable" (public reads from the primary), without failing the check."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except DatabaseError:
        database = "unavailable"
    body = {"database": database, "search": search_status()}
    if replica_configured():  # public reads fall back to the primary: reported, never a failure
        body["replica"] = replica_status()
    return JsonResponse(body, status=200 if database == "ok" else 503)


# Error pages: in the site's layout, in the visitor's language, each with a way forward (Django's
# own are bare English pages with no way back). Used when DEBUG is off.


def _error_page(request, template, status, context=None):
    try:
        directory = DirectoryPage.objects.live().first()
        directory = directory.localized if directory else None  # in the visitor's language
        directory_url = directory.get_url(request) if directory else None
        return render(request, template, {"directory_url": directory_url, **(context or {})}, status=status)
    except Exception:  # the page itself failed (the database is down?): a page that needs nothing
        logger.exception("The %s error page could not be rendered", status)
        # The strings stay out of the f-strings: makemessages cannot see a call inside one.
        title, advice, home = (
            _("Something went wrong"),
            _("Please try again in a few minutes."),
            _("Go to the home page"),
        )
        return HttpResponse(
            '<!DOCTYPE html><html lang="es"><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}</title><h1>{title}</h1>"
            f'<p>{advice}</p><p><a href="/">{home}</a></p>',
            status=status,
        )


def bad_request(request, exception=None):
    return _error_page(request, "400.html", 400)


def permission_denied(request, exception=None):
    return _error_page(request, "403.html", 403)


def page_not_found(request, exception=None):
    return _error_page(request, "404.html", 404)


def server_error(request):
    # Called while the uncaught exception is being handled: a database outage raised outside a
    # view (a middleware reading the session or the page cache's key) is a 503 too.
    return outage_response(request, sys.exc_info()[1]) or _error_page(request, "500.html", 500)


def csrf_failure(request, reason=""):
    """A form sent from a page open too long, or with cookies off: say what to do, not why."""
    return _error_page(request, "403_csrf.html", 403, {"form_url": request.get_full_path()})
