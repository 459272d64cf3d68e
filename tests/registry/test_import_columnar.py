"""The import's columnar path (registry/importexport/columnar.py) on larger files: every row
classified and written as the per-row rules say, absent columns kept, drafts revised, errors at
the right rows, and a number of queries that does not grow with the rows."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from registry.importexport.readers import COLUMNS
from registry.importexport.services import import_registry
from registry.models import District, Organization, Sector
from search.models import DirectoryEntry
from tests.factories import PublishedOrganizationFactory


def csv_file(rows, columns=COLUMNS) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return buffer.getvalue().encode("utf-8")


def cells(n, **overrides):
    row = {
        "registry_number": "",
        "name": f"Bodega Zuliana {n}",
        "kind": "business",
        "legal_form": "sole_proprietor",
        "sector": "Comercio y bodegas" if n % 2 else "gastronomia",
        "district": "San Martín de Porres" if n % 3 else "BRENA",
        "address": f"Av. Perú {n}",
        "address_public": "sí" if n % 2 else "no",
        "latitude": f"-12.{n % 90 + 10:02d}",
        "longitude": "-77,0313",
        "phone": "+51 987 654 321",
        "whatsapp": "987654321",
        "email": f"bodega{n}@example.pe",
        "website": "www.bodega.example.pe",
        "description": "Harina PAN, queso llanero y chucherías.",
        "services": "harina pan; queso llanero",
        "languages": "es;EN",
        "ruc": "20601234565",
        "founded_year": "2019",
    }
    row.update(overrides)
    return row


@pytest.fixture
def registry(demo_site):
    """Fifty published listings numbered RMO-2024-000001 to 000050 (the counter gives 2026 numbers)."""
    return [PublishedOrganizationFactory(registry_number=f"RMO-2024-{n:06d}") for n in range(1, 51)]


@pytest.mark.django_db
def test_a_mixed_file_is_classified_and_written_row_by_row_as_the_rules_say(registry):
    rows = [cells(n, registry_number=f"RMO-2024-{n:06d}") for n in range(1, 41)]  # 40 updates
    rows += [cells(n) for n in range(100, 400)]  # 300 new
    unchanged = registry[45]
    rows.append(
        {
            "registry_number": unchanged.registry_number.lower(),  # numbers match in any case
            "name": unchanged.name,
            "kind": "business",
            "legal_form": "sole_proprietor",
            "sector": "Gastronomía y alimentos",
            "district": "Carmen de la Legua Reynoso",
            "address_public": "yes",
            "phone": "987654321",
            "whatsapp": "987654321",
            "description": unchanged.description,
            "services": "arepas;cachapas",
            "languages": "es",
        }
    )

    report = import_registry(data=csv_file(rows), file_name="mixed.csv", publish=True)

    assert report.ok, report.as_dict()
    assert report.counts == {"new": 300, "updated": 40, "unchanged": 1, "error": 0}
    assert [r.status for r in report.rows[:2]] == ["updated", "updated"]
    assert report.rows[-1].status == "unchanged"
    assert len(report.created_ids) == 300 and len(report.updated_ids) == 40
    assert set(report.timings) == {"read", "check", "duplicates", "write", "index", "commit"}

    updated = Organization.objects.get(registry_number="RMO-2024-000003")
    assert updated.name == "Bodega Zuliana 3"
    assert updated.sector == Sector.objects.get(code="comercio")
    assert updated.district == District.objects.get(code="brena")
    assert updated.address_public is True
    assert (updated.latitude, updated.longitude) == (Decimal("-12.130000"), Decimal("-77.031300"))
    assert updated.website == "https://www.bodega.example.pe"
    assert updated.services == ["harina pan", "queso llanero"]
    assert updated.languages == ["es", "en"]
    assert updated.founded_year == 2019
    assert updated.is_published

    created = Organization.objects.get(name="Bodega Zuliana 200")
    assert created.is_published and created.registered_at and created.slug == "bodega-zuliana-200"
    assert created.registry_number.startswith("RMO-")
    assert created.address_public is False
    assert created.district.code == "san-martin-de-porres"
    assert created.updated_at and created.created_at
    numbers = list(
        Organization.objects.filter(pk__in=report.created_ids).values_list("registry_number", flat=True)
    )
    assert len(set(numbers)) == 300
    assert DirectoryEntry.objects.filter(pk__in=report.created_ids + report.updated_ids).count() == 340


@pytest.mark.django_db
def test_columns_absent_from_the_file_and_empty_yes_no_cells_keep_the_record_values(registry):
    listing = registry[0]
    listing.address_public = False
    listing.latitude, listing.longitude = Decimal("-12.050000"), Decimal("-77.100000")
    listing.save()
    data = csv_file(
        [{"registry_number": listing.registry_number, "name": "Nuevo nombre", "address_public": ""}],
        columns=["registry_number", "name", "address_public"],
    )

    report = import_registry(data=data, file_name="names.csv", publish=True)

    assert report.counts["updated"] == 1
    assert report.rows[0].changes == [("name", listing.name, "Nuevo nombre")]
    listing.refresh_from_db()
    assert listing.name == "Nuevo nombre"
    assert listing.address_public is False
    assert listing.latitude == Decimal("-12.050000")
    assert listing.district.code == "carmen-de-la-legua-reynoso"
    assert listing.services == ["arepas", "cachapas"]


@pytest.mark.django_db
def test_as_drafts_a_published_listing_changes_in_a_revision_and_stays_as_it_was(registry):
    listing = registry[0]
    data = csv_file(
        [{"registry_number": listing.registry_number, "name": "Propuesta"}], ["registry_number", "name"]
    )

    report = import_registry(data=data, file_name="draft.csv", publish=False)

    assert report.applied and report.revised_ids == [listing.pk] and report.updated_ids == []
    listing.refresh_from_db()
    assert listing.name != "Propuesta"  # the live listing waits for review
    assert listing.is_published
    assert listing.latest_revision.as_object().name == "Propuesta"


@pytest.mark.django_db
def test_errors_are_reported_at_their_rows_in_a_large_file_and_nothing_is_written(registry):
    rows = [cells(n) for n in range(1_000)]
    rows[10]["district"] = "Miraflores del Norte"
    rows[500]["name"] = "x" * 201
    rows[501]["registry_number"] = "RMO 2026 ¿?"
    rows[998]["kind"] = "organization"  # a sole proprietor is no organization
    rows[700]["address"] = "Jr. Lampa\x00 123"  # a NUL the database would refuse
    rows[701]["address"] = "Av. " + "x" * 247  # 251 characters: one too many
    before = Organization.objects.count()

    with translation.override("en"):
        report = import_registry(data=csv_file(rows), file_name="big.csv", publish=True)

    assert not report.applied
    errors = {r.number: r.errors for r in report.error_rows}
    assert set(errors) == {12, 502, 503, 702, 703, 1000}
    assert errors[12][0][0] == "district"
    assert errors[502] == [("name", "Ensure this value has at most 200 characters (it has 201).")]
    assert errors[702] == [("address", "Null characters are not allowed.")]  # PostgreSQL refuses them
    assert errors[703] == [("address", "Ensure this value has at most 250 characters (it has 251).")]
    assert errors[503][0][0] == "registry_number"
    assert errors[1000][0][0] == "legal_form"
    assert report.counts["new"] == 994
    assert Organization.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("dry_run", [True, False])
def test_the_number_of_queries_does_not_grow_with_the_rows(registry, dry_run):
    def queries(count, offset):
        rows = [cells(n, registry_number=f"RMO-2024-{n:06d}", address=f"v{offset}") for n in range(1, 21)]
        rows += [cells(offset + n) for n in range(count)]
        with CaptureQueriesContext(connection) as captured:
            report = import_registry(data=csv_file(rows), file_name="q.csv", publish=True, dry_run=dry_run)
        assert report.ok
        return [q["sql"] for q in captured.captured_queries if "directory_search" not in q["sql"]]

    queries(5, 100)  # the first import of the year creates the registry counter
    small = queries(100, 1_000)
    large = queries(450, 5_000)

    # Publishing writes revisions and audit entries in bulk, in batches bounded by the database's
    # parameter limit (999 on SQLite): 350 more rows may cost a few more statements, never one
    # (or more) per row.
    allowed = 0 if dry_run else 15
    assert len(small) <= len(large) <= len(small) + allowed, [sql[:80] for sql in large]
