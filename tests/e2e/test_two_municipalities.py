"""Two municipalities on one installation, end to end in headless Chromium.

An applicant in Carmen de la Legua Reynoso applies on Carmen's own site (carmen.localhost, which
Chromium resolves to the loopback), where the wizard offers Carmen (the site's municipality) and
the metropolitan municipality, both of which take registrations in the district. Carmen's Revisor
and Registrador approve it in the admin; the listing shows on Carmen's directory and on the
metropolitan (Lima) directory's search with Carmen's number, MCL-<year>-000001. Lima's reviewer
and registrar never see it: not in their queue, not at its admin addresses.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from registry.formalization import add_local_steps
from registry.models import ApplicationStatus, MunicipalStaffGroup, Organization, StaffRole
from registry.permissions import REGISTRARS, REVIEWERS
from tests.e2e.conftest import E2E_DB, staff_page
from tests.factories import UserFactory
from tests.registry.test_review_support import staff_member

pytestmark = [pytest.mark.e2e, E2E_DB]

PASSWORD = "una-clave-segura-123"  # tests.factories.UserFactory's
NAME = "Arepera La Chamita del Callao"


@pytest.fixture
def carmen_site(carmen, live_server):
    """Carmen's own site on the live server's port, with a home and a directory of its own; the
    default site stays Lima's. Its local licence step replaces the national one there."""
    from urllib.parse import urlsplit

    from wagtail.models import Page, Site

    from cms.models import DirectoryPage, HomePage

    home = HomePage(
        title="Municipalidad de Carmen de la Legua Reynoso",
        slug="inicio-carmen",
        intro="<p>Registra tu emprendimiento en Carmen de la Legua Reynoso.</p>",
    )
    Page.get_first_root_node().add_child(instance=home)
    home.save_revision().publish()
    directory = DirectoryPage(title="Directorio de Carmen de la Legua", slug="directorio")
    home.add_child(instance=directory)
    directory.save_revision().publish()
    port = urlsplit(live_server.url).port
    carmen.site = Site.objects.create(
        hostname="carmen.localhost", port=port, root_page=home, site_name="Carmen de la Legua"
    )
    carmen.save()
    add_local_steps(carmen)
    return f"http://carmen.localhost:{port}"


def carmen_staff(carmen, role, username):
    user = UserFactory(username=username, email=f"{username}@example.org")
    user.groups.add(MunicipalStaffGroup.objects.get(municipality=carmen, role=role).group)
    return user


