"""The embeddable directory (search/embed.py): the same listings as the public directory, nothing
private, framable by other sites while every other page stays unframable, no cookie, cacheable,
a clear message for a bad filter, and the page that hands out the code.

The tests only read, so the demo site and the listings are built once for the module, inside a
transaction rolled back at its end; each test runs in a savepoint within it."""

import html
import re

import pytest
from django.core.cache import cache
from django.db import transaction

from cms.models import DirectoryPage
from registry.models import ApplicationStatus, District, Sector
from tests.factories import OrganizationFactory, PersonFactory, PublishedOrganizationFactory

pytestmark = pytest.mark.django_db

LISTING_NAME = re.compile(r'<h2 id="listing-\d+">([^<]+)</h2>')


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def listings(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        _build_listings()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def directory(listings, db):
    return DirectoryPage.objects.live().first()


@pytest.fixture
def embed_url(directory):
    return f"{directory.url}insertar/marco/"


def _build_listings():
    from cms.demo import build_site
    from search import indexing

    build_site()
    comas = District.objects.get(code="comas")
    belleza = Sector.objects.get(code="belleza")
    PublishedOrganizationFactory(name="Arepera Zuliana", whatsapp="987654321", phone="")
    PublishedOrganizationFactory(name="Cachapas del Llano", district=comas, phone="", whatsapp="")
    PublishedOrganizationFactory(name="Peluquería Caracas", sector=belleza, district=comas)
    PublishedOrganizationFactory(name="Barbería Valencia", sector=belleza, description="Cortes y barba")
    home = PublishedOrganizationFactory(
        name="Tequeños de Casa",
        address="Calle Privada Marcador 9",
        address_public=False,
        latitude="-12.050000",
        longitude="-77.100000",
        ruc="10456789012",
    )
    PersonFactory(organization=home, full_name="Yosmary Marcadora", document_number="CPP55501234")
    OrganizationFactory(name="Arepera Borrador")  # a draft
    OrganizationFactory(
        name="Arepera Suspendida", status=ApplicationStatus.SUSPENDED, registry_number="RMO-9"
    )
    OrganizationFactory(name="Arepera Retirada", status=ApplicationStatus.APPROVED, live=False)
    indexing.rebuild()


def names(response) -> list[str]:
    return [html.unescape(name) for name in LISTING_NAME.findall(response.content.decode())]


@pytest.mark.parametrize(
    "filters",
    [
        {"sector": "gastronomia"},
        {"district": "comas"},
        {"sector": "belleza", "district": "comas"},
        {"q": "arepas"},
        {"municipality": "150100"},
        {},
    ],
    ids=["sector", "district", "sector and district", "words", "municipality", "everything"],
)
def test_embed_lists_what_the_public_api_lists(client, embed_url, listings, filters):
    api = client.get("/api/v1/directory/", filters).json()
    response = client.get(embed_url, {**filters, "limit": 20})

    assert response.status_code == 200
    assert names(response) == [listing["name"] for listing in api["results"]]
    assert f">{api['count']} " in response.content.decode()


def test_a_district_may_be_given_by_its_ubigeo(client, embed_url, listings):
    ubigeo = District.objects.get(code="comas").ubigeo
    assert ubigeo
    by_code = names(client.get(embed_url, {"district": "comas"}))
    assert names(client.get(embed_url, {"district": ubigeo})) == by_code
    assert sorted(by_code) == ["Cachapas del Llano", "Peluquería Caracas"]


def test_nothing_unpublished_or_private_is_shown(client, embed_url, listings):
    body = html.unescape(client.get(embed_url, {"limit": 20}).content.decode())

    assert "Tequeños de Casa" in body and "Arepera Zuliana" in body
    for hidden in ("Arepera Borrador", "Arepera Suspendida", "Arepera Retirada"):
        assert hidden not in body
    for private in ("Calle Privada Marcador", "10456789012", "45678901", "Yosmary", "CPP55501234", "-12.05"):
        assert private not in body


def test_contact_links_only_where_the_listing_shows_them(client, embed_url, listings):
    body = client.get(embed_url, {"q": "Arepera Zuliana"}).content.decode()
    assert 'href="https://wa.me/51987654321"' in body and "tel:" not in body

    body = client.get(embed_url, {"q": "Cachapas del Llano"}).content.decode()
    assert "wa.me" not in body and "tel:" not in body
    assert 'href="http://testserver/directorio/cachapas-del-llano/" target="_blank" rel="noopener"' in body


def test_the_embed_may_be_framed_and_no_other_page_may(client, directory, embed_url, listings, settings):
    embed = client.get(embed_url, {"sector": "gastronomia"})
    assert "X-Frame-Options" not in embed.headers
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy-Report-Only"]

    for other in (directory.url, f"{directory.url}insertar/", f"{directory.url}arepera-zuliana/"):
        response = client.get(other)
        assert response.status_code == 200, other
        assert response.headers["X-Frame-Options"] == "DENY", other
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], other

    settings.EMBED_FRAME_ANCESTORS = ["https://ong.example", "https://www.muni.example"]
    policy = client.get(embed_url).headers["Content-Security-Policy"]
    assert "frame-ancestors https://ong.example https://www.muni.example" in policy


