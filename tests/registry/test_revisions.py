"""Revision content built column by column (registry/revisions.py) is what Wagtail's
`serializable_data()` gives for the same record: an imported listing's revision, and a record
with people and steps (which goes through `serializable_data()` itself)."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from wagtail.models import Revision

from registry import revisions
from registry.importexport.services import import_registry
from registry.models import Organization
from tests.factories import PersonFactory, PublishedOrganizationFactory

FILE = """registry_number,name,kind,legal_form,sector,district,address,latitude,longitude,phone,services,languages,ruc,founded_year
,Arepera La Guaira,business,sole_proprietor,gastronomia,Breña,Jr. Huánuco 123,-12.0561,-77.0502,987 654 321,arepas;cachapas,es;en,20601234565,2019
RMO-2024-000007,Peluquería Caracas renovada,business,informal,belleza,Comas,,,,+51 912 345 678,,es,,
"""


def expected(organization: Organization) -> dict:
    """The record's `serializable_data()` through JSON, as a revision stores it."""
    organization = Organization.objects.prefetch_related("people", "steps", "documents").get(
        pk=organization.pk
    )
    return json.loads(json.dumps(organization.serializable_data(), cls=DjangoJSONEncoder))


def stored(revision: Revision) -> dict:
    return revision.content if isinstance(revision.content, dict) else json.loads(revision.content)


@pytest.mark.django_db
def test_an_imported_listing_revision_is_its_serializable_data(demo_site):
    existing = PublishedOrganizationFactory(registry_number="RMO-2024-000007", name="Peluquería Caracas")
    before = timezone.now()
    report = import_registry(data=FILE.encode(), file_name="lista.csv", publish=True)
    assert report.applied and report.counts == {"new": 1, "updated": 1, "unchanged": 0, "error": 0}

    for organization in Organization.objects.filter(pk__in=[*report.created_ids, existing.pk]):
        revision = organization.latest_revision
        assert revision is not None and organization.live_revision_id == revision.pk
        content, wanted = stored(revision), expected(organization)
        # `pre_save` stamps `updated_at` when a record is serialized: the import's time here.
        stamp = datetime.fromisoformat(content.pop("updated_at").replace("Z", "+00:00"))
        assert before - timedelta(seconds=1) <= stamp <= timezone.now()
        wanted.pop("updated_at")
        # The revision describes the record as it is published, before it points at itself.
        wanted["latest_revision"] = wanted["live_revision"] = content["latest_revision"]
        assert content == wanted
        assert content["status"] == "approved" and content["live"] is True
        assert revision.object_str == organization.name


@pytest.mark.django_db
def test_records_with_children_and_every_field_type_match(demo_site):
    plain = PublishedOrganizationFactory(services=["arepas", "tequeños"], latitude="-12.045612")
    with_people = PublishedOrganizationFactory()
    PersonFactory(organization=with_people)
    now = datetime(2026, 11, 30, 21, 15, 7, 123456, tzinfo=UTC)

    built = revisions.contents(Organization, [plain.pk, with_people.pk], now=now)

    for organization in (plain, with_people):
        label, content = built[organization.pk]
        wanted = expected(organization)
        wanted["updated_at"] = "2026-11-30T21:15:07.123Z"  # DjangoJSONEncoder's milliseconds
        assert json.loads(content) == wanted
        assert label == organization.name
    assert len(json.loads(built[with_people.pk][1])["people"]) == 1


@pytest.mark.django_db
def test_content_built_by_postgresql_is_the_same_as_built_in_python(demo_site):
    """`revisions.content_sql` (the import's publication on PostgreSQL) against `contents`, on
    records holding each kind of value: dates with and without microseconds (and under a
    millisecond), none at all, decimals, JSON lists with accents, empty phones and logo."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("content_sql is PostgreSQL's")
    records = [
        PublishedOrganizationFactory(
            services=["arepas", "tequeños"],
            languages=["es", "qu"],
            latitude="-12.045612",
            longitude="-77.000100",
            registered_at=datetime(2026, 3, 1, 5, 6, 7, tzinfo=UTC),
            decided_at=datetime(2026, 3, 1, 5, 6, 7, 400, tzinfo=UTC),
            first_published_at=datetime(2026, 3, 1, 5, 6, 7, 987654, tzinfo=UTC),
            founded_year=2019,
        ),
        PublishedOrganizationFactory(phone="", whatsapp="", latitude=None, longitude=None, founded_year=None),
    ]
    now = datetime(2026, 11, 30, 21, 15, 7, 123456, tzinfo=UTC)
    built = revisions.contents(Organization, [r.pk for r in records], now=now)
    expression = revisions.content_sql(Organization, alias="o")
    assert expression is not None
    with connection.cursor() as cursor:
        for record in records:
            cursor.execute(
                f"SELECT ({expression})::text FROM registry_organization AS o WHERE o.id = %(id)s",  # noqa: S608
                {"id": record.pk, "revision_stamp": revisions.revision_stamp(now)},
            )
            assert json.loads(cursor.fetchone()[0]) == json.loads(built[record.pk][1])
