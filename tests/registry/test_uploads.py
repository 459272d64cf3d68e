import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from registry.models import DocumentType
from registry.services.applications import add_document
from tests.factories import OrganizationFactory, UserFactory
from tests.registry import upload_files as files

pytestmark = pytest.mark.django_db


@pytest.fixture
def organization():
    return OrganizationFactory()


def test_pdf_is_stored_privately_under_a_random_name(organization, settings):
    user = UserFactory()
    document = add_document(
        organization=organization,
        user=user,
        uploaded=files.pdf("pasaporte-maria-perez.pdf"),
        document_type=DocumentType.IDENTITY,
    )
    assert document.content_type == "application/pdf"
    assert "maria" not in document.file.name
    assert document.file.name.endswith(".pdf")
    assert str(settings.PRIVATE_MEDIA_ROOT) in document.file.path
    assert str(settings.MEDIA_ROOT) not in document.file.path
    assert document.original_name == "pasaporte-maria-perez.pdf"


@pytest.mark.parametrize("make_file", [files.html_renamed_pdf, files.svg_renamed_pdf])
def test_html_or_svg_renamed_pdf_is_refused(organization, make_file):
    with pytest.raises(ValidationError) as error:
        add_document(organization=organization, user=None, uploaded=make_file(), document_type="identity")
    assert error.value.code == "bad_type"
    assert organization.documents.count() == 0


def test_twenty_megabytes_is_refused(organization):
    with pytest.raises(ValidationError) as error:
        add_document(
            organization=organization, user=None, uploaded=files.big_pdf(20), document_type="statute"
        )
    assert error.value.code == "too_large"
    assert "10" in error.value.messages[0]


def test_total_limit_per_organization(organization, settings):
    # What counts is what is stored: a PDF rewritten without active content and metadata.
    first = add_document(organization=organization, user=None, uploaded=files.pdf(), document_type="statute")
    settings.REGISTRY_MAX_TOTAL_DOCUMENT_BYTES = first.size * 2 + 10
    add_document(organization=organization, user=None, uploaded=files.pdf(), document_type="statute")
    with pytest.raises(ValidationError) as error:
        add_document(organization=organization, user=None, uploaded=files.pdf(), document_type="statute")
    assert error.value.code == "total_too_large"


def test_count_limit_per_organization(organization, settings):
    settings.REGISTRY_MAX_DOCUMENTS = 1
    add_document(organization=organization, user=None, uploaded=files.pdf(), document_type="statute")
    with pytest.raises(ValidationError) as error:
        add_document(organization=organization, user=None, uploaded=files.png(), document_type="other")
    assert error.value.code == "too_many"


def test_photo_loses_its_gps_metadata(organization):
    original = files.jpeg_with_gps()
    assert Image.open(io.BytesIO(original.read())).getexif().get_ifd(0x8825)  # it had GPS
    original.seek(0)
    document = add_document(organization=organization, user=None, uploaded=original, document_type="identity")
    with document.file.open("rb") as stored:
        exif = Image.open(io.BytesIO(stored.read())).getexif()
    assert not exif.get_ifd(0x8825)
    assert 0x010F not in exif


def test_uploaded_statute_becomes_evidence_of_its_step(organization):
    from registry.formalization import ensure_organization_steps

    organization.kind, organization.legal_form = "organization", "association"
    organization.save()
    ensure_organization_steps(organization)
    document = add_document(
        organization=organization, user=None, uploaded=files.pdf(), document_type="statute"
    )
    row = organization.steps.get(step__code="estatuto")
    assert row.evidence_document == document
    assert row.status == "done"
