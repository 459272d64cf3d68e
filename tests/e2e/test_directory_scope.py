"""A district municipality's directory on a phone: its own registry first, all of Lima and
Callao one tap away and back, without JavaScript, nothing wider than 360 pixels, no serious
accessibility fault. Browsers resolve *.localhost to the loopback, so the district's own host
name reaches the live server."""

import pytest
from wagtail.models import Site

from registry.models import home_municipality
from tests.e2e.conftest import E2E_DB
from tests.factories import PublishedOrganizationFactory

pytestmark = [pytest.mark.e2e, E2E_DB]


@pytest.fixture
def carmen_directory(demo_site, live_server):
    from registry.services.municipalities import register_municipality

    carmen, _created = register_municipality(ubigeo="070103", prefix="MCL")
    carmen.site = Site.objects.create(hostname="carmen.localhost", port=80, root_page=demo_site)
    carmen.save()
    PublishedOrganizationFactory(name="Cachapas del Callao", municipality=carmen)
    PublishedOrganizationFactory(name="Arepera Caracas", municipality=home_municipality())
    from search import indexing

    indexing.rebuild()
    port = live_server.url.rsplit(":", 1)[1]
    return carmen, f"http://carmen.localhost:{port}/directorio/"


def test_the_scope_switch_on_a_phone_without_javascript(browser, carmen_directory, axe_violations):
    carmen, url = carmen_directory
    context = browser.new_context(
        locale="es-PE", viewport={"width": 360, "height": 740}, is_mobile=True, java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto(url)
        scope = page.get_by_role("navigation", name="Qué registros mostrar")
        assert "Cachapas del Callao" in page.content() and "Arepera Caracas" not in page.content()
        assert (
            scope.get_by_role("link", name=f"Solo {carmen.short_name}").get_attribute("aria-current")
            == "true"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

        scope.get_by_role("link", name="Ver todo Lima y Callao").click()
        page.wait_for_url("**scope=all")
        assert "Arepera Caracas" in page.content()
        assert (
            scope.get_by_role("link", name="Ver todo Lima y Callao").get_attribute("aria-current") == "true"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

        scope.get_by_role("link", name=f"Solo {carmen.short_name}").click()
        page.wait_for_url(url + "?")
        assert "Arepera Caracas" not in page.content()
    finally:
        context.close()


def test_the_district_directory_has_no_serious_accessibility_fault(
    browser_context, carmen_directory, axe_violations
):
    _carmen, url = carmen_directory
    page = browser_context.new_page()
    page.goto(url)
    assert axe_violations(page) == []
