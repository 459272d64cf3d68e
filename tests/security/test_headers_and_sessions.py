import time

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(demo_site):
    user = UserFactory(username="revisora", email="revisora@muni.example")
    user.groups.add(Group.objects.get(name="Revisores"))
    return user


def test_public_pages_send_a_strict_csp_and_permissions_policy(client, demo_site):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_public_templates_have_no_inline_script(client, demo_site):
    import re

    for url in ["/", "/empezar/", "/accounts/login/", "/accounts/signup/"]:
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or "application/ld+json" in tag or "application/json" in tag, (url, tag)
        assert " onclick=" not in html and " style=" not in html, url


def test_staff_session_ends_after_thirty_idle_minutes(client, reviewer, settings):
    client.force_login(reviewer)
    assert client.get("/admin/").status_code == 200
    session = client.session
    session["staff_last_seen"] = int(time.time()) - settings.STAFF_SESSION_IDLE_SECONDS - 5
    session.save()
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert "_auth_user_id" not in client.session


def test_staff_session_ends_after_twelve_hours_even_when_active(client, reviewer, settings):
    client.force_login(reviewer)
    client.get("/admin/")
    session = client.session
    session["staff_session_started"] = int(time.time()) - settings.STAFF_SESSION_MAX_SECONDS - 5
    session.save()
    assert client.get("/admin/").status_code == 302


def test_applicant_sessions_are_not_cut_by_the_staff_rule(client, settings):
    applicant = UserFactory(username="ana")
    client.force_login(applicant)
    session = client.session
    session["staff_last_seen"] = int(time.time()) - settings.STAFF_SESSION_IDLE_SECONDS - 5
    session.save()
    assert client.get("/mis-registros/").status_code == 200


def test_two_factor_required_for_the_admin_when_enabled(client, reviewer, settings):
    settings.STAFF_REQUIRE_2FA = True
    client.force_login(reviewer)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("staff_2fa"))
    setup = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "data:image/svg+xml;base64," in setup.content.decode()
    device = TOTPDevice.objects.get(user=reviewer)
    bad = client.post(reverse("staff_2fa") + "?next=/admin/", {"token": "000000"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400
    assert client.get("/admin/").status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # django-otp slows down guessing
    device.throttle_reset()
    token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    good = client.post(reverse("staff_2fa") + "?next=/admin/", {"token": f"{token:06d}"})
    assert good.status_code == 302 and good["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_two_factor_next_cannot_point_elsewhere(client, reviewer, settings):
    settings.STAFF_REQUIRE_2FA = True
    client.force_login(reviewer)
    client.get(reverse("staff_2fa"))
    device = TOTPDevice.objects.get(user=reviewer)
    token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    response = client.post(reverse("staff_2fa") + "?next=https://evil.example/", {"token": f"{token:06d}"})
    assert response["Location"] == "/admin/"


def test_wizard_is_rate_limited_with_a_clear_429(client, settings):
    settings.RATELIMIT_ENABLE = True
    cache.clear()
    applicant = UserFactory(username="ana")
    organization = OrganizationFactory(owner=applicant)
    client.force_login(applicant)
    url = reverse("registry:wizard", args=[organization.pk, "documentos"])
    statuses = [client.post(url, {"next": "1"}).status_code for _ in range(125)]
    assert statuses[0] == 302
    assert statuses[-1] == 429
    page = client.post(url, {"next": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Too many requests" in page.content.decode()
    cache.clear()
