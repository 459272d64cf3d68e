"""Accounts come from django-allauth; these tests pin the settings the portal relies on."""

import pytest
from django.core.cache import cache

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_login_is_rate_limited(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,3/5m/key"}
    cache.clear()
    UserFactory(username="ana", email="ana@example.org")
    pages = [
        client.post(
            "/accounts/login/", {"login": "ana@example.org", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
        for _ in range(4)
    ]
    assert "Too many failed login attempts" not in pages[0]
    # allauth refuses further attempts for that account, even with the right password.
    assert "Too many failed login attempts" in pages[3]
    right = client.post("/accounts/login/", {"login": "ana@example.org", "password": "una-clave-segura-123"})
    assert right.status_code == 200 and "_auth_user_id" not in client.session
    cache.clear()


def test_signup_requires_email_verification_before_login(client, mailoutbox):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "nuevo@example.org",
            "password1": "clave-muy-segura-2026",
            "password2": "clave-muy-segura-2026",
        },
    )
    assert response.status_code == 302
    assert "/accounts/confirm-email/" in response["Location"]
    assert len(mailoutbox) == 1
    assert client.get("/mis-registros/").status_code == 302  # not logged in until verified


def test_password_reset_sends_a_mail(client, mailoutbox):
    UserFactory(username="ana", email="ana@example.org")
    response = client.post("/accounts/password/reset/", {"email": "ana@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/key/" in mailoutbox[0].body


def test_account_pages_use_the_portal_layout(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'class="skip-link"' in html and "site.css" in html
