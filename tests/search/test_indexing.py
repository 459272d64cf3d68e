"""The directory's database index as written by SQL: the same entries as the Python reference
(`search.indexing.build_entries`), the privacy rules included, and a rebuild that leaves the
table, its indexes and its constraints as the migrations made them."""

import pytest
from django.db import connection

from registry import public
from registry.models import Organization, OrganizationStep, StepStatus
from search import indexing
from search.entries import public_values_of
from search.models import DirectoryEntry, FacetGroup
from tests.factories import OrganizationFactory, PublishedOrganizationFactory

pytestmark = pytest.mark.django_db

COMPARED = [f.attname for f in DirectoryEntry._meta.concrete_fields if f.attname != "indexed_at"]


@pytest.fixture
def awkward(db):
    """Listings with the data that trips a rewrite: private addresses, both kinds of RUC,
    untidy lists, odd timetables, no sector or district, a verified step."""
    made = [
        PublishedOrganizationFactory(
            name="Ñandú  Peluquería",
            address="Jr. Secreto 123",
            address_public=False,
            latitude="-12.040000",
            longitude="-77.090000",
            ruc="10456789012",
            services=[" cortes ", "", "tintes", 7],
            languages=["es", " en ", "", "español", "pt"],
            opening_hours={"mon": [["20:00", "02:00"]], "sun": [["22:00", "01:00"]], "bad": "x"},
        ),
        PublishedOrganizationFactory(
            name="Costura Fina SAC",
            ruc="20601234565",
            sector=None,
            district=None,
            services="not a list",
            languages={},
            opening_hours=[],
            latitude=None,
            longitude=None,
        ),
        PublishedOrganizationFactory(name="Arepera Zuliana", registered_at=None),
    ]
    step = OrganizationStep.objects.filter(organization=made[2]).first()
    if step is None:
        from registry.models import FormalizationStep

        step = OrganizationStep.objects.create(
            organization=made[2], step=FormalizationStep.objects.first(), status=StepStatus.VERIFIED
        )
    else:
        step.status = StepStatus.VERIFIED
        step.save()
    OrganizationFactory(name="Borrador")
    return made


def rows():
    return {
        entry.pk: {name: getattr(entry, name) for name in COMPARED}
        for entry in DirectoryEntry.objects.order_by("pk")
    }


def reference():
    return {entry.pk: {name: getattr(entry, name) for name in COMPARED} for entry in indexing.build_entries()}


def test_the_sql_rebuild_writes_what_the_python_reference_would(awkward):
    indexing.rebuild_database()
    written = rows()
    assert written == reference()
    private = written[awkward[0].pk]
    assert private["address"] == "" and private["ruc"] == ""
    # A private address is placed at its district's capital, marked approximate.
    capital = awkward[0].district
    assert (private["latitude"], private["longitude"], private["location_approximate"]) == (
        float(capital.latitude),
        float(capital.longitude),
        True,
    )
    no_district = written[awkward[1].pk]
    assert no_district["latitude"] is None and not no_district["location_approximate"]
    assert private["services"] == ["cortes", "tintes", "7"] and private["languages"] == ["es", "en", "pt"]
    assert private["language_codes"] == " es en pt " and private["open_slots"].count("1") > 0
    assert written[awkward[1].pk]["ruc"] == "20601234565"
    assert written[awkward[2].pk]["badges"] and written[awkward[2].pk]["registered_at"] is not None
    group = FacetGroup.objects.get(pk=private["facet_group"])
    assert (group.kind, group.sector_code, group.language_codes) == (
        private["kind"],
        private["sector_code"],
        " es en pt ",
    )


def test_syncing_some_listings_writes_the_same_as_a_rebuild(awkward):
    indexing.rebuild_database()
    rebuilt = rows()
    DirectoryEntry.objects.all().delete()
    indexed, removed = indexing.sync_database([o.pk for o in awkward] + [999_999])
    assert (indexed, removed) == (3, 1)
    assert rows() == rebuilt


