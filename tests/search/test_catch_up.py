"""Elasticsearch down, then back: the directory answers from the database meanwhile, and what
changed meanwhile reaches Elasticsearch through the backlog (search/backlog.py), drained by the
next indexing task or by `search_index sync`, with no rebuild.

The "down" phase points the client at a closed port; the shared node is never stopped."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from registry.models import ApplicationStatus, Organization
from search import backlog, indexing, maintenance
from search.backends import elasticsearch as es_backend
from search.models import PendingIndexChange
from search.query import DirectoryQuery
from search.selectors import directory_search
from tests.factories import PublishedOrganizationFactory

pytestmark = pytest.mark.django_db

CLOSED_PORT = "http://127.0.0.1:9"


def indexed_names(es) -> dict[int, str]:
    client = es.client()
    client.indices.refresh(index=es.index_alias())
    hits = client.search(index=es.index_alias(), size=100, source=["public.name"])["hits"]["hits"]
    return {int(hit["_id"]): hit["_source"]["public"]["name"] for hit in hits}


def test_changes_made_while_elasticsearch_was_down_reach_it_when_it_is_back(
    elasticsearch, settings, index_now, client, django_capture_on_commit_callbacks
):
    edited = PublishedOrganizationFactory(name="Costura Ana")
    suspended = PublishedOrganizationFactory(name="Barbería Caracas")
    withdrawn = PublishedOrganizationFactory(name="Bodega Maracay")
    deleted = PublishedOrganizationFactory(name="Panadería Mérida")
    index_now()
    assert backlog.size() == 0
    live_url = settings.ELASTICSEARCH_URL

    # Down: every node refuses the connection.
    settings.ELASTICSEARCH_URL = CLOSED_PORT
    settings.ELASTICSEARCH_TIMEOUT = 0.5
    es_backend.reset_circuit()
    with django_capture_on_commit_callbacks(execute=True):
        published = PublishedOrganizationFactory(name="Arepera Zuliana")
    with django_capture_on_commit_callbacks(execute=True):
        edited.name = "Costura Ana María"
        edited.save()
    with django_capture_on_commit_callbacks(execute=True):
        suspended.status = ApplicationStatus.SUSPENDED
        suspended.save()
    with django_capture_on_commit_callbacks(execute=True):
        withdrawn.live = False
        withdrawn.save()
    deleted_pk = deleted.pk
    with django_capture_on_commit_callbacks(execute=True):
        deleted.delete()

    # The database answers, and says so.
    assert client.get("/healthz").json()["search"] == "degraded"
    result = directory_search(query=DirectoryQuery(text="zuliana"))
    assert result.backend == "database" and result.hits[0].listing.name == "Arepera Zuliana"
    waiting = {published.pk, edited.pk, suspended.pk, withdrawn.pk, deleted_pk}
    assert set(PendingIndexChange.objects.values_list("organization_id", flat=True)) == waiting

    # Back: the periodic command sends what changed, and only that.
    settings.ELASTICSEARCH_URL = live_url
    before = timezone.now()
    call_command("search_index", "sync")
    assert backlog.size() == 0
    assert indexed_names(elasticsearch) == {published.pk: "Arepera Zuliana", edited.pk: "Costura Ana María"}
    assert es_backend.synced_at() >= before
    assert maintenance.check().in_step
    assert client.get("/healthz").json()["search"] == "ok"
    result = directory_search(query=DirectoryQuery(text="zuliana"))
    assert result.backend == "elasticsearch" and result.hits[0].listing.name == "Arepera Zuliana"


def test_the_next_indexing_task_drains_what_failed_earlier(
    elasticsearch, settings, index_now, django_capture_on_commit_callbacks
):
    index_now()
    live_url = settings.ELASTICSEARCH_URL
    settings.ELASTICSEARCH_URL = CLOSED_PORT
    with django_capture_on_commit_callbacks(execute=True):
        missed = PublishedOrganizationFactory(name="Arepera Zuliana")
    assert backlog.size() == 1
    # A minute later Elasticsearch is back and someone publishes another listing.
    PendingIndexChange.objects.update(queued_at=timezone.now() - backlog.STALE_AFTER - timedelta(seconds=1))
    settings.ELASTICSEARCH_URL = live_url
    es_backend.reset_circuit()
    with django_capture_on_commit_callbacks(execute=True):
        later = PublishedOrganizationFactory(name="Costura Ana")
    assert backlog.size() == 0
    assert indexed_names(elasticsearch) == {missed.pk: "Arepera Zuliana", later.pk: "Costura Ana"}


def test_a_row_changed_while_its_listing_was_being_indexed_stays(settings):
    settings.ELASTICSEARCH_URL = CLOSED_PORT  # configured: the backlog is kept; nothing is sent
    organization = PublishedOrganizationFactory(name="Costura Ana")
    read = backlog.tokens([organization.pk])
    assert list(read) == [organization.pk]
    backlog.queue([organization.pk], now=read[organization.pk] + timedelta(microseconds=1))
    assert backlog.settle(read) == 0
    assert backlog.size() == 1
    assert backlog.settle(backlog.tokens([organization.pk])) == 1


def test_no_backlog_without_elasticsearch(settings):
    settings.ELASTICSEARCH_URL = ""
    PublishedOrganizationFactory(name="Costura Ana")
    assert not PendingIndexChange.objects.exists()


def test_a_search_goes_to_a_live_node_when_the_other_is_gone(elasticsearch, settings, index_now):
    PublishedOrganizationFactory(name="Arepera Zuliana")
    index_now()
    settings.ELASTICSEARCH_URL = f"{CLOSED_PORT},{settings.ELASTICSEARCH_URL}"
    for _ in range(6):  # the pool starts at a random node: the dead one comes first at times
        result = directory_search(query=DirectoryQuery(text="zuliana"))
        assert result.backend == "elasticsearch" and result.hits[0].listing.name == "Arepera Zuliana"
    assert es_backend.available()


def test_replicas_follow_the_nodes_unless_a_number_is_set(settings):
    settings.ELASTICSEARCH_REPLICAS = "0-1"
    assert es_backend.replica_settings() == {"auto_expand_replicas": "0-1"}
    settings.ELASTICSEARCH_REPLICAS = "1"
    assert es_backend.replica_settings() == {"number_of_replicas": 1}


def test_a_listing_elasticsearch_rejects_does_not_hold_up_the_others(elasticsearch, index_now, caplog):
    """A document Elasticsearch refuses (here a latitude no map has, written past the forms'
    validation) stays in the backlog, is reported, and the listings queued after it are sent."""
    bad = PublishedOrganizationFactory(name="Costura Ana")
    index_now()
    Organization.objects.filter(pk=bad.pk).update(latitude=Decimal("200"), longitude=Decimal("-77"))
    good = [PublishedOrganizationFactory(name=f"Bodega {n}") for n in range(3)]
    PendingIndexChange.objects.all().delete()
    backlog.queue([bad.pk], now=timezone.now() - timedelta(minutes=5))  # the oldest: sent first
    backlog.queue([listing.pk for listing in good], now=timezone.now() - timedelta(minutes=4))

    result = indexing.catch_up()

    assert result["rejected"] == [bad.pk] and not result["error"]
    assert set(PendingIndexChange.objects.values_list("organization_id", flat=True)) == {bad.pk}
    assert PendingIndexChange.objects.get(pk=bad.pk).attempts == 1
    assert set(indexed_names(elasticsearch)) >= {listing.pk for listing in good}
    assert "Elasticsearch rejected listings" in caplog.text
    assert f"listings {bad.pk}." in maintenance.describe_sync(result)

    # Once the data is right, the next run sends it and the index is in step again.
    Organization.objects.filter(pk=bad.pk).update(latitude=Decimal("-12.05"))
    result = indexing.catch_up()
    assert result["rejected"] == [] and result["synced_at"] and backlog.size() == 0


def test_an_indexing_task_settles_what_elasticsearch_took_and_keeps_what_it_rejected(
    elasticsearch, index_now
):
    bad = PublishedOrganizationFactory(name="Costura Ana")
    good = PublishedOrganizationFactory(name="Bodega Maracay")
    index_now()
    Organization.objects.filter(pk=bad.pk).update(latitude=Decimal("200"), longitude=Decimal("-77"))
    backlog.queue([bad.pk, good.pk])

    result = indexing.index_organizations([bad.pk, good.pk])

    assert result["elasticsearch"] == "rejected"
    assert set(PendingIndexChange.objects.values_list("organization_id", flat=True)) == {bad.pk}
