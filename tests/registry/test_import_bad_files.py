"""The catalogue of bad files: each is refused with the row, the column and the reason, and the
database is left exactly as it was."""

import csv
import io
from pathlib import Path

import pytest
from django.utils import translation

from registry.importexport.services import import_registry
from registry.models import Organization, RegistryCounter
from tests.factories import PublishedOrganizationFactory

FILES = Path(__file__).parent / "files"


def snapshot():
    return (
        sorted(Organization.objects.values_list("pk", "name", "registry_number", "status", "live")),
        list(RegistryCounter.objects.values_list("prefix", "year", "last_number")),
    )


@pytest.fixture
def registry(demo_site):
    PublishedOrganizationFactory(registry_number="RMO-2024-000101", name="Arepera vieja")
    return snapshot()


def run(name, publish=True):
    with translation.override("en"):
        path = FILES / name
        return import_registry(data=path.read_bytes(), file_name=name, publish=publish)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "row", "column", "reason"),
    [
        ("bad-unknown-district.csv", 3, "district", "Unknown district “Miraflores del Norte”"),
        ("bad-invalid-ruc.csv", 4, "ruc", "its last digit does not match"),
        ("bad-duplicate-registry-number.csv", 4, "registry_number", "also in row 2"),
        ("bad-formula.csv", 3, "name", "starts like a spreadsheet formula"),
        ("bad-too-many-columns.csv", 2, "", "has 21 values but the header has 19 columns"),
    ],
)
def test_a_bad_row_refuses_the_whole_file(registry, name, row, column, reason):
    report = run(name)

    assert not report.ok
    assert not report.applied
    bad = {r.number: r for r in report.error_rows}
    assert row in bad, report.as_dict()
    assert any(c == column and reason in text for c, text in bad[row].errors), bad[row].errors
    assert snapshot() == registry


@pytest.mark.django_db
def test_duplicate_registry_numbers_are_flagged_on_both_rows(registry):
    report = run("bad-duplicate-registry-number.csv")

    assert {r.number for r in report.error_rows} == {2, 4}


@pytest.mark.django_db
def test_the_good_rows_of_a_bad_file_are_still_previewed(registry):
    report = run("bad-unknown-district.csv")

    assert [r.status for r in report.rows] == ["updated", "error", "new"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "reason"),
    [("bad-empty.csv", "The file is empty."), ("bad-header-only.csv", "The file has a header but no rows.")],
)
def test_empty_files_are_refused(registry, name, reason):
    report = run(name)

    assert report.file_errors == [reason]
    assert snapshot() == registry


@pytest.mark.django_db
def test_a_file_above_the_row_limit_is_refused_before_any_row_is_checked(registry, settings):
    settings.REGISTRY_IMPORT_MAX_ROWS = 25_000
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["name", "kind", "district"])
    for n in range(50_000):
        writer.writerow([f"Bodega {n}", "business", "Comas"])
    with translation.override("en"):
        report = import_registry(data=buffer.getvalue().encode(), file_name="big.csv", publish=True)

    assert not report.ok
    assert "more than 25,000 rows" in report.file_errors[0]
    assert report.rows == []
    assert snapshot() == registry


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        ({"latitude": "40.4168", "longitude": "-3.7038"}, "latitude", "outside Peru"),
        ({"website": "javascript:alert(1)"}, "website", "valid web address"),
        ({"email": "no-es-correo"}, "email", "valid e-mail"),
        ({"phone": "12"}, "phone", "valid phone number, for example 987 654 321"),
        ({"whatsapp": "01 555 1234"}, "whatsapp", "WhatsApp needs a mobile number"),
        ({"sector": "minería"}, "sector", "Unknown sector"),
        ({"kind": "empresa grande"}, "kind", "is not one of"),
        ({"legal_form": "association"}, "legal_form", "cannot have the legal form"),
        ({"languages": "es;klingon"}, "languages", "Unknown language code"),
        ({"founded_year": "1850"}, "founded_year", "between 1900"),
        ({"name": ""}, "name", "cannot be blank"),
        ({"address_public": "quizás"}, "address_public", "yes or no"),
    ],
)
def test_cells_are_validated_like_the_forms(registry, cells, column, reason):
    row = {"name": "Bodega Caracas", "kind": "business", "legal_form": "informal", "district": "Comas"}
    row.update(cells)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    with translation.override("en"):
        report = import_registry(data=buffer.getvalue().encode(), file_name="one.csv", publish=True)

    assert not report.ok
    errors = report.rows[0].errors
    assert any(c == column and reason in text for c, text in errors), errors
    assert snapshot() == registry


@pytest.mark.django_db
def test_unknown_columns_are_refused_with_the_expected_ones(registry):
    data = b"nombre,distrito,color\nBodega,Comas,rojo\n"
    with translation.override("en"):
        report = import_registry(data=data, file_name="x.csv")

    assert "Unknown columns: “color”" in report.file_errors[0]


@pytest.mark.django_db
def test_spanish_headers_and_names_without_accents_are_understood(registry):
    data = (
        "nombre;tipo;distrito;rubro\nBodega Zulia;business;SAN MARTIN DE PORRES;belleza y cuidado personal\n"
    )
    report = import_registry(data=data.encode("cp1252"), file_name="x.csv", publish=True)

    assert report.ok, report.as_dict()
    bodega = Organization.objects.get(name="Bodega Zulia")
    assert (bodega.district.code, bodega.sector.code) == ("san-martin-de-porres", "belleza")
