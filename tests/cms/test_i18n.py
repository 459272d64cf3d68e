import pytest

pytestmark = pytest.mark.django_db


def test_switch_to_english_and_back(client, demo_site):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Skip to main content" in html
    assert ">Español<" in html  # the switcher offers the other language

    client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="es">' in html
    assert "Saltar al contenido principal" in html
    assert ">English<" in html


def test_accept_language_header_picks_english(client, demo_site):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html


def test_spanish_is_the_default(client, demo_site):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="").content.decode()
    assert "Saltar al contenido principal" in html
