"""A path per person, read against the rules' data: for each identity document and each kind and
legal form, the first step, what is blocked and why, and the path once the registry approves."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from registry.formalization import (
    MIGRATION_DOCUMENT_STEP,
    PathState,
    ensure_organization_steps,
    next_steps,
    organization_path,
    personal_path,
    progress,
    steps_for,
)
from registry.forms import PersonForm
from registry.models import (
    ApplicationStatus,
    DocumentKind,
    FormalizationStep,
    Organization,
    StepStatus,
)
from tests.factories import OrganizationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 30)
VALID = TODAY + timedelta(days=200)
EXPIRED = TODAY - timedelta(days=10)

# Each document the check offers, with the expiry typed beside it.
DOCUMENTS = {
    "dni": (DocumentKind.DNI, None),
    "ce": (DocumentKind.CE, VALID),
    "cpp valid": (DocumentKind.CPP, VALID),
    "cpp expired": (DocumentKind.CPP, EXPIRED),
    "ptp": (DocumentKind.PTP, None),
    "passport": (DocumentKind.PASSPORT, None),
    "refugee": (DocumentKind.REFUGEE, VALID),
    "none": (DocumentKind.NONE, None),
}
BUSINESS_FORMS = ["informal", "sole_proprietor", "company", "cooperative"]
ORGANIZATION_FORMS = ["community_group", "association", "foundation", "cooperative", "informal"]


def national(code):
    return FormalizationStep.objects.get(code=code, municipality__isnull=True)


def path_for(kind, legal_form, document, expires=None, **answers):
    answers = {"migration_document": document, "document_expires_on": expires, **answers}
    return personal_path(kind, legal_form, answers, today=TODAY)


def by_code(path):
    return {item.step.code: item for item in path}


def documents_phrase(codes):
    labels = [str(DocumentKind(code).label) for code in codes]
    return ", ".join(labels[:-1]) + " or " + labels[-1]


def needs_first(code):
    return f"Needs “{national(code).label}” first."


def holds_what_the_ruc_step_accepts(document, expires):
    return document in national("ruc").accepted_documents and (expires is None or expires >= TODAY)


@pytest.mark.parametrize("legal_form", BUSINESS_FORMS)
@pytest.mark.parametrize("name", DOCUMENTS)
def test_a_business_path_for_each_document(name, legal_form):
    document, expires = DOCUMENTS[name]
    ruc = national("ruc")
    assert ruc.accepted_documents, "the RUC step states which documents it accepts"
    with translation.override("en"):
        path = path_for("business", legal_form, document, expires)
        steps = by_code(path)
        first = next_steps(path)[0]
        assert first == next(item for item in path if not item.done)
        migration = steps[MIGRATION_DOCUMENT_STEP]
        company = "constitucion-empresa" in steps
        assert company == (legal_form in national("constitucion-empresa").legal_forms)

        if holds_what_the_ruc_step_accepts(document, expires):
            # A document the RUC step accepts: the migration document is done, RUC (or, for a company,
            # its incorporation at SUNARP, which the RUC step lists first) is the first thing to do.
            assert migration.state == PathState.DONE
            assert migration.evidence == str(DocumentKind(document).label)
            assert first.step.code == ("constitucion-empresa" if company else "ruc")
            if company:
                assert steps["ruc"].state == PathState.BLOCKED
                assert steps["ruc"].reasons == [needs_first("constitucion-empresa")]
            else:
                assert steps["ruc"].state == PathState.AVAILABLE
        else:
            # Anything else: the first step is the migration document, and the RUC waits for it.
            assert first.step.code == MIGRATION_DOCUMENT_STEP
            assert steps["ruc"].state == PathState.BLOCKED
            if document in ruc.accepted_documents:  # held, but expired
                expected = (
                    f"Your {DocumentKind(document).label} expired on {date_format(expires, 'DATE_FORMAT')}: "
                    "renew it first."
                )
                assert migration.state == PathState.AVAILABLE and migration.reasons == [expected]
            else:
                expected = f"Needs a {documents_phrase(ruc.accepted_documents)} first."
            assert steps["ruc"].reasons[0] == expected
            if document == DocumentKind.REFUGEE:
                # Its own route: the card is a document under way, with the commission that decides.
                assert migration.state == PathState.IN_PROGRESS
                assert "Special Commission for Refugees" in migration.reasons[0]
            elif document not in ruc.accepted_documents:
                assert migration.state == PathState.AVAILABLE and not migration.reasons

        # The licence waits for the RUC, whatever the document; the portal takes everyone.
        assert national("licencia").prerequisites == ["ruc"]
        assert steps["licencia"].state == PathState.BLOCKED
        assert needs_first("ruc") in steps["licencia"].reasons
        assert steps["registro-portal-negocio"].state == PathState.AVAILABLE
        assert progress(path) == (
            round(100 / len([s for s in path if not s.step.optional])) if migration.done else 0
        )


@pytest.mark.parametrize("legal_form", ORGANIZATION_FORMS)
def test_an_organization_path_is_the_same_whatever_the_document(legal_form):
    """The registry of organizations asks for no particular migration document (its steps accept
    any), so every document gives the same path: the founding assembly first."""
    assert all(not step.accepted_documents for step in steps_for(None, "organization", legal_form)), (
        "no organization step names a document"
    )
    with translation.override("en"):
        paths = {
            name: [
                (item.step.code, item.state, tuple(item.reasons))
                for item in path_for("organization", legal_form, *doc)
            ]
            for name, doc in DOCUMENTS.items()
        }
        assert len(set(map(tuple, paths.values()))) == 1
        path = path_for("organization", legal_form, DocumentKind.PASSPORT)
        steps = by_code(path)
        assert next_steps(path)[0].step.code == "asamblea-fundacion"
        assert "documento-migratorio" not in steps
        for item in path:
            prerequisites = [code for code in item.step.prerequisites if code in steps]
            if prerequisites:
                assert item.state == PathState.BLOCKED
                assert item.reasons == [needs_first(code) for code in prerequisites]
            else:
                assert item.state == PathState.AVAILABLE and not item.reasons
        portal = steps["registro-portal-organizacion"]
        assert needs_first("estatuto") in portal.reasons and needs_first("padron-socios") in portal.reasons
        assert steps["presupuesto-participativo"].reasons == [needs_first("registro-portal-organizacion")]
        assert ("inscripcion-sunarp" in steps) == (legal_form in national("inscripcion-sunarp").legal_forms)


def test_an_organization_with_its_statute_goes_on_to_its_board():
    with translation.override("en"):
        steps = by_code(path_for("organization", "association", DocumentKind.CE, has_statute="yes"))
        assert steps["asamblea-fundacion"].done and steps["estatuto"].done
        assert steps["eleccion-directiva"].state == PathState.AVAILABLE
        assert steps["inscripcion-sunarp"].reasons == [needs_first("eleccion-directiva")]


def test_a_ruc_already_held_unblocks_the_licence():
    steps = by_code(path_for("business", "sole_proprietor", DocumentKind.CPP, VALID, has_ruc="yes"))
    assert steps["ruc"].done and steps["licencia"].state == PathState.AVAILABLE


# ----- an application's own path ----------------------------------------------------------------


def organization_with(kind, legal_form, status=ApplicationStatus.DRAFT, **fields):
    organization = OrganizationFactory(kind=kind, legal_form=legal_form, status=status, **fields)
    ensure_organization_steps(organization)
    return Organization.objects.get(pk=organization.pk)


@pytest.mark.parametrize(
    ("status", "portal_state"),
    [
        (ApplicationStatus.DRAFT, PathState.IN_PROGRESS),
        (ApplicationStatus.REJECTED, PathState.BLOCKED),
        (ApplicationStatus.SUBMITTED, PathState.IN_PROGRESS),
        (ApplicationStatus.OBSERVED, PathState.IN_PROGRESS),
        (ApplicationStatus.APPROVED, PathState.DONE),
    ],
)
def test_the_portal_step_follows_the_application_and_approval_opens_participatory_budgeting(
    status, portal_state
):
    registered = timezone.now() - timedelta(days=2)
    organization = organization_with(
        "organization",
        "association",
        status=status,
        registered_at=registered if status == ApplicationStatus.APPROVED else None,
        registry_number="RMO-2026-000777" if status == ApplicationStatus.APPROVED else "",
    )
    path = organization_path(organization)
    steps = by_code(path)
    portal, budgeting = steps["registro-portal-organizacion"], steps["presupuesto-participativo"]
    assert portal.state == portal_state
    required = [item for item in path if not item.step.optional]
    if status == ApplicationStatus.APPROVED:
        assert portal.done_on == registered and portal.evidence == "RMO-2026-000777"
        assert budgeting.state == PathState.AVAILABLE and not budgeting.reasons
        assert progress(path) == round(100 / len(required))
    else:
        assert budgeting.state == PathState.BLOCKED
        assert progress(path) == 0


def test_an_organization_registered_before_the_budgeting_step_existed_still_gets_it():
    organization = organization_with(
        "organization", "community_group", status=ApplicationStatus.APPROVED, registered_at=timezone.now()
    )
    organization.steps.filter(step__code="presupuesto-participativo").delete()
    steps = by_code(organization_path(Organization.objects.get(pk=organization.pk)))
    assert steps["presupuesto-participativo"].state == PathState.AVAILABLE


def test_the_representatives_document_and_the_step_records_make_the_path():
    organization = organization_with("business", "sole_proprietor")
    PersonFactory(organization=organization, document_type="cpp", document_expires_on=EXPIRED)
    with translation.override("en"):
        steps = by_code(organization_path(organization, today=TODAY))
        assert steps["ruc"].state == PathState.BLOCKED
        assert steps["ruc"].reasons[0].startswith("Your CPP") and "renew it first" in steps["ruc"].reasons[0]

    organization.people.update(document_expires_on=VALID)
    verifier = UserFactory(username="registradora")
    organization.steps.filter(step__code="ruc").update(
        status=StepStatus.VERIFIED,
        evidence_number="10456789012",
        verified_by=verifier,
        verified_at=timezone.now(),
    )
    organization.steps.filter(step__code="licencia").update(
        status=StepStatus.DONE, evidence_number="L-2024-55", valid_until=EXPIRED
    )
    with translation.override("en"):
        steps = by_code(organization_path(Organization.objects.get(pk=organization.pk), today=TODAY))
        ruc = steps["ruc"]
        assert str(ruc.status_label) == "Verified by staff"
    assert steps[MIGRATION_DOCUMENT_STEP].done and steps[MIGRATION_DOCUMENT_STEP].valid_until == VALID
    assert ruc.done and ruc.verified and ruc.evidence == "10456789012" and ruc.done_on
    licence = steps["licencia"]  # done once, but what it gave expired: to do again
    assert licence.state == PathState.AVAILABLE and licence.expired_on == EXPIRED
    assert "expired on" in licence.reasons[0]


def test_the_applicant_page_shows_blocked_steps_and_what_unblocks_them(client):
    owner = UserFactory(username="titular-pasaporte")
    organization = organization_with("business", "informal", owner=owner)
    PersonFactory(organization=organization, document_type="passport", document_number="P1234567")
    client.force_login(owner)
    html = client.get(
        reverse("registry:application_detail", args=[organization.pk]), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert 'id="ruta-ruc"' in html and "Todavía no" in html
    assert "Antes necesitas un DNI (documento peruano), Carné de Extranjería o CPP" in html
    assert "No pudimos confirmar esta regla en una página oficial." in html


# ----- a municipality's local steps -------------------------------------------------------------


def test_a_local_step_overrides_the_national_rule_and_prerequisites_resolve_in_its_municipality(
    carmen, django_assert_num_queries
):
    from registry.models import home_municipality

    national_licence = national("licencia")
    local = FormalizationStep.objects.create(
        municipality=carmen,
        code="licencia",
        kind="business",
        title="Licencia en Carmen",
        sort_order=national_licence.sort_order,
        accepted_documents=["dni", "ce"],
        prerequisites=["ruc"],
        confirmed=True,
    )
    FormalizationStep.objects.create(
        municipality=carmen,
        code="itse-carmen",
        kind="business",
        title="ITSE en Carmen",
        sort_order=national_licence.sort_order + 1,
        prerequisites=["licencia"],
    )
    with django_assert_num_queries(1):
        carmen_steps = steps_for(carmen, "business", "sole_proprietor")
    answers = {"migration_document": "cpp", "document_expires_on": VALID, "has_ruc": "yes"}
    with translation.override("en"):
        in_carmen = by_code(personal_path("business", "sole_proprietor", answers, carmen, today=TODAY))
        in_lima = by_code(
            personal_path("business", "sole_proprietor", answers, home_municipality(), today=TODAY)
        )
        expected = [f"Needs a {documents_phrase(['dni', 'ce'])} first."]
    assert [s.code for s in carmen_steps].index("itse-carmen") == [s.code for s in carmen_steps].index(
        "licencia"
    ) + 1
    assert in_carmen["licencia"].step == local
    assert in_carmen["licencia"].reasons == expected
    # The local ITSE waits on Carmen's licence, the step of that code in its own set.
    assert in_carmen["itse-carmen"].reasons == ["Needs “Licencia en Carmen” first."]
    assert in_lima["licencia"].step == national_licence and in_lima["licencia"].state == PathState.AVAILABLE
    assert "itse-carmen" not in in_lima


# ----- the check at /empezar/ -------------------------------------------------------------------


def test_where_do_i_start_gives_each_document_its_own_first_step(client):
    passport = client.get(
        reverse("registry:start"),
        {"kind": "business", "legal_form": "informal", "migration_document": "passport", "has_ruc": "no"},
        HTTP_ACCEPT_LANGUAGE="es",
    ).content.decode()
    migration = national(MIGRATION_DOCUMENT_STEP)
    assert f"Tu siguiente paso: {migration.title}." in passport
    assert "Antes necesitas un DNI (documento peruano), Carné de Extranjería o CPP" in passport
    assert migration.unconfirmed_note in passport  # the public page says what is not confirmed
    assert "http://ruos.gpvlima.com/" not in passport  # a business path has no RUOS source

    expired = client.get(
        reverse("registry:start"),
        {
            "kind": "business",
            "legal_form": "informal",
            "migration_document": "cpp",
            "document_expires_on": "15/01/2026",
            "has_ruc": "no",
        },
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert expired.status_code == 200
    html = expired.content.decode()
    assert "Tu CPP (Carné de Permiso Temporal de Permanencia) venció el 15 de enero de 2026" in html
    assert 'value="2026-01-15"' in html  # the answer is kept, in the date picker's format

    dni = client.get(
        reverse("registry:start"),
        {"kind": "business", "legal_form": "sole_proprietor", "migration_document": "dni", "has_ruc": "no"},
        HTTP_ACCEPT_LANGUAGE="es",
    ).content.decode()
    assert f"Tu siguiente paso: {national('ruc').title}." in dni


def test_where_do_i_start_refuses_a_bad_date_with_a_clear_message_and_keeps_the_answers(client):
    response = client.get(
        reverse("registry:start"),
        {
            "kind": "organization",
            "legal_form": "association",
            "migration_document": "ce",
            "document_expires_on": "31/02/2026",
            "has_ruc": "no",
            "has_statute": "yes",
        },
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Escribe la fecha como día/mes/año, por ejemplo 31/12/2026." in html
    assert 'value="31/02/2026"' in html
    assert re.search(r'<input[^>]*name="migration_document" value="ce"[^>]*checked', html)
    assert re.search(r'<input[^>]*name="has_statute" value="yes"[^>]*checked', html)
    assert "<legend" in html  # the radio groups are fieldsets with a legend
    assert 'id="error-summary"' in html


def test_the_person_form_refuses_a_bad_expiry_date_in_the_applicants_language():
    data = {
        "role": "representative",
        "full_name": "Ana Pérez",
        "document_type": "cpp",
        "document_number": "CPP0001",
        "document_expires_on": "2026-13-45",
        "phone": "+51987000111",
    }
    with translation.override("es"):
        form = PersonForm(data=data)
        assert not form.is_valid()
        assert form.errors["document_expires_on"] == [
            "Escribe la fecha como día/mes/año, por ejemplo 31/12/2026."
        ]
    form = PersonForm(data={**data, "document_expires_on": "31/12/2026"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["document_expires_on"] == date(2026, 12, 31)


# ----- the admin ------------------------------------------------------------------------------


def test_staff_edit_a_steps_preconditions_and_sources_in_the_admin(client):
    from tests.registry.test_formalization import STEPS_ADMIN, step_form

    admin = UserFactory(username="root-reglas", is_superuser=True, is_staff=True)
    client.force_login(admin)
    licence = national("licencia")
    data = step_form(
        licence,
        accepted_documents=["dni", "ce", "cpp"],
        prerequisites=["ruc", "documento-migratorio"],
        legal_basis="Ley N.° 28976",
        source_urls="https://www.gob.pe/ejemplo",
        confirmed="on",
        unconfirmed_note="",
    )
    response = client.post(reverse(f"{STEPS_ADMIN}:edit", args=[licence.pk]), data)
    assert response.status_code == 302
    licence.refresh_from_db()
    assert licence.accepted_documents == ["dni", "ce", "cpp"]
    assert licence.prerequisites == ["ruc", "documento-migratorio"] and licence.confirmed
    assert licence.source_url_list == ["https://www.gob.pe/ejemplo"]

    response = client.post(
        reverse(f"{STEPS_ADMIN}:edit", args=[licence.pk]), step_form(licence, prerequisites=["licencia"])
    )
    assert response.status_code == 200
    licence.refresh_from_db()
    assert licence.prerequisites == ["ruc", "documento-migratorio"]
