"""Imports with two municipalities: rows land in the importing municipality with its prefix, rows
outside its districts are refused one by one, no import reaches another municipality's
organizations, and the commands say which option to give when there are several."""

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from registry.importexport.services import MunicipalityRequired, import_registry
from registry.models import Organization, home_municipality
from registry.permissions import group_name
from tests.factories import PublishedOrganizationFactory, UserFactory
from tests.registry.test_import_columnar import cells, csv_file

FILES = Path(__file__).parent / "files"
CARMEN = "Carmen de la Legua Reynoso"


def run(name, **kwargs):
    path = FILES / name
    return import_registry(data=path.read_bytes(), file_name=path.name, **kwargs)


def staff(municipality, base="Registradores", **kwargs):
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=group_name(base, municipality)))
    return user


def carmen_rows(count, start=0, **overrides):
    return [cells(start + n, district=CARMEN, **overrides) for n in range(count)]


@pytest.mark.django_db
def test_published_rows_land_in_the_importers_municipality_numbered_with_its_prefix(carmen):
    registrar = staff(carmen)

    report = import_registry(
        data=csv_file(carmen_rows(30)), file_name="carmen.csv", user=registrar, publish=True
    )

    assert report.applied, report.as_dict()
    assert report.municipality == carmen
    created = Organization.objects.filter(pk__in=report.created_ids)
    assert created.count() == 30
    assert set(created.values_list("municipality", flat=True)) == {carmen.pk}
    numbers = sorted(created.values_list("registry_number", flat=True))
    assert all(number.startswith("MCL-") for number in numbers), numbers
    assert numbers[0].endswith("-000001") and numbers[-1].endswith("-000030")
    assert all(o.is_published for o in created)


@pytest.mark.django_db
def test_drafts_land_in_the_importers_municipality_and_enter_its_workflow(carmen):
    registrar = staff(carmen)

    report = import_registry(data=csv_file(carmen_rows(3)), file_name="borradores.csv", user=registrar)

    assert report.applied, report.as_dict()
    drafts = Organization.objects.filter(pk__in=report.created_ids)
    assert set(drafts.values_list("municipality", flat=True)) == {carmen.pk}
    assert {o.get_workflow().pk for o in drafts} == {carmen.workflow_id}
    assert not any(o.registry_number for o in drafts)


@pytest.mark.django_db
def test_rows_outside_the_municipalitys_districts_are_refused_row_by_row_with_the_reason(carmen):
    """The real file has a row in Carmen de la Legua, one in San Martín de Porres, one in Breña."""
    registrar = staff(carmen)

    report = run("registry-utf8.csv", user=registrar, publish=True)

    assert not report.applied
    errors = {row.number: row.errors for row in report.error_rows}
    assert set(errors) == {2, 3, 4}
    assert errors[3] == [
        (
            "district",
            "El distrito San Martín de Porres no pertenece a Municipalidad Distrital de Carmen de la "
            "Legua Reynoso; corrige el distrito o importa esta fila en la municipalidad que lo atiende.",
        )
    ]
    assert errors[4][0][0] == "district" and "Breña" in errors[4][0][1]
    # The first row is in Carmen de la Legua but gives a number of Lima's registry (RMO-…).
    assert errors[2][0][0] == "registry_number"
    assert "Municipalidad Metropolitana de Lima" in errors[2][0][1]
    assert Organization.objects.count() == 0

    with translation.override("en"):
        report = run("registry-utf8.csv", user=registrar, dry_run=True)
    reason = dict(report.error_rows[1].errors)["district"]
    assert reason.startswith(
        "The district San Martín de Porres does not belong to Municipalidad Distrital de Carmen de la Legua Reynoso"
    )


@pytest.mark.django_db
def test_the_rest_of_the_file_is_checked_as_usual_beside_a_refused_district(carmen):
    rows = carmen_rows(200)
    rows[10]["district"] = "Ate"
    rows[50]["district"] = "San Martín de Porres"
    rows[120]["name"] = "x" * 201

    report = import_registry(data=csv_file(rows), file_name="mixto.csv", municipality=carmen, dry_run=True)

    errors = {row.number: row.errors for row in report.error_rows}
    assert set(errors) == {12, 52, 122}
    assert errors[12][0][1].startswith("El distrito Ate no pertenece a Municipalidad Distrital de Carmen")
    assert errors[122][0][0] == "name"
    assert report.counts == {"new": 197, "updated": 0, "unchanged": 0, "error": 3}


