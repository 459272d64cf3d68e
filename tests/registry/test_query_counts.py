"""The staff queue must not issue one query per application (N+1); its count is pinned so that a
regression fails CI."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def queue_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("wagtailsnippets_registry_organization:list"))
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def reviewer_client(client, demo_site):
    reviewer = UserFactory(username="revisora")
    reviewer.groups.add(Group.objects.get(name="Revisores"))
    client.force_login(reviewer)
    return client


def test_admin_queue_queries_do_not_grow_with_applications(reviewer_client):
    OrganizationFactory.create_batch(3, status="submitted")
    queue_queries(reviewer_client)  # warm caches (content types, site settings)
    few = queue_queries(reviewer_client)
    OrganizationFactory.create_batch(17, status="submitted")
    many = queue_queries(reviewer_client)
    assert many == few, f"{few} queries for 3 applications, {many} for 20: one query per row crept in"


def test_admin_queue_query_count_is_pinned(reviewer_client):
    OrganizationFactory.create_batch(10, status="submitted")
    queue_queries(reviewer_client)
    assert queue_queries(reviewer_client) == PINNED_QUEUE_QUERIES


# Session, user, permissions, the municipalities the user serves (registry.jurisdiction), filters'
# choices, the page of rows with its annotations, counts.
# Measured on SQLite and PostgreSQL alike; change it only with a reason in the commit.
PINNED_QUEUE_QUERIES = 18
