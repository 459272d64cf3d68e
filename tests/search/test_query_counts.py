"""The number of database queries of the directory page and the API is pinned: a change that
adds a query per listing, per facet or per filter fails here, whatever the data.

Counts are of the steady state (this process's caches of the index version already loaded) and
of the first request after an index change; they must not depend on how many listings match.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import DirectoryPage
from registry.models import Municipality, Sector, home_municipality
from search.backends import database
from search.models import DirectoryEntry
from tests.factories import PublishedOrganizationFactory

pytestmark = pytest.mark.django_db

# Per database engine: SQLite counts and ranks in two statements; PostgreSQL does both in one.
# Besides: the index version, the page's rows, and the municipalities' names from the cache (the
# sectors' and districts' labels are read once per index version, and what the table of indexed
# words says of a word, for typos, once per word and index version: TYPOS_OF_A_NEW_WORD).
API = {
    "sqlite": {
        "all": 3,
        "words": 4,
        "words and facet": 4,
        "facet page 2": 3,
        "distance": 4,
        "suggestions": 1,
        "municipality": 3,
    },
    "postgresql": {
        "all": 3,
        "words": 3,
        "words and facet": 3,
        "facet page 2": 3,
        "distance": 3,
        "suggestions": 1,
        "municipality": 3,
    },
}
API_QUERIES = {
    "all": ("/api/v1/directory/", {}),
    "words": ("/api/v1/directory/", {"q": "zuliana"}),
    "words and facet": ("/api/v1/directory/", {"q": "zulana", "sector": "gastronomia"}),
    "facet page 2": ("/api/v1/directory/", {"sector": "gastronomia", "page": 2}),
    "distance": ("/api/v1/directory/", {"lat": -12.04, "lon": -77.09, "radius_km": 2}),
    "suggestions": ("/api/v1/directory/suggestions/", {"q": "are"}),
    "municipality": ("/api/v1/directory/", {"municipality": "150100"}),
}
# The page reads what its search reads: the index version, read once by the anonymous page cache
# and the page's shell (cms/page_cache.py, cms/page_shell.py), is the one its search uses
# (search.version.request_version). Wagtail's routing, the site's settings and menu, the locales
# and translations for the language switcher and the site's municipality are kept per index
# version after a first request (test_made_page_reads_only_its_search below).
# These tests empty Django's cache before measuring (anonymous pages are cached), so the page
# also reads again what is kept there: the municipalities' short names for the facet, the
# badges' names (the formalization steps) and Wagtail's site root paths (the site and its root
# page): four more. (The municipalities' branding, cms/branding.py, is read only by the head,
# brand and footer, which are kept per index version: cms/templatetags/cms_fragments.py.)
PAGE_STEADY = 0
PAGE_EXTRA = PAGE_STEADY + 4
PAGE_QUERIES = {
    "all": {},
    "words": {"q": "zuliana"},
    "words and facet": {"q": "zulana", "sector": "gastronomia"},
    "distance": {"lat": "-12.04", "lon": "-77.09", "radius_km": "2"},
}
# Wagtail's routing, the site settings and the menu, and one query for the listing; with two
# languages, the active locale, the locales and the page's translation.
LISTING_PAGE = 14
# The site's municipality is kept with the page's shell; with Django's cache emptied, a second
# site sharing the root page (as here) costs Wagtail one more page read for its addresses.
DISTRICT_SITE_EXTRA = 1
# Loaded once per index version: facet groups, whole-directory counts, synonyms, the sectors and
# districts (their labels), and on SQLite the indexed words, for typos.
# The test's first request also reads the municipalities' short names (then kept in the cache).
# On PostgreSQL a word searched for the first time at an index version: its typos looked up.
FIRST_AFTER_CHANGE = {"sqlite": {"words": 6, "all": 5}, "postgresql": {"words": 6, "all": 5}}
TYPOS_OF_A_NEW_WORD = {"sqlite": 1, "postgresql": 1}


@pytest.fixture(autouse=True)
def _no_page_cache():
    cache.clear()
    yield
    cache.clear()


def listings(count):
    gastronomia = Sector.objects.get(code="gastronomia")
    for n in range(count):
        PublishedOrganizationFactory(
            name=f"Arepera Zuliana {n}",
            sector=gastronomia,
            latitude=f"{-12.04 + n / 100000:.6f}",
            longitude="-77.090000",
        )


@pytest.mark.parametrize("many", [21, 45], ids=["21 listings", "45 listings"])
@pytest.mark.parametrize("case", list(API_QUERIES))
def test_api_queries(client, index_now, django_assert_num_queries, case, many):
    listings(many)
    index_now()
    url, params = API_QUERIES[case]
    assert client.get(url, params).status_code == 200  # this process's caches
    with django_assert_num_queries(API[connection.vendor][case]):
        response = client.get(url, params)
    assert response.status_code == 200
    if case != "suggestions":
        assert response.json()["count"] == many


@pytest.mark.parametrize("many", [21, 45], ids=["21 listings", "45 listings"])
@pytest.mark.parametrize("case", list(PAGE_QUERIES))
def test_directory_page_queries(client, demo_site, index_now, django_assert_num_queries, case, many):
    listings(many)
    index_now()
    directory = DirectoryPage.objects.live().first()
    params = PAGE_QUERIES[case]
    for _ in range(2):  # the second request keeps the page's shell (cms/page_shell.py)
        assert client.get(directory.url, params).status_code == 200
    cache.clear()  # anonymous pages are cached: measure the page being made
    api_case = "words" if case == "words and facet" else case
    expected = API[connection.vendor][api_case] + PAGE_EXTRA
    with django_assert_num_queries(expected):
        response = client.get(directory.url, params)
    assert response.status_code == 200
    assert response.content.decode().count('class="card listing-card"') == 20


@pytest.mark.parametrize("many", [3, 60], ids=["3 listings", "60 listings"])
def test_made_page_reads_only_its_search(client, demo_site, index_now, django_assert_num_queries, many):
    """Every request a new search (a word or none near a position of its own, as phones send
    them, so the anonymous page cache never answers): after the address's first request the
    page reads what its search reads (the index version once), whatever the number of listings."""
    listings(many)
    index_now()
    directory = DirectoryPage.objects.live().first()
    for _ in range(2):  # the first shows the address is cacheable, the second keeps its shell
        assert client.get(directory.url, {"q": "zuliana"}).status_code == 200
    for position, word in enumerate(["zuliana", "", "arepera zuliana", "zulana"]):
        params = {"q": word, "lat": f"{-12.04 - position / 1000:.4f}", "lon": "-77.0900", "radius_km": "5"}
        client.get("/api/v1/directory/", params)  # this process's caches of the search
        with CaptureQueriesContext(connection) as search:
            assert client.get("/api/v1/directory/", params).status_code == 200
        with django_assert_num_queries(len(search) + PAGE_STEADY):
            response = client.get(directory.url, params)
        assert response.status_code == 200
        assert response.content.decode().count('class="card listing-card"') == min(many, 20)


@pytest.mark.parametrize("case", ["words", "all"])
def test_first_request_after_an_index_change(client, index_now, django_assert_num_queries, case):
    listings(3)
    index_now()
    url, params = API_QUERIES[case]
    database.forget_cached()
    extra = FIRST_AFTER_CHANGE[connection.vendor][case]
    with django_assert_num_queries(API[connection.vendor][case] + extra):
        assert client.get(url, params).status_code == 200
    with django_assert_num_queries(API[connection.vendor][case]):
        assert client.get(url, params).status_code == 200


def test_a_word_asks_the_index_about_typos_once_per_version(client, index_now, django_assert_num_queries):
    listings(3)
    index_now()
    assert client.get("/api/v1/directory/", {"q": "zuliana"}).status_code == 200  # the version's caches
    words = API[connection.vendor]["words"]
    for expected in (words + TYPOS_OF_A_NEW_WORD[connection.vendor], words):
        with django_assert_num_queries(expected):
            response = client.get("/api/v1/directory/", {"q": "areperas zulianas"})
        assert response.json()["count"] == 3
    index_now()  # a new index version: the words are asked about again
    client.get("/api/v1/directory/", {"q": "zuliana"})
    with django_assert_num_queries(words + TYPOS_OF_A_NEW_WORD[connection.vendor]):
        assert client.get("/api/v1/directory/", {"q": "areperas zulianas"}).status_code == 200


def test_listing_page_and_detail_api(client, demo_site, index_now, django_assert_num_queries):
    listings(2)
    PublishedOrganizationFactory(
        name="Con insignias y todo", services=["a", "b", "c"], languages=["es", "en"]
    )
    index_now()
    directory = DirectoryPage.objects.live().first()
    for entry in DirectoryEntry.objects.all():
        client.get(f"{directory.url}{entry.slug}/")
        with django_assert_num_queries(LISTING_PAGE):
            assert client.get(f"{directory.url}{entry.slug}/").status_code == 200
        with django_assert_num_queries(1):
            assert client.get(f"/api/v1/directory/{entry.registry_number}/").status_code == 200


# ----- many municipalities -------------------------------------------------------------------

# Lima's districts (150101…150143) and Callao's (070101…070106), beside Lima Metropolitana.
OTHER_UBIGEOS = [f"1501{n:02d}" for n in range(1, 44)] + [f"0701{n:02d}" for n in range(1, 7)]


def municipalities(count):
    """The home municipality and `count - 1` district ones, created in one statement."""
    others = OTHER_UBIGEOS[: count - 1] if count > 2 else ["070103"]
    Municipality.objects.bulk_create(
        [
            Municipality(
                ubigeo=ubigeo,
                name=f"Municipalidad Distrital {ubigeo}",
                short_name=f"Distrito {ubigeo}",
                kind=Municipality.Kind.DISTRICT,
                registry_prefix=f"M{ubigeo}",
            )
            for ubigeo in others
        ]
    )
    everyone = [home_municipality(), *Municipality.objects.filter(ubigeo__in=others).order_by("ubigeo")]
    assert Municipality.objects.count() == count
    return everyone


def listings_across(count, spread):
    """`count` listings, dealt round the municipalities `spread`."""
    gastronomia = Sector.objects.get(code="gastronomia")
    for n in range(count):
        PublishedOrganizationFactory(
            name=f"Arepera Zuliana {n}",
            sector=gastronomia,
            municipality=spread[n % len(spread)],
            latitude=f"{-12.04 + n / 100000:.6f}",
            longitude="-77.090000",
        )


TOWNS = pytest.mark.parametrize("towns", [2, 50], ids=["2 municipalities", "50 municipalities"])


@TOWNS
@pytest.mark.parametrize("case", [case for case in API_QUERIES if case != "suggestions"])
def test_api_queries_do_not_grow_with_the_municipalities(
    client, index_now, django_assert_num_queries, case, towns
):
    listings_across(60, municipalities(towns))
    index_now()
    url, params = API_QUERIES[case]
    response = client.get(url, params)
    assert response.status_code == 200
    # Each facet ignores its own filter: every municipality is offered.
    assert len(response.json()["facets"]["municipality"]) == towns
    with django_assert_num_queries(API[connection.vendor][case]):
        assert client.get(url, params).status_code == 200


@TOWNS
@pytest.mark.parametrize("case", ["all", "words", "municipality"])
@pytest.mark.parametrize("site", ["metropolitan", "district"])
def test_directory_page_queries_do_not_grow_with_the_municipalities(
    client, demo_site, index_now, django_assert_num_queries, case, towns, site
):
    from wagtail.models import Site

    spread = municipalities(towns)
    listings_across(60, spread)
    index_now()
    host = "localhost"
    if site == "district":
        district = spread[1]
        district.site = Site.objects.create(hostname="distrito.localhost", root_page=demo_site)
        district.save()
        host = "distrito.localhost"
    directory = DirectoryPage.objects.live().first()
    params = {"municipality": "150100,070103"} if case == "municipality" else PAGE_QUERIES[case]
    # Twice: a site's first request creates its settings (which changes the index version).
    for _ in range(2):
        assert client.get(directory.url, params, HTTP_HOST=host).status_code == 200
    cache.clear()  # anonymous pages are cached: measure the page being made
    api_case = "facet page 2" if case == "municipality" else case
    expected = (
        API[connection.vendor][api_case] + PAGE_EXTRA + (DISTRICT_SITE_EXTRA if site == "district" else 0)
    )
    with django_assert_num_queries(expected):
        response = client.get(directory.url, params, HTTP_HOST=host)
    assert response.status_code == 200
    cards = response.content.decode().count('class="card listing-card"')
    # A filter by municipality, or a district's site (its own registry first): a share of them.
    assert cards == 20 if site == "metropolitan" and case != "municipality" else 0 < cards <= 30
