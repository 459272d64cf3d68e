from django.conf import settings


def search_status() -> str:
    """ "database" when the directory searches the database by design, "ok" when Elasticsearch
    answers, "degraded" when it is configured but does not (the database answers instead)."""
    if not settings.ELASTICSEARCH_URL:
        return "database"
    from .backends.elasticsearch import ping

    return "ok" if ping() else "degraded"
