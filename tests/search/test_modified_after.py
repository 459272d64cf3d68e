"""Harvesting the directory: `modified_after` returns what was published or changed since a
moment, and the tombstones (registry number and time, nothing else) of what was withdrawn."""

from datetime import timedelta

import pytest
from django.utils import timezone

from registry.models import ApplicationStatus, Organization
from search import indexing
from search.models import Withdrawal
from tests.factories import PublishedOrganizationFactory

pytestmark = pytest.mark.django_db


def harvest(client, since, **params):
    response = client.get("/api/v1/directory/", {"modified_after": since.isoformat(), **params})
    assert response.status_code == 200, response.content
    return response.json()


def reindex(*organizations):
    indexing.index_organizations([o.pk for o in organizations])


def later(moment):
    """A moment after `moment` that the index's clock has certainly passed."""
    return moment + timedelta(microseconds=1)


@pytest.fixture
def listings(demo_site):
    kept, changed, withdrawn = (
        PublishedOrganizationFactory(name=name, description="Arepas y más")
        for name in ("Arepera Sin Cambios", "Arepera Cambiada", "Arepera Retirada")
    )
    reindex(kept, changed, withdrawn)
    return kept, changed, withdrawn


def test_modified_after_returns_exactly_what_changed_with_the_tombstones(client, listings):
    kept, changed, withdrawn = listings
    since = timezone.now()
    assert harvest(client, since)["count"] == 0

    changed.description = "Arepas, cachapas y tequeños"
    changed.save()
    withdrawn.status = ApplicationStatus.SUSPENDED
    withdrawn.save()
    created = PublishedOrganizationFactory(name="Arepera Nueva")
    reindex(changed, withdrawn, created)

    page = harvest(client, since)

    assert {listing["registry_number"] for listing in page["results"]} == {
        changed.registry_number,
        created.registry_number,
    }
    assert page["count"] == 2
    (tombstone,) = page["withdrawn"]
    assert set(tombstone) == {"registry_number", "withdrawn_at"}  # nothing else, nothing private
    assert tombstone["registry_number"] == withdrawn.registry_number
    # A later harvest sees none of it; the full directory still lists the two others.
    after = Withdrawal.objects.get().withdrawn_at
    assert harvest(client, later(after)) | {"facets": None} == {
        "count": 0,
        "count_is_estimate": False,
        "results": [],
        "facets": None,
        "backend": "database",
        "match": "all",
        "withdrawn": [],
    }
    everything = client.get("/api/v1/directory/").json()
    assert {r["registry_number"] for r in everything["results"]} == {
        kept.registry_number,
        changed.registry_number,
        created.registry_number,
    }
    assert everything["withdrawn"] == []


def test_a_listing_published_again_loses_its_tombstone(client, listings):
    _kept, _changed, withdrawn = listings
    since = timezone.now()
    withdrawn.live = False
    withdrawn.save()
    reindex(withdrawn)
    assert [t["registry_number"] for t in harvest(client, since)["withdrawn"]] == [withdrawn.registry_number]

    withdrawn.live = True
    withdrawn.save()
    reindex(withdrawn)

    page = harvest(client, since)
    assert page["withdrawn"] == []
    assert [r["registry_number"] for r in page["results"]] == [withdrawn.registry_number]


def test_a_deleted_listing_leaves_a_tombstone(client, listings):
    _kept, _changed, withdrawn = listings
    number = withdrawn.registry_number
    since = timezone.now()

    Organization.objects.filter(pk=withdrawn.pk).delete()
    reindex(withdrawn)

    assert [t["registry_number"] for t in harvest(client, since)["withdrawn"]] == [number]


def test_modified_after_combines_with_the_filters(client, listings):
    kept, changed, _withdrawn = listings
    since = timezone.now()
    changed.description = "Tequeños de queso"
    for organization in (kept, changed):
        organization.save()
    reindex(kept, changed)

    assert harvest(client, since)["count"] == 2
    page = harvest(client, since, q="tequeños")

    assert [r["registry_number"] for r in page["results"]] == [changed.registry_number]


def test_a_date_alone_means_its_midnight_in_lima(client, listings):
    today = timezone.localdate()
    response = client.get("/api/v1/directory/", {"modified_after": today.isoformat()})
    assert response.status_code == 200
    assert response.json()["count"] == 3  # all indexed today


@pytest.mark.parametrize("value", ["ayer", "2026-13-45", "30/11/2026"])
def test_a_bad_moment_is_a_translated_400_naming_the_parameter(client, demo_site, value):
    response = client.get("/api/v1/directory/", {"modified_after": value}, HTTP_ACCEPT_LANGUAGE="es")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("modified_after debe ser una fecha y hora ISO 8601")
    english = client.get("/api/v1/directory/", {"modified_after": value}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["detail"].startswith("modified_after must be an ISO 8601 date and time")


def test_a_rebuild_leaves_a_tombstone_for_what_left_and_none_for_what_came_back(listings):
    """The rebuild keeps its bookkeeping in SQL: the same tombstones as a re-index."""
    kept, _changed, withdrawn = listings
    # Changed without a re-index: only the rebuild finds that it left.
    Organization.objects.filter(pk=withdrawn.pk).update(status=ApplicationStatus.SUSPENDED)
    Withdrawal.objects.create(registry_number=kept.registry_number, withdrawn_at=timezone.now())
    before = timezone.now()

    assert indexing.rebuild_database() == 2

    (tombstone,) = Withdrawal.objects.all()
    assert tombstone.registry_number == withdrawn.registry_number
    assert tombstone.withdrawn_at >= before

    Organization.objects.filter(pk=withdrawn.pk).update(status=ApplicationStatus.APPROVED)
    assert indexing.rebuild_database() == 3
    assert not Withdrawal.objects.exists()
