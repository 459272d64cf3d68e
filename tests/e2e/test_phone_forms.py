"""Forms on a 360 by 740 phone: the outcome of sending one is on the first screen.

"Ver mi ruta" shows the route there; a form sent with mistakes leads with an error summary that
has the focus, is on screen and links to each field."""

import re

import pytest

from tests.e2e.conftest import E2E_DB
from tests.factories import PublishedOrganizationFactory

pytestmark = [pytest.mark.e2e, E2E_DB]

SCREEN = 740


def on_first_screen(page, selector):
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not rendered"
    return 0 <= box["y"] < SCREEN


def focused_id(page):
    return page.evaluate("document.activeElement && document.activeElement.id")


def summary_takes_the_focus(page):
    """The browser runs autofocus at its next rendering after load, not at once: wait for it."""
    page.wait_for_function(
        "document.activeElement && document.activeElement.id === 'error-summary'", timeout=5000
    )
    return True


def test_where_do_i_start_on_a_phone(phone_page):
    page = phone_page
    page.goto(page.base_url + "/empezar/")

    # Sent with nothing chosen: the summary says so, has the focus and links to the fields.
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/empezar/\?"))
    assert summary_takes_the_focus(page)
    assert on_first_screen(page, "#error-summary")
    links = page.locator("#error-summary a")
    assert links.count() >= 4
    links.first.click()
    assert focused_id(page) == "id_kind_0"

    # Answered: the route is on the first screen.
    page.check("#id_kind_0")
    page.locator("input[name=legal_form][value=informal]").check()
    page.locator("input[name=migration_document][value=cpp]").check()
    page.locator("input[name=has_ruc][value=no]").check()
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"kind=business"))
    assert page.evaluate("scrollY") == 0
    assert on_first_screen(page, "#path-heading")
    assert on_first_screen(page, "#ruta ol.path > li")
    assert page.locator("#error-summary").count() == 0

    # The document's expiry from the date picker: an expired CPP is renewed before the RUC.
    page.fill("#id_document_expires_on", "2020-01-15")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"document_expires_on=2020-01-15"))
    assert "15 de enero de 2020" in page.locator("#ruta-ruc").inner_text()
    assert page.input_value("#id_document_expires_on") == "2020-01-15"


def test_report_a_problem_on_a_phone(phone_page):
    listing = PublishedOrganizationFactory(name="Costura Caraqueña")
    from search import indexing

    indexing.rebuild()
    page = phone_page
    page.goto(f"{page.base_url}/directorio/{listing.slug}/")
    page.locator("section.report summary").click()
    with page.expect_navigation():
        page.locator("section.report button[type=submit]").click()
    assert summary_takes_the_focus(page)
    assert on_first_screen(page, "#error-summary")
    page.locator("#error-summary a").first.click()
    assert focused_id(page) == "id_report-reason"
    # Nothing in the reason's list pretends to be an option.
    assert "---" not in page.locator("#id_report-reason").inner_text()
