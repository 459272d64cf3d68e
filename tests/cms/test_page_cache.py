import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms import page_cache
from cms.page_cache import page_key
from search.indexing import index_organizations
from tests.factories import PublishedOrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    # The paths learnt as cacheable too: an earlier test that opened the directory would otherwise
    # have the first visit of these tests served from the cache.
    page_cache._cacheable_paths.clear()
    cache.clear()
    yield
    cache.clear()


def test_anonymous_directory_page_is_cached_and_follows_publishing(client, demo_site):
    first = PublishedOrganizationFactory(name="Arepera Primera")
    index_organizations([first.pk])
    client.get("/directorio/")  # a process learns which paths are cacheable from their responses
    with CaptureQueriesContext(connection) as uncached:
        assert "Arepera Primera" in client.get("/directorio/").content.decode()
    with CaptureQueriesContext(connection) as cached:
        response = client.get("/directorio/")
    assert response.status_code == 200 and "Arepera Primera" in response.content.decode()
    # The index version only: no session, no Wagtail routing, no search.
    assert len(cached) == 1 < len(uncached)
    assert "directory_search_indexversion" in cached.captured_queries[0]["sql"]
    # The headers the rest of the stack adds are served with it.
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY" and "Permissions-Policy" in response
    assert response["Content-Language"] == "es" and "Set-Cookie" not in response

    second = PublishedOrganizationFactory(name="Barbería Segunda")
    index_organizations([second.pk])  # publishing changes the index version
    assert "Barbería Segunda" in client.get("/directorio/").content.decode()


def _sentinel(host="testserver", language="es", path="/directorio/"):
    from search.indexing import current_version

    key = page_key(host, language, path, current_version())
    assert cache.get(key) is not None
    cache.set(key, (b"SENTINEL FROM THE CACHE", [("Content-Type", "text/html")]))


def test_visitors_with_a_session_or_messages_are_not_served_from_the_cache(client, demo_site):
    for _ in range(2):
        client.get("/directorio/", HTTP_ACCEPT_LANGUAGE="es")
    _sentinel()
    assert client.get("/directorio/", HTTP_ACCEPT_LANGUAGE="es").content == b"SENTINEL FROM THE CACHE"
    client.cookies["messages"] = "pending"
    assert b"SENTINEL" not in client.get("/directorio/", HTTP_ACCEPT_LANGUAGE="es").content
    del client.cookies["messages"]
    client.force_login(UserFactory(username="ana"))
    assert b"SENTINEL" not in client.get("/directorio/", HTTP_ACCEPT_LANGUAGE="es").content


def test_languages_hosts_and_queries_are_cached_apart(client, demo_site, settings):
    settings.ALLOWED_HOSTS = ["testserver", "otra.example.pe"]
    for _ in range(2):
        client.get("/directorio/", HTTP_ACCEPT_LANGUAGE="es")
    _sentinel()
    english = client.get("/directorio/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in english
    assert b"SENTINEL" not in client.get("/directorio/?q=arepas", HTTP_ACCEPT_LANGUAGE="es").content
    assert (
        b"SENTINEL"
        not in client.get("/directorio/", HTTP_ACCEPT_LANGUAGE="es", HTTP_HOST="otra.example.pe").content
    )
    spanish = client.get("/directorio/", HTTP_ACCEPT_LANGUAGE="en", HTTP_COOKIE="django_language=es")
    assert spanish.content == b"SENTINEL FROM THE CACHE"  # the language cookie wins, as in LocaleMiddleware


def test_other_pages_are_never_cached(client, demo_site):
    from search.indexing import current_version

    for _ in range(3):
        client.get("/", HTTP_ACCEPT_LANGUAGE="es")
    assert cache.get(page_key("testserver", "es", "/", current_version())) is None


def test_publishing_a_page_or_saving_the_office_details_shows_on_cached_pages(client, demo_site):
    from wagtail.models import Site

    from cms.models import DirectoryPage, OfficeSettings

    for _ in range(2):
        client.get("/directorio/", HTTP_ACCEPT_LANGUAGE="es")  # learnt, then cached
    directory = DirectoryPage.objects.live().first()
    directory.intro = "<p>Busca emprendimientos migrantes cerca de ti.</p>"
    directory.save_revision().publish()
    assert "Busca emprendimientos migrantes cerca de ti." in client.get("/directorio/").content.decode()

    office = OfficeSettings.for_site(Site.objects.get(is_default_site=True))
    office.office_name = "Gerencia de Desarrollo Humano"
    office.save()
    assert "Gerencia de Desarrollo Humano" in client.get("/directorio/").content.decode()
