"""Uploads cannot exhaust a worker, carry active content or be read by other accounts."""

import stat
import time
from pathlib import Path

import pikepdf
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from registry.services.applications import add_document
from registry.uploads import check_document
from tests.factories import OrganizationFactory, UserFactory
from tests.registry import upload_files as files

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant_draft():
    user = UserFactory(username="maria")
    return user, OrganizationFactory(owner=user, name="Bodega María")


def test_an_image_of_too_many_pixels_is_refused_before_decoding(applicant_draft):
    _, draft = applicant_draft
    bomb = files.png_bomb()
    assert bomb.size < 1024 * 1024  # small on the wire
    started = time.monotonic()
    with pytest.raises(ValidationError) as refused:
        check_document(bomb, draft)
    assert refused.value.code == "too_many_pixels"
    assert "50 megap" in refused.value.messages[0]
    assert time.monotonic() - started < 2  # never decoded


def test_the_upload_view_says_why_a_huge_image_is_refused(client, applicant_draft):
    user, draft = applicant_draft
    client.force_login(user)
    response = client.post(
        f"/mis-registros/{draft.pk}/paso/documentos/",
        {"upload": "1", "document_type": "premises_sketch", "file": files.png_bomb()},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 400
    assert "50 megapíxeles" in response.content.decode()
    assert not draft.documents.exists()


def test_pillow_itself_refuses_bombs_anywhere():
    from PIL import Image

    assert Image.MAX_IMAGE_PIXELS == settings.REGISTRY_MAX_IMAGE_PIXELS


def test_a_pdf_is_stored_without_scripts_actions_attachments_or_metadata(applicant_draft):
    user, draft = applicant_draft
    document = add_document(
        organization=draft, user=user, uploaded=files.pdf_with_active_content(), document_type="identity"
    )
    with document.file.open("rb") as stored:
        raw = stored.read()
    for trace in (b"app.alert", b"JavaScript", b"OpenAction", b"factura.exe", b"cmd.exe", b"Launch"):
        assert trace not in raw, trace
    with pikepdf.open(Path(document.file.path)) as pdf:
        assert "/OpenAction" not in pdf.Root and "/AA" not in pdf.Root
        assert "/Metadata" not in pdf.Root
        assert not pdf.attachments
        assert "/Author" not in pdf.docinfo
        assert "/AA" not in pdf.pages[0].obj
        assert all("/A" not in annotation for annotation in pdf.pages[0].obj.get("/Annots", []))
        assert len(pdf.pages) == 1  # still the document


def test_a_pdf_that_cannot_be_read_is_refused_with_the_reason(applicant_draft):
    _, draft = applicant_draft
    from django.core.files.uploadedfile import SimpleUploadedFile

    broken = SimpleUploadedFile(
        "dni.pdf", b"%PDF-1.4\n" + b"\x00garbage" * 50, content_type="application/pdf"
    )
    with pytest.raises(ValidationError) as refused:
        check_document(broken, draft)
    assert refused.value.code == "bad_pdf"


def test_private_files_are_0600_in_0700_folders(applicant_draft):
    user, draft = applicant_draft
    document = add_document(organization=draft, user=user, uploaded=files.pdf(), document_type="statute")
    path = Path(document.file.path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    root = Path(settings.STORAGES["private"]["OPTIONS"]["location"])
    folder = path.parent
    while folder != root.parent:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
        folder = folder.parent
