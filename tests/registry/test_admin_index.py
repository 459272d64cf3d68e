"""Wagtail's own search index (the admin's) written in bulk (registry/admin_index.py): the very
entries the search backend writes itself, new or updated, on SQLite and PostgreSQL."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from wagtail.search.backends import get_search_backend

from registry import admin_index
from registry.models import Organization
from tests.factories import OrganizationFactory, PublishedOrganizationFactory


def entries(ids):
    """Every column of the backend's entries for these organizations, as text."""
    content_type = ContentType.objects.get_for_model(Organization).pk
    table = connection.ops.quote_name(
        get_search_backend().get_index_for_model(Organization).entries.model._meta.db_table
    )
    columns = ["title", "autocomplete", "body", "title_norm"]
    if connection.vendor == "postgresql":
        columns += ["title_text", "body_text"]
    selected = ", ".join(f"CAST({c} AS text)" for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT object_id, {selected} FROM {table} WHERE content_type_id = %s ORDER BY object_id",  # noqa: S608
            [content_type],
        )
        rows = {row[0]: row[1:] for row in cursor.fetchall()}
    return {pk: rows.get(str(pk)) for pk in ids}


@pytest.fixture
def organizations(demo_site):
    return [
        PublishedOrganizationFactory(name="Asociación de Panaderos Venezolanos del Perú"),
        PublishedOrganizationFactory(name="  Peluquería  Caraqueña\t", short_description=""),
        OrganizationFactory(name="Taller de costura La Guaira", short_description="Arreglos y confección"),
        OrganizationFactory(name="de la y el", short_description="   "),  # stop words only
    ]


@pytest.mark.django_db
def test_new_entries_are_those_the_backend_writes(organizations):
    ids = [o.pk for o in organizations]
    backend = get_search_backend()
    backend.add_bulk(Organization, list(Organization.objects.filter(pk__in=ids)))
    theirs = entries(ids)
    assert all(theirs.values())
    backend.get_index_for_model(Organization).entries.filter(object_id__in=[str(pk) for pk in ids]).delete()
    assert not any(entries(ids).values())

    admin_index.index_in_transaction(Organization, ids)

    assert entries(ids) == theirs


@pytest.mark.django_db
def test_updated_entries_are_those_the_backend_writes(organizations):
    ids = [o.pk for o in organizations]
    Organization.objects.filter(pk=ids[0]).update(name="Panadería Los Andes", registry_number=None)
    Organization.objects.filter(pk=ids[2]).update(short_description="Uniformes escolares")

    admin_index.index_in_transaction(Organization, ids)
    ours = entries(ids)
    get_search_backend().add_bulk(Organization, list(Organization.objects.filter(pk__in=ids)))

    assert ours == entries(ids)
    assert [o.name for o in get_search_backend().search("Andes", Organization)] == ["Panadería Los Andes"]


@pytest.mark.django_db
def test_the_task_indexes_the_named_backends(organizations):
    from registry import tasks

    ids = [o.pk for o in organizations]
    Organization.objects.filter(pk=ids[1]).update(name="Barbería Maracucha")
    assert not list(get_search_backend().search("Maracucha", Organization))

    assert tasks.update_admin_search_index.call(ids=ids, backends=["default"]) == len(ids)

    assert [o.pk for o in get_search_backend().search("Maracucha", Organization)] == [ids[1]]
