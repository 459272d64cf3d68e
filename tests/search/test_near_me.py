""" "Near me" finds a listing whose address is private at its district's capital, says "en
<distrito>" and an approximate distance, and never shows its own point: not in the page, not in
the API, not in the map's pins, on every backend."""

import json
import re

import pytest
from django.core.cache import cache

from cms.models import DirectoryPage
from registry.models import District
from search.query import DirectoryQuery, Sort
from search.selectors import directory_search
from tests.factories import PublishedOrganizationFactory

pytestmark = pytest.mark.django_db

# A home in Comas, 1.9 km from the district's capital.
HOME = ("-11.970123", "-77.061234")


def card_of(page: str, name: str) -> str:
    found = page.index(name)
    return page[page.rindex("<article", 0, found) : page.index("</article>", found)]


@pytest.fixture
def barbers(db):
    cache.clear()
    comas = District.objects.get(code="comas")
    capital = (float(comas.latitude), float(comas.longitude))
    home = PublishedOrganizationFactory(
        name="Barbería a Domicilio Yorman",
        district=comas,
        address="Jr. Los Claveles 481",
        address_public=False,
        latitude=HOME[0],
        longitude=HOME[1],
        services=["cortes", "barba"],
    )
    shop = PublishedOrganizationFactory(
        name="Barbería Los Llanos",
        district=comas,
        address="Av. Túpac Amaru 1200",
        address_public=True,
        latitude=f"{capital[0] + 0.004:.6f}",
        longitude=f"{capital[1]:.6f}",
        services=["cortes"],
    )
    yield {"capital": capital, "home": home, "shop": shop}
    cache.clear()


def test_near_the_district_capital_finds_the_home_based_listing(search_backend, barbers, index_now):
    index_now()
    lat, lon = barbers["capital"]
    result = directory_search(
        query=DirectoryQuery(text="barberia", lat=lat, lon=lon, radius_km=1, sort=Sort.DISTANCE),
        backend=search_backend,
    )
    by_name = {hit.listing.name: hit for hit in result.hits}
    assert set(by_name) == {"Barbería a Domicilio Yorman", "Barbería Los Llanos"}
    # Sorted by the distance each is placed at: the capital itself, then the shop 0.44 km away.
    assert [hit.listing.name for hit in result.hits] == ["Barbería a Domicilio Yorman", "Barbería Los Llanos"]
    home = by_name["Barbería a Domicilio Yorman"]
    assert home.listing.location_approximate and not home.listing.has_location
    assert home.listing.latitude is None and home.distance_km < 0.05 and home.approximate_km == 0
    shop = by_name["Barbería Los Llanos"]
    assert shop.listing.has_location and not shop.listing.location_approximate
    assert abs(shop.distance_km - 0.445) < 0.01 and shop.approximate_km is None
    # Its real point is not near the capital: searching there does not find it.
    far = directory_search(
        query=DirectoryQuery(lat=float(HOME[0]), lon=float(HOME[1]), radius_km=0.5), backend=search_backend
    )
    assert "Barbería a Domicilio Yorman" not in [hit.listing.name for hit in far.hits]


def test_page_and_api_say_en_distrito_and_never_show_the_home(
    search_backend, barbers, index_now, client, demo_site
):
    index_now()
    lat, lon = barbers["capital"]
    directory = DirectoryPage.objects.live().first()
    params = {"q": "barberia", "lat": lat, "lon": lon, "radius_km": 1, "sort": "distance"}
    page = client.get(directory.url, params, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    card = card_of(page, "Domicilio Yorman")
    assert "en Comas" in card and "a menos de 1 km" in card
    pins = json.loads(re.search(r'data-pins="([^"]*)"', page).group(1).replace("&quot;", '"'))
    assert [pin["name"] for pin in pins] == ["Barbería Los Llanos"]

    data = client.get("/api/v1/directory/", params).json()
    assert data["backend"] == search_backend
    home = next(r for r in data["results"] if r["name"] == "Barbería a Domicilio Yorman")
    assert home["latitude"] is None and home["longitude"] is None and home["location_approximate"]
    assert home["distance_km"] < 0.05
    shop = next(r for r in data["results"] if r["name"] == "Barbería Los Llanos")
    assert shop["latitude"] is not None and not shop["location_approximate"]

    detail = client.get(f"{directory.url}{barbers['home'].slug}/").content.decode()
    hsds = b"".join(client.get("/datos-abiertos/hsds.json").streaming_content).decode()
    api = client.get("/api/v1/directory/", params).content.decode()
    for output in (page, detail, hsds, api):
        for secret in ("11.970123", "77.061234", "11.97012", "Los Claveles"):
            assert secret not in output


def test_the_farther_home_based_listing_shows_about_n_km(
    search_backend, barbers, index_now, client, demo_site
):
    index_now()
    lat, lon = barbers["capital"]
    directory = DirectoryPage.objects.live().first()
    # 2.2 km south of the capital.
    params = {"lat": lat - 0.02, "lon": lon, "radius_km": 3}
    page = client.get(directory.url, params, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    card = card_of(page, "Domicilio Yorman")
    assert "en Comas" in card and "a unos 2 km" in card
