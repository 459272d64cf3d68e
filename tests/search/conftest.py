"""Fixtures of the directory search tests.

`search_backend` runs a test once per reachable backend: the database (whichever engine the
suite runs on: SQLite, or PostgreSQL with DATABASE_URL) and, when ELASTICSEARCH_URL is set in
the environment, Elasticsearch with an index of its own that is removed afterwards.
"""

import os
import uuid

import pytest

ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")

BACKENDS = [
    "database",
    pytest.param(
        "elasticsearch",
        marks=[
            pytest.mark.elasticsearch,
            pytest.mark.skipif(not ELASTICSEARCH_URL, reason="ELASTICSEARCH_URL is not set"),
        ],
    ),
]


@pytest.fixture
def elasticsearch(settings):
    """Elasticsearch from the environment, with a test-only alias; cleaned up afterwards."""
    if not ELASTICSEARCH_URL:
        pytest.skip("ELASTICSEARCH_URL is not set")
    from search.backends import elasticsearch as es_backend

    settings.ELASTICSEARCH_URL = ELASTICSEARCH_URL
    settings.ELASTICSEARCH_INDEX = f"test-directory-{uuid.uuid4().hex[:10]}"
    settings.ELASTICSEARCH_TIMEOUT = 10.0
    es_backend.reset_circuit()
    yield es_backend
    es_backend.delete_alias_and_indices()
    es_backend.reset_circuit()


@pytest.fixture(params=BACKENDS)
def search_backend(request, db, settings):
    """The name of the backend under test; Elasticsearch is configured only for its run."""
    if request.param == "elasticsearch":
        request.getfixturevalue("elasticsearch")
    else:
        settings.ELASTICSEARCH_URL = ""
    return request.param


@pytest.fixture
def index_now():
    """Rebuild the directory index (database, and Elasticsearch when configured) from the
    database, as `search_index rebuild` does."""
    from search import indexing

    def rebuild():
        return indexing.rebuild()

    return rebuild
