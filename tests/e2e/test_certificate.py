"""The certificate under the site's own Content-Security-Policy (no bypass): styled, "Imprimir"
works, nothing refused; on paper it fits one A4 page."""

import re

import pytest
from django.utils import timezone

from tests.e2e.conftest import E2E_DB
from tests.factories import PublishedOrganizationFactory

pytestmark = [pytest.mark.e2e, E2E_DB]


def test_certificate_under_the_csp_prints_on_one_a4_page(browser, live_server, demo_site):
    listing = PublishedOrganizationFactory(
        name="Asociación de Emprendedores Venezolanos de Carmen de la Legua Reynoso",
        registered_at=timezone.now(),
    )
    context = browser.new_context(locale="es-PE", viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    response = page.goto(f"{live_server.url}/verify/{listing.registry_number}/certificate/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")

    # Its stylesheet applies (the double border) and fits the phone.
    assert page.eval_on_selector(".certificate", "e => getComputedStyle(e).borderTopStyle") == "double"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # "Imprimir" is shown by the script file and calls the browser's print.
    button = page.locator("button[data-print]")
    assert button.is_visible()
    page.evaluate("window.print = () => { window.__printed = true; }")
    button.click()
    assert page.evaluate("window.__printed") is True
    assert refused == []

    # "Descargar PDF" downloads the certificate as a file to keep or send.
    with page.expect_download() as download:
        page.get_by_role("link", name="Descargar PDF").click()
    assert download.value.suggested_filename == f"certificado-{listing.registry_number}.pdf"
    assert download.value.path().read_bytes().startswith(b"%PDF-")

    # One A4 page, the buttons left off.
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    context.close()
