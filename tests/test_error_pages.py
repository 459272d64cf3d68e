"""Error pages with DEBUG off: in Spanish, in the site's layout, with a way forward."""

import re

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def assert_site_page(response, status, heading):
    html = response.content.decode()
    assert response.status_code == status
    assert '<html lang="es">' in html
    assert 'name="viewport"' in html
    assert 'class="site-header"' in html and 'class="site-footer"' in html
    assert re.search(r"<h1>\s*" + re.escape(heading) + r"\s*</h1>", html), html[:2000]
    assert 'href="/"' in html  # the home page
    assert 'href="/verify/"' in html  # and a way to look a number up
    return html


@pytest.fixture
def client_es(demo_site, settings):
    assert settings.DEBUG is False
    return Client(HTTP_ACCEPT_LANGUAGE="es", raise_request_exception=False)


@pytest.mark.parametrize("url", ["/directorio/no-existe/", "/verify/RMO-2026-999999/", "/no/existe/"])
def test_not_found_in_spanish_with_a_way_forward(client_es, url):
    html = assert_site_page(client_es.get(url), 404, "No encontramos esta página")
    assert 'href="/directorio/"' in html


@override_settings(ROOT_URLCONF="tests.error_urls")
@pytest.mark.parametrize(
    "url, status, heading",
    [
        ("/prueba/400/", 400, "Solicitud no válida"),
        ("/prueba/403/", 403, "No puedes abrir esta página"),
        ("/prueba/500/", 500, "Algo salió mal"),
    ],
)
def test_other_errors_in_spanish(client_es, url, status, heading):
    html = assert_site_page(client_es.get(url), status, heading)
    assert "a bug" not in html and "malformed" not in html  # nothing of the exception is shown


def test_too_many_requests_has_a_way_forward(client_es):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory
    from django.utils import translation

    from registry.security.ratelimits import rate_limited

    request = RequestFactory().get("/accounts/login/")
    request.user = AnonymousUser()
    with translation.override("es"):
        response = rate_limited(request)
        response.render()
    assert response.status_code == 429
    assert 'href="/verify/"' in response.content.decode()


def test_csrf_failure_says_what_to_do(demo_site):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="es")
    response = client.post("/accounts/login/", {"login": "a@example.org", "password": "x"})
    html = assert_site_page(response, 403, "El formulario caducó")
    assert 'href="/accounts/login/"' in html  # back to the form


def test_a_broken_error_page_still_answers(client_es, monkeypatch):
    """If the layout itself fails (the database gone), a plain page says so, with a way home."""
    from django.template import loader

    def fail(*args, **kwargs):
        raise RuntimeError("templates unavailable")

    monkeypatch.setattr(loader, "render_to_string", fail)
    response = client_es.get("/no/existe/")
    assert response.status_code == 404
    assert "Algo salió mal" in response.content.decode() and 'href="/"' in response.content.decode()
