"""The certificate as a PDF: one A4 page with the certificate's content, for valid registrations
only, linked from the certificate page."""

import io
import re

import pikepdf
import pytest
import qrcode
from django.urls import reverse
from django.utils import timezone

from registry.certificates import qr_drawing
from registry.models import ApplicationStatus, LegalForm, Person
from tests.factories import PublishedOrganizationFactory

pytestmark = pytest.mark.django_db

A4_POINTS = (595.2756, 841.8898)


@pytest.fixture
def listing(demo_site):
    organization = PublishedOrganizationFactory(
        name="Asociación Cultural Venezolana de Carmen de la Legua Reynoso",
        kind="organization",
        legal_form=LegalForm.ASSOCIATION,
        ruc="10456789012",  # a person's RUC: never public
        registered_at=timezone.now(),
    )
    Person.objects.create(
        organization=organization, full_name="Yuleisy Rondón", document_number="CPP00999888"
    )
    return organization


def pdf_url(organization):
    return reverse("registry:certificate_pdf", args=[organization.registry_number])


def page_text(data: bytes) -> bytes:
    """The first page's content stream, uncompressed (the text is in its Tj strings)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return pdf.pages[0].Contents.read_bytes()


def test_the_pdf_is_one_a4_page_with_the_certificate(client, listing):
    response = client.get(pdf_url(listing), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"] == f'attachment; filename="certificado-{listing.registry_number}.pdf"'
    )
    data = response.content
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 1
        box = [float(v) for v in pdf.pages[0].MediaBox]
        assert box[:2] == [0, 0] and box[2:] == pytest.approx(A4_POINTS, abs=0.01)
    text = page_text(data)
    assert listing.registry_number.encode() in text
    for shown in (
        b"Certificate of registration",
        b"Organization",
        b"Association",
        b"Carmen de la Legua Reynoso",
    ):
        assert shown in text, shown
    assert re.search(rb"Asociaci.{1,4}n Cultural Venezolana", text)
    for private in (b"Yuleisy", b"CPP00999888", b"10456789012"):
        assert private not in text and private not in data
    # The QR code is drawn in vectors, not pasted as an image.
    assert b"/Subtype /Image" not in data


def test_the_pdf_speaks_spanish(client, listing):
    text = page_text(client.get(pdf_url(listing), HTTP_ACCEPT_LANGUAGE="es").content)
    assert b"Constancia de registro" in text
    assert b"Asociaci" in text and b"Registrado desde" in text


def test_the_qr_code_is_the_verification_urls():
    url = "https://registro.example.pe/verify/RMO-2026-000123/"
    drawing = qr_drawing(url, size=100)
    reference = qrcode.QRCode(border=2)
    reference.add_data(url)
    reference.make(fit=True)
    matrix = reference.get_matrix()
    cell = 100 / len(matrix)
    dark = set()
    for rect in drawing.contents:
        row = round((100 - rect.y) / cell) - 1
        first = round(rect.x / cell)
        dark.update((first + i, row) for i in range(round(rect.width / cell)))
    assert dark == {(x, y) for y, line in enumerate(matrix) for x, on in enumerate(line) if on}


@pytest.mark.parametrize("state", ["withdrawn", "suspended"])
def test_no_pdf_for_a_registration_that_is_not_in_force(client, listing, state):
    if state == "withdrawn":
        listing.live = False
    else:
        listing.status = ApplicationStatus.SUSPENDED
    listing.save()
    response = client.get(pdf_url(listing))
    assert response.status_code == 302
    assert response.url == reverse("registry:verify", args=[listing.registry_number])
    assert response.get("Content-Type", "").startswith("text/html")
    page = client.get(reverse("registry:verify", args=[listing.registry_number])).content.decode()
    assert pdf_url(listing) not in page


def test_the_certificate_page_links_to_the_pdf(client, listing):
    html = client.get(
        reverse("registry:certificate", args=[listing.registry_number]), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert f'<a href="{pdf_url(listing)}" download>Descargar PDF</a>' in html


def test_an_unknown_number_is_404(client, demo_site):
    assert client.get("/verify/RMO-2026-999999/certificate.pdf").status_code == 404
