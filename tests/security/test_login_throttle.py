"""Every login form shares one throttle and one lock-out: the site's (allauth) and the admin's."""

import pytest
from django.core.cache import cache

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RATES = {"login_failed": "10/m/ip,5/5m/key"}


@pytest.fixture
def staff(settings, demo_site):
    settings.ACCOUNT_RATE_LIMITS = RATES
    cache.clear()
    user = UserFactory(username="revisora", email="revisora@example.org", is_staff=True, is_superuser=True)
    user.set_password("la-clave-correcta-2026")
    user.save()
    yield user
    cache.clear()


def _admin_login(client, login, password, address="198.51.100.7"):
    return client.post("/admin/login/", {"username": login, "password": password}, REMOTE_ADDR=address)


def _logged_in(client):
    return "_auth_user_id" in client.session


def test_admin_login_locks_after_repeated_failures(client, staff):
    for _ in range(5):
        assert _admin_login(client, "revisora", "mala").status_code == 200
    response = _admin_login(client, "revisora", "la-clave-correcta-2026")
    assert response.status_code == 200
    assert not _logged_in(client)


def test_admin_login_is_throttled_per_address_whatever_the_account(client, staff):
    for n in range(10):
        _admin_login(client, f"nadie{n}@example.org", "mala")
    _admin_login(client, "revisora", "la-clave-correcta-2026")
    assert not _logged_in(client)
    # From another address the account is not locked (its own counter holds one failure less).
    _admin_login(client, "revisora", "la-clave-correcta-2026", address="203.0.113.9")
    assert _logged_in(client)


def test_account_locked_on_the_site_cannot_log_in_at_the_admin(client, staff):
    for _ in range(5):
        client.post(
            "/accounts/login/", {"login": "revisora@example.org", "password": "mala"}, REMOTE_ADDR="192.0.2.1"
        )
    _admin_login(client, "revisora", "la-clave-correcta-2026", address="192.0.2.2")
    assert not _logged_in(client)


def test_admin_login_still_works(client, staff):
    response = _admin_login(client, "revisora", "la-clave-correcta-2026")
    assert response.status_code == 302
    assert _logged_in(client)
    client.logout()
    # by e-mail as well
    _admin_login(client, "REVISORA@example.org", "la-clave-correcta-2026")
    assert _logged_in(client)
