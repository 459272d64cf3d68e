import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from registry.models import SupportingDocument
from tests.factories import OrganizationFactory, UserFactory
from tests.registry import upload_files as files

pytestmark = pytest.mark.django_db


def test_signup_honeypot_stops_bots_and_humans_pass(client):
    data = {
        "email": "bot@example.org",
        "password1": "clave-muy-segura-2026",
        "password2": "clave-muy-segura-2026",
    }
    response = client.post("/accounts/signup/", {**data, "website_confirm": "http://spam.example"})
    assert response.status_code == 200
    assert not get_user_model().objects.filter(email="bot@example.org").exists()
    response = client.post("/accounts/signup/", {**data, "website_confirm": ""})
    assert response.status_code == 302
    assert get_user_model().objects.filter(email="bot@example.org").exists()


def test_oversized_upload_is_dropped_while_streaming(client):
    applicant = UserFactory(username="ana")
    organization = OrganizationFactory(owner=applicant)
    client.force_login(applicant)
    response = client.post(
        reverse("registry:wizard", args=[organization.pk, "documentos"]),
        {"upload": "1", "document_type": "statute", "file": files.big_pdf(25)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.wsgi_request.upload_refused == "too_large"
    assert "The file is too large. The maximum is 10" in response.content.decode()
    assert not SupportingDocument.objects.exists()
