"""registry.public: each privacy rule says the same in Python and in SQL, every field of an
organization is either public or private, and the outputs built on it use its names."""

import dataclasses
from decimal import Decimal

import pytest
from django.db import connection

from registry import public
from registry.models import Organization
from search.api import DERIVED_FIELDS, ListingOut
from search.query import Listing
from tests.factories import OrganizationFactory, PublishedOrganizationFactory


@pytest.fixture
def variety(db):
    """Organizations in every case the rules tell apart."""
    made = []
    for address_public in (True, False):
        for latitude, longitude in (
            (Decimal("-12.04"), Decimal("-77.09")),
            (None, Decimal("-77.09")),
            (None, None),
        ):
            for ruc in ("20601234565", "10456789019", "", "15123456789"):
                made.append(
                    OrganizationFactory(
                        address="Jr. Ayacucho 1",
                        address_public=address_public,
                        latitude=latitude,
                        longitude=longitude,
                        ruc=ruc,
                    )
                )
    return made


@pytest.mark.parametrize("rule", public.RULES, ids=lambda rule: rule.name)
def test_each_rule_holds_for_the_same_organizations_in_python_and_in_sql(variety, rule):
    rows = Organization.objects.values(*public.SOURCE_FIELDS)
    by_python = {row["id"] for row in rows if rule.check(row)}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT o.id FROM {Organization._meta.db_table} o WHERE {rule.sql}")  # noqa: S608
        by_sql = {row[0] for row in cursor.fetchall()}

    assert by_python == by_sql
    assert 0 < len(by_python) < len(variety)


def test_every_field_of_an_organization_is_either_public_or_private():
    read = {source.split("__")[0] for field in public.FIELDS for source in field.sources}
    read |= {source.split("__")[0] for source in public.SOURCE_FIELDS}
    fields = {field.name for field in Organization._meta.concrete_fields}

    assert not read & set(public.PRIVATE_FIELDS), "a private field is read by a public one"
    unclassified = fields - read - set(public.PRIVATE_FIELDS)
    assert not unclassified, (
        f"say whether these are public (public.FIELDS) or not (PRIVATE_FIELDS): {unclassified}"
    )


def test_an_instance_and_its_row_project_the_same(db):
    organization = PublishedOrganizationFactory(
        address="Calle 1", address_public=False, latitude="-12.05", longitude="-77.1", ruc="10456789019"
    )
    row = Organization.objects.values(*public.SOURCE_FIELDS).get(pk=organization.pk)
    organization.refresh_from_db()

    shown = public.public_values(organization)
    assert shown == public.public_values(row, badges=[])
    assert (shown["address"], shown["latitude"], shown["longitude"], shown["ruc"]) == ("", None, None, "")
    assert list(shown) == list(public.FIELD_NAMES)


def test_the_api_and_the_listings_show_public_fields_only():
    api_fields = set(ListingOut.model_fields) - set(DERIVED_FIELDS)
    assert api_fields <= set(public.FIELD_NAMES)
    # location_approximate: whether `registry.public.search_position` placed it at its district.
    listing_fields = {field.name for field in dataclasses.fields(Listing)} - {
        "organization_id",
        "location_approximate",
    }
    assert listing_fields == set(public.FIELD_NAMES)
