import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from registry.formalization import (
    PORTAL_REGISTRATION_CODES,
    PathState,
    ensure_organization_steps,
    organization_path,
    personal_path,
    progress,
)
from registry.models import ApplicationStatus, Organization, StepStatus
from tests.factories import OrganizationFactory, PublishedOrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def codes(path):
    return [item.step.code for item in path]


def test_business_path_in_order():
    path = personal_path("business", "sole_proprietor")
    assert codes(path) == ["documento-migratorio", "ruc", "licencia", "registro-portal-negocio"]


def test_company_adds_sunarp_incorporation():
    assert "constitucion-empresa" in codes(personal_path("business", "company"))


def test_association_path_includes_statute_board_and_civil_registry():
    path = codes(personal_path("organization", "association"))
    assert path.index("asamblea-fundacion") < path.index("estatuto") < path.index("eleccion-directiva")
    assert "inscripcion-sunarp" in path
    assert path[-3:] == [
        "registro-organizaciones-civiles",
        "registro-portal-organizacion",
        "presupuesto-participativo",
    ]


def test_community_group_skips_sunarp():
    assert "inscripcion-sunarp" not in codes(personal_path("organization", "community_group"))


def test_answers_prefill_status():
    path = personal_path("business", "informal", {"migration_document": "cpp", "has_ruc": "in_progress"})
    status = {item.step.code: item.status for item in path}
    assert status["documento-migratorio"] == StepStatus.DONE
    assert status["ruc"] == StepStatus.IN_PROGRESS
    assert status["licencia"] == StepStatus.NOT_STARTED
    state = {item.step.code: item.state for item in path}
    assert state["licencia"] == PathState.BLOCKED  # the RUC is not done yet


def test_no_document_yet_is_the_step_to_do():
    path = personal_path("business", "informal", {"migration_document": "none"})
    assert path[0].status == StepStatus.NOT_STARTED and path[0].state == PathState.AVAILABLE


def test_changing_legal_form_keeps_recorded_progress():
    organization = OrganizationFactory(kind="business", legal_form="company")
    ensure_organization_steps(organization)
    row = organization.steps.get(step__code="constitucion-empresa")
    row.status, row.evidence_number = StepStatus.IN_PROGRESS, "12345678"
    row.save()
    organization.legal_form = "sole_proprietor"
    organization.save()
    ensure_organization_steps(organization)
    assert organization.steps.filter(step__code="constitucion-empresa").exists()


def test_progress_ignores_optional_steps():
    organization = OrganizationFactory(kind="business", legal_form="company")
    ensure_organization_steps(organization)
    organization.steps.exclude(step__optional=True).update(status=StepStatus.DONE)
    rows = list(organization.steps.select_related("step"))
    assert progress(rows) == 100


def _portal_row(organization):
    return next(row for row in organization_path(organization) if row.step.code in PORTAL_REGISTRATION_CODES)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (ApplicationStatus.DRAFT, StepStatus.IN_PROGRESS),
        (ApplicationStatus.SUBMITTED, StepStatus.IN_PROGRESS),
        (ApplicationStatus.IN_REVIEW, StepStatus.IN_PROGRESS),
        (ApplicationStatus.OBSERVED, StepStatus.IN_PROGRESS),
        (ApplicationStatus.REJECTED, StepStatus.NOT_STARTED),
        (ApplicationStatus.APPROVED, StepStatus.DONE),
        (ApplicationStatus.SUSPENDED, StepStatus.DONE),
    ],
)
def test_the_portal_registration_step_follows_the_application(status, expected):
    registered = timezone.now() - timedelta(days=3) if expected == StepStatus.DONE else None
    for kind, legal_form in (("business", "informal"), ("organization", "association")):
        organization = OrganizationFactory(
            kind=kind, legal_form=legal_form, status=status, registered_at=registered
        )
        ensure_organization_steps(organization)
        row = _portal_row(organization)
        assert row.status == expected
        assert row.done_on == registered
        # Shown, not saved: the stored row is as the applicant left it.
        assert organization.steps.get(step__code=row.step.code).status == StepStatus.NOT_STARTED


def test_approval_completes_the_portal_step_and_moves_the_progress():
    organization = OrganizationFactory(kind="business", legal_form="sole_proprietor")
    ensure_organization_steps(organization)
    assert progress(organization_path(organization)) == 0
    Organization.objects.filter(pk=organization.pk).update(
        status=ApplicationStatus.APPROVED, registered_at=timezone.now()
    )
    organization.refresh_from_db()
    assert progress(organization_path(organization)) == 25  # 1 of the 4 required steps