def _schema():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
                [DirectoryEntry._meta.db_table],
            )
            indexes = set(cursor.fetchall())
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass",
                [DirectoryEntry._meta.db_table],
            )
            constraints = set(cursor.fetchall())
            # The columns in their order, with their types, NOT NULL, defaults; the triggers.
            cursor.execute(
                "SELECT a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
                "a.attgenerated, pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a "
                "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
                "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
                [DirectoryEntry._meta.db_table],
            )
            columns = sorted(cursor.fetchall())
            cursor.execute(
                "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s::regclass "
                "AND NOT tgisinternal",
                [DirectoryEntry._meta.db_table],
            )
            return indexes, constraints, [row[1:] for row in columns], set(cursor.fetchall())
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE tbl_name = %s OR name LIKE 'directory_search_fts%%'",
            [DirectoryEntry._meta.db_table],
        )
        return set(cursor.fetchall()), set(), [], set()


def test_a_rebuild_leaves_the_schema_as_the_migrations_made_it(awkward, django_capture_on_commit_callbacks):
    before = _schema()
    # A re-index earlier in the same transaction leaves deferred checks behind (PostgreSQL).
    indexing.sync_database([awkward[0].pk])
    indexing.rebuild_database()
    assert _schema() == before
    indexing.rebuild_database()
    assert _schema() == before
    assert DirectoryEntry.objects.count() == 3
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM directory_search_fts" if connection.vendor == "sqlite" else "SELECT 3"
        )
        assert cursor.fetchone()[0] == 3


def test_each_public_field_of_the_sql_entry_is_what_registry_public_shows(awkward):
    """The SQL projection, field by field, against `registry.public.public_values` of the
    model instance: private address and pin, a person's RUC, untidy lists, no sector."""
    indexing.rebuild_database()

    for made in awkward:
        organization = Organization.objects.get(pk=made.pk)
        expected = public.public_values(organization)
        written = public_values_of(DirectoryEntry.objects.get(pk=made.pk))
        written["logo"] = expected["logo"]  # the entry's logo is read as a URL
        assert written == expected


# The full-text column as migration 0002 generated it: the trigger and the rebuild must both
# write exactly this.
GENERATED_VECTOR = (
    "setweight(to_tsvector('portal_spanish'::regconfig, coalesce(name, '')), 'A') || "
    "setweight(to_tsvector('portal_spanish'::regconfig, coalesce(services_text, '') || ' ' || "
    "coalesce(sector_name, '')), 'B') || "
    "setweight(to_tsvector('portal_spanish'::regconfig, coalesce(short_description, '') || ' ' || "
    "coalesce(description, '') || ' ' || coalesce(district_name, '')), 'C')"
)


def _vectors():
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT organization_id, search_vector::text, ({GENERATED_VECTOR})::text "  # noqa: S608
            f"FROM {DirectoryEntry._meta.db_table} ORDER BY organization_id"
        )
        return {pk: (vector, expected) for pk, vector, expected in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's full-text column")
def test_the_search_vector_is_the_same_written_by_a_rebuild_or_by_a_sync(awkward):
    indexing.rebuild_database()
    rebuilt = _vectors()
    assert len(rebuilt) == 3
    assert all(vector == expected for vector, expected in rebuilt.values())
    assert "peluqueri" in rebuilt[awkward[0].pk][0]
    DirectoryEntry.objects.all().delete()
    indexing.sync_database([o.pk for o in awkward])
    assert _vectors() == rebuilt
    # An entry changed in place gets its vector again (the trigger): the rebuilt table has it.
    indexing.rebuild_database()
    DirectoryEntry.objects.filter(pk=awkward[1].pk).update(name="Sastrería Lima")
    vector, expected = _vectors()[awkward[1].pk]
    assert vector == expected and "sastreri" in vector
