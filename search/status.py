from django.conf import settings

from .backends.elasticsearch import ping


def search_status() -> str:
    """ "database" when the directory searches the database by design, "ok" when Elasticsearch
    answers, "degraded" when it is configured but does not (the database answers instead)."""
    if not settings.ELASTICSEARCH_URL:
        return "database"
    return "ok" if ping() else "degraded"
