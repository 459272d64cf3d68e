"""A whole journey, through the real views and services, with the real log handler capturing:
the applicant's e-mail and document number must never appear in a log line."""

import io
import json
import logging
import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from config.logging import redact
from registry.models import Organization, Sector
from registry.services import review
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EMAIL = "mariangel.rondon@example.org"
DOCUMENT = "CPP00998877"


@pytest.fixture
def captured_output():
    """The configured console handler (JSON formatter + redaction), writing into a buffer."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    buffer = io.StringIO()
    old_stream, old_level = handler.setStream(buffer), logging.getLogger().level
    logging.getLogger().setLevel(logging.DEBUG)
    yield buffer
    handler.setStream(old_stream)
    logging.getLogger().setLevel(old_level)


def test_redact():
    assert redact("mail to ana.perez@example.org about CE 001234567 or 46027897") == (
        "mail to [email] about [number] or [number]"
    )


def test_full_journey_logs_no_email_and_no_document_number(client, demo_site, captured_output, settings):
    settings.DEBUG = False
    # Sign up and verify.
    client.post(
        "/accounts/signup/",
        {"email": EMAIL, "password1": "arepa-2026-clave", "password2": "arepa-2026-clave"},
    )
    link = re.search(r"/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    client.post(link)
    # The wizard, with a bad step on the way (errors are logged as 400s by Django).
    sector = Sector.objects.get(code="textil")
    client.post(
        "/mis-registros/nuevo/",
        {
            "kind": "business",
            "legal_form": "informal",
            "name": "Costura Mariángel",
            "sector": sector.pk,
            "short_description": "Arreglos de ropa",
            "languages": ["es"],
        },
    )
    organization = Organization.objects.get(name="Costura Mariángel")
    base = f"/mis-registros/{organization.pk}/paso"
    client.post(f"{base}/contacto/", {"district": "", "email": EMAIL, "phone": "12"})
    client.post(f"{base}/contacto/", {"district": organization.district_id or 1, "email": EMAIL})
    client.post(
        f"{base}/personas/",
        {
            "people-TOTAL_FORMS": "1",
            "people-INITIAL_FORMS": "0",
            "people-0-role": "representative",
            "people-0-full_name": "Mariángel Rondón",
            "people-0-document_type": "cpp",
            "people-0-document_number": DOCUMENT,
            "people-0-email": EMAIL,
        },
    )
    client.post(f"{base}/revision/", {"consent": "on"})
    organization.refresh_from_db()
    assert organization.status == "submitted"
    # Staff decide.
    reviewer = UserFactory(username="revisora", email="revisora@muni.example")
    reviewer.groups.add(Group.objects.get(name="Revisores"))
    registrar = UserFactory(username="registrador", email="registrador@muni.example")
    registrar.groups.add(Group.objects.get(name="Registradores"))
    review.approve(organization=organization, user=reviewer)
    review.approve(organization=organization, user=registrar)
    organization.refresh_from_db()
    assert organization.registry_number
    # Someone else pokes at the private pages (404s are logged).
    client.logout()
    client.get(f"/mis-registros/{organization.pk}/documentos/1/")

    output = captured_output.getvalue()
    assert output.strip(), "the journey logged nothing at all: the capture is not working"
    for line in output.strip().splitlines():
        json.loads(line)  # structured
    assert EMAIL not in output
    assert DOCUMENT not in output
    assert "Rondón" not in output


LATITUDE, LONGITUDE = "-12.046374", "-77.042793"


def test_api_400s_and_404s_log_no_email_document_number_or_coordinates(
    client, demo_site, captured_output, settings
):
    """The request Django attaches to its 4xx records (and any query string) is redacted too."""
    settings.DEBUG = False
    # API 400s: a query with an e-mail address and a home's coordinates.
    assert client.get("/api/v1/directory/", {"q": EMAIL, "lat": LATITUDE}).status_code == 400
    invalid = client.get("/api/v1/directory/", {"lat": LATITUDE, "lon": LONGITUDE, "radius_km": "x"})
    assert invalid.status_code in {400, 422}
    # 404s: personal data in the path and in the query string.
    client.get(f"/verify/{DOCUMENT}/", {"email": EMAIL})
    client.get(f"/no-existe/{EMAIL}/", {"lat": LATITUDE, "lon": LONGITUDE})
    client.get(f"/api/v1/directory/{DOCUMENT}/", {"contacto": EMAIL})

    output = captured_output.getvalue()
    assert "Bad Request" in output and "Not Found" in output, "the capture is not working"
    for line in output.strip().splitlines():
        entry = json.loads(line)
        assert "WSGIRequest" not in json.dumps(entry), "the request object itself was written"
    for secret in (EMAIL, DOCUMENT, LATITUDE, LONGITUDE, "mariangel", "%40example"):
        assert secret not in output, secret
