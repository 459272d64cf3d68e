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
