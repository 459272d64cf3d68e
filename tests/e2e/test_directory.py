"""The directory in a real browser: a resident searches with a typo, narrows by district, opens a
listing and reports a problem; the pages pass axe-core; the first load on a phone stays light.

Selectors use field names, URLs and the listings' own names, so the tests hold in Spanish.
"""

import re

import pytest

from registry.demo import create_listings
from registry.models import District, ListingReport, Sector
from search import indexing
from tests.e2e.conftest import E2E_DB
from tests.factories import PublishedOrganizationFactory

pytestmark = [pytest.mark.e2e, E2E_DB]

# The first load of the directory on a phone (HTML, CSS, JavaScript, images; map tiles are only
# fetched once someone opens the map).
FIRST_LOAD_BUDGET = 200 * 1024


@pytest.fixture
def listings(demo_site):
    gastronomia = Sector.objects.get(code="gastronomia")
    comas = District.objects.get(code="comas")
    callao = District.objects.get(code="callao")
    made = {
        "comas": PublishedOrganizationFactory(
            name="Arepera Zuliana",
            sector=gastronomia,
            district=comas,
            short_description="Arepas rellenas y jugos naturales",
            whatsapp="987654321",
            phone="987654321",
            latitude="-11.932000",
            longitude="-77.049000",
        ),
        "callao": PublishedOrganizationFactory(
            name="Arepera del Puerto",
            sector=gastronomia,
            district=callao,
            short_description="Arepas y cachapas para llevar",
        ),
    }
    # Realistic neighbours (seed_demo's listings), so that facets have something to count.
    create_listings(60, seed=3, prefix="DEM")
    indexing.rebuild()
    return made


def card_names(page):
    return [name.strip() for name in page.locator("ol.result-list article h3").all_inner_texts()]


def test_search_filter_open_and_report(page, listings, axe_violations):
    base = page.base_url
    problems = []

    page.goto(base + "/directorio/")
    problems += [{**v, "page": "directory"} for v in axe_violations(page)]

    # A typo still finds both areperas.
    page.fill("input[name=q]", "arepra")
    page.press("input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"[?&]q=arepra"))
    found = card_names(page)
    assert "Arepera Zuliana" in found and "Arepera del Puerto" in found
    problems += [{**v, "page": "results"} for v in axe_violations(page)]

    # A district facet is a plain link that narrows the results and says how many it leads to.
    facet = page.locator("nav.facet a[href*='district=comas']")
    assert re.search(r"\(\d+\)", facet.inner_text())
    facet.click()
    page.wait_for_url(re.compile(r"district=comas"))
    found = card_names(page)
    assert "Arepera Zuliana" in found and "Arepera del Puerto" not in found
    assert page.locator("nav.facet a[aria-current=true][href*='q=arepra']").count() == 1

    # The card leads to the listing, with its contact links and structured data.
    page.locator("ol.result-list article h3 a", has_text="Arepera Zuliana").click()
    page.wait_for_url(re.compile(rf"/directorio/{listings['comas'].slug}/$"))
    assert page.locator("h1").inner_text() == "Arepera Zuliana"
    assert page.locator("a[href='https://wa.me/51987654321']").count() >= 1
    assert page.locator("script[type='application/ld+json']").count() == 1
    problems += [{**v, "page": "listing"} for v in axe_violations(page)]

    # Report a problem: the form is behind a disclosure and reaches staff.
    page.locator("section.report summary").click()
    page.select_option("select[name=report-reason]", "closed")
    page.fill("textarea[name=report-message]", "El local cerró en octubre.")
    page.locator("section.report button[type=submit]").click()
    page.wait_for_url(re.compile(r"\?reported=1$"))
    assert page.locator("section.report [role=status]").is_visible()
    report = ListingReport.objects.get()
    assert report.organization == listings["comas"] and report.reason == "closed"
    problems += [{**v, "page": "listing after report"} for v in axe_violations(page)]

    assert problems == []


def test_filters_work_without_javascript(browser, live_server, listings):
    context = browser.new_context(java_script_enabled=False, locale="es-PE")
    page = context.new_page()
    page.goto(live_server.url + "/directorio/?q=arepas")
    page.locator("nav.facet a[href*='district=callao']").click()
    page.wait_for_url(re.compile(r"district=callao"))
    assert card_names(page) == ["Arepera del Puerto"]
    context.close()


def test_first_load_on_a_phone_is_light(phone_page, listings):
    page = phone_page
    sizes = {}

    def record(response):
        if "tile.openstreetmap.org" in response.url:
            return
        try:
            sizes[response.url] = len(response.body())
        except Exception:  # a redirect or an aborted request has no body
            sizes.setdefault(response.url, 0)

    page.on("response", record)
    page.goto(page.base_url + "/directorio/", wait_until="networkidle")
    total = sum(sizes.values())
    kinds = {re.sub(r"\?.*", "", url).rsplit(".", 1)[-1] for url in sizes}
    assert total < FIRST_LOAD_BUDGET, dict(sorted(sizes.items(), key=lambda i: -i[1]))
    assert {"css", "js"} <= kinds  # the stylesheet and the script were counted
    assert not any("leaflet" in url for url in sizes)  # the map loads only when asked for
    # The Performance API agrees (bodies as decoded by the browser).
    measured = page.evaluate(
        "() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
        ".reduce((sum, entry) => sum + entry.decodedBodySize, 0)"
    )
    assert 0 < measured < FIRST_LOAD_BUDGET
    # The result list fits the phone: no horizontal scrolling.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def first_result_top(page):
    return page.locator("ol.result-list > li").first.bounding_box()["y"]


def test_on_a_phone_results_are_on_the_first_screen(phone_page, listings):
    """At 360 by 740 the outcome of a search and of a tap on a filter is on the first screen: the
    results come before the filter groups, whose long lists open by touch ("Ver más")."""
    page = phone_page
    page.goto(page.base_url + "/directorio/")
    page.fill("input[name=q]", "arepa")
    page.locator("form.directory-search button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"[?&]q=arepa"))
    assert page.evaluate("scrollY") == 0
    assert first_result_top(page) < 740

    # The filters follow the results, and a link near the count jumps there.
    page.locator("a.filter-jump").click()
    assert page.locator("#filtros").bounding_box()["y"] < 100
    facet = page.locator("nav.facet a[href*='district=comas']")
    facet.tap()
    page.wait_for_url(re.compile(r"district=comas"))
    assert page.evaluate("scrollY") == 0
    assert first_result_top(page) < 740
    assert "Arepera Zuliana" in card_names(page)
    # The filter in force is shown above the results with a link that removes it.
    remove = page.locator("ul.active-filters a[href*='q=arepa']")
    assert remove.count() == 1 and "district=comas" not in remove.get_attribute("href")

    # Without a query every district has listings: options after the eighth are behind a
    # disclosure that a tap opens (no hover on a phone), and each of them can then be tapped.
    page.goto(page.base_url + "/directorio/")
    districts = page.locator("nav.facet", has=page.locator("a[href*='district=']"))
    assert districts.locator("details.facet-more").count() == 1
    hidden = districts.locator("details.facet-more a").first
    assert not hidden.is_visible()
    districts.locator("details.facet-more summary").tap()
    assert hidden.is_visible()
    href = hidden.get_attribute("href")
    hidden.tap()
    page.wait_for_url(re.compile(re.escape(href.split("=")[-1]) + "$"))
    assert page.locator("ul.active-filters a").count() == 1
    assert first_result_top(page) < 740
    # Nothing wider than the screen (not window.innerWidth, which a phone widens to fit).
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
