"""The Wagtail admin screens: upload, preview, confirm; export with filters; permissions."""

import csv
import io
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.models import ModelLogEntry

from registry.importexport.services import IMPORT_ACTION
from registry.models import District, Organization
from tests.factories import PublishedOrganizationFactory, UserFactory

FILES = Path(__file__).parent / "files"


@pytest.fixture
def registrar(demo_site, client):
    user = UserFactory(username="registradora", is_staff=True)
    user.groups.add(Group.objects.get(name="Registradores"))
    client.force_login(user)
    return user


def upload(client, name, publish="1"):
    data = (FILES / name).read_bytes()
    return client.post(
        "/admin/registry/transfer/import/",
        {"file": SimpleUploadedFile(name, data), "publish": publish},
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.mark.django_db
def test_upload_previews_then_confirm_imports_and_records_history(client, registrar):
    response = upload(client, "registry-utf8.csv")

    assert response.status_code == 200
    html = response.content.decode()
    assert "3 rows: 3 new, 0 updated, 0 unchanged, 0 in error." in html
    assert "Confirm and import" in html
    assert Organization.objects.count() == 0  # nothing written by the preview

    token = response.context["token"]
    response = client.post(
        "/admin/registry/transfer/import/confirm/", {"token": token}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302
    assert Organization.objects.published().count() == 3
    entry = ModelLogEntry.objects.get(action=IMPORT_ACTION)
    assert entry.user == registrar

    page = client.get("/admin/registry/transfer/import/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "registry-utf8.csv" in page  # the history

    # The same token cannot be applied twice.
    again = client.post(
        "/admin/registry/transfer/import/confirm/", {"token": token}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert again.status_code == 302
    assert Organization.objects.count() == 3


@pytest.mark.django_db
def test_a_bad_file_shows_rows_in_error_and_offers_no_confirmation(client, registrar):
    response = upload(client, "bad-unknown-district.csv")

    html = response.content.decode()
    assert "Unknown district" in html
    assert "Miraflores del Norte" in html
    assert "Confirm and import" not in html
    assert Organization.objects.count() == 0


@pytest.mark.django_db
def test_staff_without_the_permission_cannot_import_or_export(client, demo_site):
    reviewer = UserFactory(username="revisor", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Revisores"))
    client.force_login(reviewer)

    assert client.get("/admin/registry/transfer/import/").status_code in (302, 403)
    assert client.get("/admin/registry/transfer/export/").status_code in (302, 403)
    response = upload(client, "registry-utf8.csv")
    assert Organization.objects.count() == 0
    assert response.status_code in (302, 403)


@pytest.mark.django_db
def test_export_screen_downloads_with_filters(client, registrar):
    PublishedOrganizationFactory(name="En Comas", district=District.objects.get(code="comas"))
    PublishedOrganizationFactory(name="En Carmen")

    form = client.get("/admin/registry/transfer/export/", HTTP_ACCEPT_LANGUAGE="en")
    assert form.status_code == 200
    assert "private data" not in form.content.decode()  # registrars lack the private export

    response = client.get(
        "/admin/registry/transfer/export/",
        {"format": "csv", "district": "comas", "status": "", "kind": "", "sector": ""},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="registro-')
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [r["name"] for r in rows] == ["En Comas"]

    private = client.get("/admin/registry/transfer/export/", {"format": "csv", "private": "on"})
    body = b"".join(private.streaming_content).decode("utf-8-sig")
    assert "representative_document_number" not in body


@pytest.mark.django_db
def test_admin_menu_shows_import_and_export_to_registrars(client, registrar):
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "/admin/registry/transfer/import/" in html