@pytest.mark.django_db
def test_the_home_municipality_takes_the_same_file_whole(carmen):
    """Lima Metropolitana takes registrations in every district the installation knows."""
    report = run("registry-utf8.csv", user=staff(home_municipality()), publish=True)

    assert report.applied, report.as_dict()
    home = home_municipality()
    assert report.municipality == home
    assert set(Organization.objects.values_list("municipality", flat=True)) == {home.pk}
    assert all(n.startswith("RMO-") for n in Organization.objects.values_list("registry_number", flat=True))


@pytest.mark.django_db
def test_an_import_never_changes_another_municipalitys_organization(carmen):
    lima_listing = PublishedOrganizationFactory(registry_number="RMO-2024-000101", name="Arepera de Lima")
    carmen_listing = PublishedOrganizationFactory(
        registry_number="MCL-2024-000007", name="Bodega del Callao", municipality=carmen
    )
    registrar = staff(carmen)

    # Carmen's staff name Lima's listing in an otherwise good row: refused, Lima's listing stays.
    row = cells(1, registry_number=lima_listing.registry_number, district=CARMEN, name="Cambiado")
    report = import_registry(data=csv_file([row]), file_name="ajeno.csv", user=registrar, publish=True)
    assert not report.applied
    (refused,) = report.error_rows
    assert refused.errors == [
        (
            "registry_number",
            "El número RMO-2024-000101 es del registro de Municipalidad Metropolitana de Lima; esta "
            "importación solo cambia organizaciones de Municipalidad Distrital de Carmen de la Legua Reynoso.",
        )
    ]
    lima_listing.refresh_from_db()
    assert lima_listing.name == "Arepera de Lima" and lima_listing.municipality == home_municipality()

    # The same row with Carmen's own number updates Carmen's listing.
    row["registry_number"] = carmen_listing.registry_number
    report = import_registry(data=csv_file([row]), file_name="propio.csv", user=registrar, publish=True)
    assert report.applied, report.as_dict()
    assert report.counts["updated"] == 1
    carmen_listing.refresh_from_db()
    assert carmen_listing.name == "Cambiado" and carmen_listing.municipality == carmen

    # And Lima's staff cannot change Carmen's listing either.
    row["name"] = "Desde Lima"
    report = import_registry(
        data=csv_file([row]), file_name="lima.csv", user=staff(home_municipality()), publish=True
    )
    assert not report.applied
    assert report.error_rows[0].errors[0][0] == "registry_number"
    carmen_listing.refresh_from_db()
    assert carmen_listing.name == "Cambiado"


@pytest.mark.django_db
def test_staff_import_only_into_a_municipality_they_serve(carmen):
    data = csv_file(carmen_rows(1))
    with pytest.raises(PermissionDenied):
        import_registry(data=data, file_name="x.csv", user=staff(carmen), municipality=home_municipality())

    both = staff(carmen)
    both.groups.add(Group.objects.get(name="Registradores"))
    with pytest.raises(MunicipalityRequired):
        import_registry(data=data, file_name="x.csv", user=both)
    report = import_registry(data=data, file_name="x.csv", user=both, municipality=carmen)
    assert report.applied and report.municipality == carmen


@pytest.mark.django_db
def test_the_district_check_costs_no_query_per_row(carmen):
    def queries(count, start):
        rows = carmen_rows(count, start)
        rows[0]["district"] = "Ate"  # one refused row in each file
        with CaptureQueriesContext(connection) as captured:
            report = import_registry(
                data=csv_file(rows), file_name="q.csv", municipality=carmen, dry_run=True
            )
        assert report.counts["error"] == 1
        return captured.captured_queries

    assert len(queries(20, 0)) == len(queries(500, 1_000))


# ----- the admin screen ------------------------------------------------------------------------


