"""Sign up, verify the e-mail, fill the wizard with a PDF upload, leave, come back, submit.

Selectors use field names and URLs, not texts, so the test holds in Spanish and English.
"""

import re

import pytest

from registry.models import ApplicationStatus, Organization
from tests.e2e.conftest import E2E_DB
from tests.registry.upload_files import MINIMAL_PDF

pytestmark = [pytest.mark.e2e, E2E_DB]

EMAIL = "yuleisy@example.org"
PASSWORD = "arepas-con-queso-2026"


def fill_and_save(page, fields, button="save"):
    for selector, value in fields.items():
        page.fill(selector, value)
    page.click(f"button[name={button}]")


def journey(page, mailoutbox, axe_violations, tmp_path, document_button="upload"):
    base = page.base_url
    problems = []

    def check_accessibility(label):
        problems.extend({**violation, "page": label} for violation in axe_violations(page))
        # Every step fits the screen: nothing scrolls sideways (the documents table included).
        # Compared with the viewport asked for: a phone widens window.innerWidth to fit what overflows.
        width, screen = page.evaluate("document.documentElement.scrollWidth"), page.viewport_size["width"]
        if width > screen:
            problems.append({"id": "horizontal-scroll", "page": label, "width": width, "screen": screen})

    # The check first: a passport holder's path, its blocked steps and folded sources.
    page.goto(base + "/empezar/?kind=business&legal_form=informal&migration_document=passport&has_ruc=no")
    check_accessibility("empezar")

    # Sign up and verify the e-mail address.
    page.goto(base + "/accounts/signup/")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.click("form[action='/accounts/signup/'] button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))
    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mailoutbox[0].body).group(0)
    page.goto(link)  # built from the live server's host
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/mis-registros/"))

    # Step 1: the business.
    page.goto(base + "/mis-registros/nuevo/?kind=business&legal_form=informal")
    check_accessibility("organizacion")
    page.check("input[name=kind][value=business]")
    page.check("input[name=legal_form][value=informal]")
    page.select_option("select[name=sector]", label="Gastronomía y alimentos")
    fill_and_save(
        page,
        {
            "input[name=name]": "Arepera Yuleisy",
            "input[name=short_description]": "Arepas y cachapas en el Callao",
            "textarea[name=services]": "arepas\ncachapas",
        },
    )
    page.wait_for_url(re.compile(r"/paso/contacto/"))

    # Step 2: where and how to contact.
    check_accessibility("contacto")
    page.select_option("select[name=district]", label="Carmen de la Legua Reynoso")
    fill_and_save(
        page, {"input[name=whatsapp]": "987 111 222", "input[name=address]": "Av. Morales Duárez 1500"}
    )
    page.wait_for_url(re.compile(r"/paso/personas/"))

    # Step 3: the representative.
    check_accessibility("personas")
    page.select_option("select[name='people-0-role']", "representative")
    page.select_option("select[name='people-0-document_type']", "cpp")
    fill_and_save(
        page,
        {
            "input[name='people-0-full_name']": "Yuleisy Marcano",
            "input[name='people-0-nationality']": "Venezolana",
            "input[name='people-0-document_number']": "CPP7654321",
            "input[name='people-0-document_expires_on']": "2027-06-30",
        },
    )
    page.wait_for_url(re.compile(r"/paso/formalizacion/"))
    check_accessibility("formalizacion")
    page.click("button[name=save]")
    page.wait_for_url(re.compile(r"/paso/documentos/"))

    # Step 5: a real PDF, then leave.
    check_accessibility("documentos")
    pdf = tmp_path / "IMG_20261130_CPP_Yuleisy_Marcano.pdf"
    pdf.write_bytes(MINIMAL_PDF)
    page.select_option("select[name=document_type]", "identity")
    page.set_input_files("input[name=file]", str(pdf))
    if document_button == "upload":
        page.click("button[name=upload]")
        page.get_by_role("link", name="IMG_20261130_CPP_Yuleisy_Marcano.pdf").wait_for()
        check_accessibility("documentos with a document")
        page.click("button[name=save_exit]")
        page.wait_for_url(re.compile(r"/mis-registros/\d+/$"))
    else:
        # The file chosen, then the prominent button instead of "Subir": uploaded all the same.
        page.click(f"button[name={document_button}]")
        page.wait_for_url(re.compile(r"/paso/revision/"))
    page.click("form[action='/accounts/logout/'] button")

    # Come back later: log in, resume where they stopped.
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(re.compile(r"/mis-registros/"))
    organization = Organization.objects.get(name="Arepera Yuleisy")
    page.goto(f"{base}/mis-registros/{organization.pk}/")
    if document_button == "upload":
        page.click(f"a[href='/mis-registros/{organization.pk}/paso/documentos/']")
    else:  # they had gone on to the last step, which the page offers to resume
        page.goto(f"{base}/mis-registros/{organization.pk}/paso/documentos/")
    assert page.get_by_role("link", name="IMG_20261130_CPP_Yuleisy_Marcano.pdf").is_visible()
    check_accessibility("documentos after coming back")
    page.click("button[name=save]")
    page.wait_for_url(re.compile(r"/paso/revision/"))
    check_accessibility("revision")

    # Consent and submit.
    page.check("input[name=consent]")
    page.click("main form button[type=submit]:not([name])")
    page.wait_for_url(re.compile(rf"/mis-registros/{organization.pk}/$"))
    assert page.locator(".status-submitted").is_visible()
    check_accessibility("application")
    organization.refresh_from_db()
    assert organization.status == ApplicationStatus.SUBMITTED
    assert organization.documents.get().original_name == "IMG_20261130_CPP_Yuleisy_Marcano.pdf"
    assert organization.people.get().document_number == "CPP7654321"
    assert str(organization.people.get().document_expires_on) == "2027-06-30"
    return problems


def test_applicant_journey_on_a_desktop(page, mailoutbox, axe_violations, tmp_path):
    assert journey(page, mailoutbox, axe_violations, tmp_path) == []


def test_applicant_journey_on_a_360px_phone(phone_page, mailoutbox, axe_violations, tmp_path):
    assert journey(phone_page, mailoutbox, axe_violations, tmp_path, document_button="save") == []
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways on a phone ({width}px)"
