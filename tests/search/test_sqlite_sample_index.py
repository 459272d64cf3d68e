"""SQLite: the full-text index of the fine sample (`search.sql.sqlite.FTS_SAMPLE_TABLE`) holds
exactly the sample's listings of the full-text index, with the same stems, after a rebuild and
after listings are re-indexed or leave the directory."""

import pytest
from django.db import connection

from search import indexing
from search.sql import sampling
from tests.factories import PublishedOrganizationFactory

pytestmark = pytest.mark.django_db


def sample_rows(table: str) -> dict[int, tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid, name, services, body FROM {table}")  # noqa: S608
        return {row[0]: row[1:] for row in cursor.fetchall()}


@pytest.fixture
def listings(db):
    if connection.vendor != "sqlite":
        pytest.skip("the sample's full-text table is SQLite's")
    made = []
    while sum(sampling.in_sample(org.id, sampling.FINE) for org in made) < 2 and len(made) < 200:
        made.append(PublishedOrganizationFactory(name=f"Bodega {len(made):03d}", services=["abarrotes"]))
    return made


def assert_sample_in_step():
    from search.sql.sqlite import FTS_SAMPLE_TABLE, FTS_TABLE

    everything = sample_rows(FTS_TABLE)
    expected = {pk: row for pk, row in everything.items() if sampling.in_sample(pk, sampling.FINE)}
    assert sample_rows(FTS_SAMPLE_TABLE) == expected
    return expected


def test_the_sample_table_holds_the_samples_listings(listings):
    indexing.rebuild_database()
    sampled = assert_sample_in_step()
    assert set(sampled) == {org.id for org in listings if sampling.in_sample(org.id, sampling.FINE)}
    first, second = sorted(sampled)[:2]
    indexing.sync_database([first, second])
    assert assert_sample_in_step() == sampled
    listings[[org.id for org in listings].index(first)].delete()
    indexing.sync_database([first])
    assert first not in assert_sample_in_step()
    assert second in assert_sample_in_step()
