"""The directory across municipalities: the `municipality` filter and facet (API, page, both
backends), each site's scope (a district municipality's own registry first, all of Lima and
Callao one tap away; a metropolitan site searches everything), listing pages on any site,
the page cache per host, and the index following a renamed municipality."""

import pytest
from django.core.cache import cache
from wagtail.models import Site

from cms.models import DirectoryPage
from cms.page_cache import _cacheable_paths
from registry.models import home_municipality
from search.models import DirectoryEntry
from search.query import DirectoryQuery
from search.selectors import directory_search
from tests.factories import PublishedOrganizationFactory

pytestmark = pytest.mark.django_db

CARMEN = "070103"
LIMA = "150100"
CARMEN_HOST = "carmen.localhost"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def directory(demo_site):
    return DirectoryPage.objects.live().first()


@pytest.fixture
def carmen_site(carmen, demo_site):
    """Carmen de la Legua's own host name, serving the demo page tree (its directory included)."""
    site = Site.objects.create(hostname=CARMEN_HOST, port=80, root_page=demo_site, site_name="Carmen")
    carmen.site = site
    carmen.save()
    return site


@pytest.fixture
def listings(carmen, index_now):
    """Two listings in Lima Metropolitana's registry, one in Carmen de la Legua's."""
    lima = home_municipality()
    made = {
        "lima": [
            PublishedOrganizationFactory(name="Arepera Caracas", municipality=lima),
            PublishedOrganizationFactory(name="Peluquería Valencia", municipality=lima),
        ],
        "carmen": [PublishedOrganizationFactory(name="Cachapas del Callao", municipality=carmen)],
    }
    index_now()
    return made


def names(response) -> set[str]:
    return {hit["name"] for hit in response.json()["results"]}


def facet(response, name="municipality") -> dict[str, tuple[str, int]]:
    return {v["value"]: (v["label"], v["count"]) for v in response.json()["facets"][name]}


# ----- the API --------------------------------------------------------------------------------


def test_the_api_filters_by_municipality_and_counts_each(client, listings, carmen):
    everything = client.get("/api/v1/directory/")
    assert everything.json()["count"] == 3
    assert facet(everything) == {LIMA: ("Lima", 2), CARMEN: (carmen.short_name, 1)}

    only_carmen = client.get("/api/v1/directory/", {"municipality": CARMEN})
    assert names(only_carmen) == {"Cachapas del Callao"}
    (hit,) = only_carmen.json()["results"]
    assert (hit["municipality"], hit["municipality_name"]) == (CARMEN, carmen.name)
    # Each facet ignores its own filter: the other municipality is still offered, with its count.
    assert facet(only_carmen) == {LIMA: ("Lima", 2), CARMEN: (carmen.short_name, 1)}

    assert client.get("/api/v1/directory/", {"municipality": f"{LIMA},{CARMEN}"}).json()["count"] == 3
    assert client.get(f"/api/v1/directory/?municipality={LIMA}&municipality={CARMEN}").json()["count"] == 3
    assert names(client.get("/api/v1/directory/", {"municipality": LIMA, "q": "valencia"})) == {
        "Peluquería Valencia"
    }


@pytest.mark.parametrize("value", ["999999", "lima", "150100,12"])
def test_the_api_refuses_an_unknown_municipality_with_a_translated_message(client, listings, value):
    response = client.get("/api/v1/directory/", {"municipality": value}, HTTP_ACCEPT_LANGUAGE="es")

    assert response.status_code == 400
    message = response.json()["detail"]
    assert "Ninguna municipalidad tiene el ubigeo" in message
    assert value.split(",")[-1] in message


def test_one_listing_from_the_api_names_its_municipality(client, listings, carmen):
    listing = listings["carmen"][0]
    data = client.get(f"/api/v1/directory/{listing.registry_number}/").json()
    assert (data["municipality"], data["municipality_name"]) == (CARMEN, carmen.name)


def test_the_filter_and_the_facet_on_each_backend(search_backend, listings, carmen):
    result = directory_search(query=DirectoryQuery(municipality=(CARMEN,)))
    assert result.backend == search_backend
    assert [hit.listing.name for hit in result.hits] == ["Cachapas del Callao"]
    assert result.hits[0].listing.municipality_name == carmen.name
    counts = {v.value: (v.label, v.count, v.selected) for v in result.facets["municipality"]}
    assert counts == {LIMA: ("Lima", 2, False), CARMEN: (carmen.short_name, 1, True)}

    with_words = directory_search(query=DirectoryQuery(text="valencia", municipality=(LIMA, CARMEN)))
    assert [hit.listing.name for hit in with_words.hits] == ["Peluquería Valencia"]
    assert {v.value: v.count for v in with_words.facets["municipality"]} == {LIMA: 1, CARMEN: 0}


