"""The staff review end to end, in headless Chromium: an applicant's submitted application is
observed by a reviewer in /admin/, answered and resubmitted by the applicant, approved by the
reviewer and the registrar, and then listed in the directory and valid at /verify/<number>/."""

import re

import pytest

from registry.models import ApplicationStatus, Organization
from registry.permissions import REGISTRARS, REVIEWERS
from registry.services import review
from tests.e2e.conftest import E2E_DB, staff_page
from tests.factories import UserFactory
from tests.registry.test_review_support import complete_application, staff_member

pytestmark = [pytest.mark.e2e, E2E_DB]

PASSWORD = "una-clave-segura-123"  # tests.factories.UserFactory's


@pytest.fixture
def submitted_application(demo_site):
    applicant = UserFactory(username="yuleisy", email="yuleisy@example.org")
    organization = complete_application(applicant, name="Cachapas Doña Yuleisy")
    review.submit_application(organization=organization, user=applicant)
    return organization


def test_observe_answer_and_approve_in_the_browser(browser, page, submitted_application, mailoutbox):
    base = page.base_url
    organization = submitted_application
    staff_member(REVIEWERS, username="rosa", email="rosa@example.org")
    staff_member(REGISTRARS, username="luis", email="luis@example.org")
    review_url = f"{base}/admin/registry/review/{organization.pk}/"

    # The reviewer finds the application in the queue and observes it with a reason.
    reviewer = staff_page(browser, base, "rosa")
    reviewer.goto(base + "/admin/snippets/registry/organization/?status=submitted")
    reviewer.click(f"a[href='/admin/registry/review/{organization.pk}/']")
    reviewer.wait_for_url(review_url)
    reviewer.click("details#observe summary")
    reviewer.check("input[name=reasons][value=documento-ilegible]")
    reviewer.fill("textarea[name=message]", "La foto del CPP no se lee; súbela de nuevo.")
    reviewer.click("button[data-action=observe]")
    reviewer.wait_for_load_state()
    assert reviewer.locator(".messages .success, .messages li").first.is_visible()
    organization.refresh_from_db()
    assert organization.status == ApplicationStatus.OBSERVED
    assert any("yuleisy@example.org" in m.to for m in mailoutbox)

    # The applicant reads the observation in "My registrations", answers and resubmits.
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", "yuleisy@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(re.compile(r"/mis-registros/"))
    page.goto(f"{base}/mis-registros/{organization.pk}/")
    assert page.get_by_text("La foto del CPP no se lee; súbela de nuevo.").first.is_visible()
    page.goto(f"{base}/mis-registros/{organization.pk}/paso/revision/")
    page.fill("textarea[name=response]", "Subí una foto nítida del CPP.")
    page.check("input[name=consent]")
    page.click("main form button[type=submit]:not([name])")
    page.wait_for_url(re.compile(rf"/mis-registros/{organization.pk}/$"))
    organization.refresh_from_db()
    assert organization.status == ApplicationStatus.SUBMITTED

    # Reviewer and registrar approve.
    reviewer.goto(review_url)
    assert reviewer.get_by_text("Subí una foto nítida del CPP.").first.is_visible()
    reviewer.click("button[data-action=approve]")
    reviewer.wait_for_load_state()
    organization.refresh_from_db()
    assert organization.status == ApplicationStatus.IN_REVIEW

    registrar = staff_page(browser, base, "luis")
    registrar.goto(review_url)
    registrar.click("button[data-action=approve]")
    registrar.wait_for_load_state()
    organization.refresh_from_db()
    assert organization.status == ApplicationStatus.APPROVED and organization.live
    number = organization.registry_number
    assert registrar.get_by_text(number).first.is_visible()

    # The listing is in the directory and its number verifies as valid.
    page.goto(base + "/directorio/?q=Cachapas")
    assert page.get_by_text("Cachapas Doña Yuleisy").first.is_visible()
    page.goto(f"{base}/verify/{number}/")
    assert page.locator("[data-verdict=valid]").is_visible()
    assert Organization.objects.published().filter(pk=organization.pk).exists()
    reviewer.context.close()
    registrar.context.close()
