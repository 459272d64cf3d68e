import re

import pytest
from wagtail.models import Locale

from cms.models import GuidePage, StandardPage
from tests.factories import PublishedOrganizationFactory

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


def test_english_prefix_serves_the_english_tree(client, demo_site):
    html = client.get("/en/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="en">' in html
    assert "Registry of migrant businesses and organizations" in html
    assert "Register your business" in html and ">Directory<" in html
    assert 'id="untranslated-notice"' not in html
    spanish = client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Registro de emprendimientos y organizaciones migrantes" in spanish and ">Directorio<" in spanish


def test_a_page_not_translated_yet_shows_in_spanish_with_a_notice(client, demo_site):
    page = StandardPage(title="Horario de verano", slug="horario-de-verano", intro="Atendemos de 8 a 13.")
    demo_site.add_child(instance=page)
    page.save_revision().publish()

    html = client.get("/en/horario-de-verano/").content.decode()
    assert '<html lang="en">' in html
    assert "This page is not yet available in English; showing the Spanish version." in html
    content = html.split('id="untranslated-notice"', 1)[1]
    assert re.search(r'<div lang="es">\s*<article>\s*<h1>Horario de verano</h1>', content)
    # Back to Spanish: the page itself, without the prefix.
    assert 'name="next" type="hidden" value="/horario-de-verano/"' in html
    assert client.get("/en/no-existe/").status_code == 404


def test_the_switcher_goes_to_the_translation_of_the_page(client, demo_site):
    english = GuidePage.objects.get(slug="formalizar-mi-negocio", locale__language_code="es").get_translation(
        Locale.objects.get(language_code="en")
    )
    english.slug = "formalize-my-business"
    english.save_revision().publish()

    spanish_html = client.get("/guias/formalizar-mi-negocio/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'name="next" type="hidden" value="/en/guias/formalize-my-business/"' in spanish_html
    english_html = client.get("/en/guias/formalize-my-business/").content.decode()
    assert 'name="next" type="hidden" value="/guias/formalizar-mi-negocio/"' in english_html
    assert "How to formalize my business" in english_html
    # The Spanish path under the English prefix still reaches the English guide.
    assert "How to formalize my business" in client.get("/en/guias/formalizar-mi-negocio/").content.decode()

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/en/guias/formalize-my-business/"})
    assert response.status_code == 302 and response.url == "/en/guias/formalize-my-business/"


def test_directory_and_views_work_in_both_languages_without_duplicates(client, demo_site, settings):
    from search import indexing

    settings.ELASTICSEARCH_URL = ""
    listing = PublishedOrganizationFactory(name="Arepera Zuliana")
    indexing.rebuild()
    spanish = client.get("/directorio/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    english = client.get("/en/directorio/").content.decode()
    assert "1 resultado encontrado" in spanish
    assert "1 listing found" in english
    assert english.count(f'href="/en/directorio/{listing.slug}/"') >= 1
    assert f'href="/directorio/{listing.slug}/"' not in english
    detail = client.get(f"/en/directorio/{listing.slug}/")
    assert detail.status_code == 200 and "Arepera Zuliana" in detail.content.decode()
    assert "Where do I start?" in client.get("/en/empezar/").content.decode()
    assert "¿Por dónde empiezo?" in client.get("/empezar/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    verify = client.get(f"/en/verify/{listing.registry_number}/").content.decode()
    assert f"Registration {listing.registry_number} is valid." in verify


def test_formalization_steps_speak_english(client, demo_site):
    answers = {
        "kind": "business",
        "legal_form": "sole_proprietor",
        "migration_document": "cpp",
        "has_ruc": "no",
    }
    html = client.get("/en/empezar/", answers).content.decode()
    assert "Tax ID (RUC) at SUNAT and tax regime" in html
    assert "Register for the RUC at SUNAT and choose your tax regime" in html
    assert 'href="/en/guias/formalizar-mi-negocio/#paso-ruc"' in html
    spanish = client.get("/empezar/", answers, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert (
        "Inscríbete en el RUC de SUNAT" in spanish
        and 'href="/guias/formalizar-mi-negocio/#paso-ruc"' in spanish
    )


def test_accessibility_statement_from_every_footer(client, demo_site):
    spanish = client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    english = client.get("/en/").content.decode()
    assert '<a href="/accesibilidad/">Accesibilidad</a>' in spanish
    assert '<a href="/en/accesibilidad/">Accessibility</a>' in english
    page = client.get("/accesibilidad/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "<h1>Declaración de accesibilidad</h1>" in page and "WCAG" in page and "axe-core" in page
    assert "mailto:migrantes@municipalidad.example" in page and "Última revisión" in page
    page = client.get("/en/accesibilidad/").content.decode()
    assert "<h1>Accessibility statement</h1>" in page and "Known limitations" in page
    assert "Last reviewed" in page and 'id="untranslated-notice"' not in page


def test_accessibility_statement_without_the_demo(client, db):
    """A site that has no statement page yet still answers the footer's link."""
    for url, heading in (
        ("/accesibilidad/", "Declaración de accesibilidad"),
        ("/en/accesibilidad/", "Accessibility statement"),
    ):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f"<h1>{heading}</h1>" in html and "(WCAG) 2.2" in html