# ----- the directory page on each site ---------------------------------------------------------


def test_a_metropolitan_site_searches_every_registry(client, directory, listings):
    body = client.get(directory.url, HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert body.count('class="card listing-card"') == 3
    assert "Registrado por" in body  # the facet
    assert 'class="directory-scope"' not in body  # nothing to switch: everything is shown


def test_a_district_site_shows_its_own_registry_first_and_all_one_tap_away(
    client, directory, listings, carmen, carmen_site
):
    own = client.get(directory.url, HTTP_HOST=CARMEN_HOST, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert own.count('class="card listing-card"') == 1 and "Cachapas del Callao" in own
    assert f"Mostrando las fichas registradas en {carmen.short_name}." in own
    assert f'<a href="?" aria-current="true">Solo {carmen.short_name}</a>' in own
    # A plain link (no JavaScript), and the search form keeps the scope shown.
    assert '<a href="?scope=all">Ver todo Lima y Callao</a>' in own
    assert f'<input type="hidden" name="municipality" value="{CARMEN}">' in own
    assert '<input type="hidden" name="scope" value="all">' in own

    everything = client.get(
        directory.url, {"scope": "all"}, HTTP_HOST=CARMEN_HOST, HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert everything.count('class="card listing-card"') == 3
    assert "Mostrando las fichas de todo Lima y Callao." in everything
    assert '<a href="?scope=all" aria-current="true">Ver todo Lima y Callao</a>' in everything
    assert f'<a href="?">Solo {carmen.short_name}</a>' in everything
    assert 'name="municipality"' not in everything.split("</form>")[0]

    # A search typed on the district site stays in its registry; the scope's links keep the words.
    searched = client.get(
        directory.url, {"q": "valencia"}, HTTP_HOST=CARMEN_HOST, HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "Peluquería Valencia" not in searched
    assert '<a href="?q=valencia&amp;scope=all">Ver todo Lima y Callao</a>' in searched
    found = client.get(
        directory.url, {"q": "valencia", "scope": "all"}, HTTP_HOST=CARMEN_HOST
    ).content.decode()
    assert "Peluquería Valencia" in found


def test_on_a_district_site_filter_links_keep_the_scope_shown(client, directory, listings, carmen_site):
    own = client.get(directory.url, HTTP_HOST=CARMEN_HOST).content.decode()
    # Choosing Lima's registry too, from the page that shows Carmen's: both, said outright.
    assert f'href="?municipality={CARMEN}&amp;scope=all&amp;municipality={LIMA}"' in own
    both = client.get(
        f"{directory.url}?municipality={CARMEN}&scope=all&municipality={LIMA}", HTTP_HOST=CARMEN_HOST
    ).content.decode()
    assert both.count('class="card listing-card"') == 3
    # A sector chosen on the page keeps Carmen's scope.
    assert f'href="?municipality={CARMEN}&amp;scope=all&amp;sector=gastronomia"' in own


def test_the_page_ignores_an_unknown_municipality_in_a_shared_link(client, directory, listings):
    response = client.get(directory.url, {"municipality": "999999"})
    assert response.status_code == 200
    assert response.content.decode().count('class="card listing-card"') == 3


def test_a_listing_opens_on_every_site_and_names_its_registry(
    client, directory, listings, carmen, carmen_site
):
    callao = listings["carmen"][0]
    lima = listings["lima"][0]
    on_lima = client.get(f"{directory.url}{callao.slug}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Cachapas del Callao" in on_lima
    assert "Registrado por" in on_lima and carmen.name in on_lima
    on_carmen = client.get(f"{directory.url}{lima.slug}/", HTTP_HOST=CARMEN_HOST, HTTP_ACCEPT_LANGUAGE="es")
    assert on_carmen.status_code == 200
    assert home_municipality().name in on_carmen.content.decode()


def test_two_sites_never_share_a_cached_directory_page(client, directory, listings, carmen_site):
    """Anonymous pages are cached by host (cms/page_cache.py): the same path on two sites gives
    two pages, each served again from the cache."""
    _cacheable_paths.discard(directory.url)
    for _ in range(3):  # learnt, stored, then served from the cache
        carmen_page = client.get(directory.url, HTTP_HOST=CARMEN_HOST).content.decode()
        lima_page = client.get(directory.url).content.decode()
        assert carmen_page.count('class="card listing-card"') == 1
        assert lima_page.count('class="card listing-card"') == 3
    assert len([key for key in cache._cache if "directory-page:" in key]) == 2


# ----- the index follows the municipalities ---------------------------------------------------


def test_a_renamed_municipality_renames_its_listings_and_its_facet(
    client, listings, carmen, django_capture_on_commit_callbacks
):
    client.get("/api/v1/directory/")  # the labels are cached
    with django_capture_on_commit_callbacks(execute=True):
        carmen.name = "Municipalidad Distrital de Carmen de La Legua-Reynoso"
        carmen.short_name = "La Legua"
        carmen.save()

    entry = DirectoryEntry.objects.get(pk=listings["carmen"][0].pk)
    assert entry.municipality_name == "Municipalidad Distrital de Carmen de La Legua-Reynoso"
    assert facet(client.get("/api/v1/directory/"))[CARMEN] == ("La Legua", 1)


def test_saving_a_municipality_without_renaming_it_reindexes_nothing(
    listings, carmen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        carmen.colour = "#123456"
        carmen.save()
    names = {getattr(callback, "__name__", "") for callback in callbacks}
    assert "_flush" not in names


def test_the_migration_fills_the_entries_indexed_before_it(listings, carmen):
    """Migration 0007 on an index written without municipalities: the entries get theirs and
    move to facet groups that carry it, and the index version changes."""
    import importlib

    from django.apps import apps
    from django.db import connection

    from search.models import FacetGroup
    from search.version import current_version

    migration = importlib.import_module("search.migrations.0007_municipality")
    # The index as it was: no municipality on the entries nor in their facet groups.
    DirectoryEntry.objects.update(municipality_code="", municipality_name="")
    FacetGroup.objects.all().delete()
    for entry in DirectoryEntry.objects.all():
        group, _created = FacetGroup.objects.get_or_create(
            kind=entry.kind,
            sector_code=entry.sector_code,
            district_code=entry.district_code,
            language_codes=entry.language_codes,
        )
        DirectoryEntry.objects.filter(pk=entry.pk).update(facet_group=group.pk)
    version = current_version()

    class Editor:
        def execute(self, sql, params=None):
            with connection.cursor() as cursor:
                cursor.execute(sql, params)

    migration.fill(apps, Editor())

    entry = DirectoryEntry.objects.get(pk=listings["carmen"][0].pk)
    assert (entry.municipality_code, entry.municipality_name) == (CARMEN, carmen.name)
    groups = dict(FacetGroup.objects.values_list("pk", "municipality_code"))
    assert all(groups[e.facet_group] == e.municipality_code for e in DirectoryEntry.objects.all())
    assert current_version() != version
    result = directory_search(query=DirectoryQuery(municipality=(CARMEN,)), backend="database")
    assert [hit.listing.name for hit in result.hits] == ["Cachapas del Callao"]


def test_elasticsearch_maps_filters_and_counts_the_municipality(settings):
    from search.backends import elasticsearch as es_backend

    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    assert es_backend.mapping()["mappings"]["properties"]["municipality"] == {
        "type": "keyword",
        "eager_global_ordinals": True,
    }
    body = es_backend.search_body(DirectoryQuery(municipality=(CARMEN,), sector=("gastronomia",)))
    # A post_filter, so that its own facet still counts every municipality.
    assert {"terms": {"municipality": [CARMEN]}} in body["post_filter"]["bool"]["filter"]
    aggregation = body["aggs"]["municipality"]
    assert aggregation["filter"] == {"bool": {"filter": [{"terms": {"sector": ["gastronomia"]}}]}}
    assert aggregation["aggs"]["values"]["terms"]["field"] == "municipality"


def test_a_municipality_that_joins_is_known_where_the_cached_labels_predate_it(client, listings):
    """Another process's cache (no Redis) may hold the labels from before a municipality joined:
    its code is still accepted, and labelled, at once."""
    from registry.models import Municipality
    from search.selectors import MUNICIPALITY_LABELS_KEY

    client.get("/api/v1/directory/")
    Municipality.objects.bulk_create(  # no signal: as if saved by another process
        [
            Municipality(
                ubigeo="150132",
                name="Municipalidad Distrital de San Juan de Lurigancho",
                short_name="San Juan de Lurigancho",
                kind="district",
                registry_prefix="SJL",
            )
        ]
    )
    assert "150132" not in cache.get(MUNICIPALITY_LABELS_KEY)

    response = client.get("/api/v1/directory/", {"municipality": "150132"})
    assert response.status_code == 200
    assert facet(response)["150132"] == ("San Juan de Lurigancho", 0)
