"""The directory page made with its route and shell kept per index version (cms/page_shell.py):
fewer queries, and every change that could alter them shows at the next request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from cms.models import DirectoryPage, OfficeSettings
from search.indexing import index_organizations
from tests.factories import PublishedOrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _searches():
    """A new search each time, so that the anonymous page cache never answers."""
    for n in range(100):
        yield {"q": "arepera", "lat": f"{-12.04 - n / 1000:.4f}", "lon": "-77.0900", "radius_km": "5"}


@pytest.fixture
def directory(demo_site):
    listing = PublishedOrganizationFactory(
        name="Arepera Zuliana", latitude="-12.040000", longitude="-77.090000"
    )
    index_organizations([listing.pk])
    return DirectoryPage.objects.live().get(locale__language_code="es")


def _tables(captured) -> str:
    return " ".join(query["sql"] for query in captured.captured_queries)


def test_after_two_requests_the_page_reads_only_its_search(client, directory):
    searches = _searches()
    for _ in range(2):  # the first shows the address is cacheable, the second keeps its shell
        assert client.get(directory.url, next(searches)).status_code == 200
    params = next(searches)
    with CaptureQueriesContext(connection) as search:
        assert client.get("/api/v1/directory/", params).status_code == 200
    with CaptureQueriesContext(connection) as page:
        response = client.get(directory.url, params)
    assert response.status_code == 200
    assert "Arepera Zuliana" in response.content.decode()
    assert "wagtailcore_" not in _tables(page) and "cms_" not in _tables(page)
    # The index version, read before the page is made, is the one its search uses: read once.
    assert len(page) == len(search)
    assert _tables(page).count("directory_search_indexversion") == 1


def test_a_logged_in_visitor_gets_the_same_page(client, directory):
    client.force_login(UserFactory())
    searches = _searches()
    pages = [client.get(directory.url, next(searches)) for _ in range(3)]
    assert all(page.status_code == 200 for page in pages)
    # The menu of a logged-in visitor, not the anonymous one, on every request.
    assert all(
        "Log out" in page.content.decode() or "Cerrar sesión" in page.content.decode() for page in pages
    )


def test_a_view_restriction_applies_at_the_next_request(client, directory):
    searches = _searches()
    for _ in range(3):
        assert client.get(directory.url, next(searches)).status_code == 200
    PageViewRestriction.objects.create(page=directory, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(directory.url, next(searches))
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(UserFactory())
    assert client.get(directory.url, next(searches)).status_code == 200


def test_the_offices_details_and_the_page_show_their_change_at_once(client, directory):
    searches = _searches()
    for _ in range(3):
        client.get(directory.url, next(searches))
    office = OfficeSettings.objects.get(site__is_default_site=True)
    office.office_name = "Oficina de Prueba Renombrada"
    office.save()
    assert "Oficina de Prueba Renombrada" in client.get(directory.url, next(searches)).content.decode()
    directory.title = "Directorio renombrado"
    directory.save_revision().publish()
    assert "Directorio renombrado" in client.get(directory.url, next(searches)).content.decode()


def test_each_language_keeps_its_own_page(client, directory):
    searches = _searches()
    for _ in range(3):
        spanish = client.get(directory.url, next(searches), HTTP_ACCEPT_LANGUAGE="es")
        english = client.get("/en" + directory.url, next(searches), HTTP_ACCEPT_LANGUAGE="es")
    assert spanish.status_code == english.status_code == 200
    assert spanish["Content-Language"] == "es" and english["Content-Language"] == "en"
    assert '<html lang="en">' in english.content.decode()
    assert '<html lang="es">' in spanish.content.decode()


def test_a_listings_kept_card_follows_its_change(client, directory):
    """A card's contact links are kept per index version (cms/templatetags/cms_fragments.py):
    an edit that bumps the version shows at the next search."""
    from registry.models import Organization
    from search.version import current_version

    searches = _searches()
    for _ in range(3):  # the third search shows the card from what the second kept
        page = client.get(directory.url, next(searches)).content.decode()
    listing = Organization.objects.get(name="Arepera Zuliana")
    assert 'href="tel:+51987654321"' in page and 'href="https://wa.me/51987654321"' in page
    version = current_version()
    Organization.objects.filter(pk=listing.pk).update(phone="", whatsapp="")
    index_organizations([listing.pk])
    assert current_version() != version
    page = client.get(directory.url, next(searches)).content.decode()
    assert "Arepera Zuliana" in page
    assert 'class="button phone"' not in page and 'class="button whatsapp"' not in page