def apply_on_carmens_site(page, carmen_url, carmen):
    """The applicant's whole application, on Carmen's host."""
    page.goto(carmen_url + "/accounts/login/")
    page.fill("input[name=login]", "yorgelis@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(re.compile(r"/mis-registros/"))

    page.goto(carmen_url + "/mis-registros/nuevo/?kind=business&legal_form=informal")
    page.check("input[name=kind][value=business]")
    page.check("input[name=legal_form][value=informal]")
    page.select_option("select[name=sector]", label="Gastronomía y alimentos")
    page.fill("input[name=name]", NAME)
    page.fill("input[name=short_description]", "Arepas y tequeños en Carmen de la Legua")
    page.click("button[name=save]")
    page.wait_for_url(re.compile(r"/paso/contacto/"))

    # Both municipalities take registrations in the district: the wizard asks, Carmen (this
    # site's) ticked first.
    page.select_option("select[name=district]", label="Carmen de la Legua Reynoso")
    page.fill("input[name=address]", "Av. Morales Duárez 1200")
    page.fill("input[name=whatsapp]", "987 333 444")
    page.click("button[name=save]")
    carmen_radio = page.locator(f"input[name=municipality][value='{carmen.pk}']")
    expect(carmen_radio).to_be_checked()
    expect(page.locator("input[name=municipality]")).to_have_count(2)
    page.click("button[name=save]")
    page.wait_for_url(re.compile(r"/paso/personas/"))

    page.select_option("select[name='people-0-role']", "representative")
    page.select_option("select[name='people-0-document_type']", "cpp")
    page.fill("input[name='people-0-full_name']", "Yorgelis Pérez")
    page.fill("input[name='people-0-nationality']", "Venezolana")
    page.fill("input[name='people-0-document_number']", "CPP1234567")
    page.click("button[name=save]")
    page.wait_for_url(re.compile(r"/paso/formalizacion/"))

    # Carmen's own licence step, not the national one.
    expect(page.get_by_text("Licencia de funcionamiento en Carmen de la Legua Reynoso").first).to_be_visible()
    page.click("button[name=save]")
    page.wait_for_url(re.compile(r"/paso/documentos/"))
    page.click("button[name=save]")
    page.wait_for_url(re.compile(r"/paso/revision/"))
    page.check("input[name=consent]")
    page.click("main form button[type=submit]:not([name])")
    page.wait_for_url(re.compile(r"/mis-registros/\d+/$"))
    expect(page.locator("#handling-municipality")).to_contain_text(
        "Municipalidad Distrital de Carmen de la Legua Reynoso"
    )


def approve(staff, base, organization, status):
    """From the queue (the applications in `status`) to the review screen, and approve."""
    review_url = f"{base}/admin/registry/review/{organization.pk}/"
    staff.goto(f"{base}/admin/snippets/registry/organization/?status={status}")
    staff.click(f"a[href='/admin/registry/review/{organization.pk}/']")
    staff.wait_for_url(review_url)
    staff.click("button[data-action=approve]")
    staff.wait_for_load_state()


def test_an_application_in_carmen_is_carmens_alone(browser, page, carmen, carmen_site):
    base = page.base_url
    UserFactory(username="yorgelis", email="yorgelis@example.org")
    carmen_reviewer = carmen_staff(carmen, StaffRole.REVIEWERS, "revisora-carmen")
    carmen_registrar = carmen_staff(carmen, StaffRole.REGISTRARS, "registrador-carmen")
    staff_member(REVIEWERS, username="revisora-lima", email="revisora-lima@example.org")
    staff_member(REGISTRARS, username="registrador-lima", email="registrador-lima@example.org")

    apply_on_carmens_site(page, carmen_site, carmen)
    organization = Organization.objects.get(name=NAME)
    assert organization.municipality == carmen
    assert organization.status == ApplicationStatus.SUBMITTED

    # Carmen's Revisor and Registrador approve in the admin.
    reviewer = staff_page(browser, base, carmen_reviewer.username)
    approve(reviewer, base, organization, ApplicationStatus.SUBMITTED)
    organization.refresh_from_db()
    assert organization.status == ApplicationStatus.IN_REVIEW
    registrar = staff_page(browser, base, carmen_registrar.username)
    approve(registrar, base, organization, ApplicationStatus.IN_REVIEW)
    organization.refresh_from_db()
    number = f"MCL-{timezone.now().year}-000001"
    assert organization.status == ApplicationStatus.APPROVED and organization.live
    assert organization.registry_number == number
    expect(registrar.get_by_text(number).first).to_be_visible()

    # On Carmen's directory and on the metropolitan search, with Carmen's number.
    page.goto(carmen_site + "/directorio/?q=Chamita")
    expect(page.get_by_role("link", name=NAME).first).to_be_visible()
    page.goto(base + "/directorio/?q=Chamita")
    expect(page.get_by_role("link", name=NAME).first).to_be_visible()
    page.get_by_role("link", name=NAME).first.click()
    page.wait_for_url(re.compile(rf"/directorio/{organization.slug}/$"))
    expect(page.get_by_text(number).first).to_be_visible()

    # Lima's reviewer and registrar: nothing in their queue, nothing at its admin addresses.
    for username in ("revisora-lima", "registrador-lima"):
        lima = staff_page(browser, base, username)
        lima.goto(base + "/admin/snippets/registry/organization/")
        expect(lima.locator("main")).to_be_visible()
        expect(lima.get_by_text(NAME)).to_have_count(0)
        for path in (
            f"/admin/registry/review/{organization.pk}/",
            f"/admin/snippets/registry/organization/edit/{organization.pk}/",
        ):
            response = lima.goto(base + path)
            assert response.status in {403, 404}, (username, path, response.status)
            expect(lima.get_by_text(NAME)).to_have_count(0)
        lima.context.close()
    reviewer.context.close()
    registrar.context.close()
