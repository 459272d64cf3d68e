"""Exports: each format, formula escaping, the public/private split, the round trip, commands."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.utils import translation
from openpyxl import load_workbook

from registry.importexport.readers import COLUMNS
from registry.importexport.services import (
    export_chunks,
    export_queryset,
    export_resource,
    import_registry,
)
from registry.models import Organization
from tests.factories import OrganizationFactory, PersonFactory, PublishedOrganizationFactory, UserFactory


@pytest.fixture
def listings(demo_site):
    home = PublishedOrganizationFactory(
        name="Costura Yuleisy",
        address="Calle Los Olivos 123 (mi casa)",
        address_public=False,
        latitude=Decimal("-12.050000"),
        longitude=Decimal("-77.100000"),
        ruc="10456789019",
        services=["arreglos", "uniformes"],
        languages=["es", "en"],
    )
    company = PublishedOrganizationFactory(
        name='=HYPERLINK("http://evil.example")',
        address="Av. Argentina 100",
        ruc="20601234565",
        latitude=Decimal("-12.041200"),
        longitude=Decimal("-77.091300"),
        website="https://empresa.example.pe",
        founded_year=2020,
    )
    draft = OrganizationFactory(name="Borrador Aún", registry_number=None)
    PersonFactory(organization=home, document_number="CPP99887766")
    return home, company, draft


def export_text(fmt, resource, queryset=None):
    queryset = queryset if queryset is not None else export_queryset()
    return b"".join(export_chunks(fmt=fmt, queryset=queryset, resource=resource))


@pytest.mark.django_db
def test_csv_export_has_the_vocabulary_columns_in_order_and_escapes_formulae(listings):
    data = export_text("csv", export_resource())

    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == COLUMNS
    by_name = {row[1]: row for row in rows[1:]}
    assert '\'=HYPERLINK("http://evil.example")' in by_name
    costura = by_name["Costura Yuleisy"]
    assert costura[COLUMNS.index("services")] == "arreglos;uniformes"
    assert costura[COLUMNS.index("address_public")] == "no"
    assert costura[COLUMNS.index("district")] == "carmen-de-la-legua-reynoso"
    assert costura[COLUMNS.index("sector")] == "gastronomia"
    assert len(rows) == 4


@pytest.mark.django_db
def test_public_export_hides_private_fields_and_unpublished_rows(listings):
    resource = export_resource(public=True)
    data = export_text("csv", resource, resource.get_queryset()).decode("utf-8-sig")

    assert "Borrador" not in data
    assert "mi casa" not in data  # a private address
    assert "-12.050000" not in data  # and its pin
    assert "10456789019" not in data  # a person's RUC holds their DNI
    assert "20601234565" in data  # a company's RUC is public
    assert "CPP99887766" not in data
    assert "Venezolana" not in data


@pytest.mark.django_db
def test_private_export_needs_its_own_permission_and_carries_the_representative(listings):
    from django.core.exceptions import PermissionDenied

    registrar = UserFactory(username="registrador")
    registrar.groups.add(Group.objects.get(name="Registradores"))
    with pytest.raises(PermissionDenied):
        export_resource(user=registrar, private=True)

    registrar.user_permissions.add(Permission.objects.get(codename="export_private_registry"))
    registrar = type(registrar).objects.get(pk=registrar.pk)
    resource = export_resource(user=registrar, private=True)
    rows = list(csv.DictReader(io.StringIO(export_text("csv", resource).decode("utf-8-sig"))))
    costura = next(r for r in rows if r["name"] == "Costura Yuleisy")
    assert costura["representative_document_number"] == "CPP99887766"
    assert costura["representative_nationality"] == "Venezolana"
    assert costura["status"] == "approved"


@pytest.mark.django_db
def test_json_export_keeps_lists_and_numbers(listings):
    items = json.loads(export_text("json", export_resource()))

    costura = next(i for i in items if i["name"] == "Costura Yuleisy")
    assert costura["services"] == ["arreglos", "uniformes"]
    assert costura["latitude"] == -12.05
    assert list(costura) == COLUMNS


@pytest.mark.django_db
def test_xlsx_export_is_a_workbook_with_escaped_formulae(listings, tmp_path):
    path = tmp_path / "registry.xlsx"
    path.write_bytes(export_text("xlsx", export_resource()))

    sheet = load_workbook(path, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    assert '\'=HYPERLINK("http://evil.example")' in [row[1] for row in rows]


def registry_state():
    fields = [f.name for f in Organization._meta.concrete_fields if f.name not in {"updated_at"}]
    return sorted(Organization.objects.values_list(*fields))


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_round_trip_export_then_import_changes_nothing(demo_site, fmt):
    for n in range(5):
        PublishedOrganizationFactory(
            name=f"Panadería Mérida {n}",
            latitude=Decimal("-12.041234"),
            longitude=Decimal("-77.012345"),
            address="Jr. Huánuco 123, 2º piso",
            website="https://pan.example.pe",
            email="pan@example.pe",
            services=["pan de jamón", "golfeados, cachitos"],
            languages=["es", "pt"],
            ruc="20601234565",
            founded_year=2018,
        )
    PublishedOrganizationFactory(name="Sin coordenadas", address_public=False)
    before = registry_state()

    data = export_text(fmt, export_resource())
    report = import_registry(data=data, file_name=f"export.{fmt}", publish=True)

    assert report.ok, report.as_dict()
    assert report.counts == {"new": 0, "updated": 0, "unchanged": 6, "error": 0}
    assert registry_state() == before


@pytest.mark.django_db
def test_export_command_writes_each_format(listings, tmp_path):
    for fmt in ("csv", "xlsx", "json"):
        output = tmp_path / f"out.{fmt}"
        out = io.StringIO()
        call_command("export_registry", "--format", fmt, "--output", str(output), stdout=out, verbosity=0)
        assert output.stat().st_size > 100
        assert "3 rows" in out.getvalue()


@pytest.mark.django_db
def test_import_command_summarises_and_fails_on_a_refused_file(demo_site, tmp_path):
    from django.core.management.base import CommandError

    from tests.registry.test_import import FILES

    out = io.StringIO()
    with translation.override("en"):
        call_command(
            "import_registry", str(FILES / "registry-utf8.csv"), "--publish", stdout=out, stderr=io.StringIO()
        )
    assert "imported 3 rows (published as approved): 3 new" in out.getvalue()
    assert Organization.objects.published().count() == 3

    err = io.StringIO()
    with pytest.raises(CommandError), translation.override("en"):
        call_command("import_registry", str(FILES / "bad-invalid-ruc.csv"), stdout=io.StringIO(), stderr=err)
    assert "row 4, ruc:" in err.getvalue()

    out = io.StringIO()
    call_command(
        "import_registry", str(FILES / "registry-utf8.csv"), "--dry-run", stdout=out, stderr=io.StringIO()
    )
    assert "would import" in out.getvalue()
    assert Organization.objects.count() == 3
