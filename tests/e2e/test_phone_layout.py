"""Every public page fits a 360-pixel-wide phone: nothing scrolls sideways.

Wide content (tables, long registry numbers, unbroken URLs) is the usual culprit, so the listing
and the certificate are given a long name, a long e-mail and a long website on purpose.
"""

import pytest
from django.utils import timezone

from tests.e2e.conftest import E2E_DB
from tests.factories import PublishedOrganizationFactory

pytestmark = [pytest.mark.e2e, E2E_DB]

PHONE_WIDTH = 360


@pytest.fixture
def wide_listing(demo_site):
    return PublishedOrganizationFactory(
        name="Asociación de Emprendedoras y Emprendedores Venezolanos del Callao y Carmen de la Legua",
        short_description="Arepas, cachapas, tequeños y asesoría para formalizar negocios",
        email="contacto.asociacion.emprendedores.venezolanos@example.org",
        website="https://emprendedores-venezolanos-carmen-de-la-legua.example.org/inicio/quienes-somos",
        registered_at=timezone.now(),
    )


def public_pages(listing):
    number = listing.registry_number
    return [
        "/",
        "/directorio/",
        "/directorio/?q=arepas+cachapas",
        f"/directorio/{listing.slug}/",
        "/empezar/",
        "/empezar/?kind=business&legal_form=informal&migration_document=cpp&has_ruc=no",
        "/verify/",
        f"/verify/{number}/",
        f"/verify/{number}/certificate/",
        "/guias/",
        "/guias/formalizar-mi-negocio/",
        "/eventos/",
        "/privacidad/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/esta-pagina-no-existe/",
    ]


def test_no_public_page_scrolls_sideways_on_a_phone(phone_page, wide_listing):
    overflowing = {}
    for url in public_pages(wide_listing):
        phone_page.goto(phone_page.base_url + url)
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE_WIDTH:
            # Name the widest element, so that a failure says where to look.
            culprit = phone_page.evaluate(
                """(limit) => {
                    const wide = [...document.querySelectorAll('body *')]
                        .filter(e => e.getBoundingClientRect().right > limit + 1);
                    const e = wide[wide.length - 1];
                    return e ? e.tagName.toLowerCase() + '.' + [...e.classList].join('.') : '';
                }""",
                PHONE_WIDTH,
            )
            overflowing[url] = (width, culprit)
    assert overflowing == {}