def upload(client, name, **fields):
    data = (FILES / name).read_bytes()
    return client.post(
        "/admin/registry/transfer/import/",
        {"file": SimpleUploadedFile(name, data), "publish": "1", **fields},
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.mark.django_db
def test_the_admin_import_lands_in_the_registrars_own_municipality(client, carmen):
    client.force_login(staff(carmen))
    page = client.get("/admin/registry/transfer/import/")
    assert "municipality" not in page.context["form"].fields  # one municipality served: no question

    response = upload(client, "registry-utf8.csv")
    assert response.status_code == 200
    rows = {row.number: row for row in response.context["report"].rows}
    assert rows[3].status == "error" and "does not belong to" in rows[3].errors[0][1]

    rows = [cells(n, district=CARMEN) for n in range(3)]
    response = client.post(
        "/admin/registry/transfer/import/",
        {"file": SimpleUploadedFile("carmen.csv", csv_file(rows)), "publish": "1"},
    )
    token = response.context["token"]
    assert token
    client.post("/admin/registry/transfer/import/confirm/", {"token": token})
    assert set(Organization.objects.values_list("municipality", flat=True)) == {carmen.pk}
    assert all(n.startswith("MCL-") for n in Organization.objects.values_list("registry_number", flat=True))


@pytest.mark.django_db
def test_staff_serving_several_municipalities_choose_among_those_they_serve(client, carmen, demo_site):
    from registry.services.municipalities import register_municipality

    register_municipality(ubigeo="070101", prefix="CAL")  # served by no one here
    user = staff(carmen)
    user.groups.add(Group.objects.get(name="Registradores"))
    client.force_login(user)

    field = client.get("/admin/registry/transfer/import/").context["form"].fields["municipality"]
    assert {m.ubigeo for m in field.queryset} == {"150100", "070103"}

    response = upload(client, "registry-utf8.csv")  # no choice made
    assert "municipality" in response.context["form"].errors
    assert Organization.objects.count() == 0

    response = upload(client, "registry-utf8.csv", municipality=str(home_municipality().pk))
    token = response.context["token"]
    client.post("/admin/registry/transfer/import/confirm/", {"token": token})
    assert set(Organization.objects.values_list("municipality", flat=True)) == {home_municipality().pk}


# ----- the commands ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_with_one_municipality_the_commands_need_no_option(demo_site, tmp_path):
    out = io.StringIO()
    call_command(
        "import_registry", str(FILES / "registry-utf8.csv"), "--publish", stdout=out, stderr=io.StringIO()
    )
    assert Organization.objects.published().count() == 3
    output = tmp_path / "out.csv"
    call_command("export_registry", "--output", str(output), stdout=io.StringIO(), verbosity=0)
    assert output.read_text(encoding="utf-8-sig").count("\n") == 4


@pytest.mark.django_db
def test_with_two_municipalities_an_import_command_says_which_option_to_give(carmen, tmp_path):
    with pytest.raises(CommandError) as refused:
        call_command("import_registry", str(FILES / "registry-utf8.csv"), stdout=io.StringIO())
    assert str(refused.value) == (
        "Hay 2 municipalidades; indica cuál con --municipality: 150100 (Lima), 070103 (Carmen de la Legua Reynoso)"
    )
    assert Organization.objects.count() == 0

    with pytest.raises(CommandError) as refused:
        call_command("import_registry", str(FILES / "registry-utf8.csv"), "--municipality", "XYZ")
    assert "XYZ" in str(refused.value) and "070103" in str(refused.value)

    rows = [cells(n, district=CARMEN) for n in range(4)]
    path = tmp_path / "carmen.csv"
    path.write_bytes(csv_file(rows))
    for option in ("070103", "mcl"):  # the ubigeo or the prefix, in any case
        out = io.StringIO()
        call_command(
            "import_registry",
            str(path),
            "--publish",
            "--municipality",
            option,
            stdout=out,
            stderr=io.StringIO(),
        )
        assert "Carmen de la Legua" in out.getvalue()
    carmen_rows_ = Organization.objects.filter(municipality=carmen)
    assert carmen_rows_.count() == 8
    assert all(n.startswith("MCL-") for n in carmen_rows_.values_list("registry_number", flat=True))

    # A row outside its districts is reported per row and the command fails.
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_registry",
            str(FILES / "registry-utf8.csv"),
            "--municipality",
            "MCL",
            stdout=io.StringIO(),
            stderr=err,
        )
    assert "El distrito San Martín de Porres no pertenece" in err.getvalue()


@pytest.mark.django_db
def test_with_two_municipalities_an_export_command_covers_all_or_the_one_named(carmen, tmp_path):
    PublishedOrganizationFactory(name="Arepera de Lima")
    PublishedOrganizationFactory(
        name="Bodega del Callao", municipality=carmen, registry_number="MCL-2026-000001"
    )

    def export(*options):
        output = tmp_path / "out.csv"
        call_command("export_registry", "--output", str(output), *options, stdout=io.StringIO(), verbosity=0)
        return output.read_text(encoding="utf-8-sig")

    everything = export()
    assert "Arepera de Lima" in everything and "Bodega del Callao" in everything
    only_carmen = export("--municipality", "070103")
    assert "Bodega del Callao" in only_carmen and "Arepera de Lima" not in only_carmen
    only_lima = export("--municipality", "rmo")
    assert "Arepera de Lima" in only_lima and "Bodega del Callao" not in only_lima
