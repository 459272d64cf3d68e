import pytest

from tests.e2e.conftest import E2E_DB

pytestmark = [pytest.mark.e2e, E2E_DB]


def test_home_in_browser_is_accessible(page, axe_violations):
    page.goto(page.base_url + "/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("link", name="Registra tu emprendimiento").is_visible()
    assert axe_violations(page) == []


def test_language_switch_without_javascript(browser, live_server, demo_site):
    context = browser.new_context(java_script_enabled=False, locale="es-PE")
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    context.close()


def test_english_site_and_accessibility_statement_are_accessible(phone_page, axe_violations):
    page = phone_page
    page.goto(page.base_url + "/en/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Register your business").is_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Accessibility").click()
    assert page.url.endswith("/en/accesibilidad/")
    assert page.get_by_role("heading", level=1).inner_text() == "Accessibility statement"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == []
    page.get_by_role("button", name="Español").click()
    assert page.url.endswith("/accesibilidad/") and "/en/" not in page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Declaración de accesibilidad"