def test_the_applicant_page_shows_the_portal_step_done_since_the_approval(client, demo_site):
    owner = UserFactory(username="titular")
    organization = PublishedOrganizationFactory(
        owner=owner,
        kind="business",
        legal_form="sole_proprietor",
        registered_at=datetime(2026, 3, 3, 15, tzinfo=UTC),
    )
    ensure_organization_steps(organization)
    client.force_login(owner)
    page = client.get(
        reverse("registry:application_detail", args=[organization.pk]), HTTP_ACCEPT_LANGUAGE="es"
    )
    html = page.content.decode()
    portal = re.search(
        r'<li class="card path-step path-done" id="ruta-registro-portal-negocio">(.*?)</li>', html, re.S
    )
    assert portal, html
    assert '<span class="badge ok">Hecho</span>' in portal[1]
    assert "desde el 3 de marzo de 2026" in portal[1]
    assert organization.registry_number in portal[1]
    assert "25%" in html
    # The wizard does not ask about it.
    wizard = client.get(reverse("registry:wizard", args=[organization.pk, "formalizacion"])).content.decode()
    assert "Registro en el portal municipal" not in wizard and "RUC" in wizard


# ----- national steps, and a municipality's local ones ----------------------------------------


def staff_of(municipality, role, username):
    from registry.models import MunicipalStaffGroup

    user = UserFactory(username=username)
    user.groups.add(MunicipalStaffGroup.objects.get(municipality=municipality, role=role).group)
    return user


@pytest.fixture
def carmen_steps(carmen):
    from registry.formalization import add_local_steps

    return add_local_steps(carmen)


def test_a_local_step_replaces_the_national_one_of_its_code_in_its_municipality(carmen_steps, carmen):
    from registry.formalization import steps_for
    from registry.models import home_municipality

    carmen_path = steps_for(carmen, "business", "sole_proprietor")
    lima_path = steps_for(home_municipality(), "business", "sole_proprietor")
    assert (
        [s.code for s in carmen_path]
        == [s.code for s in lima_path]
        == [
            "documento-migratorio",
            "ruc",
            "licencia",
            "registro-portal-negocio",
        ]
    )
    carmen_licence = next(s for s in carmen_path if s.code == "licencia")
    assert carmen_licence.municipality == carmen and carmen_licence.cost.startswith("S/")
    assert carmen_licence.office and len(carmen_licence.requirement_list) == 4
    assert all(s.municipality_id is None for s in lima_path)
    # The other steps are the national ones, shared.
    assert {s.pk for s in carmen_path if s.code != "licencia"} == {
        s.pk for s in lima_path if s.code != "licencia"
    }
    # Idempotent: run again, nothing new.
    from registry.formalization import add_local_steps

    assert [s.pk for s in add_local_steps(carmen)] == [s.pk for s in carmen_steps]


