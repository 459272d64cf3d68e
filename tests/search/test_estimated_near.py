"""Within a radius and without words, PostgreSQL counts the listings in the geo index's samples
above `SEARCH_EXACT_COUNTS_UP_TO` (search/sql/postgresql.py `estimated_near_counts_and_page_sql`)
and says so; the page is still every listing's, nearest first. Below the threshold nothing
changes (the other tests of tests/search); other engines count every listing in a radius.

The threshold is lowered here so that a few dozen listings cross it."""

import pytest
from django.db import connection

from registry.models import Sector
from search.query import DirectoryQuery, Sort
from search.selectors import directory_search
from search.sql import sampling
from tests.factories import PublishedOrganizationFactory

pytestmark = pytest.mark.django_db

CENTRE = (-12.046, -77.043)


@pytest.fixture
def shops(settings, index_now):
    """Listings on a line going north from the centre, 20 m apart, until at least four are in
    the fine sample (1 in 16): which ids are sampled cannot be chosen."""
    settings.ELASTICSEARCH_URL = ""
    sectors = [Sector.objects.get(code="textil"), Sector.objects.get(code="comercio")]
    made = []
    while sum(sampling.in_sample(org.id, sampling.FINE) for org in made) < 4 and len(made) < 300:
        number = len(made)
        made.append(
            PublishedOrganizationFactory(
                name=f"Tienda {number:03d}",
                sector=sectors[number % 2],
                address_public=True,
                latitude=f"{CENTRE[0] + 0.00018 * (number + 1):.6f}",
                longitude=f"{CENTRE[1]:.6f}",
            )
        )
    index_now()
    return made


def search(**kwargs):
    query = DirectoryQuery(lat=CENTRE[0], lon=CENTRE[1], radius_km=20, highlight=False, **kwargs)
    return directory_search(query=query, backend="database")


def names(result):
    return [hit.listing.name for hit in result.hits]


def nearest_first(shops, sector=None):
    return [org.name for org in shops if sector is None or org.sector.code == sector]


def test_below_the_threshold_every_listing_in_the_radius_is_counted(shops):
    result = search()
    assert not result.total_is_estimate
    assert result.total == len(shops)
    assert names(result) == nearest_first(shops)[:20]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the geo samples are PostgreSQL's")
def test_above_the_threshold_counts_are_the_samples_times_its_rate(shops, settings):
    settings.SEARCH_EXACT_COUNTS_UP_TO = 1
    sampled = [org for org in shops if sampling.in_sample(org.id, sampling.FINE)]
    result = search()
    assert result.total_is_estimate
    assert result.total == sampling.FINE * len(sampled)
    sectors = {value.value: value.count for value in result.facets["sector"] if value.count}
    expected = {}
    for org in sampled:
        expected[org.sector.code] = expected.get(org.sector.code, 0) + sampling.FINE
    assert sectors == expected


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the geo samples are PostgreSQL's")
@pytest.mark.parametrize("page_size", [2, 20])
def test_above_the_threshold_the_page_is_still_the_nearest_of_all(shops, settings, page_size):
    """A small page is found within a smaller circle (around the sampled listing of a rank
    that depends on the page); a large one within the whole radius: the same listings either way."""
    settings.SEARCH_EXACT_COUNTS_UP_TO = 1
    for page in (1, 2):
        result = search(page_size=page_size, page=page)
        assert result.total_is_estimate
        assert names(result) == nearest_first(shops)[(page - 1) * page_size : page * page_size]
    result = search(page_size=page_size, sector=("textil",))
    assert names(result) == nearest_first(shops, "textil")[:page_size]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the geo samples are PostgreSQL's")
def test_above_the_threshold_other_orders_read_every_listing_in_the_radius(shops, settings):
    exact = names(search(sort=Sort.NAME, page_size=7, page=2))
    settings.SEARCH_EXACT_COUNTS_UP_TO = 1
    result = search(sort=Sort.NAME, page_size=7, page=2)
    assert result.total_is_estimate
    assert names(result) == exact == sorted(org.name for org in shops)[7:14]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the geo samples are PostgreSQL's")
def test_the_samples_geo_indexes_answer_the_count(shops):
    """The coarse sample's count reads its own partial index, not the whole geo index."""
    where = sampling.condition("organization_id", sampling.COARSE)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT organization_id, facet_group FROM directory_search_directoryentry "  # noqa: S608
            f"WHERE latitude BETWEEN -12.1 AND -12.0 AND longitude BETWEEN -77.1 AND -77.0 AND {where}"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "directory_entry_near_sample256" in plan
