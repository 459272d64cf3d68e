from django.db import connection
from django.db.utils import DatabaseError
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from search.status import search_status


@never_cache
def healthz(request):
    """Liveness for load balancers and people: 200 while the database answers, 503 otherwise.
    Search may be "degraded" (Elasticsearch down, database fallback) without failing the check."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except DatabaseError:
        database = "unavailable"
    body = {"database": database, "search": search_status()}
    return JsonResponse(body, status=200 if database == "ok" else 503)
