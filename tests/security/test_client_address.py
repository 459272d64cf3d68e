"""Every limit keys on one client address, read from TRUSTED_PROXY_COUNT proxies: a spoofed
X-Forwarded-For buys nothing, and behind a proxy two clients are two addresses, not one."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django_ratelimit.core import get_usage

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"
API = "/api/v1/directory/RMO-0000-000000/"  # a 404: cheap, and throttled like every API route


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _api(client, xff=None, remote="203.0.113.10"):
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return client.get(API, **extra).status_code


def test_without_a_proxy_a_rotated_header_does_not_reset_the_api_throttle(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    statuses = [_api(client, xff=f"192.0.2.{n % 250}") for n in range(125)]
    assert statuses[0] == 404 and statuses[-1] == 429


def test_behind_a_proxy_the_api_throttle_reads_the_address_the_proxy_saw(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # One client rotates what it writes in the header; the proxy appends its real address.
    statuses = [_api(client, xff=f"192.0.2.{n % 250}, 198.51.100.7", remote=PROXY) for n in range(125)]
    assert statuses[-1] == 429
    # Another client behind the same proxy is not blocked by the first one.
    assert _api(client, xff="198.51.100.8", remote=PROXY) == 404


def _ratelimit_ip(settings, **meta):
    request = RequestFactory().post("/", **meta)
    usage = get_usage(request, group="probe", key="ip", rate="1/m", increment=True)
    return usage["count"]


def test_django_ratelimit_reads_the_same_address(settings):
    settings.RATELIMIT_ENABLE = True
    settings.TRUSTED_PROXY_COUNT = 0
    assert _ratelimit_ip(settings, REMOTE_ADDR="203.0.113.1", HTTP_X_FORWARDED_FOR="192.0.2.1") == 1
    assert _ratelimit_ip(settings, REMOTE_ADDR="203.0.113.1", HTTP_X_FORWARDED_FOR="192.0.2.2") == 2
    settings.TRUSTED_PROXY_COUNT = 1
    assert _ratelimit_ip(settings, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1") == 1
    assert _ratelimit_ip(settings, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="7.7.7.7, 198.51.100.1") == 2
    assert _ratelimit_ip(settings, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.2") == 1


def _site_login(client, email, remote, xff):
    return client.post(
        "/accounts/login/",
        {"login": email, "password": "mala"},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=xff,
    )


@pytest.mark.parametrize("proxies", [0, 1])
def test_allauth_login_limit_per_address_ignores_a_spoofed_header(client, settings, proxies):
    settings.TRUSTED_PROXY_COUNT = proxies
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
    user = UserFactory(username="luz", email="luz@example.org")
    user.set_password("la-clave-correcta-2026")
    user.save()
    remote = PROXY if proxies else "198.51.100.9"
    real = ", 198.51.100.9" if proxies else ""
    for n in range(10):
        _site_login(client, f"nadie{n}@example.org", remote, f"192.0.2.{n}{real}")
    response = client.post(
        "/accounts/login/",
        {"login": "luz@example.org", "password": "la-clave-correcta-2026"},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=f"192.0.2.99{real}",
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code in {200, 429}
    if proxies:
        # Another client behind the same proxy still logs in.
        client.post(
            "/accounts/login/",
            {"login": "luz@example.org", "password": "la-clave-correcta-2026"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR="198.51.100.10",
        )
        assert "_auth_user_id" in client.session
