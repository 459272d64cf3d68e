import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from registry.models import ApplicationStatus, Organization, OrganizationMembership, SupportingDocument
from registry.services.applications import add_document
from tests.factories import PersonFactory, PublishedOrganizationFactory, UserFactory
from tests.registry import upload_files as files

pytestmark = pytest.mark.django_db


def wizard_url(organization, step):
    return reverse("registry:wizard", args=[organization.pk, step])


BASICS = {
    "kind": "business",
    "legal_form": "informal",
    "name": "Peluquería Génesis",
    "sector": "",
    "short_description": "Cortes y peinados",
    "description": "Peluquería venezolana en Comas.",
    "services": "corte\npeinado; tintes",
    "languages": ["es"],
    "founded_year": "2021",
}


def basics(**changes):
    from registry.models import Sector

    data = {**BASICS, "sector": Sector.objects.get(code="belleza").pk}
    data.update(changes)
    return data


# ----- the start check -----------------------------------------------------------------------


def test_start_check_works_anonymously_and_gives_a_path(client):
    response = client.get(
        reverse("registry:start"),
        {"kind": "business", "legal_form": "informal", "migration_document": "none", "has_ruc": "no"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "RUC" in html
    assert "Create an account to apply" in html


def test_start_check_refuses_a_legal_form_that_does_not_fit(client):
    response = client.get(
        reverse("registry:start"),
        {"kind": "business", "legal_form": "association", "migration_document": "cpp", "has_ruc": "no"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "does not fit" in response.content.decode()


# ----- creating and saving --------------------------------------------------------------------


def test_new_application_needs_an_account(client):
    response = client.get(reverse("registry:application_new"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_first_step_creates_a_draft_with_its_owner_and_path(client, applicant):
    client.force_login(applicant)
    response = client.post(reverse("registry:application_new"), basics(answer_has_ruc="yes"))
    organization = Organization.objects.get(name="Peluquería Génesis")
    assert response.status_code == 302
    assert response["Location"] == wizard_url(organization, "contacto")
    assert organization.status == ApplicationStatus.DRAFT and not organization.live
    assert organization.services == ["corte", "peinado", "tintes"]
    assert OrganizationMembership.objects.filter(
        organization=organization, user=applicant, role="owner"
    ).exists()
    assert organization.steps.get(step__code="ruc").status == "done"
    assert organization.revisions.count() == 1


def test_step_with_errors_keeps_every_other_field(client, draft, applicant):
    client.force_login(applicant)
    response = client.post(
        wizard_url(draft, "contacto"),
        {
            "district": "",
            "address": "Jr. Los Olivos 123",
            "address_public": "on",
            "phone": "12",
            "email": "ana.negocio@example.org",
            "website": "no es una url",
            "opens_mon": "09:00",
            "closes_mon": "08:00",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Jr. Los Olivos 123" in html
    assert "ana.negocio@example.org" in html
    assert "no es una url" in html
    assert "Enter a valid phone number, for example 987 654 321" in html
    assert "The closing time must be after the opening time." in html
    assert 'id="error-summary"' in html
    draft.refresh_from_db()
    assert draft.address == ""  # nothing half-saved


def test_contact_step_saves_and_resume_goes_to_the_last_step(client, draft, applicant):
    from registry.models import District

    client.force_login(applicant)
    response = client.post(
        wizard_url(draft, "contacto"),
        {
            "district": District.objects.get(code="comas").pk,
            "address": "Av. Universitaria 1234",
            "whatsapp": "987 654 321",
            "opens_mon": "09:00",
            "closes_mon": "18:00",
            "save_exit": "1",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.whatsapp == "+51987654321"
    assert draft.opening_hours == {"mon": [["09:00", "18:00"]]}
    detail = client.get(reverse("registry:application_detail", args=[draft.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert wizard_url(draft, "contacto") in detail.content.decode()


def test_people_step_adds_a_representative_privately(client, draft, applicant):
    client.force_login(applicant)
    data = {
        "people-TOTAL_FORMS": "1",
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "40",
        "people-0-role": "representative",
        "people-0-full_name": "Ana Rondón",
        "people-0-nationality": "Venezolana",
        "people-0-document_type": "cpp",
        "people-0-document_number": "",
    }
    response = client.post(wizard_url(draft, "personas"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Ana Rondón" in response.content.decode()  # kept
    data["people-0-document_number"] = "CPP123456"
    response = client.post(wizard_url(draft, "personas"), data)
    assert response.status_code == 302
    assert draft.people.get().document_number == "CPP123456"


def test_formalization_step_validates_the_ruc(client, draft, applicant):
    client.force_login(applicant)
    # The portal registration step is not in the form: the application itself moves it.
    rows = list(draft.steps.select_related("step").exclude(step__code="registro-portal-negocio"))
    rows.sort(key=lambda row: row.step.sort_order)
    data = {"steps-TOTAL_FORMS": str(len(rows)), "steps-INITIAL_FORMS": str(len(rows))}
    for i, row in enumerate(rows):
        data[f"steps-{i}-id"] = row.pk
        data[f"steps-{i}-status"] = "done"
        data[f"steps-{i}-evidence_number"] = "20131312954" if row.step.code == "ruc" else ""
    response = client.post(wizard_url(draft, "formalizacion"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "its last digit does not match" in response.content.decode()
    data.update(
        {f"steps-{i}-evidence_number": "20131312955" for i, r in enumerate(rows) if r.step.code == "ruc"}
    )
    assert client.post(wizard_url(draft, "formalizacion"), data).status_code == 302
    assert draft.steps.get(step__code="ruc").evidence_number == "20131312955"


# ----- documents through the views ----------------------------------------------------------


def test_upload_view_refuses_html_renamed_pdf_with_the_reason(client, draft, applicant):
    client.force_login(applicant)
    response = client.post(
        wizard_url(draft, "documentos"),
        {"upload": "1", "document_type": "identity", "file": files.html_renamed_pdf()},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "Only PDF, JPEG or PNG files are accepted" in response.content.decode()
    assert not SupportingDocument.objects.exists()


def test_upload_view_refuses_twenty_megabytes(client, draft, applicant):
    client.force_login(applicant)
    response = client.post(
        wizard_url(draft, "documentos"),
        {"upload": "1", "document_type": "statute", "file": files.big_pdf(20)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "The file is too large" in response.content.decode()
    assert not SupportingDocument.objects.exists()


def test_a_file_chosen_then_save_and_continue_is_uploaded(client, draft, applicant):
    client.force_login(applicant)
    response = client.post(
        wizard_url(draft, "documentos"),
        {"save": "1", "document_type": "identity", "file": files.pdf()},
    )
    assert response.status_code == 302 and response["Location"] == wizard_url(draft, "revision")
    assert SupportingDocument.objects.get().document_type == "identity"


def test_a_file_chosen_then_save_and_continue_that_is_refused_keeps_the_applicant_there(
    client, draft, applicant
):
    client.force_login(applicant)
    response = client.post(
        wizard_url(draft, "documentos"),
        {"save": "1", "document_type": "identity", "file": files.html_renamed_pdf()},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "Only PDF, JPEG or PNG files are accepted" in response.content.decode()
    assert 'id="error-summary"' in response.content.decode()
    assert not SupportingDocument.objects.exists()


def test_save_and_continue_without_a_file_goes_on(client, draft, applicant):
    client.force_login(applicant)
    response = client.post(wizard_url(draft, "documentos"), {"save": "1", "document_type": "identity"})
    assert response.status_code == 302 and response["Location"] == wizard_url(draft, "revision")
    assert not SupportingDocument.objects.exists()


def test_owner_downloads_as_attachment_never_rendered(client, draft, applicant):
    document = add_document(organization=draft, user=applicant, uploaded=files.pdf(), document_type="statute")
    client.force_login(applicant)
    response = client.get(reverse("registry:document_download", args=[draft.pk, document.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_staff_with_permission_download_documents_once_submitted(
    client, complete_draft, applicant, demo_site
):
    from django.contrib.auth.models import Group

    from registry.services import review

    draft = complete_draft
    document = add_document(organization=draft, user=applicant, uploaded=files.pdf(), document_type="statute")
    reviewer = UserFactory(username="revisora")
    reviewer.groups.add(Group.objects.get(name="Revisores"))
    client.force_login(reviewer)
    url = reverse("registry:document_download", args=[draft.pk, document.pk])
    assert client.get(url).status_code == 404  # still the applicant's own draft
    review.submit_application(organization=draft, user=applicant)
    assert client.get(url).status_code == 200


# ----- privacy: nobody else gets anything -----------------------------------------------------


@pytest.mark.parametrize("who", ["other_applicant", "anonymous", "editor"])
def test_outsiders_get_nothing_of_an_application(client, complete_draft, applicant, who, request, demo_site):
    from django.contrib.auth.models import Group

    document = add_document(
        organization=complete_draft, user=applicant, uploaded=files.pdf(), document_type="statute"
    )
    if who == "other_applicant":
        client.force_login(request.getfixturevalue("other_applicant"))
    elif who == "editor":
        editor = UserFactory(username="editora")
        editor.groups.add(Group.objects.get(name="Editores"))
        client.force_login(editor)
    private_urls = [
        reverse("registry:application_detail", args=[complete_draft.pk]),
        wizard_url(complete_draft, "personas"),
        wizard_url(complete_draft, "documentos"),
        wizard_url(complete_draft, "revision"),
    ]
    for url in private_urls:
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        else:
            assert response.status_code == 404, url
        assert b"CPP00123456" not in response.content
    download = client.get(reverse("registry:document_download", args=[complete_draft.pk, document.pk]))
    assert download.status_code in (302, 404)
    assert not getattr(download, "streaming", False)
    # A document id under another organization's URL is not found either.
    mine = PublishedOrganizationFactory(owner=applicant)
    client.force_login(applicant)
    assert client.get(reverse("registry:document_download", args=[mine.pk, document.pk])).status_code == 404


def test_other_applicant_cannot_delete_a_document(client, draft, applicant, other_applicant):
    document = add_document(organization=draft, user=applicant, uploaded=files.pdf(), document_type="statute")
    client.force_login(other_applicant)
    response = client.post(reverse("registry:document_delete", args=[draft.pk, document.pk]))
    assert response.status_code == 404
    assert SupportingDocument.objects.filter(pk=document.pk).exists()


# ----- review and submit ----------------------------------------------------------------------


def test_incomplete_application_lists_what_is_missing(client, draft, applicant):
    client.force_login(applicant)
    response = client.get(wizard_url(draft, "revision"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Add the representative" in response.content.decode()
    response = client.post(wizard_url(draft, "revision"), {"consent": "on"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT
    assert not draft.consents.exists()  # the consent of a refused submission is not kept


def test_submit_without_consent_is_refused(client, draft, applicant):
    PersonFactory(organization=draft)
    client.force_login(applicant)
    response = client.post(wizard_url(draft, "revision"), {}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "You must accept the personal data consent" in response.content.decode()


def test_complete_application_is_submitted_with_consent_recorded(client, draft, applicant):
    PersonFactory(organization=draft)
    client.force_login(applicant)
    response = client.post(wizard_url(draft, "revision"), {"consent": "on"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.SUBMITTED
    consent = draft.consents.get()
    assert consent.user == applicant and "29733" in consent.text
    # Once submitted the wizard is closed until staff decide.
    assert client.get(wizard_url(draft, "organizacion")).status_code == 302


def test_approved_listing_changes_wait_for_review(client, applicant):
    listing = PublishedOrganizationFactory(owner=applicant, name="Bodega Caracas")
    listing.save_revision().publish()
    client.force_login(applicant)
    response = client.post(
        wizard_url(listing, "organizacion"), basics(name="Bodega Caracas Express", kind="business")
    )
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.name == "Bodega Caracas"  # the public listing is unchanged
    assert listing.live and listing.has_unpublished_changes
    assert listing.get_latest_revision_as_object().name == "Bodega Caracas Express"
    assert listing.registry_number.startswith("RMO-")


# ----- personal data --------------------------------------------------------------------------


def test_download_my_data_has_mine_and_nobody_elses(client, complete_draft, applicant, other_applicant):
    PublishedOrganizationFactory(owner=other_applicant, name="Ajena")
    client.force_login(applicant)
    response = client.get(reverse("registry:download_my_data"))
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["account"]["email"] == "ana@example.org"
    assert [o["name"] for o in data["organizations"]] == ["Arepera La Maracucha"]
    assert data["organizations"][0]["people"][0]["document_number"] == "CPP00123456"


def test_delete_account_removes_drafts_and_keeps_submitted(client, complete_draft, applicant):
    submitted = PublishedOrganizationFactory(
        owner=applicant, name="Ya enviada", status="submitted", live=False
    )
    client.force_login(applicant)
    response = client.post(reverse("registry:delete_my_account"), {}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400  # confirmation required
    response = client.post(reverse("registry:delete_my_account"), {"confirm": "on"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(email="ana@example.org").exists()
    assert not Organization.objects.filter(pk=complete_draft.pk).exists()
    assert Organization.objects.filter(pk=submitted.pk).exists()


def test_invitation_lets_a_second_manager_in(client, complete_draft, applicant, mailoutbox):
    from registry.services import review

    draft = complete_draft
    review.submit_application(organization=draft, user=applicant)
    mailoutbox.clear()
    client.force_login(applicant)
    client.post(reverse("registry:invite_manager", args=[draft.pk]), {"email": "socia@example.org"})
    assert len(mailoutbox) == 1
    url = next(line for line in mailoutbox[0].body.splitlines() if "/invitacion/" in line).strip()
    partner = UserFactory(username="socia", email="socia@example.org")
    client.force_login(partner)
    assert client.post(url).status_code == 302
    assert OrganizationMembership.objects.filter(organization=draft, user=partner).exists()
    stranger = UserFactory(username="extra", email="extra@example.org")
    client.force_login(stranger)
    client.post(url)
    assert not OrganizationMembership.objects.filter(organization=draft, user=stranger).exists()


# ----- the municipality that handles the registration -----------------------------------------


def contact(district, **changes):
    data = {"district": district.pk, "address": "Jr. Callao 120", "whatsapp": "987 654 321"}
    data.update(changes)
    return data


def municipality_radio(html, municipality):
    """The radio of `municipality` in the page, or ""."""
    import re

    found = re.search(rf'<input[^>]*name="municipality"[^>]*value="{municipality.pk}"[^>]*>', html)
    return found.group(0) if found else ""


def district(code):
    from registry.models import District

    return District.objects.get(code=code)


def test_a_district_one_municipality_covers_gives_it_and_says_so(client, draft, applicant, carmen):
    client.force_login(applicant)
    response = client.post(wizard_url(draft, "contacto"), contact(district("comas")))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.municipality.ubigeo == "150100"
    page = client.get(wizard_url(draft, "contacto")).content.decode()
    assert "Tu registro lo lleva la Municipalidad Metropolitana de Lima." in page
    assert 'name="municipality"' not in page


def test_a_district_two_municipalities_cover_asks_which_one(client, draft, applicant, carmen):
    client.force_login(applicant)
    response = client.post(wizard_url(draft, "contacto"), contact(district("carmen-de-la-legua-reynoso")))
    assert response.status_code == 400
    html = response.content.decode()
    assert "elige cuál lleva el tuyo" in html
    # Both offered, the site's own (Lima's, the default site) ticked for a one-tap "continue".
    assert municipality_radio(html, carmen) and "checked" not in municipality_radio(html, carmen)
    assert "checked" in municipality_radio(html, draft.municipality)
    draft.refresh_from_db()
    assert draft.address == ""  # nothing saved

    response = client.post(
        wizard_url(draft, "contacto"), contact(district("carmen-de-la-legua-reynoso"), municipality=carmen.pk)
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.municipality == carmen
    assert draft.district.code == "carmen-de-la-legua-reynoso"


def test_a_municipality_that_does_not_cover_the_district_is_refused(client, draft, applicant, carmen):
    from registry.services.municipalities import register_municipality

    callao, _created = register_municipality(ubigeo="070101", prefix="MPC")
    client.force_login(applicant)
    before = draft.municipality
    for code in ("carmen-de-la-legua-reynoso", "comas"):
        response = client.post(wizard_url(draft, "contacto"), contact(district(code), municipality=callao.pk))
        assert response.status_code == 400
        assert "no recibe registros en" in response.content.decode()
    draft.refresh_from_db()
    assert draft.municipality == before and draft.address == ""


def test_a_district_no_municipality_covers_is_refused_with_those_that_do(client, draft, applicant):
    from registry.models import District

    nowhere = District.objects.create(
        code="pucusana-test", name="Distrito sin municipalidad", province="Lima", ubigeo="159999"
    )
    client.force_login(applicant)
    response = client.post(wizard_url(draft, "contacto"), contact(nowhere))
    assert response.status_code == 400
    html = response.content.decode()
    assert "todavía no se atiende en este portal" in html and "Municipalidad Metropolitana de Lima" in html
    draft.refresh_from_db()
    assert draft.district_id != nowhere.pk


def test_starting_on_a_municipality_site_preselects_it(client, applicant, carmen, demo_site):
    from wagtail.models import Site

    carmen.site = Site.objects.create(hostname="carmen.localhost", port=80, root_page=demo_site)
    carmen.save()
    client.force_login(applicant)
    response = client.post(reverse("registry:application_new"), basics(), HTTP_HOST="carmen.localhost")
    assert response.status_code == 302
    organization = Organization.objects.get(name=BASICS["name"])
    assert organization.municipality == carmen
    # In its district both municipalities take registrations; on Carmen's site, Carmen comes ticked.
    response = client.post(
        wizard_url(organization, "contacto"),
        contact(district("carmen-de-la-legua-reynoso")),
        HTTP_HOST="carmen.localhost",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "checked" in municipality_radio(html, carmen)


def test_once_sent_the_municipality_stays_and_a_district_it_does_not_cover_is_refused(
    client, applicant, carmen
):
    listing = PublishedOrganizationFactory(
        owner=applicant,
        name="Bodega Carmen",
        municipality=carmen,
        district=district("carmen-de-la-legua-reynoso"),
    )
    listing.save_revision().publish()
    client.force_login(applicant)
    page = client.get(wizard_url(listing, "contacto")).content.decode()
    assert "Tu registro lo lleva la Municipalidad Distrital de Carmen de la Legua Reynoso." in page
    assert 'name="municipality"' not in page
    lima = Organization._meta.get_field("municipality").related_model.objects.get(ubigeo="150100")
    response = client.post(wizard_url(listing, "contacto"), contact(district("comas"), municipality=lima.pk))
    assert response.status_code == 400
    assert "un registro se queda con la municipalidad a la que se envió" in response.content.decode()
    listing.refresh_from_db()
    assert listing.municipality == carmen
    assert listing.get_latest_revision_as_object().district.code == "carmen-de-la-legua-reynoso"


def test_one_person_may_hold_a_registration_in_each_municipality(client, applicant, carmen):
    lima_listing = PublishedOrganizationFactory(owner=applicant, name="Arepas Ana")
    carmen_listing = PublishedOrganizationFactory(owner=applicant, name="Arepas Ana", municipality=carmen)
    client.force_login(applicant)
    html = client.get(reverse("registry:my_registrations")).content.decode()
    assert "Lo lleva la Municipalidad Metropolitana de Lima" in html
    assert "Lo lleva la Municipalidad Distrital de Carmen de la Legua Reynoso" in html
    detail = client.get(reverse("registry:application_detail", args=[carmen_listing.pk])).content.decode()
    assert "Tu registro lo lleva la Municipalidad Distrital de Carmen de la Legua Reynoso." in detail
    assert lima_listing.municipality != carmen_listing.municipality
