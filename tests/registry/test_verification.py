"""GET /verify/<number>/ and its printable certificate: public fields only, status said plainly."""

import pytest
from django.urls import reverse

from registry.models import ApplicationStatus, Person
from tests.factories import PublishedOrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(demo_site):
    from django.utils import timezone

    organization = PublishedOrganizationFactory(
        name="Bodega Los Andes",
        ruc="10456789012",
        address_public=False,
        address="Jr. Privado 123",
        registered_at=timezone.now(),
    )
    Person.objects.create(
        organization=organization, full_name="Yuleisy Rondón", document_number="CPP00999888"
    )
    return organization


def get(client, organization, name="registry:verify"):
    return client.get(reverse(name, args=[organization.registry_number]), HTTP_ACCEPT_LANGUAGE="en")


def test_a_valid_registration_says_so_with_public_fields_only(client, listing):
    response = get(client, listing)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-verdict="valid"' in html
    assert f"Registration {listing.registry_number} is valid." in html
    assert "Bodega Los Andes" in html and "Carmen de la Legua" in html
    assert listing.registered_at.strftime("%Y") in html
    for private in ("Yuleisy", "CPP00999888", "Jr. Privado", "10456789012", "987654321"):
        assert private not in html
    assert reverse("registry:certificate", args=[listing.registry_number]) in html


def test_numbers_are_matched_whatever_the_case(client, listing):
    response = client.get(f"/verify/{listing.registry_number.lower()}/")
    assert response.status_code == 200


def test_unknown_number_is_404(client, demo_site):
    assert client.get("/verify/RMO-2026-999999/").status_code == 404


def test_suspended_and_rejected_say_so(client, listing):
    listing.status = ApplicationStatus.SUSPENDED
    listing.save()
    html = get(client, listing).content.decode()
    assert 'data-verdict="suspended"' in html and "is suspended" in html
    assert "Printable certificate" not in html
    certificate = get(client, listing, "registry:certificate")
    assert certificate.status_code == 302 and certificate.url == listing.get_verification_url()

    listing.status = ApplicationStatus.REJECTED
    listing.save()
    html = get(client, listing).content.decode()
    assert 'data-verdict="rejected"' in html and "is not valid" in html


def test_certificate_is_printable_with_qr(client, listing):
    response = get(client, listing, "registry:certificate")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Certificate of registration" in html and "Bodega Los Andes" in html
    assert "<svg" in html and "<path" in html
    assert f"http://testserver/verify/{listing.registry_number}/" in html
    assert "Yuleisy" not in html


def test_qr_code_encodes_the_verification_url():
    """The SVG's dark modules are exactly those of the QR matrix of the URL."""
    import re

    import qrcode

    from registry.views.verification import qr_svg

    url = "https://registro.example.pe/verify/RMO-2026-000123/"
    svg = qr_svg(url)
    dark = {(int(x), int(y)) for x, y in re.findall(r"M(\d+),(\d+)H", svg)}
    reference = qrcode.QRCode(border=2)
    reference.add_data(url)
    reference.make(fit=True)
    expected = {(x, y) for y, row in enumerate(reference.get_matrix()) for x, on in enumerate(row) if on}
    assert dark == expected