def test_the_embed_sets_no_cookie_and_may_be_kept_by_public_caches(client, embed_url, listings):
    response = client.get(embed_url, {"sector": "gastronomia"})
    body = response.content.decode()

    assert not response.cookies
    assert "Set-Cookie" not in response.headers
    assert "csrfmiddlewaretoken" not in body
    cache_control = response.headers["Cache-Control"]
    assert "public" in cache_control and "max-age=300" in cache_control
    # The language of an address without a prefix follows Accept-Language (and the language
    # cookie, which a frame on another site does not send): caches keep one copy per language.
    assert "Accept-Language" in response.headers["Vary"]


def test_a_light_accessible_document_in_the_chosen_language(client, embed_url, listings):
    spanish = client.get(embed_url, {"sector": "gastronomia", "district": "comas"})
    body = spanish.content.decode()
    assert '<html lang="es" data-directory-embed>' in body
    assert "<main>" in body and "<header>" in body and "<footer>" in body
    assert (
        "<h1>Directorio de Gastronomía y alimentos en Comas — Municipalidad Metropolitana de Lima</h1>"
        in body
    )
    assert "Ver en el directorio" in body
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in body and "CC BY 4.0" in body
    assert 'href="http://testserver/directorio/?sector=gastronomia&amp;district=comas"' in body
    assert len(spanish.content) < 8_000

    english = client.get(embed_url, {"sector": "gastronomia", "lang": "en"})
    assert (
        '<html lang="en"' in english.content.decode() and "See in the directory" in english.content.decode()
    )
    assert english.headers["Content-Language"] == "en"


def test_pages_are_plain_links(client, embed_url, listings):
    first = client.get(embed_url, {"sector": "gastronomia", "limit": 2}).content.decode()
    assert 'href="?sector=gastronomia&amp;limit=2&amp;page=2" rel="next"' in first
    second = client.get(embed_url, {"sector": "gastronomia", "limit": 2, "page": 2})
    assert len(names(second)) == 1
    assert 'rel="prev"' in second.content.decode()


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"sector": "panaderia-inventada"}, "No hay ningún sector con el código “panaderia-inventada”."),
        ({"district": "springfield"}, "No hay ningún distrito “springfield” en Lima ni en Callao."),
        ({"municipality": "999999"}, "Ninguna municipalidad tiene el ubigeo 999999"),
        ({"limit": "mil"}, "“mil” no es un número de fichas: escribe un número del 1 al 20."),
        ({"kind": "empresa"}, "“empresa” no es un tipo de ficha: escribe business u organization."),
    ],
    ids=["sector", "district", "municipality", "limit", "kind"],
)
def test_a_bad_filter_gets_a_clear_message(client, embed_url, listings, filters, message):
    response = client.get(embed_url, filters)
    body = html.unescape(response.content.decode())

    assert response.status_code == 400
    assert message in body
    assert 'role="alert"' in body and not names(response)
    assert "X-Frame-Options" not in response.headers  # the message shows inside the other site


def test_the_code_page_shows_the_snippet_and_a_preview_without_javascript(client, directory, listings):
    response = client.get(
        f"{directory.url}insertar/", {"sector": "belleza", "district": "comas", "limit": "5"}
    )
    body = html.unescape(response.content.decode())

    assert response.status_code == 200
    assert "Agrega el directorio a tu sitio web" in body
    assert (
        '<script src="http://testserver/static/embed.js" data-sector="belleza" data-district="comas" '
        'data-limit="5" async></script>'
    ) in body
    frame = "http://testserver/directorio/insertar/marco/?sector=belleza&district=comas&limit=5"
    assert f'<iframe src="{frame}"' in body  # the snippet without a script
    assert '<option value="belleza" selected>' in body

    preview = client.get(frame.removeprefix("http://testserver"))
    assert names(preview) == ["Peluquería Caracas"]


def test_the_code_page_says_what_is_wrong_with_a_filter(client, directory, listings):
    response = client.get(f"{directory.url}insertar/", {"sector": "panaderia-inventada"})
    body = html.unescape(response.content.decode())

    assert response.status_code == 400
    assert "No hay ningún sector con el código “panaderia-inventada”." in body
    assert "<script src=" not in body.split("<main", 1)[1].split("</main>")[0]


def test_too_many_requests_are_refused_inside_the_frame(client, embed_url, listings, settings):
    settings.RATELIMIT_ENABLE = True
    # django-ratelimit counts in fixed windows that start at a time of its own: a daily window
    # makes it all but impossible for one to restart between these three requests.
    settings.DIRECTORY_API_RATE = "2/d"
    assert [client.get(embed_url).status_code for _ in range(2)] == [200, 200]

    refused = client.get(embed_url)
    assert refused.status_code == 429
    assert "espera un minuto" in refused.content.decode()
    assert "X-Frame-Options" not in refused.headers
    assert "frame-ancestors *" in refused.headers["Content-Security-Policy"]


def test_a_listing_never_takes_the_address_of_the_code_page(client, directory, listings):
    from registry.importexport.columnar import _unique_slugs

    insertar = PublishedOrganizationFactory(name="Insertar")
    assert insertar.slug != "insertar"
    imported = _unique_slugs(["Insertar", "Insertar"])  # an import's path to a slug
    assert "insertar" not in imported and insertar.slug not in imported and len(set(imported)) == 2
    response = client.get(f"{directory.url}insertar/")
    assert "embed.js" in response.content.decode()


def test_the_directory_links_to_the_code_page(client, directory, listings):
    response = client.get(directory.url)
    assert f'href="{directory.url}insertar/"' in response.content.decode()
