"""Each municipality's site at its host name: its pages, name, colour and logo, and the way to the
other municipalities' sites from any of them (127.0.0.1 included)."""

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from cms.branding import DARK_INK, LIGHT_INK, contrast_ratio, ink_for
from cms.models import DirectoryPage, OfficeSettings
from registry.models import Municipality, home_municipality

pytestmark = pytest.mark.django_db

CARMEN = {"HTTP_HOST": "carmen.localhost:8000"}


@pytest.fixture
def two_sites(demo_site, capsys):
    call_command("add_municipality", ubigeo="070103", host="carmen.localhost:8000", prefix="MCL")
    capsys.readouterr()
    Municipality.objects.filter(ubigeo="070103").update(colour="#00677F")
    home_municipality().__class__.objects.filter(pk=home_municipality().pk).update(colour="#9b1b30")
    cache.clear()  # the updates above skip the signals that empty the branding cache
    return Municipality.objects.get(ubigeo="070103")


def stylesheet(client, html, **extra):
    link = re.search(r'<link rel="stylesheet" href="(/municipalidad\.css\?c=\w+)">', html)
    assert link, "the page links its municipality's stylesheet"
    return client.get(link.group(1), **extra).content.decode()


def test_carmen_host_serves_carmens_pages_name_and_colour(client, two_sites):
    response = client.get("/", **CARMEN)
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["page"].pk == two_sites.site.root_page_id
    assert 'class="brand-municipality">Municipalidad Distrital de Carmen de la Legua Reynoso<' in html
    assert "--municipal-colour: #00677f;" in stylesheet(client, html, **CARMEN)
    # Its own tree: the directory page on its host is Carmen's, not Lima's.
    directory = client.get("/directorio/", **CARMEN)
    assert directory.status_code == 200
    assert DirectoryPage.objects.get(pk=directory.context["page"].pk).get_site().pk == two_sites.site_id
    # Its footer links Lima's site.
    assert '<a href="http://localhost/">Municipalidad Metropolitana de Lima</a>' in html


def test_plain_address_reaches_the_home_municipality_and_links_the_others(client, two_sites):
    for host in ("127.0.0.1:8000", "localhost:8000"):
        html = client.get("/", HTTP_HOST=host).content.decode()
        assert 'class="brand-municipality">Municipalidad Metropolitana de Lima<' in html
        assert "--municipal-colour: #9b1b30;" in stylesheet(client, html, HTTP_HOST=host)
        assert (
            '<a href="http://carmen.localhost:8000/">Municipalidad Distrital de Carmen de la Legua Reynoso</a>'
            in html
        )
        assert ">Municipalidad Metropolitana de Lima</a>" not in html  # not a link to itself


def test_each_site_has_its_own_office_details(client, two_sites):
    OfficeSettings.for_site(two_sites.site).__class__.objects.filter(site=two_sites.site).update(
        phone="01 429 0000"
    )
    assert "01 429 0000" in client.get("/", **CARMEN).content.decode()
    assert "01 429 0000" not in client.get("/", HTTP_HOST="127.0.0.1:8000").content.decode()


def test_a_colour_change_shows_at_once_on_cached_pages(client, two_sites):
    directory = "/directorio/"
    client.get(directory, **CARMEN)
    assert "c=00677f" in client.get(directory, **CARMEN).content.decode()
    two_sites.colour = "#8a1538"
    two_sites.save()  # through the model: the signal empties the caches
    html = client.get(directory, **CARMEN).content.decode()
    assert "c=8a1538" in html and "c=00677f" not in html


def test_a_logo_shows_in_the_header(client, two_sites):
    two_sites.logo = Image.objects.create(title="Escudo", file=get_test_image_file())
    two_sites.save()
    html = client.get("/", **CARMEN).content.decode()
    logo = re.search(r'<img class="brand-logo" src="([^"]+)" alt=""', html)
    assert logo and logo.group(1).startswith(settings.MEDIA_URL)  # a rendition of the image
    assert "brand-logo" not in client.get("/", HTTP_HOST="127.0.0.1:8000").content.decode()


def test_without_a_colour_the_site_keeps_the_portals_own(client, two_sites):
    Municipality.objects.filter(pk=two_sites.pk).update(colour="")
    cache.clear()
    html = client.get("/", **CARMEN).content.decode()
    assert "municipalidad.css" not in html
    assert client.get("/municipalidad.css", **CARMEN).content == b""


@pytest.mark.parametrize(
    "colour", ["#00677f", "#9b1b30", "#ffd700", "#f0f0f0", "#777777", "#0000ff", "#00ff00"]
)
def test_the_header_text_always_contrasts_with_the_colour(colour):
    ink = ink_for(colour)
    assert ink in (LIGHT_INK, DARK_INK)
    assert contrast_ratio(colour, ink) >= 4.5


def test_the_page_cache_keeps_each_host_apart_and_follows_each_sites_settings(client, two_sites):
    lima_directory = client.get("/directorio/", HTTP_HOST="127.0.0.1:8000").content.decode()
    client.get("/directorio/", **CARMEN)
    # Served again (from the cache, keyed by host): each host keeps its own municipality.
    assert "c=9b1b30" in client.get("/directorio/", HTTP_HOST="127.0.0.1:8000").content.decode()
    carmen_directory = client.get("/directorio/", **CARMEN).content.decode()
    assert "c=00677f" in carmen_directory and carmen_directory != lima_directory
    # Saving one site's office details shows at once on that site's cached pages only.
    office = OfficeSettings.for_site(two_sites.site)
    office.phone = "01 429 1234"
    office.save()
    assert "01 429 1234" in client.get("/directorio/", **CARMEN).content.decode()
    assert "01 429 1234" not in client.get("/directorio/", HTTP_HOST="127.0.0.1:8000").content.decode()
