import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from search.indexing import index_organizations
from tests.factories import PublishedOrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_anonymous_directory_page_is_cached_and_follows_publishing(client, demo_site):
    first = PublishedOrganizationFactory(name="Arepera Primera")
    index_organizations([first.pk])
    with CaptureQueriesContext(connection) as uncached:
        assert "Arepera Primera" in client.get("/directorio/").content.decode()
    with CaptureQueriesContext(connection) as cached:
        response = client.get("/directorio/")
    assert response.status_code == 200 and "Arepera Primera" in response.content.decode()
    # Wagtail's routing (site, page, restrictions) and the index version: no search at all.
    assert len(cached) <= 7 < len(uncached)
    assert not any("directory_search_directoryentry" in q["sql"] for q in cached.captured_queries)
    assert "script-src 'self'" in response["Content-Security-Policy"]  # headers still applied

    second = PublishedOrganizationFactory(name="Barbería Segunda")
    index_organizations([second.pk])  # publishing changes the index version
    assert "Barbería Segunda" in client.get("/directorio/").content.decode()


def test_logged_in_visitors_are_not_served_from_the_cache(client, demo_site):
    from hashlib import sha256

    from search.indexing import current_version

    client.get("/directorio/", HTTP_ACCEPT_LANGUAGE="es")
    key = f"directory-page:{current_version()}:es:{sha256(b'/directorio/').hexdigest()}"
    assert cache.get(key) is not None
    cache.set(key, (b"SENTINEL FROM THE CACHE", {"Content-Type": "text/html"}))
    assert client.get("/directorio/", HTTP_ACCEPT_LANGUAGE="es").content == b"SENTINEL FROM THE CACHE"
    client.force_login(UserFactory(username="ana"))
    assert b"SENTINEL" not in client.get("/directorio/", HTTP_ACCEPT_LANGUAGE="es").content


def test_languages_are_cached_apart(client, demo_site):
    spanish = client.get("/directorio/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    english = client.get("/directorio/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="es">' in spanish and '<html lang="en">' in english
