"""Searches around a point on the database backend: the page of the nearest is the same whether
it is found within a smaller circle first or over the whole radius, and on SQLite, above
`SEARCH_EXACT_COUNTS_UP_TO` listings, the counts are estimated from the same fixed sample as a
text search's (search/sql/sampling.py), found through an index of the sample's points."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry.models import Sector
from search.backends.database import haversine_km
from search.query import DirectoryQuery, Sort
from search.selectors import directory_search
from search.sql import sampling
from tests.factories import PublishedOrganizationFactory

pytestmark = pytest.mark.django_db

ORIGIN = (-12.05, -77.05)
# Degrees of latitude per km, near enough for placing listings (distances are computed).
DEGREES_PER_KM = 1 / 111.2


def at_km(km: float) -> dict:
    """A point `km` north of the origin."""
    return {"latitude": f"{ORIGIN[0] + km * DEGREES_PER_KM:.6f}", "longitude": f"{ORIGIN[1]:.6f}"}


@pytest.fixture
def spread(settings, index_now):
    """Two listings near the origin, and twenty-two near the edge of a 5 km circle."""
    settings.ELASTICSEARCH_URL = ""
    made = [PublishedOrganizationFactory(name=f"Cerca {n}", **at_km(0.2 + n / 10)) for n in range(2)]
    made += [PublishedOrganizationFactory(name=f"Lejos {n:02d}", **at_km(4.0 + n / 30)) for n in range(22)]
    index_now()
    return made


def nearest(page: int, page_size: int = 1) -> tuple[list[str], int]:
    """The names of a page of the nearest first, and the statements it took."""
    query = DirectoryQuery(
        lat=ORIGIN[0], lon=ORIGIN[1], radius_km=5, sort=Sort.DISTANCE, page=page, page_size=page_size
    )
    with CaptureQueriesContext(connection) as statements:
        hits = directory_search(query=query, backend="database").hits
    return [hit.listing.name for hit in hits], len(statements)


def test_the_nearest_pages_are_the_nearest_over_the_whole_radius(spread):
    by_distance = sorted(
        spread, key=lambda org: (haversine_km(*ORIGIN, float(org.latitude), float(org.longitude)), org.id)
    )
    expected = [org.name for org in by_distance]
    nearest(4)  # this process's caches of the index version, read once
    found = {page: nearest(page) for page in (1, 2, 3, 4)}
    for page, (names, _statements) in found.items():
        assert names == expected[page - 1 : page], page
    assert nearest(1, page_size=24)[0] == expected
    if connection.vendor == "sqlite":
        # Pages 1 and 2 lie within the smaller circle (2.0 and 2.9 km); page 3's (3.5 km) holds
        # only the two near listings, so it is read again over the whole radius; page 4 is read
        # over the whole radius at once (too few listings for a smaller circle).
        assert found[3][1] == found[1][1] + 1 == found[2][1] + 1 == found[4][1] + 1


@pytest.fixture
def around(settings, index_now):
    """Listings within 1 km of the origin until at least two are in the fine sample (1 in 16),
    and one listing in the sample 30 km away."""
    settings.ELASTICSEARCH_URL = ""
    sectors = [Sector.objects.get(code="textil"), Sector.objects.get(code="comercio")]
    made = []
    while sum(sampling.in_sample(org.id, sampling.FINE) for org in made) < 2 and len(made) < 200:
        number = len(made)
        made.append(
            PublishedOrganizationFactory(
                name=f"Taller {number:03d}", sector=sectors[number % 2], **at_km(number / 250)
            )
        )
    far = None
    while far is None or not sampling.in_sample(far.id, sampling.FINE):
        far = PublishedOrganizationFactory(name="Taller lejano", **at_km(30))
    index_now()
    return made


def search_around(**kwargs):
    query = DirectoryQuery(lat=ORIGIN[0], lon=ORIGIN[1], radius_km=2, **kwargs)
    return directory_search(query=query, backend="database")


def test_around_a_point_below_the_threshold_every_listing_is_counted(around):
    result = search_around()
    assert not result.total_is_estimate
    assert result.total == len(around)


def test_around_a_point_above_the_threshold_sqlite_counts_the_sample(around, settings):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL counts every listing around a point")
    exact = [hit.listing.name for hit in search_around(page_size=100).hits]
    settings.SEARCH_EXACT_COUNTS_UP_TO = 1
    sampled = [org for org in around if sampling.in_sample(org.id, sampling.FINE)]
    result = search_around(page_size=100)
    assert result.total_is_estimate
    assert result.total == sampling.FINE * len(sampled)
    sectors = {value.value: value.count for value in result.facets["sector"] if value.count}
    expected = {}
    for org in sampled:
        expected[org.sector.code] = expected.get(org.sector.code, 0) + sampling.FINE
    assert sectors == expected
    # The page is not sampled: the nearest listings, every one of them, in order.
    assert [hit.listing.name for hit in result.hits] == exact
    assert len(exact) == len(around)
