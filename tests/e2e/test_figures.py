"""The figures page on a 360-pixel-wide phone: nothing scrolls sideways, axe-core finds no serious
violation, and its screenshot is kept in docs/screenshots/figures-360.png."""

from datetime import datetime

import pytest
from django.utils import timezone

from registry.models import District, Kind, Sector
from tests.e2e.conftest import E2E_DB, ROOT
from tests.factories import PublishedOrganizationFactory

pytestmark = [pytest.mark.e2e, E2E_DB]

PHONE_WIDTH = 360


@pytest.fixture
def listings(demo_site):
    places = [("san-juan-de-lurigancho", 9), ("los-olivos", 6), ("comas", 5), ("ate", 2)]
    sectors = list(Sector.objects.order_by("sort_order")[:3])
    made = 0
    for code, count in places:
        district = District.objects.get(code=code)
        for _ in range(count):
            PublishedOrganizationFactory(
                district=district,
                sector=sectors[made % len(sectors)],
                kind=Kind.ORGANIZATION if made % 4 == 0 else Kind.BUSINESS,
                legal_form="association" if made % 4 == 0 else "sole_proprietor",
                languages=["es", "en"] if made % 3 == 0 else ["es"],
                registered_at=timezone.make_aware(datetime(2026, 1 + made % 3, 10, 12)),
            )
            made += 1


def test_the_figures_fit_a_phone_and_pass_axe(phone_page, listings, axe_violations):
    phone_page.goto(phone_page.base_url + "/cifras/")
    assert phone_page.locator("svg[role=img]").count() == 7
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    culprit = phone_page.evaluate(
        """(limit) => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > limit + 1)
            .map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.')).slice(-3).join(' ')""",
        PHONE_WIDTH,
    )
    assert width <= PHONE_WIDTH, culprit
    assert "menos de 5" in phone_page.locator("#cifra-district").inner_text()
    assert axe_violations(phone_page) == []
    phone_page.screenshot(path=str(ROOT / "docs" / "screenshots" / "figures-360.png"), full_page=True)
