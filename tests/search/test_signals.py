"""The directory follows its vocabulary: a renamed sector or district reaches the database index,
the cached directory pages, the API and Elasticsearch once the change commits, without a
rebuild (search/signals.py)."""

import pytest
from django.core.cache import cache

from cms.models import DirectoryPage
from registry.models import District, Sector
from search.query import DirectoryQuery
from search.selectors import directory_search
from tests.factories import PublishedOrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def arepera(db, index_now):
    listing = PublishedOrganizationFactory(
        name="Arepera Zuliana",
        sector=Sector.objects.get(code="gastronomia"),
        district=District.objects.get(code="brena"),
    )
    index_now()
    return listing


def api_listing(client, **params):
    results = client.get("/api/v1/directory/", params).json()["results"]
    assert [r["name"] for r in results] == ["Arepera Zuliana"]
    return results[0]


def test_a_renamed_sector_shows_on_the_cached_directory_page_and_in_the_api(
    client, demo_site, arepera, django_capture_on_commit_callbacks
):
    url = DirectoryPage.objects.live().get(locale__language_code="es").url
    for _ in range(2):  # the second visit is served from the anonymous page cache
        assert "Gastronomía y alimentos" in client.get(url).content.decode()
    assert api_listing(client)["sector_label"] == "Gastronomía y alimentos"

    sector = Sector.objects.get(code="gastronomia")
    with django_capture_on_commit_callbacks(execute=True):
        sector.name = "Comida y bebida"
        sector.save()

    page = client.get(url).content.decode()
    assert "Comida y bebida" in page and "Gastronomía y alimentos" not in page
    listing = api_listing(client, sector="gastronomia")
    assert (listing["sector"], listing["sector_label"]) == ("gastronomia", "Comida y bebida")


def test_a_renamed_district_shows_in_the_api(client, arepera, django_capture_on_commit_callbacks):
    assert api_listing(client)["district_label"] == "Breña"

    district = District.objects.get(code="brena")
    with django_capture_on_commit_callbacks(execute=True):
        district.name = "Breña (Lima)"
        district.save()

    listing = api_listing(client, district="brena")
    assert (listing["district"], listing["district_label"]) == ("brena", "Breña (Lima)")


def test_a_rename_is_not_indexed_when_its_transaction_rolls_back(
    client, arepera, django_capture_on_commit_callbacks
):
    from django.db import transaction

    sector = Sector.objects.get(code="gastronomia")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        sector.name = "Nunca guardado"
        sector.save()
        raise RuntimeError
    assert callbacks == []
    assert api_listing(client)["sector_label"] == "Gastronomía y alimentos"


def test_a_renamed_sector_reaches_elasticsearch(elasticsearch, arepera, django_capture_on_commit_callbacks):
    sector = Sector.objects.get(code="gastronomia")
    with django_capture_on_commit_callbacks(execute=True):
        sector.name = "Comida y bebida"
        sector.save()

    elasticsearch.client().indices.refresh(index=elasticsearch.index_alias())
    result = directory_search(query=DirectoryQuery(text="arepera"))
    assert result.backend == "elasticsearch"
    assert [hit.listing.sector_label for hit in result.hits] == ["Comida y bebida"]


def test_a_renamed_formalization_step_shows_on_the_cached_directory_page(
    client, demo_site, arepera, django_capture_on_commit_callbacks
):
    from registry.models import FormalizationStep

    url = DirectoryPage.objects.live().get(locale__language_code="es").url
    step = FormalizationStep.objects.filter(optional=False).first()
    for _ in range(2):  # the second visit is served from the anonymous page cache
        assert step.title in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        step.title = "Licencia municipal al día"
        step.save()

    assert "Licencia municipal al día" in client.get(url).content.decode()
