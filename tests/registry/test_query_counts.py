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


def _more_municipalities(count):
    """`count` municipalities more, as rows (Lima's districts, ubigeos 150101…), each with its
    registrations: the queue must cost the same however many share the installation."""
    from registry.models import District, Municipality

    districts = list(District.objects.order_by("pk")[:count])
    created = Municipality.objects.bulk_create(
        Municipality(
            ubigeo=f"1501{n + 1:02d}",
            name=f"Municipalidad Distrital {n + 1}",
            short_name=f"Distrito {n + 1}",
            kind=Municipality.Kind.DISTRICT,
            registry_prefix=f"D{n + 1:03d}",
        )
        for n in range(count)
    )
    for municipality, district in zip(created, districts, strict=False):
        municipality.districts.add(district)
        OrganizationFactory(status="submitted", municipality=municipality)
    return created


@pytest.mark.parametrize("role", ["reviewer", "superuser"])
def test_admin_queue_queries_do_not_grow_with_municipalities(client, demo_site, carmen, role):
    if role == "superuser":
        user = UserFactory(username="root", is_superuser=True, is_staff=True)
    else:
        user = UserFactory(username="revisora")
        user.groups.add(Group.objects.get(name="Revisores"))
    client.force_login(user)
    OrganizationFactory.create_batch(3, status="submitted")
    OrganizationFactory.create_batch(3, status="submitted", municipality=carmen)
    queue_queries(client)  # warm caches
    with_two = queue_queries(client)
    _more_municipalities(48)
    with_fifty = queue_queries(client)
    assert with_fifty == with_two, f"{with_two} queries with 2 municipalities, {with_fifty} with 50"
