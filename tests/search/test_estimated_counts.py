"""Above `SEARCH_EXACT_COUNTS_UP_TO` matches, the database backend estimates the counts from a
fixed sample of the listings (search/sql/sampling.py) and ranks only the sample; the answer
says so. Below it, counts and ranking are every match's (the other tests of tests/search).

The threshold is lowered here so that a few dozen listings cross it."""

import pytest
from django.db import connection as database

from cms.models import DirectoryPage
from registry.models import Sector
from search.query import DirectoryQuery
from search.selectors import directory_search
from search.sql import sampling
from tests.factories import PublishedOrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tailors(settings, index_now):
    """Listings with the word, until at least two are in the fine sample (1 in 16) (ids are the
    database's: which ones are sampled cannot be chosen)."""
    settings.ELASTICSEARCH_URL = ""
    sectors = [Sector.objects.get(code="textil"), Sector.objects.get(code="comercio")]
    made = []
    while sum(sampling.in_sample(org.id, sampling.FINE) for org in made) < 2 and len(made) < 200:
        number = len(made)
        made.append(
            PublishedOrganizationFactory(
                name=f"Taller {number:03d}",
                sector=sectors[number % 2],
                services=["costura", "arreglos"] if number % 3 else ["bordados"],
                description="Costura a medida." if number % 3 == 0 else "Atendemos todo el día.",
            )
        )
    index_now()
    return made


def search(**kwargs):
    return directory_search(query=DirectoryQuery(text="costura", **kwargs), backend="database")


def test_below_the_threshold_every_match_is_counted(tailors):
    result = search()
    assert not result.total_is_estimate
    assert result.total == len(tailors)


def test_above_the_threshold_counts_are_the_samples_times_its_rate(tailors, settings):
    exact = search(page_size=100)
    settings.SEARCH_EXACT_COUNTS_UP_TO = 1
    sampled = [org for org in tailors if sampling.in_sample(org.id, sampling.FINE)]
    result = search()
    assert result.total_is_estimate
    assert result.total == sampling.FINE * len(sampled)
    sectors = {value.value: value.count for value in result.facets["sector"] if value.count}
    expected = {}
    for org in sampled:
        expected[org.sector.code] = expected.get(org.sector.code, 0) + sampling.FINE
    assert sectors == expected
    # Fewer sampled matches than a page: the page is ranked over every match, as below the threshold.
    assert [hit.listing.name for hit in result.hits] == [hit.listing.name for hit in exact.hits][:20]


def test_above_the_threshold_the_page_is_the_best_ranked_of_the_sample(tailors, settings):
    exact = [hit.listing.name for hit in search(page_size=100).hits]
    settings.SEARCH_EXACT_COUNTS_UP_TO = 1
    sampled = {org.name for org in tailors if sampling.in_sample(org.id, sampling.FINE)}
    result = search(page_size=2)
    assert [hit.listing.name for hit in result.hits] == [name for name in exact if name in sampled][:2]


def test_the_sample_is_the_same_in_sql_and_in_python(tailors):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT organization_id FROM directory_search_directoryentry e WHERE {sampling.condition('e.organization_id', sampling.FINE)}"  # noqa: S608
        )
        in_sql = {row[0] for row in cursor.fetchall()}
    assert in_sql == {org.id for org in tailors if sampling.in_sample(org.id, sampling.FINE)}
    assert in_sql


def test_the_api_and_the_page_say_the_count_is_an_estimate(client, tailors, settings, demo_site):
    settings.SEARCH_EXACT_COUNTS_UP_TO = 1
    sampled = sum(sampling.in_sample(org.id, sampling.FINE) for org in tailors)
    answer = client.get("/api/v1/directory/", {"q": "costura"}).json()
    assert answer["count_is_estimate"] is True
    assert answer["count"] == sampling.FINE * sampled
    directory = DirectoryPage.objects.live().first()
    body = client.get(directory.url, {"q": "costura"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert f"Unos {sampling.FINE * sampled} resultados encontrados" in body
    settings.SEARCH_EXACT_COUNTS_UP_TO = 2000
    answer = client.get("/api/v1/directory/", {"q": "costura"}).json()
    assert answer["count_is_estimate"] is False
    assert answer["count"] == len(tailors)


def _ids(count: int, wanted) -> list[int]:
    """`count` ids above any the database hands out here, each in the samples `wanted` says."""
    found, candidate = [], 10**7
    while len(found) < count:
        candidate += 1
        if wanted(candidate):
            found.append(candidate)
    return found


@pytest.mark.skipif(database.vendor != "postgresql", reason="SQLite's sampling is its own")
def test_too_few_of_the_coarse_samples_matches_pass_the_filters_the_page_is_the_fine_samples(
    settings, index_now, monkeypatch
):
    """The coarse sample (1 in 256) has a match but none of the sector: the page is the best of
    the fine sample's (1 in 16) matches of the sector, not of every match."""
    settings.ELASTICSEARCH_URL = ""
    textil, comercio = Sector.objects.get(code="textil"), Sector.objects.get(code="comercio")
    coarse = _ids(1, lambda pk: sampling.in_sample(pk, sampling.COARSE))
    fine = _ids(
        2, lambda pk: sampling.in_sample(pk, sampling.FINE) and not sampling.in_sample(pk, sampling.COARSE)
    )
    others = _ids(2, lambda pk: not sampling.in_sample(pk, sampling.FINE))
    for pk, name, sector in [
        (coarse[0], "Costura Centro", comercio),
        (fine[0], "Costura Zeta", textil),
        (fine[1], "Costura Zulema", textil),
        (others[0], "Costura Alfa", textil),
        (others[1], "Costura Beta", textil),
    ]:
        PublishedOrganizationFactory(id=pk, name=name, sector=sector, services=["costura"])
    index_now()
    exact = [hit.listing.name for hit in search(sector=("textil",)).hits]
    assert exact == ["Costura Alfa", "Costura Beta", "Costura Zeta", "Costura Zulema"]
    settings.SEARCH_EXACT_COUNTS_UP_TO = 1
    monkeypatch.setattr(sampling, "SWITCH_AT", 0)  # the coarse sample's single match is enough
    result = search(sector=("textil",), page_size=2)
    assert result.total_is_estimate
    assert result.total == 0  # the coarse sample has no match of the sector
    assert [hit.listing.name for hit in result.hits] == ["Costura Zeta", "Costura Zulema"]