def test_a_code_is_unique_among_national_steps_and_within_a_municipality(carmen_steps, carmen):
    from django.db import IntegrityError, transaction

    from registry.models import FormalizationStep, home_municipality

    national = FormalizationStep.objects.get(code="ruc", municipality__isnull=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        FormalizationStep.objects.create(code="ruc", kind="business", title="Otro RUC")
    with pytest.raises(IntegrityError), transaction.atomic():
        FormalizationStep.objects.create(code="licencia", kind="business", title="Otra", municipality=carmen)
    # Another municipality may write its own step of the same code.
    FormalizationStep.objects.create(
        code="licencia", kind="business", title="Licencia en Lima", municipality=home_municipality()
    )
    assert national.pk


def test_an_organization_follows_its_municipality_steps(carmen_steps, carmen):
    from registry.models import home_municipality

    organization = OrganizationFactory(municipality=carmen, kind="business", legal_form="informal")
    ensure_organization_steps(organization)
    licence = organization.steps.get(step__code="licencia")
    assert licence.step.municipality == carmen
    rows = organization_path(organization)
    assert [row.step.code for row in rows][2] == "licencia"

    # Moved to Lima while untouched, the row follows to Lima's (national) licence step.
    organization.municipality = home_municipality()
    ensure_organization_steps(organization)
    assert organization.steps.get(step__code="licencia").step.municipality_id is None
    assert organization.steps.filter(step__code="licencia").count() == 1


def test_progress_recorded_on_the_national_step_is_kept_when_a_local_one_appears(carmen):
    from registry.formalization import add_local_steps

    organization = OrganizationFactory(municipality=carmen, kind="business", legal_form="informal")
    ensure_organization_steps(organization)
    organization.steps.filter(step__code="licencia").update(status=StepStatus.DONE, evidence_number="L-123")
    add_local_steps(carmen)
    organization = Organization.objects.get(pk=organization.pk)
    ensure_organization_steps(organization)
    licence = organization.steps.get(step__code="licencia")
    assert licence.status == StepStatus.DONE and licence.evidence_number == "L-123"
    assert licence.step.municipality_id is None  # the progress stands for the step, nothing doubled


def test_where_do_i_start_on_a_municipality_site_gives_its_local_steps(
    client, carmen_steps, carmen, demo_site
):
    from wagtail.models import Site

    carmen.site = Site.objects.create(hostname="carmen.localhost", port=80, root_page=demo_site)
    carmen.save()
    query = {
        "kind": "business",
        "legal_form": "informal",
        "migration_document": "cpp",
        "has_ruc": "no",
        "has_licence": "no",
    }
    on_carmen = client.get(reverse("registry:start"), query, HTTP_HOST="carmen.localhost").content.decode()
    assert "Licencia de funcionamiento en Carmen de la Legua Reynoso" in on_carmen
    assert "S/ 98.50" in on_carmen and "Hasta 4 días hábiles" in on_carmen
    on_lima = client.get(reverse("registry:start"), query).content.decode()
    assert "Licencia municipal de funcionamiento con ITSE" in on_lima and "S/ 98.50" not in on_lima


# ----- the admin: national steps the administrators', local ones their municipality's editors' ----

STEPS_ADMIN = "wagtailsnippets_registry_formalizationstep"


def step_form(step, **changes):
    data = {
        "municipality": step.municipality_id or "",
        "code": step.code,
        "kind": step.kind,
        "legal_forms": "[]",
        "title": step.title,
        "title_en": step.title_en,
        "summary": step.summary,
        "summary_en": step.summary_en,
        "cost": step.cost,
        "processing_time": step.processing_time,
        "office": step.office,
        "requirements": step.requirements,
        "sort_order": step.sort_order,
        "evidence": step.evidence,
        "evidence_document_type": step.evidence_document_type,
        "guide_page": step.guide_page_id or "",
    }
    data.update(changes)
    return data


def test_a_municipality_editor_changes_only_its_local_steps(client, carmen_steps, carmen):
    from registry.models import FormalizationStep, home_municipality

    lima = home_municipality()
    lima_local = FormalizationStep.objects.create(
        code="licencia", kind="business", title="Licencia en Lima", municipality=lima
    )
    national = FormalizationStep.objects.get(code="licencia", municipality__isnull=True)
    (carmen_licence,) = carmen_steps
    editor = staff_of(carmen, "editors", "editora-carmen")
    client.force_login(editor)

    listing = client.get(reverse(f"{STEPS_ADMIN}:list")).content.decode()
    assert "Licencia de funcionamiento en Carmen de la Legua Reynoso" in listing
    assert "Licencia municipal de funcionamiento con ITSE" in listing  # national: to copy
    assert "Licencia en Lima" not in listing

    assert client.get(reverse(f"{STEPS_ADMIN}:edit", args=[lima_local.pk])).status_code == 404
    assert client.get(reverse(f"{STEPS_ADMIN}:edit", args=[national.pk])).status_code in {302, 403}
    response = client.post(
        reverse(f"{STEPS_ADMIN}:edit", args=[national.pk]), step_form(national, cost="S/ 1")
    )
    assert response.status_code in {302, 403}
    national.refresh_from_db()
    assert national.cost == ""
    assert client.get(reverse(f"{STEPS_ADMIN}:copy", args=[national.pk])).status_code == 200

    response = client.post(
        reverse(f"{STEPS_ADMIN}:edit", args=[carmen_licence.pk]), step_form(carmen_licence, cost="S/ 120.00")
    )
    assert response.status_code == 302
    carmen_licence.refresh_from_db()
    assert carmen_licence.cost == "S/ 120.00"

    # A new step: of their municipality, never national, never another municipality's.
    itse = FormalizationStep.objects.get(code="ruc", municipality__isnull=True)
    for municipality in ("", lima.pk):
        response = client.post(
            reverse(f"{STEPS_ADMIN}:add"),
            step_form(itse, code="itse", title="ITSE", municipality=municipality),
        )
        assert response.status_code == 200
        assert not FormalizationStep.objects.filter(code="itse").exists()
    response = client.post(
        reverse(f"{STEPS_ADMIN}:add"), step_form(itse, code="itse", title="ITSE", municipality=carmen.pk)
    )
    assert response.status_code == 302
    assert FormalizationStep.objects.get(code="itse").municipality == carmen


def test_superusers_change_the_national_steps(client, carmen_steps):
    from registry.models import FormalizationStep

    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    national = FormalizationStep.objects.get(code="licencia", municipality__isnull=True)
    response = client.post(
        reverse(f"{STEPS_ADMIN}:edit", args=[national.pk]), step_form(national, summary="Nueva explicación")
    )
    assert response.status_code == 302
    national.refresh_from_db()
    assert national.summary == "Nueva explicación"
    listing = client.get(reverse(f"{STEPS_ADMIN}:list")).content.decode()
    assert "Licencia de funcionamiento en Carmen de la Legua Reynoso" in listing


def test_a_local_step_links_to_its_municipality_guide_when_its_site_has_one(carmen, demo_site):
    from wagtail.models import Page, Site

    from registry.formalization import add_local_steps
    from registry.models import FormalizationStep

    national = FormalizationStep.objects.get(code="licencia", municipality__isnull=True)
    assert national.guide_page_id  # the demo site links it to Lima's business guide
    (without_site,) = add_local_steps(carmen)
    assert without_site.guide_page_id == national.guide_page_id

    root = Page.get_first_root_node().add_child(instance=Page(title="Carmen", slug="inicio-carmen"))
    own_guide = root.add_child(instance=Page(title="Guía de Carmen", slug=national.guide_page.slug))
    carmen.site = Site.objects.create(hostname="carmen.localhost", port=80, root_page=root)
    carmen.save()
    (with_site,) = add_local_steps(carmen)
    assert with_site.pk == without_site.pk and with_site.guide_page_id == own_guide.pk
