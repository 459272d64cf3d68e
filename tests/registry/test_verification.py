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
    number = listing.registry_number  # RMO-2026-000001
    for typed in (number.lower(), number.replace("-", ""), number.replace("-", "").lower()):
        response = client.get(f"/verify/{typed}/", follow=True)
        assert response.redirect_chain == [(f"/verify/{number}/", 301)], typed
        assert response.status_code == 200


@pytest.mark.parametrize(
    "typed",
    [
        "rmo2026000054",
        "RMO-2026-000054",
        " rmo-2026-000054 ",
        "RMO 2026 000054",
        "rmo-2026-54",
        "Rmo2026000054",
    ],
)
def test_a_number_is_read_as_people_type_it(typed):
    from registry.services.registry_numbers import normalize_registry_number

    assert normalize_registry_number(typed) == "RMO-2026-000054"


def test_the_lookup_form_finds_a_number_typed_without_dashes(client, listing):
    form = client.get("/verify/")
    assert form.status_code == 200
    assert 'name="numero"' in form.content.decode()
    typed = listing.registry_number.replace("-", "").lower()
    response = client.get("/verify/", {"numero": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/verify/{listing.registry_number}/"


def test_the_lookup_form_says_when_a_number_is_unknown_and_keeps_it(client, demo_site):
    response = client.get("/verify/", {"numero": "rmo2026999999"}, HTTP_ACCEPT_LANGUAGE="es")
    html = response.content.decode()
    assert response.status_code == 404
    assert "No encontramos ningún registro con el número RMO-2026-999999" in html
    assert 'value="rmo2026999999"' in html and 'id="error-summary"' in html
    empty = client.get("/verify/", {"numero": ""}, HTTP_ACCEPT_LANGUAGE="es")
    assert empty.status_code == 400 and "Escribe el número de registro" in empty.content.decode()


def test_unknown_number_is_404(client, demo_site):
    assert client.get("/verify/RMO-2026-999999/").status_code == 404


def test_suspended_and_rejected_say_so(client, listing):
    listing.status = ApplicationStatus.SUSPENDED
    listing.save()
    html = get(client, listing).content.decode()
    assert 'data-verdict="suspended"' in html and "is suspended" in html
    assert "Printable certificate" not in html
    certificate = get(client, listing, "registry:certificate")
    # Back to the verification page, in the visitor's language (English here: /en/verify/...).
    assert certificate.status_code == 302
    assert certificate.url == f"/en/verify/{listing.registry_number}/"

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


def test_the_public_history_lists_registration_changes_and_public_reasons_only(
    client, demo_site, django_capture_on_commit_callbacks
):
    from registry.services import applications, review
    from tests.registry import test_review_support as support

    applicant = support.UserFactory(username="maria")
    reviewer = support.staff_member("Revisores", username="rosa")
    registrar = support.staff_member("Registradores", username="luis")
    organization = support.complete_application(applicant, name="Bodega Los Andes")
    with django_capture_on_commit_callbacks(execute=True):
        review.submit_application(organization=organization, user=applicant)
        review.approve(organization=organization, user=reviewer)
        review.approve(organization=organization, user=registrar)
        copy = applications.working_copy(organization)
        copy.name = "Bodega Los Andes y Sierra"
        applications.save_draft(organization=organization, user=applicant, edited=copy)
        review.submit_application(organization=organization, user=applicant)
        review.approve(organization=organization, user=reviewer)
        review.approve(organization=organization, user=registrar)
        review.suspend(organization=organization, user=registrar, reason="Queja de Yuleisy Rondón")
        review.reinstate(
            organization=organization, user=registrar, reason="Documentos al día", reason_public=True
        )
        # Staff chose to keep the name and history public while withdrawn (by default the page
        # says only that it is withdrawn: tests/security/test_verify_abuse.py).
        review.unpublish(
            organization=organization,
            user=registrar,
            reason="Cerró el local",
            reason_public=True,
            details_public=True,
        )
    organization.refresh_from_db()

    response = get(client, organization)
    html = response.content.decode()
    history = html[html.index('id="history-heading"') :]
    assert [
        a
        for a in [
            "registry.approve",
            "registry.approve_changes",
            "registry.suspend",
            "registry.reinstate",
            "registry.unpublish",
        ]
        if f'data-action="{a}"' in history
    ] == [
        "registry.approve",
        "registry.approve_changes",
        "registry.suspend",
        "registry.reinstate",
        "registry.unpublish",
    ]
    assert "“Bodega Los Andes” → “Bodega Los Andes y Sierra”" in history
    assert "Documentos al día" in history and "Cerró el local" in history
    assert "Yuleisy" not in html, "a reason staff did not make public stays private"
    # Withdrawn: said plainly, and no certificate is offered as valid.
    assert 'data-verdict="withdrawn"' in html
    assert reverse("registry:certificate", args=[organization.registry_number]) not in html
    certificate = client.get(reverse("registry:certificate", args=[organization.registry_number]))
    assert certificate.status_code == 302
